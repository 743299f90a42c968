# fsck-keel on the target: the host tool's own source (os/fs/tools/fsck.c)
# with the fs-keel core, built against Keel's libc; the mount table is
# Keel's (mounted_keel.c), so a mounted volume is refused.
UPROG_EXTRA_fsck-keel := os/fs/tools/fsck.c os/fs/tools/blkfile.c os/fs/tools/mounted_keel.c \
                         os/lib/crc.c $(wildcard os/fs/keel/*.c)
UCFLAGS_fsck-keel     := -I os/fs/keel -I os/fs/tools -I os/lib/include
