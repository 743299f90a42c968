# tmpfs: the server is the files here plus the connect rules it shares with fs-keel.
UPROG_OSLIB_tmpfs := os/lib/fsrules.c
UCFLAGS_tmpfs     := -I os/lib/include
