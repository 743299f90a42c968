# Freestanding user programs and the boot image (included by the top Makefile,
# which defines B, CC, CROSS, Q and DEPS).
#
# Every directory os/utils/<prog>/ (and tests/target/<prog>/) holding C or
# assembly sources, or a prog.mk naming sources elsewhere, becomes build/os/bin/<prog>: a static, non-PIE RV64
# executable linked at 0x10000 with the user runtime (os/user: crt0,
# kernel-call stubs, printf, KTAP).  build/os/initrd.cpio packs them, stripped,
# as /bin/<prog> with the host's cpio in newc format, reproducibly: sorted
# names, mtime 0, owner 0:0, renumbered inodes, no device numbers.

U          := os/user
UB         := $(B)/os/user
INITRD     := $(B)/os/initrd.cpio
USTRIP     := $(CROSS)strip
UAR        := $(CROSS)ar

UCFLAGS    := -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-common -fno-pie -fno-stack-protector \
              -ffunction-sections -fdata-sections -mcmodel=medany \
              -march=rv64imac_zicsr_zifencei -mabi=lp64 -Wall -Wextra -Werror \
              -I os/include -I $(U)/include -MMD -MP
ULDFLAGS   := -nostdlib -static -no-pie -Wl,-T,$(U)/user.ld -Wl,--gc-sections -Wl,--build-id=none

URT_SRC    := $(filter-out $(U)/crt0.S,$(wildcard $(U)/*.c $(U)/*.S))
URT_OBJ    := $(patsubst $(U)/%,$(UB)/rt/%.o,$(URT_SRC))
URT_CRT0   := $(UB)/rt/crt0.S.o
URT_LIB    := $(UB)/liburt.a

UPROG_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard os/utils/*/*.[cS] os/utils/*/prog.mk \
                                                        tests/target/*/*.[cS]))))
UPROGS     := $(notdir $(UPROG_DIRS))
UBINS      := $(addprefix $(B)/os/bin/,$(UPROGS))
# System programs, packed as /sbin/<prog>: the process manager, the
# servers (os/servers/<prog>/), the drivers (os/drivers/<prog>/) and the
# other system programs (os/sbin/<prog>/: init, getty).
SPROG_DIRS := os/taskman $(sort $(patsubst %/,%,$(dir $(wildcard os/servers/*/*.[cS] os/drivers/*/*.[cS] os/sbin/*/*.[cS]))))
# Per program: pure code it takes from os/lib, and extra compiler flags.
# A prog.mk may also set UPROG_EXTRA_<prog>: sources from anywhere in the
# tree (paths from the top, e.g. the fs-keel core os/fs/keel/*.c), compiled
# for this program with its flags; code shared with a host tool is built
# from the one source instead of being copied.
UPROG_OSLIB_taskman  := os/lib/elf.c os/lib/cpio.c
UCFLAGS_taskman      := -I os/lib/include
SBINS      := $(addprefix $(B)/os/sbin/,$(notdir $(SPROG_DIRS)))

.PHONY: user
user: $(INITRD)

$(UB)/rt/%.o: $(U)/%
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(URT_LIB): $(URT_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(UAR) rcs $@ $^

# A program directory may hold prog.mk setting UCFLAGS_<prog> (extra flags for
# its own objects, after UCFLAGS so that they win) and, for a libc program,
# UPROG_PORTS_<prog>: the ports whose library it links (os/ports/<name>/
# defines PORT_LIB_<name>, the archive, and PORT_INC_<name>, its headers),
# built before the program's objects and linked before libc.
-include $(wildcard $(addsuffix /prog.mk,$(UPROG_DIRS) $(SPROG_DIRS)))

# uprog_rules DIR BINDIR: objects and the link of one program.  A directory
# holding a file named LIBC builds against Keel's libc (os/libc/libc.mk); the
# others against this runtime.
define uprog_rules
$(if $(and $(UPROG_PORTS_$(notdir $(1))),$(if $(wildcard $(1)/LIBC),,no)),\
  $(error $(1): UPROG_PORTS_$(notdir $(1)) needs Keel's libc (a LIBC marker)))
$(foreach p,$(UPROG_PORTS_$(notdir $(1))),$(if $(PORT_LIB_$(p)),,\
  $(error $(1): no port library $(p) (os/ports/$(p)/port.mk sets PORT_LIB_$(p)))))
$(UB)/$(notdir $(1))/%.o: $(1)/% $(if $(wildcard $(1)/LIBC),$(LS)/libc.mk) \
	| $(foreach p,$(UPROG_PORTS_$(notdir $(1))),$(PORT_LIB_$(p)))
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$<"
	$(Q)$(CC) $(if $(wildcard $(1)/LIBC),$(LCFLAGS) -I tests/target/include,$(UCFLAGS)) \
	    $(foreach p,$(UPROG_PORTS_$(notdir $(1))),-isystem $(PORT_INC_$(p))) \
	    $$(UCFLAGS_$(notdir $(1))) -c $$< -o $$@

$(UB)/$(notdir $(1))/oslib/%.o: os/lib/% $(if $(wildcard $(1)/LIBC),$(LS)/libc.mk)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$<"
	$(Q)$(CC) $(if $(wildcard $(1)/LIBC),$(LCFLAGS),$(UCFLAGS)) -I os/lib/include -c $$< -o $$@

$(UB)/$(notdir $(1))/extra/%.o: % $(if $(wildcard $(1)/LIBC),$(LS)/libc.mk)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$<"
	$(Q)$(CC) $(if $(wildcard $(1)/LIBC),$(LCFLAGS),$(UCFLAGS)) $$(UCFLAGS_$(notdir $(1))) -c $$< -o $$@

UPROG_OBJ_$(notdir $(1)) := $(patsubst $(1)/%,$(UB)/$(notdir $(1))/%.o,$(wildcard $(1)/*.[cS])) \
	$(patsubst os/lib/%,$(UB)/$(notdir $(1))/oslib/%.o,$(UPROG_OSLIB_$(notdir $(1)))) \
	$(patsubst %,$(UB)/$(notdir $(1))/extra/%.o,$(UPROG_EXTRA_$(notdir $(1))))
UPROG_OBJ += $$(UPROG_OBJ_$(notdir $(1)))

ifeq ($(wildcard $(1)/LIBC),)
$(B)/os/$(2)/$(notdir $(1)): $$(UPROG_OBJ_$(notdir $(1))) $(URT_CRT0) $(URT_LIB) $(U)/user.ld
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$(CC) $(UCFLAGS) $(ULDFLAGS) $(URT_CRT0) $$(UPROG_OBJ_$(notdir $(1))) $(URT_LIB) -o $$@
else
$(B)/os/$(2)/$(notdir $(1)): $$(UPROG_OBJ_$(notdir $(1))) $(LIBC_CRT0) $(LIBC_A) $(LIBC_LD) \
	$(foreach p,$(UPROG_PORTS_$(notdir $(1))),$(PORT_LIB_$(p)))
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@ (libc)"
	$(Q)$(CC) $(LCFLAGS) $(LLDFLAGS) $(LIBC_CRT0) $$(UPROG_OBJ_$(notdir $(1))) \
	    $(foreach p,$(UPROG_PORTS_$(notdir $(1))),$(PORT_LIB_$(p))) $(LIBC_LIBS) -o $$@
endif
endef
$(foreach d,$(UPROG_DIRS),$(eval $(call uprog_rules,$(d),bin)))
$(foreach d,$(SPROG_DIRS),$(eval $(call uprog_rules,$(d),sbin)))

# Files the taskman tests spawn: images taskman must refuse, and scripts.
define MAKE_TEST_FILES
mkdir -p $(UB)/initrd/test && \
printf 'this is not a program\n' > $(UB)/initrd/test/notelf && \
head -c 300 $(UB)/initrd/bin/tm-child > $(UB)/initrd/test/truncated && \
: > $(UB)/initrd/test/empty && \
printf '#!/bin/tm-child script\necho never read\n' > $(UB)/initrd/test/script && \
printf '#!/no/such/interpreter\n' > $(UB)/initrd/test/badscript && \
printf '#!\n' > $(UB)/initrd/test/emptyscript && \
chmod 0755 $(UB)/initrd/test $(UB)/initrd/test/*
endef

# The system's files under /etc come from os/etc, and /etc/shadow (0600,
# root's alone) is made here with SHA-512 hashes of ROOT_PASSWORD and
# KEEL_PASSWORD (a farm image sets its own; the local defaults are in the
# README), fixed salts keeping the image reproducible.
# The tree is made once ($(ETC_TREE)) and copied into the boot image and
# onto the disk (which init then uses for /etc: passwd's changes stay).
ETC_FILES  := $(wildcard os/etc/*)
ETC_TREE   := $(UB)/etc
ROOT_PASSWORD ?= root
KEEL_PASSWORD ?= keel

$(ETC_TREE)/.made: $(ETC_FILES) $(U)/user.mk
	$(Q)rm -rf $(ETC_TREE) && mkdir -p $(ETC_TREE)
	$(Q)$(if $(ETC_FILES),cp $(ETC_FILES) $(ETC_TREE)/ && chmod 0644 $(ETC_TREE)/*)
	$(Q)printf 'root:%s:0::::::\nkeel:%s:0::::::\n' \
	    "$$(openssl passwd -6 -salt keelroot0 '$(ROOT_PASSWORD)')" \
	    "$$(openssl passwd -6 -salt keeluser0 '$(KEEL_PASSWORD)')" > $(ETC_TREE)/shadow && \
	    chmod 0600 $(ETC_TREE)/shadow
	$(Q)touch $@

# Set-user-ID root programs (taskman honours the boot image's mode bits).
SETUID_BINS := passwd

$(INITRD): $(UBINS) $(SBINS) $(PORT_BINS) $(ETC_TREE)/.made $(U)/user.mk os/ports/ports.mk
	@echo "  CPIO    $@"
	$(Q)rm -rf $(UB)/initrd && mkdir -p $(UB)/initrd/bin $(UB)/initrd/sbin $(UB)/initrd/etc
	$(Q)for p in $(UBINS) $(PORT_BINS); do $(USTRIP) -o $(UB)/initrd/bin/$${p##*/} $$p || exit 1; done
	$(Q)for p in $(SBINS); do $(USTRIP) -o $(UB)/initrd/sbin/$${p##*/} $$p || exit 1; done
	$(Q)for l in $(PORT_LINKS); do ln -s $${l#*:} $(UB)/initrd/bin/$${l%%:*} || exit 1; done
	$(Q)cp -p $(ETC_TREE)/* $(UB)/initrd/etc/
	$(Q)mkdir -p $(UB)/initrd/root $(UB)/initrd/home/keel $(UB)/initrd/usr && \
	    chmod 0700 $(UB)/initrd/root && chmod 0755 $(UB)/initrd/home $(UB)/initrd/home/keel
	$(Q)$(MAKE_TEST_FILES)
	$(Q)chmod 0755 $(UB)/initrd/usr $(UB)/initrd $(UB)/initrd/bin $(UB)/initrd/bin/* $(UB)/initrd/sbin $(UB)/initrd/sbin/* \
	    $(UB)/initrd/etc
	$(Q)for p in $(SETUID_BINS); do chmod 4755 $(UB)/initrd/bin/$$p || exit 1; done
	$(Q)find $(UB)/initrd -exec touch -h -d @0 {} +
	$(Q)(cd $(UB)/initrd && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort | \
	     cpio -o -H newc --reproducible -R 0:0 --quiet) > $@.tmp
	$(Q)mv $@.tmp $@

# A fresh machine has no cross compiler yet: install before compiling.
ifeq ($(shell command -v $(CC) 2>/dev/null),)
$(URT_OBJ) $(URT_CRT0) $(UPROG_OBJ): | $(DEPS)
endif

-include $(URT_OBJ:.o=.d) $(URT_CRT0:.o=.d) $(UPROG_OBJ:.o=.d)
