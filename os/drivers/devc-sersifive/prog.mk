UPROG_OSLIB_devc-sersifive := os/lib/devc_common.c os/lib/termdisc.c os/lib/ttyctl.c
UCFLAGS_devc-sersifive := -I os/lib/include
