UPROG_OSLIB_fs-corrupt := os/lib/crc.c
UCFLAGS_fs-corrupt := -I os/lib/include -I os/fs/keel
