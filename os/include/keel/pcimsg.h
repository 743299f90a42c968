#pragma once
/* The PCI server's name and devctls (os/drivers/pci-server; the client
 * side a driver links is os/lib/pci_client.c).
 *
 * pci-server owns the machine's PCIe host: it alone reaches configuration
 * space.  It enumerates once at start (bridges numbered, memory BARs
 * placed in the host's window, decoding and bus mastering turned on) and
 * then answers on PCI_SERVER_PATH:
 *
 *   read              a listing, one line per function:
 *                     "bb:dd.f vvvv:dddd cccccc <class name> irq N [BARn addr+size ...]"
 *   _DCMD_PCI_FIND    in: struct _pci_find, out: struct _pci_info of the
 *                     index-th function (from 0, in bus order) whose class
 *                     code or ids match; ENOENT past the last
 *   _DCMD_PCI_ATTACH  (root only, EPERM; as the two below)
 *                     in: uint32 bdf: the function becomes this open's to
 *                     drive, until it closes (its driver ended); EBUSY when
 *                     another open has it, ENOENT when there is no such
 *                     function
 *   _DCMD_PCI_CFG_READ, _DCMD_PCI_CFG_WRITE
 *                     in/out: struct _pci_cfg_io, one aligned 32-bit
 *                     register of a function this open attached (EPERM for
 *                     another's); EINVAL for an unaligned offset or one past
 *                     4 KiB; EACCES for a write to the BARs or the bridge
 *                     windows (the server placed them)
 *
 *   _DCMD_PCI_MSI_ATTACH
 *                     in/out: struct _pci_msi: a message-signalled
 *                     interrupt for a function this open attached (EPERM
 *                     for another's): the server gives it a vector of the
 *                     host's MSI controller, points the function's MSI
 *                     capability at it (its INTx goes off), and delivers
 *                     `event` to the caller (MsgDeliverEvent) each time it
 *                     fires; `vector` comes back.  The vector goes with the
 *                     open.  ENOTSUP when the host has no MSI controller
 *                     (QEMU virt's generic host) or the function no MSI
 *                     capability; ENOSPC when every vector is taken
 *
 * A driver maps its BARs itself (AsMap AS_MAP_PHYS: init grants a PCI
 * driver the host's windows, <spawn.h> posix_spawnattr_keel_device) and
 * attaches the INTx line the listing gives as an event itself
 * (InterruptAttachEvent), or asks for MSI.  Malformed requests (a wrong
 * size, an unknown `how`) are EINVAL; the server carries on. */
#include <stdint.h>
#include <keel/sigevent.h>

#define PCI_SERVER_PATH     "/dev/pci"

#define _DCMD_PCI_FIND      0x7101u
#define _DCMD_PCI_ATTACH    0x7102u
#define _DCMD_PCI_CFG_READ  0x7103u
#define _DCMD_PCI_CFG_WRITE 0x7104u
#define _DCMD_PCI_MSI_ATTACH 0x7105u

#define _PCI_FIND_CLASS     1u  /* match: class << 16 | subclass << 8 | prog-if */
#define _PCI_FIND_ID        2u  /* match: vendor << 16 | device */

struct _pci_find {
	uint32_t how;                   /* _PCI_FIND_* */
	uint32_t match;
	uint32_t index;
	uint32_t zero;
};

#define _PCI_BAR_IO         0x1u
#define _PCI_BAR_64         0x2u
#define _PCI_BAR_PREFETCH   0x4u

struct _pci_bar_info {
	uint64_t cpu;                   /* where the CPU reaches it; 0: unassigned */
	uint64_t size;                  /* 0: no BAR here */
	uint32_t flags;                 /* _PCI_BAR_* */
	uint32_t zero;
};

struct _pci_info {
	uint32_t bdf;                   /* bus << 8 | device << 3 | function */
	uint16_t vendor, device;
	uint32_t class_code;
	uint32_t irq;                   /* the interrupt line its INTx raises, 0: none */
	uint8_t header, pin;            /* header type, INTx pin (1 INTA .. 4 INTD, 0) */
	uint8_t enabled;                /* its memory BARs are placed and decoding */
	uint8_t zero[5];
	struct _pci_bar_info bar[6];
};

_Static_assert(sizeof(struct _pci_info) == 168, "struct _pci_info layout");

struct _pci_cfg_io {
	uint32_t bdf;
	uint32_t offset;                /* a multiple of 4, below 4096 */
	uint32_t value;                 /* read: out; write: in */
	uint32_t zero;
};

struct _pci_msi {
	uint32_t bdf;
	int32_t vector;                 /* out */
	struct sigevent event;          /* what the caller gets when it fires */
};
