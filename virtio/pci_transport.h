/* The virtio 1.x modern PCI transport (VIRTIO_F_VERSION_1 only).
 *
 * One PCI function per device. BAR layout (all offsets fixed):
 *   BAR0 (32-bit memory, 16 KiB): common cfg at 0x0000, ISR at 0x1000,
 *        device cfg at 0x2000, notify at 0x3000 (queue q at 0x3000 + 4*q,
 *        notify_off_multiplier 4; each address has its own KVM ioeventfd).
 *   BAR1 (32-bit memory, 4 KiB): MSI-X table at 0, PBA at 0x800
 *        (num_queues + 1 vectors; absent with msix = false).
 *   BAR2 (64-bit prefetchable memory): the optional shared memory region.
 * The transport adds VERSION_1, RING_INDIRECT_DESC and RING_EVENT_IDX to
 * the device's features.
 */
#ifndef LKVM_VIRTIO_PCI_TRANSPORT_H
#define LKVM_VIRTIO_PCI_TRANSPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvm/vm.h"
#include "pci/irq_kvm.h"
#include "pci/msix.h"
#include "pci/pci.h"
#include "virtio/virtio_dev.h"

#define VPCI_MAX_QUEUES 32
#define VPCI_NO_VECTOR	0xffff

#define VPCI_BAR_REGS	  0
#define VPCI_BAR_MSIX	  1
#define VPCI_BAR_SHM	  2
#define VPCI_REGS_SIZE	  0x4000
#define VPCI_COMMON_OFF	  0x0000
#define VPCI_ISR_OFF	  0x1000
#define VPCI_DEVCFG_OFF	  0x2000
#define VPCI_NOTIFY_OFF	  0x3000
#define VPCI_NOTIFY_MULT  4
#define VPCI_MSIX_SIZE	  0x1000
#define VPCI_MSIX_PBA_OFF 0x800

struct vpci_queue_cfg {
	uint16_t size, vector;
	bool enabled;
	uint64_t desc, driver, device;
};

struct virtio_pci {
	struct pci_dev pci;
	struct pci_msix msix;
	struct msix_kvm msix_kvm;
	struct pci_intx intx;
	bool has_msix;
	struct vm *vm; /* NULL in tests: no ioeventfds, no irqfds */
	const struct guest_mem *mem;
	const struct virtio_dev_ops *ops;
	void *dev;

	pthread_mutex_t lock; /* common cfg state below */
	uint64_t offered, driver_features;
	uint32_t dfselect, gfselect;
	uint8_t status; /* NEEDS_RESET may be or'ed in from device threads */
	uint8_t config_gen;
	uint16_t config_vector;
	uint16_t queue_sel;
	bool active;
	struct vpci_queue_cfg qcfg[VPCI_MAX_QUEUES];
	struct virtio_queue queues[VPCI_MAX_QUEUES];
	/* The ISR and the INTx level that follows it change together under
	 * isr_lock (a leaf lock; vp->lock may be held around it). */
	pthread_mutex_t isr_lock;
	uint8_t isr;
	struct virtio_irq irq;

	uint8_t cfg_cap; /* VIRTIO_PCI_CAP_PCI_CFG: BAR access via config space */
	bool notify_mapped;
	uint64_t notify_gpa; /* where the ioeventfds are assigned */

	/* Shared memory region (BAR2): told where the guest maps it; NULL if
	 * there is none. Its size and id live in BAR2 and the capability. */
	void (*shm_moved)(void *opaque, bool mapped, uint64_t gpa);
	void *shm_opaque;
};

/* Build the function (config space, capabilities, kick eventfds). vm may
 * be NULL (tests). msix false leaves INTx as the only interrupt. */
int virtio_pci_init(struct virtio_pci *vp, struct vm *vm, const struct guest_mem *mem,
		    const struct virtio_dev_ops *ops, void *dev, bool msix);
/* Optional, before register: a shared memory region of size bytes (a power
 * of two) with shmid id, in a 64-bit prefetchable BAR. moved() is told
 * where the guest put it (map your memory there) and when it goes away. */
int virtio_pci_add_shm(struct virtio_pci *vp, uint8_t id, uint64_t size,
		       void (*moved)(void *opaque, bool mapped, uint64_t gpa), void *opaque);
/* Put it on the bus: BARs allocated and mapped, ioeventfds assigned. */
int virtio_pci_register(struct virtio_pci *vp, struct pci_bus *bus);
/* Reset the device and release fds and irq resources. */
void virtio_pci_exit(struct virtio_pci *vp);

/* BAR0 access (exposed for tests; the bus calls it). */
void virtio_pci_regs_io(void *owner, uint64_t off, void *data, uint32_t size, bool is_write);

#endif
