/* What a GPU backend implements (2D here, virglrenderer in its own file).
 *
 * The frontend (gpu/ctrl*.c, gpu/scanout.c) owns what every backend shares:
 * the resource table with its caps, guest backings, scanouts and the cursor,
 * capsets as the guest sees them, fences and replies. A backend owns pixels
 * and rendering: the private part of each resource, contexts, its fences.
 *
 * Threading: the backend is created, used and destroyed on the GPU worker
 * thread only (GL contexts are bound to one thread). Nothing here is ever
 * called from a vCPU or the main thread.
 *
 * A NULL entry means "unsupported": the guest gets ERR_UNSPEC, so the
 * frontend needs no #ifdef. Ops return an internal error; the frontend turns
 * it into the wire reply.
 */
#ifndef LKVM_GPU_BACKEND_H
#define LKVM_GPU_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "display/display.h"
#include "gpu/decode.h"
#include "gpu/error.h"
#include "gpu/fence.h"
#include "gpu/resources.h"
#include "kvm/guest_mem.h"

/* One capset as GET_CAPSET_INFO reports it. */
struct gpu_capset {
	uint32_t id;
	uint32_t max_version;
	uint32_t max_size; /* bytes of GET_CAPSET's payload */
};

#define GPU_MAX_CAPSETS 8
/* Largest capset payload we pass on (virgl's VIRGL2 is 1376 bytes). */
#define GPU_MAX_CAPSET_BYTES 16384u

struct gpu_backend_ops {
	const char *name;
	void (*destroy)(void *be);
	/* Device reset: every resource is already gone (resource_destroy was
	 * called for each); drop contexts and anything else the guest made. */
	void (*reset)(void *be);

	/* Asked once, right after create: feature bits beyond VERSION_1 and
	 * EDID (e.g. VIRTIO_GPU_F_VIRGL), and the capsets (the frontend keeps
	 * the answers, so config reads never reach the backend). */
	uint64_t (*features)(void *be);
	unsigned (*capsets)(void *be, struct gpu_capset *out, unsigned max);
	/* Fill cap bytes (the capset's max_size, pre-zeroed) for id/version
	 * (already checked against capsets()). */
	enum gpu_err (*get_capset)(void *be, uint32_t id, uint32_t version, void *buf, size_t cap);

	/* Resources. The frontend has checked the id (non-zero, unused, under
	 * the count cap) and inserts r after success; the backend fills
	 * r->width/height/format, r->priv and charges what it allocates with
	 * gpu_mem_charge(res, ...) recording the amount in r->charged. */
	enum gpu_err (*resource_create_2d)(void *be, struct gpu_resource *r,
					   const struct gpu_cmd *c);
	enum gpu_err (*resource_create_3d)(void *be, struct gpu_resource *r,
					   const struct gpu_cmd *c);
	/* Free r->priv (the frontend uncharges r->charged and frees r). */
	void (*resource_destroy)(void *be, struct gpu_resource *r);
	/* r->backing was just attached / is about to be freed. */
	enum gpu_err (*backing_attached)(void *be, struct gpu_resource *r);
	void (*backing_detach)(void *be, struct gpu_resource *r);
	/* TRANSFER_TO_HOST_2D; rectangle and backing already checked by the
	 * frontend to lie inside r and its backing. */
	enum gpu_err (*transfer_to_host_2d)(void *be, struct gpu_resource *r,
					    const struct gpu_cmd *c);

	/* Pixels for a display: make rectangle sync of r current (NULL: only
	 * describe, the display reads later after another call with sync),
	 * then describe r's pixels in f (whole resource, top-left pixel). */
	enum gpu_err (*frame)(void *be, struct gpu_resource *r, const struct gpu_rect *sync,
			      struct display_frame *f);
	/* r's 64x64 image as premultiplied a8r8g8b8 (r is 64x64). */
	enum gpu_err (*cursor_image)(void *be, struct gpu_resource *r, uint32_t *argb);

	/* 3D: contexts and the commands that run in them. ctx is the header's
	 * ctx_id; r is the command's resource, looked up by the frontend
	 * (NULL for ctx_create/destroy and submit). */
	enum gpu_err (*ctx_create)(void *be, uint32_t ctx, const struct gpu_cmd *c);
	enum gpu_err (*ctx_destroy)(void *be, uint32_t ctx);
	enum gpu_err (*ctx_attach)(void *be, uint32_t ctx, struct gpu_resource *r);
	enum gpu_err (*ctx_detach)(void *be, uint32_t ctx, struct gpu_resource *r);
	enum gpu_err (*transfer_3d)(void *be, uint32_t ctx, struct gpu_resource *r,
				    const struct gpu_cmd *c); /* TO_HOST and FROM_HOST */
	enum gpu_err (*submit_3d)(void *be, uint32_t ctx, const struct gpu_cmd *c);

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
	struct gpu_res_table *res; /* for gpu_mem_charge/uncharge */
};

struct gpu_backend {
	const struct gpu_backend_ops *ops;
	void *be;
};

/* Backend constructors: 0 or -errno, with one line in err. */
typedef int (*gpu_backend_create_fn)(const struct gpu_backend_env *env, struct gpu_backend *out,
				     char *err, size_t errlen);
int gpu_backend_2d_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
			  size_t errlen);

/* virglrenderer on an EGL display we own (gpu/backend_virgl.c): -ENODEV
 * without EGL, -EBUSY when one is open already (virglrenderer is a
 * process-wide singleton). */
int gpu_backend_virgl_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
			     size_t errlen);

/* Largest width or height of a 2D resource. */
#define GPU_MAX_DIM 16384u

#endif
