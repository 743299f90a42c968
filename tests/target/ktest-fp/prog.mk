# ktest-fp uses the F and D registers itself (the runtime it links with stays
# lp64, so only the instruction set changes, not the calling convention).
UCFLAGS_ktest-fp := -march=rv64imafdc_zicsr_zifencei
