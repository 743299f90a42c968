# Host side of storage: the fs-keel core (os/fs/keel), GPT and CRCs
# (os/lib), the host tools mkfs-keel and fsck-keel (os/fs/tools) and their
# tests (os/fs/test).  Included after os/kernel/host.mk, whose variables
# and object rule it uses.
#
# `make` builds build/host/mkfs-keel and build/host/fsck-keel (optimised,
# no sanitizers: a dozen small files).  `make host-test` builds the tests
# and the fuzz harness against an ASan+UBSan build of the same sources and
# runs them with the kernel's: the tests are appended to HOST_TESTS, which
# host-test's recipe reads when it runs, so the one summary line counts
# both.

FSK_INC      := -I os/fs/keel -I os/fs/tools -I os/lib/include
FSK_LIB_SRC  := $(wildcard os/fs/keel/*.c) os/lib/crc.c os/lib/gpt.c \
                os/fs/tools/blkfile.c os/fs/tools/populate.c
FS_TEST_SRC  := os/fs/test/ramdev.c os/fs/test/fstree.c
FS_TESTS     := fs/test_crc_gpt fs/test_fskeel fs/test_fsck fs/test_crash fs/test_tools fs/fuzz_fskeel \
                fs/test_threads fs/test_threads_tsan

# ---- tools ---------------------------------------------------------------------
HTOOL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP $(FSK_INC)
FSK_TOOL_OBJ := $(patsubst %.c,$(HB)/tool/%.o,$(FSK_LIB_SRC))

$(HB)/tool/%.o: %.c
	@mkdir -p $(dir $@)
	$(HCC) $(HTOOL_CFLAGS) -c $< -o $@

$(HB)/mkfs-keel: $(HB)/tool/os/fs/tools/mkfs.o $(FSK_TOOL_OBJ)
	$(HCC) $^ -o $@

$(HB)/fsck-keel: $(HB)/tool/os/fs/tools/fsck.o $(HB)/tool/os/fs/tools/mounted_host.o $(FSK_TOOL_OBJ)
	$(HCC) $^ -o $@

$(HB)/mkdisk-keel: $(HB)/tool/os/fs/tools/mkdisk.o $(FSK_TOOL_OBJ)
	$(HCC) $^ -o $@

all: $(HB)/mkfs-keel $(HB)/fsck-keel $(HB)/mkdisk-keel

# ---- tests ---------------------------------------------------------------------
FSK_TEST_LIB := $(patsubst %.c,$(HB)/obj/%.o,$(FSK_LIB_SRC) $(FS_TEST_SRC)) $(HB)/obj/$(HT)/ktap.o
FSK_TEST_OBJ := $(patsubst fs/%,$(HB)/obj/os/fs/test/%.o,$(FS_TESTS))

$(FSK_TEST_LIB) $(FSK_TEST_OBJ): HCFLAGS += $(FSK_INC) -I os/fs/test -DHOST_BIN='"$(HB)"'

$(HB)/fs/%: $(HB)/obj/os/fs/test/%.o $(FSK_TEST_LIB)
	@mkdir -p $(dir $@)
	$(HCC) $(HCFLAGS) $^ -o $@

# The threaded test again under ThreadSanitizer (which excludes ASan): the core and
# the test's helpers built a second time into $(HB)/tsan, with a yield before every
# block access (bcache.c) so that the threads' calls interleave at every step.
FSK_TSAN_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
                   -fsanitize=thread -DFSK_YIELD_IN_IO -I $(HT)/shim -I os/kernel/include -I os/lib/include \
                   -I $(HT) $(FSK_INC) -I os/fs/test -MMD -MP
FSK_TSAN_OBJ    := $(patsubst %.c,$(HB)/tsan/%.o,$(FSK_LIB_SRC) $(FS_TEST_SRC) $(HT)/ktap.c \
                   os/fs/test/test_threads.c)

$(HB)/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(HCC) $(FSK_TSAN_CFLAGS) -c $< -o $@

$(HB)/fs/test_threads_tsan: $(FSK_TSAN_OBJ)
	@mkdir -p $(dir $@)
	$(HCC) -fsanitize=thread $^ -o $@

HOST_TESTS += $(FS_TESTS)
host-test: $(addprefix $(HB)/,$(FS_TESTS)) $(HB)/mkfs-keel $(HB)/fsck-keel

.PRECIOUS: $(HB)/tool/%.o
-include $(FSK_TOOL_OBJ:.o=.d) $(HB)/tool/os/fs/tools/mkfs.d $(HB)/tool/os/fs/tools/fsck.d \
         $(HB)/tool/os/fs/tools/mounted_host.d $(HB)/tool/os/fs/tools/mkdisk.d \
         $(FSK_TEST_LIB:.o=.d) $(FSK_TEST_OBJ:.o=.d) $(FSK_TSAN_OBJ:.o=.d)
