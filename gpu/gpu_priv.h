/* Inside the GPU device: shared by device.c (virtio ops, config space),
 * worker.c (the thread, its mailbox and the queues), ctrl*.c (one request
 * -> one reply) and scanout.c (scanouts and the cursor). */
#ifndef LKVM_GPU_PRIV_H
#define LKVM_GPU_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpu/backend.h"
#include "gpu/fence.h"
#include "gpu/gpu.h"
#include "gpu/protocol.h"
#include "gpu/resources.h"

struct gpu_output {
	uint32_t width, height;
};

/* What a scanout shows: a rectangle of a resource (resource 0: off). */
struct gpu_scanout {
	uint32_t resource_id;
	struct gpu_rect r;
	/* Charged to the memory cap for the display's own copies of this
	 * output's frames (display_ops.frame_bytes); kept across disable and
	 * reset, as the display keeps its last picture. */
	uint64_t display_bytes;
	/* SET_SCANOUT_BLOB: the layout shown (gpu/blob_view.h); NULL for a
	 * plain SET_SCANOUT. */
	struct gpu_blob_view *blob;
};

/* Where a handler writes a data-carrying reply (header included). len 0:
 * the frontend answers with a bare header (OK_NODATA or the error). */
struct gpu_reply {
	uint8_t *buf;
	size_t cap; /* GPU_MAX_REPLY_BYTES */
	size_t len;
};

/* The longest reply: a capset (header + payload). */
#define GPU_MAX_REPLY_BYTES (sizeof(struct virtio_gpu_ctrl_hdr) + GPU_MAX_CAPSET_BYTES)

struct gpu_msg;

struct gpu {
	struct gpu_config cfg;
	struct display *display;

	/* Fixed once gpu_create returns: config reads from vCPU threads use
	 * them without a lock (and never reach the backend). */
	uint64_t features;
	struct gpu_capset capsets[GPU_MAX_CAPSETS];
	unsigned num_capsets;

	/* Guards events_read and outputs: vCPU threads read the config
	 * while the worker handles display resizes. */
	pthread_mutex_t lock;
	uint32_t events_read;
	struct gpu_output outputs[VIRTIO_GPU_MAX_SCANOUTS];

	/* Worker state: touched only on the worker thread (and by tests that
	 * drive gpu_handle_request while no queue is attached). */
	struct gpu_backend backend;
	struct gpu_res_table res;
	struct gpu_scanout scanouts[VIRTIO_GPU_MAX_SCANOUTS];
	uint32_t cursor[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
	/* Each output's cursor as the display was told (gpu_capture draws it,
	 * as a screenshot does); its image is cursor above, the last one set
	 * on any output: guests show one pointer. */
	struct gpu_cursor_pos {
		bool visible;
		int hot_x, hot_y, x, y;
	} cursor_pos[VIRTIO_GPU_MAX_SCANOUTS];
	bool attached; /* between activate and reset */
	const struct guest_mem *mem;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	struct vq_elem *elem;
	uint8_t *req;		  /* GPU_MAX_REQUEST_BYTES: each request is copied here once */
	uint8_t *resp;		  /* GPU_MAX_REPLY_BYTES */
	struct gpu_fences fences; /* ctrl replies waiting for their fence */

	/* The thread and its mailbox (gpu/worker.c). */
	pthread_t thread;
	bool thread_started;
	int epoll_fd, msg_fd;
	pthread_mutex_t post_lock; /* one message in flight */
	pthread_mutex_t msg_lock;
	pthread_cond_t msg_cond;
	struct gpu_msg *msg;
	/* Set before a message is posted: a guest that keeps both queues
	 * full must not keep the worker from reading its mailbox. */
	bool msg_pending;
};

/* What the worker must do with a reply besides writing it. */
struct gpu_reply_info {
	bool park; /* hold the used entry until fence_id completes on tl */
	struct gpu_timeline tl;
	uint64_t fence_id;
};

/* Handle one request of len bytes; write the reply (at most cap bytes) to
 * resp and return its length. 0 when the request is too short to have a
 * header: the spec gives no reply to send. info (may be NULL: never park,
 * e.g. the cursor queue) says whether the reply must wait for a fence. */
size_t gpu_handle_request(struct gpu *g, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
			  struct gpu_reply_info *info);
/* Decode-free core of it: run one decoded command (tests use it to see the
 * internal error). */
enum gpu_err gpu_dispatch(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply);

/* The worker thread (gpu/worker.c): started by gpu_create, which has it
 * create the backend; every later backend call happens on it. */
int gpu_worker_start(struct gpu *g, char *err, size_t errlen);
void gpu_worker_stop(struct gpu *g);
/* Activate/reset: hand the queues to the worker, take them back. Both
 * return once the worker has done it. */
int gpu_worker_attach(struct gpu *g, const struct guest_mem *mem, struct virtio_queue *queues,
		      struct virtio_irq *irq);
void gpu_worker_detach(struct gpu *g);
/* Drain both queues once, cursor first (the worker's loop body). */
void gpu_worker_process(struct gpu *g);

/* Resources (gpu/ctrl_resource.c): free every resource (device reset,
 * destroy), turning their scanouts off. */
void gpu_resources_clear(struct gpu *g);

/* 3D (gpu/ctrl_3d.c): drop r's notes of the contexts it is attached to
 * (r is being freed; the backend detaches it itself). */
void gpu_resource_forget_ctxs(struct gpu *g, struct gpu_resource *r);

/* Scanouts (gpu/scanout.c). */
void gpu_scanouts_forget(struct gpu *g, struct gpu_resource *r); /* before r is freed */
/* Make what every scanout shows current, for a reader (screenshot). */
void gpu_scanouts_sync(struct gpu *g);

/* The frame scanout i shows, made current; false if it shows nothing. */
bool gpu_scanout_current(struct gpu *g, unsigned i, struct display_frame *f);
/* gpu_capture's work, on the worker (gpu/capture.c). */
int gpu_capture_on_worker(struct gpu *g, unsigned output, uint32_t *pixels, uint32_t w, uint32_t h,
			  uint32_t *frame_w, uint32_t *frame_h);

/* A display output changed size: note it and raise the config event. */
void gpu_output_resized(struct gpu *g, unsigned output, uint32_t w, uint32_t h);

#endif
