/* virtio-rng: every writable byte the guest offers is filled from
 * getrandom(). One queue, one worker thread. */
#ifndef LKVM_VIRTIO_RNG_H
#define LKVM_VIRTIO_RNG_H

#include "virtio/virtio_dev.h"
#include "virtio/worker.h"

#define VIRTIO_ID_RNG_DEV 4

struct virtio_rng {
	const struct guest_mem *mem;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	struct vworker worker;
	struct vq_elem *elem;
};

extern const struct virtio_dev_ops virtio_rng_ops;

struct virtio_rng *virtio_rng_create(void);
void virtio_rng_destroy(struct virtio_rng *r);
/* One request (tests): bytes written. */
uint32_t virtio_rng_request(void *dev, struct vq_elem *elem);

#endif
