/* virtio-blk over a host file: read, write, flush (fsync), get-id, discard
 * and write-zeroes (hole punching). One queue, one worker thread. */
#ifndef LKVM_VIRTIO_BLK_H
#define LKVM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio/virtio_dev.h"
#include "virtio/worker.h"

#define VIRTIO_ID_BLOCK_DEV 2

struct virtio_blk {
	int fd;
	bool read_only;
	uint64_t sectors; /* capacity in 512-byte sectors */
	char id[20];	  /* VIRTIO_BLK_ID_BYTES, not NUL terminated if full */
	uint8_t config[60];
	/* Set by activate. */
	const struct guest_mem *mem;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	struct vworker worker;
	struct vq_elem *elem;
	struct iovec iov[VQ_MAX_SEGS]; /* worker scratch: the request in flight */
};

extern const struct virtio_dev_ops virtio_blk_ops;

/* What the machine asks of one disk. (Not "config": struct
 * virtio_blk_config is the device's config space in linux/virtio_blk.h.) */
struct virtio_blk_params {
	const char *path; /* image file or block device */
	bool read_only;
	unsigned index; /* names the disk in its id: lkvm-blkN */
};

/* Open the disk. On failure returns NULL with one line in err naming the
 * file and the reason. */
struct virtio_blk *virtio_blk_create(const struct virtio_blk_params *p, char *err, size_t errlen);
void virtio_blk_destroy(struct virtio_blk *b);

/* One request (exposed for tests): returns bytes written to the guest. */
uint32_t virtio_blk_request(void *dev, struct vq_elem *elem);

#endif
