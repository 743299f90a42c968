UPROG_OSLIB_devb-nvme := os/lib/blkdev.c os/lib/gpt.c os/lib/crc.c os/lib/pci_client.c
UCFLAGS_devb-nvme := -I os/lib/include
