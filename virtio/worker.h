/* A device worker thread: one epoll set over the queues' kick eventfds (and
 * any extra fds), plus a stop eventfd. Devices supply a callback per ready
 * queue; the service helper runs the usual drain loop with notification
 * suppression and one interrupt per batch.
 */
#ifndef LKVM_VIRTIO_WORKER_H
#define LKVM_VIRTIO_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/virtio_dev.h"

struct vworker {
	pthread_t thread;
	int epfd, stop_fd;
	bool running;
	/* idx < nr queues: queue idx kicked; idx >= 1000: extra fd (idx-1000). */
	void (*handle)(void *dev, unsigned idx);
	void *dev;
};

#define VWORKER_EXTRA_BASE 1000

/* Start a thread watching the kick fds of the enabled queues (vq.size != 0)
 * and extra_fds. Kick fds are drained before handle() runs; extra fds
 * are the device's to read. */
int vworker_start(struct vworker *w, struct virtio_queue *queues, unsigned nq, const int *extra_fds,
		  unsigned n_extra, void (*handle)(void *dev, unsigned idx), void *dev);
/* Stop and join; safe if never started. */
void vworker_stop(struct vworker *w);

/* Per-request callback: handle elem and return bytes written into its
 * writable segments (for the used ring). */
typedef uint32_t (*vq_request_fn)(void *dev, struct vq_elem *elem);

/* Pop every available chain of q, hand each to fn, push it, re-enable
 * notifications and loop until the ring is quiet; interrupt once if the
 * driver wants it. A broken ring raises needs_reset. Returns chains done. */
unsigned virtio_queue_service(struct virtio_queue *q, unsigned idx, struct virtio_irq *irq,
			      struct vq_elem *elem, vq_request_fn fn, void *dev);

#endif
