# mkfs-keel on the target: the host tool's own source (os/fs/tools/mkfs.c)
# with the fs-keel core, built against Keel's libc.
UPROG_EXTRA_mkfs-keel := os/fs/tools/mkfs.c os/fs/tools/blkfile.c os/fs/tools/populate.c \
                         os/lib/crc.c $(wildcard os/fs/keel/*.c)
UCFLAGS_mkfs-keel     := -I os/fs/keel -I os/fs/tools -I os/lib/include
