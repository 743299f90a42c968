# df finds the mounted volumes through the mount table of the fs-keel tools.
UPROG_EXTRA_df := os/fs/tools/mounted_keel.c
UCFLAGS_df     := -I os/fs/tools
