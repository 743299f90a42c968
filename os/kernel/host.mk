# Host unit tests of the kernel's pure code (FDT, platform, memmap, pmm,
# CPIO, ELF) and of the user runtime's formatter, built with the host
# compiler under ASan+UBSan.  `make host-test` builds them, produces the
# device trees and ELF images they read (QEMU dumps, dtc fixtures, programs
# linked by the cross compiler), runs them and prints
# `host-test: N passed, M failed`.

HT        := os/kernel/lib/test
HB        := $(B)/host
HDTB      := $(HB)/dtb
HCC       ?= gcc
HCFLAGS   := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
             -fsanitize=address,undefined -fno-sanitize-recover=all \
             -I $(HT)/shim -I os/kernel/include -I os/lib/include -I $(HT) -MMD -MP
HOST_TESTS := test_fdt test_platform test_fuzz test_memmap test_pmm test_cpio test_elf test_ufmt

HLIB_SRC  := os/kernel/lib/fdt.c os/kernel/lib/platform.c os/kernel/lib/memmap.c \
             os/kernel/mm/pmm.c os/lib/cpio.c os/lib/elf.c os/user/fmt.c \
             $(HT)/ktap.c $(HT)/blob.c $(HT)/shim/spinlock.c $(HT)/shim/bad_free.c
HLIB_OBJ  := $(patsubst %.c,$(HB)/obj/%.o,$(HLIB_SRC))

HOST_DTBS := $(HDTB)/virt-smp1.dtb $(HDTB)/virt-smp4.dtb $(HDTB)/virt-smp8.dtb \
             $(HDTB)/virt-8g.dtb $(HDTB)/sifive_u-smp5.dtb \
             $(patsubst $(HT)/fixtures/%.dts,$(HDTB)/%.dtb,$(wildcard $(HT)/fixtures/*.dts))

# ELF images for test_elf, linked from one small program in the ways the
# loader must accept (the user runtime's script, the default script, a huge
# bss, the double-float ABI) or refuse (RWX, RV32, outside the user half,
# relocatable).
HOST_ELFS := $(addprefix $(HDTB)/,elf-user.elf elf-default.elf elf-bigbss.elf elf-lp64d.elf \
             elf-omagic.elf elf-rv32.elf elf-high.elf elf-low.elf elf-rel.o)
HELF_CFLAGS := -ffreestanding -nostdlib -static -O2 -mcmodel=medany -Wl,--build-id=none
RV64_LP64 := -march=rv64imac -mabi=lp64
$(HDTB)/elf-user.elf:    HELF_VARIANT := $(RV64_LP64) -T os/user/user.ld
$(HDTB)/elf-default.elf: HELF_VARIANT := $(RV64_LP64)
$(HDTB)/elf-bigbss.elf:  HELF_VARIANT := $(RV64_LP64) -DBSS_SIZE=0x40000000
$(HDTB)/elf-lp64d.elf:   HELF_VARIANT := -march=rv64imafdc -mabi=lp64d
$(HDTB)/elf-omagic.elf:  HELF_VARIANT := $(RV64_LP64) -Wl,-N -Wl,--no-warn-rwx-segments
$(HDTB)/elf-rv32.elf:    HELF_VARIANT := -march=rv32imac -mabi=ilp32
$(HDTB)/elf-high.elf:    HELF_VARIANT := $(RV64_LP64) -Wl,-Ttext-segment=0x4000000000
$(HDTB)/elf-low.elf:     HELF_VARIANT := $(RV64_LP64) -Wl,-Ttext-segment=0
$(HDTB)/elf-rel.o:       HELF_VARIANT := $(RV64_LP64) -c

# The formatter's header lives with the user runtime.
$(HB)/obj/os/user/fmt.o $(HB)/obj/$(HT)/test_ufmt.o: HCFLAGS += -I os/user/include

$(HB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(HCC) $(HCFLAGS) -c $< -o $@

$(HB)/test_%: $(HB)/obj/$(HT)/test_%.o $(HLIB_OBJ)
	$(HCC) $(HCFLAGS) $^ -o $@

$(HDTB)/virt-smp%.dtb:
	@mkdir -p $(dir $@)
	$(QEMU) -M virt,dumpdtb=$@ -smp $* -m 512M -nographic >/dev/null 2>&1

$(HDTB)/virt-8g.dtb:
	@mkdir -p $(dir $@)
	$(QEMU) -M virt,dumpdtb=$@ -smp 2 -m 8G -nographic >/dev/null 2>&1

$(HDTB)/sifive_u-smp5.dtb:
	@mkdir -p $(dir $@)
	$(QEMU) -M sifive_u,dumpdtb=$@ -smp 5 -m 512M -nographic >/dev/null 2>&1

$(HDTB)/elf-%: $(HT)/fixtures/elfprog.c os/user/user.ld
	@mkdir -p $(dir $@)
	$(CC) $(HELF_CFLAGS) $(HELF_VARIANT) $< -o $@

$(HDTB)/%.dtb: $(HT)/fixtures/%.dts
	@mkdir -p $(dir $@)
	dtc -q -I dts -O dtb -o $@ $<

host-test: $(addprefix $(HB)/,$(HOST_TESTS)) $(HOST_DTBS) $(HOST_ELFS)
	@sh $(HT)/run-tests.sh $(HB) $(HDTB) $(HOST_TESTS)

.PRECIOUS: $(HB)/obj/%.o
-include $(HLIB_OBJ:.o=.d) $(patsubst %,$(HB)/obj/$(HT)/%.d,$(HOST_TESTS))
