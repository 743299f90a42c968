# Keel: the one entry point.  make | make run | make test | make clean | make docker
# Everything lands in build/.  Dependencies install themselves (ci/install-deps.sh).

MACHINE ?= virt
SMP     ?= 4
MEM     ?= 512M
CMDLINE ?=

B       := build
VENV    := .venv
DEPS    := $(VENV)/.deps-ok
CROSS   ?= riscv64-unknown-elf-
CC      := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
QEMU    ?= qemu-system-riscv64

V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

VERSION  := 0.1.0
GITDESC  := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)

.PHONY: all run test clean docker deps host-test target-test farm-test test-before-targets kernel-configs

# ---- dependencies -----------------------------------------------------------
deps: $(DEPS)
$(DEPS): ci/install-deps.sh ci/requirements.txt farm/pyproject.toml
	@if [ "$$(id -u)" = 0 ]; then bash ci/install-deps.sh; \
	 else echo "make: dependencies missing; run 'sudo ci/install-deps.sh' once" >&2; exit 1; fi
	@touch $@

# A fresh machine has no cross compiler and no picolibc yet, and this Makefile
# asks the compiler things while it is read (its include directory, libgcc's
# path): install first, then make the same goals in a make that reads it again.
.DEFAULT_GOAL := all
GOALS   := $(or $(MAKECMDGOALS),all)
FRESH   := $(if $(KEEL_INSTALLED),,$(if $(filter-out deps clean docker,$(GOALS)),$(if $(and $(wildcard $(DEPS)),$(shell command -v $(CC) 2>/dev/null)),,yes)))
ifeq ($(FRESH),yes)
.PHONY: fresh $(GOALS)
$(GOALS): fresh
	@:
fresh: $(DEPS)
	$(MAKE) KEEL_INSTALLED=1 $(MAKECMDGOALS)
else

# all's prerequisites are named only here, once the tools are in: on a fresh
# machine `make` is the fresh rule above and nothing else.
all: $(B)/os/Image $(B)/os/initrd.cpio

# ---- kernel -----------------------------------------------------------------
include os/kernel/kernel.mk

# ---- libc (build/os/libc/libc.a) ----------------------------------------------
include os/libc/libc.mk

# ---- ports from Debian source packages (build/ports/) ---------------------------
include os/ports/ports.mk

# ---- user programs and the boot image (build/os/initrd.cpio) -----------------
include os/user/user.mk

# ---- host unit tests --------------------------------------------------------
include os/kernel/host.mk
include os/lib/host.mk

# ---- storage host side: fs-keel core, GPT, mkfs-keel, fsck-keel -------------
include os/fs/host.mk

# ---- the disk: build/os/disk.img ----------------------------------------------
# A GPT with one fs-keel partition holding os/disk/, a copy of the image's
# /etc as etc/ (owned by root), home/ with keel's home directory (keel's) and
# tmp/ (1777: anybody's files, removed only by their owners; /usr/tmp, for the
# temporary files that must outlive a reboot or outgrow the RAM of /tmp),
# which init mounts on /usr (os/etc/fstab) and then uses for /etc and
# /home.  Made once and then kept: what a
# `make run` session writes to it stays for the next, until os/disk or the
# tools change (or make clean).
DISK_SIZE ?= 64M
DISK_IMG  := $(B)/os/disk.img
$(DISK_IMG): $(HB)/mkdisk-keel $(HB)/mkfs-keel $(shell find os/disk) $(ETC_TREE)/.made
	@echo "  DISK    $@"
	$(Q)rm -rf $(B)/os/disktree && mkdir -p $(B)/os/disktree/local $(B)/os/disktree/etc && \
	    mkdir -p $(B)/os/disktree/home/keel && chmod 0755 $(B)/os/disktree/home \
	    $(B)/os/disktree/home/keel && \
	    mkdir -p $(B)/os/disktree/tmp && chmod 1777 $(B)/os/disktree/tmp && \
	    cp -R os/disk/. $(B)/os/disktree/ && cp -p $(ETC_TREE)/* $(B)/os/disktree/etc/ && \
	    set -- $$($(HB)/mkdisk-keel $@.tmp $(DISK_SIZE)) && \
	    $(HB)/mkfs-keel -r -O home/keel=1000:1000 -L keel -o $$1 -d $(B)/os/disktree \
	    $@.tmp $$2 >/dev/null
	$(Q)mv $@.tmp $@
all: $(DISK_IMG)

# ---- running ----------------------------------------------------------------
# DISK: how the disk is attached (virt: virtio, the default; nvme; none).
DISK      ?= $(if $(filter virt,$(MACHINE)),virtio,none)
DISK_ARGS_virtio := -drive file=$(DISK_IMG),if=none,format=raw,id=disk0 -device virtio-blk-device,drive=disk0
DISK_ARGS_nvme   := -drive file=$(DISK_IMG),if=none,format=raw,id=disk0 -device nvme,serial=keel0,drive=disk0
DISK_ARGS_none   :=
QEMU_ARGS = -M $(MACHINE) -smp $(SMP) -m $(MEM) -nographic -bios default \
            -kernel $(B)/os/Image -initrd $(B)/os/initrd.cpio $(if $(CMDLINE),-append "$(CMDLINE)") \
            $(DISK_ARGS_$(DISK))
run: $(DEPS) $(B)/os/Image $(B)/os/initrd.cpio $(if $(DISK_ARGS_$(DISK)),$(DISK_IMG))
	@echo "Keel: log in as keel (password $(KEEL_PASSWORD)) or root (password $(ROOT_PASSWORD)); Ctrl-A x quits QEMU"
	$(QEMU) $(QEMU_ARGS)

# ---- tests ------------------------------------------------------------------
# The farm's own tests need no build and the build needs no QEMU: they run side by
# side (one job per core, each one's output in one piece), then the target suites,
# which want the machine to themselves (they time boots and guests).
NPROC := $(shell nproc 2>/dev/null || echo 2)
test: $(DEPS)
	$(MAKE) --no-print-directory -j$(NPROC) --output-sync=target test-before-targets
	$(MAKE) --no-print-directory target-test

test-before-targets: $(B)/os/Image $(B)/os/initrd.cpio $(DISK_IMG) host-test farm-test \
                     kernel-configs

# The kernel's other configurations (os/kernel/kernel.mk) build too: without the
# lock-order checker, and without the debug checks.  Nothing boots them; a
# configuration nobody compiles stops compiling (KLOCKCHECK=0 had).
kernel-configs:
	$(MAKE) --no-print-directory B=$(B)/configs/nolockcheck KLOCKCHECK=0 \
		$(B)/configs/nolockcheck/os/Image
	$(MAKE) --no-print-directory B=$(B)/configs/nodebug KDEBUG=0 $(B)/configs/nodebug/os/Image

farm-test: $(DEPS)
	$(VENV)/bin/ruff check farm tests
	$(VENV)/bin/pytest -q farm

target-test: $(DEPS) $(B)/os/Image $(B)/os/initrd.cpio $(DISK_IMG)
	bash tests/run.sh

# ---- docker -----------------------------------------------------------------
# The build image and Keel built in it, then the demo farm (docker/compose.yaml) brought
# up and driven across both its exporters by docker/demo-test.sh (about 5 minutes).
docker:
	bash docker/build.sh
	bash docker/demo-test.sh

clean:
	rm -rf $(B)

endif
