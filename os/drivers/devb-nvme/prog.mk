UPROG_OSLIB_devb-nvme := os/lib/blkdev.c os/lib/gpt.c os/lib/crc.c os/lib/pci.c os/lib/pci_host.c
UCFLAGS_devb-nvme := -I os/lib/include
