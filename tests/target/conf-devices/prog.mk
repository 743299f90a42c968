UPROG_OSLIB_conf-devices := os/lib/pci_client.c
UCFLAGS_conf-devices := -I os/lib/include
