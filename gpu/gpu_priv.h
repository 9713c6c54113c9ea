/* Inside the GPU device: shared by device.c (virtio ops, config space),
 * worker.c (thread, queues) and ctrl.c (one request -> one reply). */
#ifndef LKVM_GPU_PRIV_H
#define LKVM_GPU_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpu/fence.h"
#include "gpu/gpu.h"
#include "gpu/protocol.h"

struct gpu_output {
	uint32_t width, height;
};

struct gpu {
	struct gpu_config cfg;
	struct display *display;

	/* Guards events_read and outputs: vCPU threads read the config
	 * while the worker handles display resizes. */
	pthread_mutex_t lock;
	uint32_t events_read;
	struct gpu_output outputs[VIRTIO_GPU_MAX_SCANOUTS];

	/* Set by activate, cleared by reset. */
	bool running;
	const struct guest_mem *mem;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	struct gpu_backend backend;
	pthread_t thread;
	int kill_fd, epoll_fd;
	/* Set before the kill eventfd: a guest that keeps both queues full
	 * must not keep the worker from noticing it should stop. */
	bool stopping;
	struct vq_elem *elem;
	uint8_t *req;		  /* GPU_MAX_REQUEST_BYTES: each request is copied here once */
	struct gpu_fences fences; /* ctrl replies waiting for their fence */
};

/* What the worker must do with a reply besides writing it. */
struct gpu_reply_info {
	bool park; /* hold the used entry until fence_id completes on tl */
	struct gpu_timeline tl;
	uint64_t fence_id;
};

/* Handle one request of len bytes; write the reply (at most cap bytes) to
 * resp and return its length. 0 when the request is too short to have a
 * header: the spec gives no reply to send. */
/* info (may be NULL: never park, e.g. the cursor queue) says whether the
 * reply must wait for a fence. */
size_t gpu_handle_request(struct gpu *g, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
			  struct gpu_reply_info *info);

/* The longest reply (RESP_EDID). */
#define GPU_MAX_REPLY_BYTES sizeof(struct virtio_gpu_resp_edid)

/* Worker thread: start after the backend exists; stop joins it. */
int gpu_worker_start(struct gpu *g);
void gpu_worker_stop(struct gpu *g);
/* Drain both queues once, cursor first (the worker's loop body; tests). */
void gpu_worker_process(struct gpu *g);
/* Release replies whose fences completed (on the backend's fence fd). */
void gpu_worker_fences(struct gpu *g);

/* A display output changed size: note it and raise the config event. */
void gpu_output_resized(struct gpu *g, unsigned output, uint32_t w, uint32_t h);

#endif
