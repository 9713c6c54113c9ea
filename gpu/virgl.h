/* A thin, checked layer over virglrenderer for the GPU device's 3D backend.
 * Every id, size, box, level, length and count is checked here (with our
 * own record of each resource) before virglrenderer sees it, and every
 * renderer failure comes back as an error, never as OK.
 *
 * Threads: virglrenderer is a process-wide singleton bound to the GL
 * contexts it makes current, so one gpu_virgl may be open at a time and
 * its calls must come from one thread at a time: the GPU worker. open may
 * run elsewhere (it leaves no context current); to move on to another
 * thread afterwards, call gpu_virgl_release_thread() on the old one first.
 * (virglrenderer's own fence thread also calls our make_current.) Fences:
 * put gpu_virgl_fence_fd() in the worker's epoll set; when it is readable
 * call gpu_virgl_retire(). No timers.
 *
 * Errors are enum gpu_err (gpu/error.h), which gpu_err_to_resp() maps to
 * VIRTIO_GPU_RESP_ERR_*. */
#ifndef LKVM_GPU_VIRGL_H
#define LKVM_GPU_VIRGL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "gpu/error.h"
#include "gpu/virgl_res.h"

/* Capset ids of the virtio-gpu spec. */
#define GPU_VIRGL_CAPSET_VIRGL	1
#define GPU_VIRGL_CAPSET_VIRGL2 2

struct gpu_virgl_limits {
	uint64_t mem_limit; /* host bytes of 3D resources (an estimate) */
	uint32_t max_resources;
	uint32_t max_contexts;
	uint32_t max_submit; /* bytes of one SUBMIT_3D stream */
	uint32_t max_fences; /* fences in flight */
};

#define GPU_VIRGL_DEFAULT_CONTEXTS 64u
#define GPU_VIRGL_DEFAULT_SUBMIT   (1u << 20)
#define GPU_VIRGL_DEFAULT_FENCES   1024u
#define GPU_VIRGL_MAX_BACKING	   65536u /* iovec entries per resource */
#define GPU_VIRGL_CTX_NAME_MAX	   64u	  /* bytes of CTX_CREATE's debug_name */

struct gpu_virgl;
struct gpu_egl;

/* EGL, then virglrenderer with THREAD_SYNC. 0 or -errno: -EBUSY if one is
 * already open, -ENODEV without EGL, -EIO if virglrenderer refuses, -ENOTSUP
 * if it gives no fence fd. Zero limits take the defaults above (mem_limit 0:
 * 256 MiB, max_resources 0: 16384). */
int gpu_virgl_open(const struct gpu_virgl_limits *lim, struct gpu_virgl **out);
/* Frees every resource and context, cleans virglrenderer up, closes EGL. */
void gpu_virgl_close(struct gpu_virgl *v);
const char *gpu_virgl_renderer(const struct gpu_virgl *v); /* GL_RENDERER */
/* Leave no GL context current on the calling thread, so that the next
 * call may come from another one. */
void gpu_virgl_release_thread(struct gpu_virgl *v);
/* Device reset: every resource and context goes, fences in flight are
 * forgotten (never reported); capsets, EGL and the fence fd stay. */
void gpu_virgl_reset(struct gpu_virgl *v);

/* Capsets: VIRGL and VIRGL2 when the renderer has them (never VENUS). */
uint32_t gpu_virgl_num_capsets(const struct gpu_virgl *v);
/* GPU_E_BAD_CAPSET for index >= num_capsets. */
enum gpu_err gpu_virgl_capset_info(const struct gpu_virgl *v, uint32_t index, uint32_t *id,
				   uint32_t *max_version, uint32_t *max_size);
/* Fills max_size bytes of buf (zeroed first; len must be >= max_size).
 * GPU_E_BAD_CAPSET for an id not listed or version > max_version. */
enum gpu_err gpu_virgl_capset(struct gpu_virgl *v, uint32_t id, uint32_t version, void *buf,
			      size_t len);

/* ctx_id 0 or in use: GPU_E_BAD_CONTEXT; past the cap: GPU_E_TOO_MANY.
 * The name is cut at GPU_VIRGL_CTX_NAME_MAX bytes. */
enum gpu_err gpu_virgl_ctx_create(struct gpu_virgl *v, uint32_t ctx_id, const char *name,
				  uint32_t nlen);
/* The same for CTX_CREATE's context_init capset (0: the default, else one
 * listed by gpu_virgl_capset_info; GPU_E_BAD_CAPSET otherwise). */
enum gpu_err gpu_virgl_ctx_create_capset(struct gpu_virgl *v, uint32_t ctx_id, uint32_t capset_id,
					 const char *name, uint32_t nlen);
/* Destroying a context forgets its fences in flight unreported. */
enum gpu_err gpu_virgl_ctx_destroy(struct gpu_virgl *v, uint32_t ctx_id);
enum gpu_err gpu_virgl_ctx_attach(struct gpu_virgl *v, uint32_t ctx_id, uint32_t res_id);
enum gpu_err gpu_virgl_ctx_detach(struct gpu_virgl *v, uint32_t ctx_id, uint32_t res_id);

/* RESOURCE_CREATE_3D. GPU_E_RES_ID_ZERO/RES_EXISTS, GPU_E_TOO_MANY (count
 * cap), GPU_E_BAD_FORMAT/BAD_SIZE (gpu_virgl_desc_check), GPU_E_NO_MEM
 * (memory cap or renderer out of memory). */
enum gpu_err gpu_virgl_res_create(struct gpu_virgl *v, uint32_t res_id,
				  const struct gpu_virgl_res_desc *d);
/* Detaches the backing first. */
enum gpu_err gpu_virgl_res_unref(struct gpu_virgl *v, uint32_t res_id);
/* The caller has mapped guest memory; the array is copied, the memory it
 * points at must stay mapped until detach or unref. GPU_E_BAD_ENTRIES for
 * n 0 or > GPU_VIRGL_MAX_BACKING, GPU_E_BAD_BACKING for an empty entry or a
 * total that wraps, GPU_E_HAS_BACKING if one is attached. */
enum gpu_err gpu_virgl_attach_backing(struct gpu_virgl *v, uint32_t res_id, const struct iovec *iov,
				      unsigned n);
enum gpu_err gpu_virgl_detach_backing(struct gpu_virgl *v, uint32_t res_id);
/* The GL texture behind a texture resource, in the share group of every
 * context gpu_egl_context_create() makes (gpu/virgl_egl.h): the display
 * may read it in its own context, then must call gpu_virgl_release_thread()
 * before the next call here. GPU_E_RES_UNKNOWN, GPU_E_UNSUPPORTED (no
 * texture: a buffer). */
enum gpu_err gpu_virgl_res_texture(struct gpu_virgl *v, uint32_t res_id, uint32_t *tex_id);
struct gpu_egl *gpu_virgl_egl(const struct gpu_virgl *v);
/* Description of a resource (for the display); GPU_E_RES_UNKNOWN. */
enum gpu_err gpu_virgl_res_info(const struct gpu_virgl *v, uint32_t res_id,
				struct gpu_virgl_res_desc *d);

/* TRANSFER_TO/FROM_HOST_3D through the attached backing. GPU_E_RES_UNKNOWN,
 * GPU_E_BAD_CONTEXT (ctx_id neither 0 nor a context), GPU_E_BAD_RECT (level
 * or box outside), GPU_E_NO_BACKING, GPU_E_BAD_OFFSET (offset/strides past
 * the backing, or refused by the renderer). */
enum gpu_err gpu_virgl_transfer_to_host(struct gpu_virgl *v, const struct gpu_virgl_xfer *t);
enum gpu_err gpu_virgl_transfer_from_host(struct gpu_virgl *v, const struct gpu_virgl_xfer *t);

/* SUBMIT_3D of a stream the caller copied once. GPU_E_BAD_CONTEXT,
 * GPU_E_NO_MEM past max_submit, GPU_E_BAD_SIZE if len % 4, GPU_E_UNSUPPORTED
 * (ERR_UNSPEC) when the renderer rejects the stream; it then stops running
 * that context's commands. */
enum gpu_err gpu_virgl_submit(struct gpu_virgl *v, uint32_t ctx_id, const void *cmds, size_t len);

/* The renderer's eventfd: readable when fences may have completed. */
int gpu_virgl_fence_fd(const struct gpu_virgl *v);
/* A fence after all work submitted so far; GPU_E_NO_MEM if max_fences are
 * in flight. (ctx_id, ring_idx) only label the timeline it is reported on. */
enum gpu_err gpu_virgl_create_fence(struct gpu_virgl *v, uint32_t ctx_id, uint8_t ring_idx,
				    uint64_t fence_id);
/* A fence on the (ctx, ring) timeline (INFO_RING_IDX): a context fence of
 * the renderer, retired on its own, when the context takes one on that
 * ring; else a global fence reported on (ctx, ring). */
enum gpu_err gpu_virgl_create_ring_fence(struct gpu_virgl *v, uint32_t ctx_id, uint8_t ring_idx,
					 uint64_t fence_id);
typedef void (*gpu_virgl_fence_fn)(void *opaque, uint32_t ctx_id, uint8_t ring_idx,
				   uint64_t fence_id);
/* Drains the fd, then reports completed fences in creation order. Returns
 * how many. */
unsigned gpu_virgl_retire(struct gpu_virgl *v, gpu_virgl_fence_fn done, void *opaque);

/* Level 0, layer 0 pixels of rect (x, y, w, h; z and d ignored) in the
 * resource's own format, rows dst_stride bytes apart: for a 3D scanout or
 * the cursor. GPU_E_RES_UNKNOWN, GPU_E_BAD_RECT, GPU_E_BAD_OFFSET (dst too
 * small), GPU_E_UNSUPPORTED if the renderer fails. */
enum gpu_err gpu_virgl_read_pixels(struct gpu_virgl *v, uint32_t res_id,
				   const struct gpu_virgl_box *rect, void *dst, size_t dst_stride,
				   size_t dst_len);

#endif
