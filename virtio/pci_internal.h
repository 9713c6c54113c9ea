/* Private to the virtio PCI transport (pci_transport.c, pci_common.c). */
#ifndef LKVM_VIRTIO_PCI_INTERNAL_H
#define LKVM_VIRTIO_PCI_INTERNAL_H

#include "virtio/pci_transport.h"

#define VPCI_COMMON_SIZE 0x40

/* Common cfg access; takes vp->lock. */
void vpci_common_io(struct virtio_pci *vp, uint32_t off, void *data, uint32_t size, bool is_write);
/* Device reset (status 0): stop the device, forget queues; lock held. */
void vpci_reset(struct virtio_pci *vp);
/* ISR read or reset: returns the causes, clears them, lowers INTx. */
uint8_t vpci_isr_clear(struct virtio_pci *vp);

#endif
