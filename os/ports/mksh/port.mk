# mksh, the MirBSD Korn shell, from Debian's source package (59c): /bin/sh
# and /bin/mksh.  Its own Build.sh probes the compiler (compile and link
# only, never running what it builds, as when cross-compiling: TARGET_OS
# says which system) and writes the feature list it found to
# $(PB)/mksh/src/Rebuild.sh and its log to $(PB)/mksh/build.log.

MKSH_DSC   := $(firstword $(wildcard $(PORTS_SRC)/mksh_59c-*.dsc))
MKSH_ORIG  := $(PORTS_SRC)/mksh_59c.orig.tar.gz
MKSH       := $(PB)/mksh/mksh
PORT_BINS  += $(MKSH)
PORT_LINKS += sh:mksh

$(MKSH): os/ports/mksh/port.mk $(wildcard os/ports/mksh/patches/*.patch) $(KEEL_CC) \
         $(LIBC_A) $(LIBC_CRT0) $(LIBC_LD) | $(DEPS)
	$(call port_unpack,mksh,$(MKSH_ORIG),$(or $(MKSH_DSC),$(PORTS_SRC)/mksh_59c-missing.dsc))
	$(Q)cd $(PB)/mksh/src && CC=$(abspath $(KEEL_CC)) TARGET_OS=Keel CFLAGS="-O2 -g" \
	  sh Build.sh -r > ../build.log 2>&1 || { tail -30 ../build.log >&2; exit 1; }
	$(Q)cp $(PB)/mksh/src/mksh $@
