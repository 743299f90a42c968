UPROG_OSLIB_devc-ser8250 := os/lib/devc_common.c os/lib/termdisc.c os/lib/ttyctl.c
UCFLAGS_devc-ser8250 := -I os/lib/include
