/* A small virtio 1.x modern PCI driver core: find the vendor capabilities,
 * reset, negotiate features, set up split queues, notify, reset again.
 * Every register access is an MMIO exit from CPL3 (~27 us on PVM), so the
 * hot path (lib/virtq.h) works in RAM and touches registers only to notify. */
#ifndef PROBE_LIB_VIRTIO_PCI_H
#define PROBE_LIB_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pci.h"

#define VIRTIO_VENDOR		 0x1af4
#define VIRTIO_MODERN_DEVICE(id) (0x1040 + (id))
#define VIRTIO_ID_BLOCK		 2
#define VIRTIO_ID_CONSOLE	 3
#define VIRTIO_ID_RNG		 4
#define VIRTIO_ID_GPU		 16

#define VIRTIO_STATUS_ACK	  0x01
#define VIRTIO_STATUS_DRIVER	  0x02
#define VIRTIO_STATUS_DRIVER_OK	  0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED	  0x80

#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX     (1ull << 29)
#define VIRTIO_F_VERSION_1     (1ull << 32)

/* Common configuration structure offsets (virtio 1.2, 4.1.4.3). */
#define VPCI_DFSELECT	  0x00
#define VPCI_DF		  0x04
#define VPCI_GFSELECT	  0x08
#define VPCI_GF		  0x0c
#define VPCI_MSIX_CONFIG  0x10
#define VPCI_NUM_QUEUES	  0x12
#define VPCI_STATUS	  0x14
#define VPCI_CFG_GEN	  0x15
#define VPCI_Q_SELECT	  0x16
#define VPCI_Q_SIZE	  0x18
#define VPCI_Q_MSIX	  0x1a
#define VPCI_Q_ENABLE	  0x1c
#define VPCI_Q_NOTIFY_OFF 0x1e
#define VPCI_Q_DESC	  0x20
#define VPCI_Q_DRIVER	  0x28
#define VPCI_Q_DEVICE	  0x30
#define VPCI_NO_VECTOR	  0xffff

struct virtio_pci_dev {
	const struct pci_access *pci;
	uint8_t dev, fn;
	uint16_t device_id; /* virtio device type */
	uint64_t common, isr, device_cfg, notify;
	uint32_t notify_mult;
	uint32_t device_cfg_len;
	uint16_t num_queues;
	uint64_t features; /* negotiated */
};

/* Find the first modern virtio function of type device_id on bus 0.
 * False if none. */
bool virtio_pci_find(const struct pci_access *a, uint16_t device_id, uint8_t *dev, uint8_t *fn);

/* Read the capabilities, enable memory decode and bus mastering. 0, or -1
 * with one line in err. */
int virtio_pci_open(struct virtio_pci_dev *v, const struct pci_access *a, uint8_t dev, uint8_t fn,
		    char *err, size_t errlen);

/* Reset, ACKNOWLEDGE, DRIVER, negotiate (VERSION_1 plus the wanted bits the
 * device offers), FEATURES_OK, and check it stuck. 0, or -1 with err. */
int virtio_pci_init(struct virtio_pci_dev *v, uint64_t wanted, char *err, size_t errlen);

/* Write 0 to the status register and wait (bounded) until it reads 0. */
bool virtio_pci_reset(struct virtio_pci_dev *v);

void virtio_pci_driver_ok(struct virtio_pci_dev *v);
uint8_t virtio_pci_status(struct virtio_pci_dev *v);

/* Device-specific configuration reads (bounds-checked: 0 beyond the end). */
uint8_t virtio_pci_cfg8(struct virtio_pci_dev *v, uint32_t off);
uint32_t virtio_pci_cfg32(struct virtio_pci_dev *v, uint32_t off);
uint64_t virtio_pci_cfg64(struct virtio_pci_dev *v, uint32_t off);

#endif
