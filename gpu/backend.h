/* What a GPU backend implements (2D here, virglrenderer later). Every op
 * takes the backend and one decoded command and returns an internal error;
 * the frontend turns that into the wire reply. A NULL entry means the
 * backend does not support the command (the guest gets ERR_UNSPEC), so the
 * frontend needs no #ifdef. Scanout and cursor state live in the backend
 * because only it can read a resource's pixels. */
#ifndef LKVM_GPU_BACKEND_H
#define LKVM_GPU_BACKEND_H

#include <stdint.h>

#include "display/display.h"
#include "gpu/decode.h"
#include "gpu/error.h"
#include "gpu/fence.h"
#include "kvm/guest_mem.h"

typedef enum gpu_err (*gpu_backend_cmd_fn)(void *be, const struct gpu_cmd *cmd);

struct gpu_backend_ops {
	const char *name;
	void (*destroy)(void *be);

	gpu_backend_cmd_fn resource_create_2d;
	gpu_backend_cmd_fn resource_unref;
	gpu_backend_cmd_fn attach_backing;
	gpu_backend_cmd_fn detach_backing;
	gpu_backend_cmd_fn transfer_to_host_2d;
	gpu_backend_cmd_fn set_scanout;
	gpu_backend_cmd_fn resource_flush;
	gpu_backend_cmd_fn update_cursor;
	gpu_backend_cmd_fn move_cursor;
	/* Number of capsets (config num_capsets); NULL means none. */
	uint32_t (*num_capsets)(void *be);

	/* Asynchronous fences (virgl). NULL: a command's work is done when its
	 * op returns (2D), so fenced replies go out at once. Otherwise a
	 * fenced command that succeeded gets create_fence, its reply waits,
	 * and when fence_fd is readable retire_fences reports, per timeline,
	 * the latest fence id completed (it also drains fence_fd). */
	int (*fence_fd)(void *be);
	enum gpu_err (*create_fence)(void *be, struct gpu_timeline tl, uint64_t fence_id);
	void (*retire_fences)(void *be,
			      void (*done)(void *opaque, struct gpu_timeline tl, uint64_t fence_id),
			      void *opaque);
};

/* What a backend is built with. */
struct gpu_backend_env {
	const struct guest_mem *mem;
	struct display *display; /* never NULL */
	unsigned num_scanouts;
	uint32_t max_resources;
	uint64_t mem_limit; /* bytes */
};

struct gpu_backend {
	const struct gpu_backend_ops *ops;
	void *be;
};

/* 0 or -errno. */
int gpu_backend_2d_create(const struct gpu_backend_env *env, struct gpu_backend *out);

/* Largest width or height of a 2D resource. */
#define GPU_MAX_DIM 16384u

#endif
