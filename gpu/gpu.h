/* The virtio-gpu device (virtio device id 16): what the rest of the VMM
 * sees. Create one with a display, hand gpu_virtio_ops and the gpu to the
 * virtio transport; the transport's activate starts the worker thread and
 * reset stops it. */
#ifndef LKVM_GPU_H
#define LKVM_GPU_H

#include <stdint.h>

#include "display/display.h"
#include "gpu/backend.h"
#include "virtio/virtio_dev.h"

#define GPU_QUEUE_CTRL	      0
#define GPU_QUEUE_CURSOR      1
#define GPU_CTRL_QUEUE_SIZE   256
#define GPU_CURSOR_QUEUE_SIZE 16

/* Defaults: the size of every output (--resolution), and the host memory
 * cap for guest resources (--gpu-mem; also used when mem_limit is 0). */
#define GPU_DEFAULT_WIDTH   1280u
#define GPU_DEFAULT_HEIGHT  800u
#define GPU_DEFAULT_MEM_MIB 256u

struct gpu_config {
	unsigned outputs;	/* 1..16 scanouts */
	uint32_t width, height; /* initial size of every output */
	uint64_t mem_limit;	/* host bytes for resources (--gpu-mem) */
	uint32_t max_resources;
	struct display *display; /* not owned; must outlive the gpu */
	/* Backend constructor; NULL: 2D. */
	int (*backend_create)(const struct gpu_backend_env *env, struct gpu_backend *out);
	/* The user closed the display: shut the VM down. May be NULL. */
	void (*shutdown)(void *opaque);
	void *shutdown_opaque;
};

struct gpu;

/* NULL on bad config or no memory. */
struct gpu *gpu_create(const struct gpu_config *cfg);
/* Stops the worker if running. */
void gpu_destroy(struct gpu *g);

extern const struct virtio_dev_ops gpu_virtio_ops;

#endif
