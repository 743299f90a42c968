#pragma once
/* pci_client: a PCI driver's side of pci-server (<keel/pcimsg.h>): find
 * its function, make it its own, reach its configuration registers, map
 * its BARs.  Each call returns 0 or an errno value. */
#include <stdint.h>
#include <keel/pcimsg.h>

/* An open of PCI_SERVER_PATH (an fd), or -1 with errno (ENOENT: no server). */
int pci_client_open(void);
/* The index-th function (from 0) whose class code (_PCI_FIND_CLASS) or
 * vendor << 16 | device (_PCI_FIND_ID) is `match`: ENOENT past the last. */
int pci_client_find(int fd, uint32_t how, uint32_t match, unsigned index, struct _pci_info *out);
/* The function becomes this open's to drive (EBUSY: another driver's). */
int pci_client_attach(int fd, unsigned bdf);
int pci_client_cfg_read(int fd, unsigned bdf, unsigned off, uint32_t *value);
int pci_client_cfg_write(int fd, unsigned bdf, unsigned off, uint32_t value);
/* A message-signalled interrupt for the function, delivered as *event;
 * *vector gets its vector.  ENOTSUP when the host or the function has no
 * MSI (use INTx then). */
struct sigevent;
int pci_client_msi_attach(int fd, unsigned bdf, const struct sigevent *event, int *vector);
/* Maps memory BAR `bar` of f at va (whole pages): ENXIO when it is not an
 * assigned memory BAR, else AsMap's error (EPERM: not granted to us). */
int pci_client_map_bar(const struct _pci_info *f, int bar, uintptr_t va);
