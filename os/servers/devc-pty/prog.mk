UPROG_OSLIB_devc-pty := os/lib/termdisc.c
UCFLAGS_devc-pty := -I os/lib/include
