/* What a virtio device implements. The device never knows its transport:
 * the PCI transport (virtio/pci_transport.c) calls these ops and hands the
 * device its queues, a doorbell eventfd per queue and an interrupt object.
 */
#ifndef LKVM_VIRTIO_DEV_H
#define LKVM_VIRTIO_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm/guest_mem.h"
#include "virtio/virtqueue.h"

#define VIRTIO_F_INDIRECT_DESC	 28
#define VIRTIO_F_EVENT_IDX	 29
#define VIRTIO_F_VERSION_1	 32
#define VIRTIO_F_ACCESS_PLATFORM 33

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER	  2
#define VIRTIO_STATUS_DRIVER_OK	  4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED	  128

/* Raises the device's interrupt for a queue or a config change. The
 * transport implements it (MSI-X vector via irqfd, or INTx + ISR). Safe to
 * call from any thread. */
struct virtio_irq {
	void (*queue)(struct virtio_irq *irq, unsigned queue);
	void (*config)(struct virtio_irq *irq);
	/* The device found the guest broke the protocol: set NEEDS_RESET and
	 * raise a config interrupt. */
	void (*needs_reset)(struct virtio_irq *irq);
};

struct virtio_queue {
	struct virtqueue vq;
	int kick_fd; /* eventfd, signalled by KVM on the guest's notify write */
	/* The stop flag of the worker serving this queue (set by
	 * vworker_start; atomic; NULL: none). Checked before every request,
	 * so a guest that keeps the ring full cannot delay a reset. */
	const bool *stop;
};

struct virtio_dev_ops {
	const char *name;
	uint16_t device_id; /* virtio device id: 2 blk, 3 console, 4 rng, 16 gpu, 18 input */
	uint32_t config_size;
	unsigned num_queues;
	uint16_t queue_max_size;
	/* Optional per-queue maximum sizes (num_queues entries); NULL means
	 * queue_max_size for every queue. */
	const uint16_t *queue_sizes;
	uint32_t pci_class; /* PCI class code (base<<16|sub<<8); 0: "other" */

	uint64_t (*features)(void *dev); /* offered, including VERSION_1 */
	void (*config_read)(void *dev, uint32_t off, void *data, uint32_t len);
	void (*config_write)(void *dev, uint32_t off, const void *data, uint32_t len);
	/* DRIVER_OK: start work. queues[i].vq is initialised for enabled
	 * queues (size 0 for disabled ones). Return 0 or -errno. */
	int (*activate)(void *dev, uint64_t features, const struct guest_mem *mem,
			struct virtio_queue *queues, struct virtio_irq *irq);
	/* Stop all work and forget queues; the device can be activated again. */
	void (*reset)(void *dev);
};

#endif
