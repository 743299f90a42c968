# fs-keel: the server is the files here plus the fs-keel core and the host
# tools' file-backed block device, built from their one source, and the connect
# rules it shares with tmpfs.
UPROG_EXTRA_fs-keel := os/fs/tools/blkfile.c os/fs/tools/mounted_keel.c os/lib/crc.c \
                       os/lib/fsrules.c $(wildcard os/fs/keel/*.c)
UCFLAGS_fs-keel     := -I os/fs/keel -I os/fs/tools -I os/lib/include
