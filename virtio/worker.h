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

/* Adaptive polling policy (pure state, unit tested). The window grows
 * (doubling from VPOLL_START_NS up to max_ns) while kicks arrive within
 * max_ns of going to sleep, and halves to 0 when they arrive later. If
 * windows keep expiring without catching anything (typically the worker
 * shares a CPU with the vCPU it waits for, so spinning only delays the
 * guest), polling pauses for a cooldown of wake-ups that doubles each time
 * it happens again. */
struct vpoll {
	uint64_t max_ns, ns;
	unsigned miss_streak;
	uint32_t cooldown, backoff;
};

#define VPOLL_START_NS	  4000
#define VPOLL_MISS_LIMIT  6
#define VPOLL_BACKOFF_MIN 256
#define VPOLL_BACKOFF_MAX 16384

void vpoll_init(struct vpoll *p, uint64_t max_ns);
/* A kick woke the worker after it slept slept_ns. */
void vpoll_woken(struct vpoll *p, uint64_t slept_ns);
/* Window to spin for now (0: go straight to sleep). */
uint64_t vpoll_window(const struct vpoll *p);
/* A polling session ended; caught: it served at least one request. */
void vpoll_session_done(struct vpoll *p, bool caught);

/* What woke the worker, told to the device: a queue's doorbell (already
 * drained), or one of the device's own fds (its to read). */
struct vworker_ops {
	void (*queue_kicked)(void *dev, unsigned queue);
	void (*fd_ready)(void *dev, unsigned extra_index); /* NULL without extra fds */
};

struct vworker {
	pthread_t thread;
	int epfd, stop_fd;
	bool running;
	bool stopping; /* atomic: ends a polling spin */
	const struct vworker_ops *ops;
	void *dev;
	struct virtio_queue *queues;
	unsigned nq;
	/* After serving, watch the rings for vpoll_window() before sleeping
	 * (vworker_set_poll; max 0: never). */
	struct vpoll poll;
	/* Counters for tests and --debug. */
	uint64_t wakeups, poll_hits, poll_sessions, poll_empty;
};

/* Start a thread watching the kick fds of the enabled queues (vq.size != 0)
 * and extra_fds. Kick fds are drained before handle() runs; extra fds
 * are the device's to read. */
int vworker_start(struct vworker *w, struct virtio_queue *queues, unsigned nq, const int *extra_fds,
		  unsigned n_extra, const struct vworker_ops *ops, void *dev);
/* Enable bounded adaptive polling before vworker_start (0 disables). A
 * device whose requests are short (blk) trades at most max_ns of CPU per
 * idle gap for not paying a thread wake-up per request; an idle guest
 * costs nothing. */
void vworker_set_poll(struct vworker *w, uint64_t max_ns);
/* Stop and join; safe if never started. */
void vworker_stop(struct vworker *w);

/* Per-request callback: handle elem and return bytes written into its
 * writable segments (for the used ring). */
typedef uint32_t (*vq_request_fn)(void *dev, struct vq_elem *elem);

/* Pop every available chain of q, hand each to fn, push it, re-enable
 * notifications and loop until the ring is quiet; interrupt once if the
 * driver wants it. A broken ring raises needs_reset. Stops before the next
 * request once the worker serving q is stopping (q->stop). Returns chains
 * done. */
unsigned virtio_queue_service(struct virtio_queue *q, unsigned idx, struct virtio_irq *irq,
			      struct vq_elem *elem, vq_request_fn fn, void *dev);

#endif
