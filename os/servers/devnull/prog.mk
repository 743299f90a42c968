UPROG_OSLIB_devnull := os/lib/chacha.c
UCFLAGS_devnull := -I os/lib/include
