# toybox, the standard commands in one program, from Debian's source
# package (0.8.9+dfsg, 0BSD): /bin/toybox and a symbolic link to it under
# each enabled command's name (toybox picks the command by the name it was
# started as).
#
# Only the .dsc and the upstream tarball are used (the archive reachable
# here answers 404 for the Debian packaging tarball; ci/install-deps.sh
# fetches the two, each checked against the archive's SHA-256, and
# port_unpack checks the tarball against the .dsc).  toybox's own build
# runs: kconfig's allnoconfig with a miniconfig made here from TOYBOX_CMDS
# and TOYBOX_OPTIONS (every symbol not named is off), then scripts/make.sh, which compiles
# its generators (mkflags, mktags, config2help) with the host's compiler
# and toybox itself with KEEL_CC.  __keel__ selects the Keel branch of
# toybox's portability layer (patches/0001); _DEFAULT_SOURCE and
# _XOPEN_SOURCE make the package's headers declare what POSIX's XSI
# option and the BSDs add (wcwidth, strptime, initgroups, lstat's kin).
# The log is $(PB)/toybox/build.log.

TOYBOX_DSC   := $(firstword $(wildcard $(PORTS_SRC)/toybox_0.8.9+dfsg-*.dsc))
TOYBOX_ORIG  := $(PORTS_SRC)/toybox_0.8.9+dfsg.orig.tar.xz
TOYBOX       := $(PB)/toybox/toybox
TOYBOX_HOSTCC ?= cc
# Every command enabled ([ is test's other name), and the other options.
TOYBOX_CMDS  := basename cat chmod chown cmp cp cut date dirname du echo egrep env expr \
                false fgrep find grep head hostname id kill ln ls mkdir more mv od printf \
                rm rmdir sed seq sleep sort tail tee test touch tr true uname uniq wc \
                tty whoami xargs yes clear [
TOYBOX_OPTIONS := TOYBOX_FLOAT TOYBOX_HELP TOYBOX_HELP_DASHDASH SORT_FLOAT
TOYBOX_CONFIG := $(PB)/toybox/miniconfig
PORT_BINS    += $(TOYBOX)
PORT_LINKS  += $(foreach c,$(TOYBOX_CMDS),$(c):toybox)

$(TOYBOX): os/ports/toybox/port.mk \
           $(wildcard os/ports/toybox/patches/*.patch) $(KEEL_CC) \
           $(LIBC_A) $(LIBC_CRT0) $(LIBC_LD) | $(DEPS)
	$(call port_unpack,toybox,$(TOYBOX_ORIG),$(or $(TOYBOX_DSC),$(PORTS_SRC)/toybox_0.8.9+dfsg-missing.dsc))
	$(Q)printf 'CONFIG_%s=y\n' $(TOYBOX_OPTIONS) \
	  $(shell echo '$(filter-out [,$(TOYBOX_CMDS))' | tr a-z A-Z) > $(TOYBOX_CONFIG)
	$(Q)cd $(PB)/toybox/src && \
	  make allnoconfig KCONFIG_ALLCONFIG=$(abspath $(TOYBOX_CONFIG)) \
	    HOSTCC=$(TOYBOX_HOSTCC) > ../build.log 2>&1 || { tail -30 ../build.log >&2; exit 1; }
	$(Q)cd $(PB)/toybox/src && \
	  CFLAGS="-D__keel__ -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700" CC=$(abspath $(KEEL_CC)) \
	  HOSTCC=$(TOYBOX_HOSTCC) NOSTRIP=1 CPUS=2 bash scripts/make.sh >> ../build.log 2>&1 || \
	  { grep -E 'error|undefined' ../build.log | head -30 >&2; exit 1; }
	$(Q)for c in $(filter-out [,$(TOYBOX_CMDS)); do \
	  grep -q "^CONFIG_$$(echo $$c | tr a-z A-Z)=y" $(PB)/toybox/src/.config || \
	  { echo "toybox: kconfig did not enable $$c" >&2; exit 1; }; done
	$(Q)rm -f $@ && cp $(PB)/toybox/src/toybox $@
