# Host unit tests of the kernel's pure code (FDT, platform, memmap, pmm),
# built with the host compiler under ASan+UBSan.  `make host-test` builds
# them, produces the device trees they read (QEMU dumps and dtc fixtures),
# runs them and prints `host-test: N passed, M failed`.

HT        := os/kernel/lib/test
HB        := $(B)/host
HDTB      := $(HB)/dtb
HCC       ?= gcc
HCFLAGS   := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
             -fsanitize=address,undefined -fno-sanitize-recover=all \
             -I $(HT)/shim -I os/kernel/include -I $(HT) -MMD -MP
HOST_TESTS := test_fdt test_platform test_fuzz test_memmap test_pmm

HLIB_SRC  := os/kernel/lib/fdt.c os/kernel/lib/platform.c os/kernel/lib/memmap.c \
             os/kernel/mm/pmm.c $(HT)/ktap.c $(HT)/blob.c $(HT)/shim/spinlock.c \
             $(HT)/shim/bad_free.c
HLIB_OBJ  := $(patsubst %.c,$(HB)/obj/%.o,$(HLIB_SRC))

HOST_DTBS := $(HDTB)/virt-smp1.dtb $(HDTB)/virt-smp4.dtb $(HDTB)/virt-smp8.dtb \
             $(HDTB)/virt-8g.dtb $(HDTB)/sifive_u-smp5.dtb \
             $(patsubst $(HT)/fixtures/%.dts,$(HDTB)/%.dtb,$(wildcard $(HT)/fixtures/*.dts))

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

$(HDTB)/%.dtb: $(HT)/fixtures/%.dts
	@mkdir -p $(dir $@)
	dtc -q -I dts -O dtb -o $@ $<

host-test: $(addprefix $(HB)/,$(HOST_TESTS)) $(HOST_DTBS)
	@sh $(HT)/run-tests.sh $(HB) $(HDTB) $(HOST_TESTS)

.PRECIOUS: $(HB)/obj/%.o
-include $(HLIB_OBJ:.o=.d) $(patsubst %,$(HB)/obj/$(HT)/%.d,$(HOST_TESTS))
