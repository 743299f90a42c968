# mount lists the mounts through the mount table of the fs-keel tools.
UPROG_EXTRA_mount := os/fs/tools/mounted_keel.c
UCFLAGS_mount     := -I os/fs/tools
