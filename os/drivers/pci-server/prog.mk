UPROG_OSLIB_pci-server := os/lib/pci.c os/lib/pci_host.c
UCFLAGS_pci-server := -I os/lib/include
