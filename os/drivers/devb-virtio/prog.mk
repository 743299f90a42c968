UPROG_OSLIB_devb-virtio := os/lib/blkdev.c os/lib/gpt.c os/lib/crc.c
UCFLAGS_devb-virtio := -I os/lib/include
