# libxcrypt, crypt(3) with SHA-512 "$6$" only, from the Debian binary
# package libxcrypt-source (1:4.4.33-2), which installs the source tree at
# /usr/src/libxcrypt (ci/install-deps.sh installs it).  The SHA-512 files
# are public domain (crypt-sha512.c) and BSD-2 (alg-sha512.c); the glue
# (crypt.c, crypt-static.c, util-*.c) is LGPL-2.1+, linked statically
# into the programs that name this port (UPROG_PORTS_<prog>, os/user/user.mk).
#
# The recipe checks the package's files against dpkg's checksums, copies
# lib/ to $(PB)/libxcrypt/src, applies Keel's numbered patches (none are
# needed so far) and compiles only SHA-512 crypt with KEEL_CC.  In place of
# configure and the package's Perl generators it writes the four headers
# they would: config.h (Keel's answers to configure's questions, static
# only), crypt-hashes.h (sha512crypt alone, the other hashes of
# hashes.conf off), crypt-symbol-vers.h (the API below on, the rest of
# libcrypt.map.in off, no symbol versions) and the public crypt.h from
# crypt.h.in.
#
# Built: crypt, crypt_r, crypt_rn, crypt_ra, crypt_checksalt,
# crypt_preferred_method, and crypt_gensalt, crypt_gensalt_rn and
# crypt_gensalt_ra (the package's crypt.c, crypt-gensalt-static.c and
# util-get-random-bytes.c) for a program making a new "$6$" hash: with no
# random bytes given they come from getentropy (config.h's
# HAVE_GETENTROPY; Keel's reads /dev/urandom).  Not built: crypt_gensalt_r
# and the xcrypt_* names, kept by upstream for old code only.  Failure tokens are on, as upstream and Debian build it: a failed
# crypt() returns "*0" (or "*1" when the setting was "*0") with errno set,
# never NULL, so a caller comparing the result with a stored hash cannot
# match by accident.

XCRYPT_PKG     := libxcrypt-source
XCRYPT_DEBVER  := 1:4.4.33-2
XCRYPT_VERSION := 4.4.33
XCRYPT_TREE    := /usr/src/libxcrypt
XB             := $(PB)/libxcrypt
XCRYPT_SRCS    := crypt.c crypt-static.c crypt-sha512.c alg-sha512.c util-base64.c \
                  util-gensalt-sha.c util-make-failure-token.c crypt-gensalt-static.c \
                  util-get-random-bytes.c
XCRYPT_HASHES  := sha512crypt
XCRYPT_API     := crypt crypt_r crypt_rn crypt_ra crypt_checksalt crypt_preferred_method \
                  crypt_gensalt crypt_gensalt_rn crypt_gensalt_ra
# What a program naming this port gets (os/user/user.mk).
PORT_LIB_libxcrypt := $(XB)/libcrypt.a
PORT_INC_libxcrypt := $(XB)/include

# config.h: what configure finds on Keel's libc (picolibc's headers).
XCRYPT_CONFIG := \
  '\#define PACKAGE_VERSION "$(XCRYPT_VERSION)"' \
  '\#define HAVE_SYS_TYPES_H 1' '\#define HAVE_SYS_CDEFS_H 1' \
  '\#define HAVE_SYS_CDEFS_THROW 1' '\#define HAVE_SYS_CDEFS_BEGIN_END_DECLS 1' \
  '\#define HAVE_EXPLICIT_BZERO 1' '\#define HAVE_MAX_ALIGN_T 1' \
  '\#define HAVE_UNISTD_H 1' '\#define HAVE_GETENTROPY 1' \
  '\#define HAVE_STATIC_ASSERT_IN_ASSERT_H 1' \
  '\#define alignas _Alignas' '\#define alignof _Alignof' \
  '\#define ENDIANNESS_IS_BIG (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)' \
  '\#define ENDIANNESS_IS_LITTLE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)' \
  '\#define ENDIANNESS_IS_PDP 0' \
  '\#define ENABLE_FAILURE_TOKENS 1' '\#define ENABLE_OBSOLETE_API 0' \
  '\#define ENABLE_OBSOLETE_API_ENOSYS 0'

# crypt-hashes.h: sha512crypt's entry points (renamed _crypt_* as for any
# static libcrypt) and its row of the method table: prefix, prefix
# length, functions, random bytes for a salt, strong.
XCRYPT_HASHES_H := \
  '\#define crypt_sha512crypt_rn _crypt_crypt_sha512crypt_rn' \
  '\#define gensalt_sha512crypt_rn _crypt_gensalt_sha512crypt_rn' \
  'extern void crypt_sha512crypt_rn (const char *, size_t, const char *,' \
  '    size_t, uint8_t *, size_t, void *, size_t);' \
  'extern void gensalt_sha512crypt_rn (unsigned long,' \
  '    const uint8_t *, size_t, uint8_t *, size_t);' \
  '\#define HASH_ALGORITHM_TABLE_ENTRIES \' \
  '  { "$$6$$", 3, crypt_sha512crypt_rn, gensalt_sha512crypt_rn, 15, 1 }, \' \
  '  { 0, 0, 0, 0, 0, 0 }' \
  '\#define HASH_ALGORITHM_DEFAULT "$$6$$"' \
  '\#define SUPPORTED_HASH_METHODS "sha512crypt:$$6$$"'

$(PORT_LIB_libxcrypt): os/ports/libxcrypt/port.mk \
           $(wildcard os/ports/libxcrypt/patches/*.patch) $(KEEL_CC) $(LIBC_A) | $(DEPS)
	@echo "  PORT    libxcrypt"
	$(Q)have=$$(dpkg-query -W -f='$${Version}' $(XCRYPT_PKG) 2>/dev/null); \
	  if [ "$$have" != "$(XCRYPT_DEBVER)" ]; then echo "ports: $(XCRYPT_PKG) is '$$have'," \
	    "libxcrypt wants $(XCRYPT_DEBVER) (ci/install-deps.sh installs it)" >&2; exit 1; fi; \
	  bad=$$(dpkg --verify $(XCRYPT_PKG) | grep -F ' $(XCRYPT_TREE)/lib/'); \
	  if [ -n "$$bad" ]; then echo "ports: $(XCRYPT_PKG)'s files differ from the package:" \
	    "$$bad" >&2; exit 1; fi
	$(Q)rm -rf $(XB) && mkdir -p $(XB)/src $(XB)/obj $(XB)/include
	$(Q)cp -R $(XCRYPT_TREE)/lib/. $(XB)/src/
	$(call port_patch,libxcrypt)
	$(Q)printf '%s\n' '/* config.h for Keel (os/ports/libxcrypt/port.mk).  */' $(XCRYPT_CONFIG) \
	  > $(XB)/src/config.h
	$(Q){ echo '/* crypt-hashes.h for Keel (os/ports/libxcrypt/port.mk).  */'; \
	  awk -v on=' $(XCRYPT_HASHES) ' '/^[a-z]/ { \
	    printf "#define INCLUDE_%s %d\n", $$1, (index(on, " " $$1 " ") > 0) }' $(XB)/src/hashes.conf; \
	  printf '%s\n' $(XCRYPT_HASHES_H); } > $(XB)/src/crypt-hashes.h
	$(Q){ echo '/* crypt-symbol-vers.h for Keel (os/ports/libxcrypt/port.mk).  */'; \
	  awk -v on=' $(XCRYPT_API) ' '/^[a-z]/ { \
	    printf "#define INCLUDE_%s %d\n#define SYMVER_%s symver_nop ()\n", \
	      $$1, (index(on, " " $$1 " ") > 0), $$1 }' $(XB)/src/libcrypt.map.in; } \
	  > $(XB)/src/crypt-symbol-vers.h
	$(Q)sed -e 's|@BEGIN_DECLS@|#include <sys/cdefs.h>\n\n__BEGIN_DECLS|' -e 's|@END_DECLS@|__END_DECLS|' \
	  -e 's|@DEFAULT_PREFIX_ENABLED@|1|' -e 's|@XCRYPT_VERSION_MAJOR@|$(word 1,$(subst ., ,$(XCRYPT_VERSION)))|' \
	  -e 's|@XCRYPT_VERSION_MINOR@|$(word 2,$(subst ., ,$(XCRYPT_VERSION)))|' \
	  -e 's|@XCRYPT_VERSION_STR@|$(XCRYPT_VERSION)|' $(XB)/src/crypt.h.in > $(XB)/src/crypt.h
	$(Q)if grep -n '@[A-Z0-9_]*@' $(XB)/src/crypt.h >&2; then \
	  echo "ports: crypt.h.in has a substitution libxcrypt's recipe does not know" >&2; exit 1; fi
	$(Q)for s in $(XCRYPT_SRCS); do \
	  $(KEEL_CC) -c -DHAVE_CONFIG_H -DIN_LIBCRYPT -I $(XB)/src \
	    $(XB)/src/$$s -o $(XB)/obj/$${s%.c}.o || exit 1; done
	$(Q)cp $(XB)/src/crypt.h $(XB)/include/crypt.h
	$(Q)$(CROSS)ar rcs $@.tmp $(patsubst %.c,$(XB)/obj/%.o,$(XCRYPT_SRCS)) && mv $@.tmp $@
