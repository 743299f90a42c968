# Ports: third-party programs and libraries built from Debian source
# packages (included by the top Makefile after libc.mk, before user.mk,
# which packs PORT_BINS into the boot image and links a port's library,
# PORT_LIB_<name> with its headers in PORT_INC_<name>, into the programs
# naming it in UPROG_PORTS_<prog>).  libxcrypt's source comes in the
# binary package libxcrypt-source, a tree under /usr/src, not a tarball.
#
# ci/install-deps.sh downloads each port's source package into PORTS_SRC.
# A recipe (os/ports/<name>/port.mk) checks the upstream tarball against the
# SHA-256 its .dsc names, unpacks it under build/ports/<name>/, applies
# Keel's numbered patches (os/ports/<name>/patches/NNNN-*.patch, each
# saying why in its header) and runs the package's own build with KEEL_CC.
#
# KEEL_CC is the cross compiler with Keel's libc as one command, for build
# scripts that probe the compiler: with -c, -E or -S it compiles with
# libc's flags (no -Werror: this is not Keel's code), otherwise it links a
# static program with crt0 and the libraries.  Paths are absolute, since
# those scripts run in their own directories.

comma      := ,
PORTS_SRC  ?= /var/cache/keel/ports
PB         := $(B)/ports
KEEL_CC    := $(PB)/keel-cc
PORT_CFLAGS := $(patsubst os/%,$(CURDIR)/os/%,$(filter-out -Wall -Wextra -Werror -MMD -MP,$(LCFLAGS)))
PORT_LDFLAGS := $(patsubst -Wl$(comma)-T$(comma)os/%,-Wl$(comma)-T$(comma)$(CURDIR)/os/%,$(LLDFLAGS))
PORT_BINS  :=
# NEW:OLD pairs: /bin/NEW is a symbolic link to the port's /bin/OLD (taskman
# follows links in the boot image when it loads a program).
PORT_LINKS :=


$(KEEL_CC): os/ports/ports.mk $(LS)/libc.mk
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)printf '%s\n' '#!/bin/sh' \
	  '# The cross compiler with Keel'"'"'s libc (os/ports/ports.mk).' \
	  'for a in "$$@"; do case $$a in -c|-E|-S) exec $(CC) $(PORT_CFLAGS) "$$@";; esac; done' \
	  'exec $(CC) $(PORT_CFLAGS) $(PORT_LDFLAGS) $(abspath $(LIBC_CRT0)) "$$@" -x none -Wl,--start-group $(abspath $(LIBC_A)) $(PICO_LIBM) $(LIBGCC) -Wl,--end-group' \
	  > $@.tmp && chmod 0755 $@.tmp && mv $@.tmp $@

# port_unpack NAME ORIG-TARBALL DSC: the rule's first lines, unpacking the
# checked tarball into $(PB)/NAME/src with Keel's patches applied.
define port_unpack
	@echo "  PORT    $(1)"
	$(Q)rm -rf $(PB)/$(1)/src && mkdir -p $(PB)/$(1)/src
	$(Q)want=$$(awk '/^Checksums-Sha256:/{s=1;next} /^[^ ]/{s=0} s && $$3=="$(notdir $(2))"{print $$1}' $(3)); \
	  have=$$(sha256sum $(2) | cut -d' ' -f1); \
	  if [ -z "$$want" ] || [ "$$want" != "$$have" ]; then \
	    echo "ports: $(2): SHA-256 $$have, the .dsc says '$$want'" >&2; exit 1; fi
	$(Q)tar -xf $(2) -C $(PB)/$(1)/src --strip-components=1
$(call port_patch,$(1))
endef

# port_patch NAME: a rule's line applying Keel's numbered patches to the
# source in $(PB)/NAME/src.
define port_patch
	$(Q)for p in $(sort $(wildcard os/ports/$(1)/patches/*.patch)); do \
	  patch -d $(PB)/$(1)/src -p1 -s --no-backup-if-mismatch < $$p || { echo "ports: $$p does not apply" >&2; exit 1; }; done
endef

-include $(wildcard os/ports/*/port.mk)
