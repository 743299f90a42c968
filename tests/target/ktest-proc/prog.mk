# ktest-proc checks that fork copies FP registers, so it uses F and D itself
# (the runtime it links with stays lp64: only the instruction set changes).
UCFLAGS_ktest-proc := -march=rv64imafdc_zicsr_zifencei
