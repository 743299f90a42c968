# Keel kernel build (included by the top Makefile).
# Produces build/os/kernel.elf (with symbols) and build/os/Image (flat binary
# with the RISC-V Linux Image header, bootable by OpenSBI -kernel and U-Boot booti).

K        := os/kernel
KB       := $(B)/os/kernel
KSRC     := $(wildcard $(K)/arch/riscv/*.S $(K)/arch/riscv/*.c $(K)/arch/riscv/test/*.c $(K)/core/*.c \
              $(K)/mm/*.c $(K)/lib/*.c $(K)/test/*.c)
# Pure code shared with taskman and the host tests (os/lib), less what only
# user programs take (libc-based code: the terminal line discipline, the
# serial drivers' common part, the random generator, the block layer, PCI, the
# file-system servers' connect rules).
KLIBUSER := os/lib/termdisc.c os/lib/devc_common.c os/lib/chacha.c os/lib/blkdev.c \
            os/lib/pci.c os/lib/pci_host.c os/lib/pci_dw.c os/lib/pci_msi_route.c os/lib/pci_client.c os/lib/ttyctl.c \
            os/lib/fsrules.c
KLIBSRC  := $(filter-out $(KLIBUSER),$(wildcard os/lib/*.c))
KOBJ     := $(patsubst $(K)/%,$(KB)/%.o,$(KSRC)) $(patsubst os/lib/%,$(KB)/oslib/%.o,$(KLIBSRC))
KLOCKCHECK ?= 1
# Debug checks (the I-cache coherence check on executable user mappings);
# the tests run debug builds.
KDEBUG   ?= 1

KCFLAGS  := -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-common -fno-pie -fno-stack-protector \
            -mcmodel=medany -march=rv64imac_zicsr_zifencei -mabi=lp64 \
            -Wall -Wextra -Werror -Wno-unused-parameter \
            -I $(K)/include -I $(K)/arch/riscv/include -I os/lib/include -I os/include -MMD -MP \
            -DKEEL_VERSION='"$(VERSION)"' -DKEEL_GITDESC='"$(GITDESC)"' \
            $(if $(filter 1,$(KLOCKCHECK)),-DKEEL_LOCKCHECK=1) \
            $(if $(filter 1,$(KDEBUG)),-DKEEL_DEBUG=1)
KLDFLAGS := -nostdlib -static -no-pie -Wl,-T,$(K)/arch/riscv/kernel.ld -Wl,--build-id=none

$(KB)/%.c.o: $(K)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(KB)/oslib/%.c.o: os/lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(KB)/%.S.o: $(K)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# The git description changes with every commit; keep it in one object only.
$(KB)/core/main.c.o: $(KB)/.gitdesc
$(KB)/.gitdesc: FORCE
	@mkdir -p $(dir $@)
	@echo '$(GITDESC)' | cmp -s - $@ || echo '$(GITDESC)' > $@
.PHONY: FORCE

$(B)/os/kernel.elf: $(KOBJ) $(K)/arch/riscv/kernel.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(KCFLAGS) $(KLDFLAGS) $(KOBJ) -o $@

$(B)/os/Image: $(B)/os/kernel.elf
	$(Q)$(OBJCOPY) -O binary $< $@
	@echo "Image: $$(stat -c %s $@) bytes"

-include $(KOBJ:.o=.d)
