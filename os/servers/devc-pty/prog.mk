UPROG_OSLIB_devc-pty := os/lib/termdisc.c os/lib/ttyctl.c
UCFLAGS_devc-pty := -I os/lib/include
