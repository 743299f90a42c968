#pragma once
/* virtio over MMIO (the virtio 1.1 specification, section 4.2), both the
 * legacy register layout (version 1, QEMU's default for virtio-mmio) and
 * the modern one (version 2), and the block device's requests (5.2).
 * Only what devb-virtio uses. */
#include <stdint.h>

#define VIRTIO_MAGIC              0x74726976u     /* "virt" */
#define VIRTIO_ID_BLOCK           2u

/* Registers (byte offsets). */
#define VMMIO_MAGIC               0x000
#define VMMIO_VERSION             0x004
#define VMMIO_DEVICE_ID           0x008
#define VMMIO_DEVICE_FEATURES     0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES     0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_GUEST_PAGE_SIZE     0x028   /* legacy */
#define VMMIO_QUEUE_SEL           0x030
#define VMMIO_QUEUE_NUM_MAX       0x034
#define VMMIO_QUEUE_NUM           0x038
#define VMMIO_QUEUE_ALIGN         0x03c   /* legacy */
#define VMMIO_QUEUE_PFN           0x040   /* legacy */
#define VMMIO_QUEUE_READY         0x044   /* modern */
#define VMMIO_QUEUE_NOTIFY        0x050
#define VMMIO_INTERRUPT_STATUS    0x060
#define VMMIO_INTERRUPT_ACK       0x064
#define VMMIO_STATUS              0x070
#define VMMIO_QUEUE_DESC_LOW      0x080   /* modern: the three areas' addresses */
#define VMMIO_QUEUE_DESC_HIGH     0x084
#define VMMIO_QUEUE_DRIVER_LOW    0x090
#define VMMIO_QUEUE_DRIVER_HIGH   0x094
#define VMMIO_QUEUE_DEVICE_LOW    0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VMMIO_CONFIG              0x100

/* Device status bits. */
#define VSTAT_ACKNOWLEDGE         1u
#define VSTAT_DRIVER              2u
#define VSTAT_DRIVER_OK           4u
#define VSTAT_FEATURES_OK         8u
#define VSTAT_NEEDS_RESET         64u
#define VSTAT_FAILED              128u

/* Feature bits. */
#define VIRTIO_BLK_F_RO           5u
#define VIRTIO_BLK_F_FLUSH        9u
#define VIRTIO_F_VERSION_1        32u

/* The split virtqueue. */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_NEXT         1u
#define VRING_DESC_F_WRITE        2u      /* the device writes this buffer */

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/* virtio-blk requests: a header the device reads, the data, and a status
 * byte it writes. */
struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;                  /* in 512-byte units, whatever the block size */
};
#define VIRTIO_BLK_T_IN           0u
#define VIRTIO_BLK_T_OUT          1u
#define VIRTIO_BLK_T_FLUSH        4u
#define VIRTIO_BLK_S_OK           0u
#define VIRTIO_BLK_S_IOERR        1u
#define VIRTIO_BLK_S_UNSUPP       2u
