# Keel's libc (included by the top Makefile before os/user/user.mk, which
# defines nothing this file needs; B, CC, CROSS and Q come from the top).
#
# build/os/libc/libc.a is the Debian package picolibc-riscv64-unknown-elf's
# libc.a (ISO C: string, stdio, stdlib, math, time formatting), with the
# members Keel replaces deleted, plus Keel's own objects from os/libc/src:
# the kernel-call stubs, TLS and locks, pthreads, clocks, the heap, the POSIX
# I/O layer.  crypt(3) is not in it: a program that hashes passwords links
# the libxcrypt port (os/ports/libxcrypt) too.  One archive means one
# definition of every symbol: the rule fails if any global symbol is
# defined twice.  Picolibc code enters only as
# the package; Keel's headers (os/libc/include) come before the package's
# and override or extend them.
#
# A program chooses libc by holding a file named LIBC in its directory
# (os/utils/<prog>/LIBC, tests/target/<prog>/LIBC); it is then compiled with
# LCFLAGS and linked by LIBC_LINK.  Programs without the marker stay on the
# freestanding runtime os/user: ktest-user, kfuzz and kbench test the raw
# kernel ABI (every register, every error path) and must not depend on
# libc's own choices.
#
# Floating point: the kernel keeps per-thread FP state (switched lazily by
# sstatus.FS), so libc and its programs are rv64gc/lp64d with the package's
# rv64imafdc/lp64d multilib, as DESIGN.md asks of user programs.

LIBC_MARCH  ?= rv64imafdc_zicsr_zifencei
LIBC_MABI   ?= lp64d
LIBC_MULTI  ?= rv64imafdc/lp64d

LS          := os/libc
LB          := $(B)/os/libc
PICO        := /usr/lib/picolibc/riscv64-unknown-elf
PICO_LIBC   := $(PICO)/lib/$(LIBC_MULTI)/libc.a
PICO_LIBM   := $(PICO)/lib/$(LIBC_MULTI)/libm.a
LIBC_A      := $(LB)/libc.a
LIBC_CRT0   := $(LB)/crt0.o
LIBC_LD     := $(LS)/keel.ld
GCC_INC     := $(shell $(CC) -print-file-name=include 2>/dev/null)
# The compiler's helpers for the same multilib, asked with the base ISA
# string (with extensions such as _zicsr named, gcc selects no multilib).
LIBGCC      := $(shell $(CC) -march=$(firstword $(subst _, ,$(LIBC_MARCH))) -mabi=$(LIBC_MABI) \
                 -print-libgcc-file-name 2>/dev/null)

# Keel's headers first, then the package's, then the compiler's own
# (stddef.h, stdarg.h); include_next in Keel's wrappers walks that order.
# -MD, not -MMD: Keel's own headers are -isystem here, and -MMD leaves
# system headers out of the dependencies, so a changed struct in
# <sys/resmgr.h> would not rebuild the programs that use it.
LCFLAGS     := -std=gnu11 -O2 -g -nostdinc -isystem $(LS)/include -isystem $(PICO)/include \
               -isystem $(GCC_INC) -isystem $(GCC_INC)-fixed -I os/include -ftls-model=local-exec -fno-common -fno-pie \
               -fno-stack-protector -ffunction-sections -fdata-sections -mcmodel=medany \
               -march=$(LIBC_MARCH) -mabi=$(LIBC_MABI) -Wall -Wextra -Werror -MD -MP
# libc's own objects also see the internal header directory.
LCFLAGS_LIB := $(LCFLAGS) -I $(LS)/src/internal -D_KEEL_LIBC_INTERNAL
LLDFLAGS    := -nostdlib -static -no-pie -Wl,-T,$(LIBC_LD) -Wl,--gc-sections -Wl,--build-id=none
# LIBC_LINK objs...: the link command's tail after the program's objects.
LIBC_LIBS    = -Wl,--start-group $(LIBC_A) $(PICO_LIBM) $(LIBGCC) -Wl,--end-group

# Package members Keel replaces: the no-op locks, the sbrk over linker
# symbols, strerror on the package's errno numbers (Keel's are QNX's), the
# byte-at-a-time memset/memcpy/memmove of its size-optimised riscv build,
# its signal()/raise() (an in-process table) and signal names (its numbers),
# its tmpfile (a template relative to the working directory, not in /tmp),
# its abort (an exit with status 1 when SIGABRT was blocked or ignored).
PICO_DROP   := libc_misc_lock.c.o libc_picolib_picosbrk.c.o libc_string_strerror.c.o \
               libc_string_strerror_r.c.o libc_string_xpg_strerror_r.c.o \
               memset.S.o memcpy-asm.S.o memmove.S.o \
               libc_signal_signal.c.o libc_signal_psignal.c.o libc_string_strsignal.c.o \
               libc_tinystdio_tmpfile.c.o libc_stdlib_abort.c.o

# Package members whose public function Keel wraps: the symbol is renamed
# to __pkg_<name> in that member and Keel's own <name> (os/libc/src) checks
# or adjusts, then calls it.  member:old=new[,old=new]
#   malloc: the package aligns to 8, C requires alignof(max_align_t) = 16;
#   setenv, unsetenv: the package accepts an empty name (POSIX: EINVAL);
#   fgets: the package returns NULL for a last line without a newline;
#   fflush: the package's faults on NULL (POSIX: flush every stream), so
#   fdopen (which fopen and tmpfile use) and fclose keep a list of streams.
PICO_RENAME := nano-malloc-malloc.c.o:malloc=__pkg_malloc \
               libc_stdlib_setenv.c.o:setenv=__pkg_setenv,unsetenv=__pkg_unsetenv \
               libc_tinystdio_fgets.c.o:fgets=__pkg_fgets \
               libc_tinystdio_fflush.c.o:fflush=__pkg_fflush \
               libc_tinystdio_fdopen.c.o:fdopen=__pkg_fdopen \
               libc_tinystdio_fclose.c.o:fclose=__pkg_fclose

LIBC_SRC    := $(wildcard $(LS)/src/*/*.c $(LS)/src/*/*.S)
LIBC_OBJ    := $(patsubst $(LS)/src/%,$(LB)/obj/%.o,$(LIBC_SRC))

.PHONY: libc
libc: $(LIBC_A) $(LIBC_CRT0)

$(LB)/obj/%.o: $(LS)/src/% $(LS)/libc.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(LCFLAGS_LIB) -c $< -o $@

$(LIBC_CRT0): $(LS)/crt/crt0.S $(LS)/libc.mk
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(LCFLAGS_LIB) -c $< -o $@

# Members are named keel_<area>_<file>.o so none collides with the package's.
$(LIBC_A): $(LIBC_OBJ) $(PICO_LIBC) $(LS)/libc.mk
	@echo "  AR      $@"
	$(Q)rm -rf $@ $(LB)/members && mkdir -p $(LB)/members
	$(Q)cp $(PICO_LIBC) $@.tmp && $(CROSS)ar d $@.tmp $(PICO_DROP)
	$(Q)for r in $(PICO_RENAME); do m=$${r%%:*}; syms=$${r#*:}; \
	     (cd $(LB)/members && $(CROSS)ar x ../libc.a.tmp $$m) || exit 1; \
	     $(CROSS)objcopy $$(echo $$syms | tr , '\n' | sed 's/^/--redefine-sym /') \
	         $(LB)/members/$$m || exit 1; \
	     $(CROSS)ar r $@.tmp $(LB)/members/$$m && rm $(LB)/members/$$m || exit 1; done
	$(Q)for o in $(LIBC_OBJ); do r=$${o#$(LB)/obj/}; r=$${r%.o}; r=$${r%.*}; \
	     cp $$o $(LB)/members/keel_$$(echo $$r | tr / _).o || exit 1; done
	$(Q)$(CROSS)ar rs $@.tmp $(LB)/members/*.o
	$(Q)dups=$$($(CROSS)nm -g --defined-only $@.tmp 2>/dev/null | awk 'NF==3 && $$2!="U" {print $$3}' | \
	     sort | uniq -d); if [ -n "$$dups" ]; then echo "libc.a: defined twice: $$dups" >&2; \
	     rm -f $@.tmp; exit 1; fi
	$(Q)mv $@.tmp $@

ifeq ($(shell command -v $(CC) 2>/dev/null),)
$(LIBC_OBJ) $(LIBC_CRT0): | $(DEPS)
endif

-include $(LIBC_OBJ:.o=.d) $(LIBC_CRT0:.o=.d)
