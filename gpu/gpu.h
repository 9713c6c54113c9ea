/* The virtio-gpu device (virtio device id 16): what the rest of the VMM
 * sees. Create one with a display, hand gpu_virtio_ops and the gpu to the
 * virtio transport. The device's worker thread runs from gpu_create to
 * gpu_destroy; activate and reset only hand it the queues and take them
 * back (gpu/README.md). */
#ifndef LKVM_GPU_H
#define LKVM_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "display/display.h"
#include "gpu/backend.h"
#include "virtio/virtio_dev.h"

#define GPU_QUEUE_CTRL	      0
#define GPU_QUEUE_CURSOR      1
#define GPU_CTRL_QUEUE_SIZE   256
#define GPU_CURSOR_QUEUE_SIZE 16

/* Defaults: the size of every output (--resolution), the host memory cap
 * for guest resources (--gpu-mem; also used when mem_limit is 0) and the
 * resource count cap. */
#define GPU_DEFAULT_WIDTH	  1280u
#define GPU_DEFAULT_HEIGHT	  800u
#define GPU_DEFAULT_MEM_MIB	  256u
#define GPU_DEFAULT_MAX_RESOURCES 16384u

struct gpu_config {
	unsigned outputs;	 /* 1..16 scanouts */
	uint32_t width, height;	 /* initial size of every output */
	uint64_t mem_limit;	 /* host bytes for resources (--gpu-mem); 0: default */
	uint32_t max_resources;	 /* 0: default */
	struct display *display; /* not owned; must outlive the gpu */
	/* Guest RAM, for backings attached before the transport hands its own
	 * view over at activate (tests); may be NULL. */
	const struct guest_mem *mem;
	/* Backend constructor, run on the worker; NULL: 2D. */
	gpu_backend_create_fn backend_create;
	/* The user closed the display: shut the VM down. May be NULL. Runs
	 * on the worker thread. */
	void (*shutdown)(void *opaque);
	void *shutdown_opaque;
	/* Keyboard and pointer from the display, handed through to it as is
	 * (the GPU never looks at them). Members may be NULL. */
	struct display_input input;
};

struct gpu;

/* Starts the worker, which creates the backend and asks it for features
 * and capsets. NULL with one line in err on bad config or a backend that
 * cannot start. */
struct gpu *gpu_create(const struct gpu_config *cfg, char *err, size_t errlen);
/* Stops the worker (resources and backend are freed on it). */
void gpu_destroy(struct gpu *g);

/* Write every output's latest frame as PNG (output i > 0 to FILE-i.png),
 * from any thread: the worker makes the frames current first. 0, or -1
 * with one line in err. */
int gpu_screenshot(struct gpu *g, const char *path, char *err, size_t errlen);

/* Copy output's current frame (the guest's picture and its cursor, as a
 * screenshot shows them) into pixels, w x h 0x00RRGGBB words (stride w*4),
 * for comparing with a reference (--expect-screen). Any thread but the worker: it waits while
 * the worker runs the commands already queued and copies; a vCPU never
 * waits for it. The frame's size goes to frame_w/frame_h. 0; -ENODATA if
 * the output shows nothing; -EMSGSIZE if the frame is not w x h (nothing
 * copied: host memory stays bounded by the caller's buffer). */
int gpu_capture(struct gpu *g, unsigned output, uint32_t *pixels, uint32_t w, uint32_t h,
		uint32_t *frame_w, uint32_t *frame_h);

extern const struct virtio_dev_ops gpu_virtio_ops;

#endif
