UPROG_OSLIB_pci-server := os/lib/pci.c os/lib/pci_host.c os/lib/pci_dw.c os/lib/pci_msi_route.c
UCFLAGS_pci-server := -I os/lib/include
