/* virglrenderer behind checks. See gpu/virgl.h for the rules. */
/* get_egl_display (callbacks v4), write_context_fence and
 * virgl_renderer_context_create_fence (context fences). */
#define VIRGL_RENDERER_UNSTABLE_APIS
#include "gpu/virgl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <virglrenderer.h>

#include "gpu/virgl_egl.h"
#include "gpu/virgl_fence.h"
#include "gpu/virgl_ring.h"
#include "util/log.h"

/* virglrenderer's box (virgl_hw.h, not installed): six u32, as in
 * TRANSFER_*_3D. */
struct virgl_box {
	uint32_t x, y, z, w, h, d;
};

struct capset {
	uint32_t id, max_version, max_size;
};

struct gpu_virgl {
	struct gpu_egl *egl;
	struct virgl_renderer_callbacks cbs; /* virglrenderer keeps the pointer */
	struct gpu_virgl_limits lim;
	int fence_fd;

	struct capset capsets[2];
	uint32_t ncapsets;

	uint32_t *ctx_ids; /* unordered, at most lim.max_contexts */
	uint32_t nctx;

	struct gpu_virgl_res_table res;
	uint64_t mem_used;

	struct gpu_virgl_fences fences;
	uint32_t done_seq;	      /* last seq write_fence reported */
	struct gpu_virgl_rings rings; /* context fences by (ctx, ring) */
	bool released;		      /* no GL context current on the calling thread */
};

/* virglrenderer has one global state: one of us at a time. */
static bool virgl_open_once;

/* Capsets may not be absurd even if the renderer says so. */
#define CAPSET_MAX_SIZE 65536u

static void cb_write_fence(void *cookie, uint32_t seq)
{
	struct gpu_virgl *v = cookie;

	v->done_seq = seq;
}

/* A context fence is done (called inside virgl_renderer_poll). */
static void cb_write_context_fence(void *cookie, uint32_t ctx_id, uint32_t ring_idx,
				   uint64_t fence_id)
{
	struct gpu_virgl *v = cookie;

	if (ring_idx < GPU_VIRGL_MAX_RINGS)
		gpu_virgl_rings_done(&v->rings, ctx_id, (uint8_t)ring_idx, fence_id);
}

static virgl_renderer_gl_context cb_create_ctx(void *cookie, int scanout,
					       struct virgl_renderer_gl_ctx_param *p)
{
	struct gpu_virgl *v = cookie;

	return gpu_egl_context_create(v->egl, p->major_ver, p->minor_ver);
}

static void cb_destroy_ctx(void *cookie, virgl_renderer_gl_context ctx)
{
	struct gpu_virgl *v = cookie;

	gpu_egl_context_destroy(v->egl, ctx);
}

/* May run on virglrenderer's sync thread too: it only calls EGL. */
static int cb_make_current(void *cookie, int scanout, virgl_renderer_gl_context ctx)
{
	struct gpu_virgl *v = cookie;

	return gpu_egl_make_current(v->egl, ctx);
}

static void *cb_egl_display(void *cookie)
{
	struct gpu_virgl *v = cookie;

	return gpu_egl_display(v->egl);
}

/* A GL context is current on one thread at a time. After a release (open
 * ends with one) the next call, on whatever thread, makes virglrenderer's
 * main context current there again. */
static void gl_thread(struct gpu_virgl *v)
{
	if (v->released) {
		virgl_renderer_force_ctx_0();
		v->released = false;
	}
}

void gpu_virgl_release_thread(struct gpu_virgl *v)
{
	gpu_egl_make_current(v->egl, NULL);
	v->released = true;
}

static void find_capsets(struct gpu_virgl *v)
{
	/* Only the GL capsets: get_cap_set answers for VENUS (4) even when
	 * venus is off, so asking is not a reason to advertise. */
	static const uint32_t ids[] = {GPU_VIRGL_CAPSET_VIRGL, GPU_VIRGL_CAPSET_VIRGL2};

	for (unsigned i = 0; i < 2; i++) {
		uint32_t ver = 0, size = 0;
		virgl_renderer_get_cap_set(ids[i], &ver, &size);
		if (ver == 0 || size == 0 || size > CAPSET_MAX_SIZE)
			continue;
		v->capsets[v->ncapsets++] = (struct capset){ids[i], ver, size};
	}
}

static void set_limits(struct gpu_virgl_limits *l, const struct gpu_virgl_limits *in)
{
	*l = *in;
	if (!l->mem_limit)
		l->mem_limit = 256ull << 20;
	if (!l->max_resources)
		l->max_resources = 16384;
	if (!l->max_contexts)
		l->max_contexts = GPU_VIRGL_DEFAULT_CONTEXTS;
	if (!l->max_submit)
		l->max_submit = GPU_VIRGL_DEFAULT_SUBMIT;
	if (!l->max_fences)
		l->max_fences = GPU_VIRGL_DEFAULT_FENCES;
}

int gpu_virgl_open(const struct gpu_virgl_limits *lim, struct gpu_virgl **out)
{
	struct gpu_virgl *v;
	int err;

	if (virgl_open_once)
		return -EBUSY;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	set_limits(&v->lim, lim);
	v->fence_fd = -1;
	v->ctx_ids = calloc(v->lim.max_contexts, sizeof(*v->ctx_ids));
	if (!v->ctx_ids || gpu_virgl_fences_init(&v->fences, v->lim.max_fences) != 0 ||
	    gpu_virgl_rings_init(&v->rings, v->lim.max_contexts * GPU_VIRGL_MAX_RINGS) != 0 ||
	    gpu_virgl_res_table_init(&v->res) != 0) {
		err = -ENOMEM;
		goto fail;
	}
	err = gpu_egl_open(&v->egl);
	if (err)
		goto fail;
	v->cbs = (struct virgl_renderer_callbacks){
	    .version = 4,
	    .write_fence = cb_write_fence,
	    .write_context_fence = cb_write_context_fence,
	    .create_gl_context = cb_create_ctx,
	    .destroy_gl_context = cb_destroy_ctx,
	    .make_current = cb_make_current,
	    .get_egl_display = cb_egl_display,
	};
	/* No USE_EGL: virglrenderer takes our display (get_egl_display) and
	 * our contexts. THREAD_SYNC: a renderer thread waits on GL fences and
	 * signals an eventfd, so fences need no polling timer. No ASYNC_FENCE_CB:
	 * write_fence then runs inside virgl_renderer_poll, on our thread. The
	 * cookie must not be NULL (init fails silently). */
	if (virgl_renderer_init(v, VIRGL_RENDERER_THREAD_SYNC, &v->cbs) != 0) {
		log_error("virgl: virgl_renderer_init failed");
		/* It may have kept part of its state: a later open starts clean. */
		virgl_renderer_cleanup(v);
		err = -EIO;
		goto fail_egl;
	}
	virgl_open_once = true;
	v->fence_fd = virgl_renderer_get_poll_fd();
	if (v->fence_fd < 0) {
		/* THREAD_SYNC is silently dropped without eventfd or with
		 * VIRGL_DISABLE_MT; without the fd we would have to poll. */
		log_error("virgl: renderer has no fence fd (VIRGL_DISABLE_MT set?)");
		gpu_virgl_close(v);
		return -ENOTSUP;
	}
	find_capsets(v);
	gpu_virgl_release_thread(v);
	*out = v;
	return 0;
fail_egl:
	gpu_egl_close(v->egl);
fail:
	gpu_virgl_res_table_fini(&v->res);
	gpu_virgl_fences_fini(&v->fences);
	gpu_virgl_rings_fini(&v->rings);
	free(v->ctx_ids);
	free(v);
	return err;
}

static void res_free(struct gpu_virgl *v, struct gpu_virgl_res *r)
{
	if (r->iov) {
		struct iovec *iov = NULL;
		int n = 0;
		virgl_renderer_resource_detach_iov((int)r->id, &iov, &n);
		free(r->iov);
	}
	virgl_renderer_resource_unref(r->id);
	v->mem_used -= r->charged;
	free(r);
}

/* Every resource (backing detached first) and every context. */
static void drop_all(struct gpu_virgl *v)
{
	struct gpu_virgl_res *r;

	while ((r = gpu_virgl_res_any(&v->res)) != NULL)
		res_free(v, gpu_virgl_res_remove(&v->res, r->id));
	for (uint32_t i = 0; i < v->nctx; i++)
		virgl_renderer_context_destroy(v->ctx_ids[i]);
	v->nctx = 0;
}

void gpu_virgl_reset(struct gpu_virgl *v)
{
	gl_thread(v);
	drop_all(v);
	/* The renderer may still signal these; their numbers are never
	 * reused, so a late signal matches nothing. */
	gpu_virgl_fences_clear(&v->fences);
	gpu_virgl_rings_clear(&v->rings);
}

void gpu_virgl_close(struct gpu_virgl *v)
{
	if (!v)
		return;
	gl_thread(v);
	drop_all(v);
	virgl_renderer_cleanup(v);
	virgl_open_once = false;
	gpu_egl_close(v->egl);
	gpu_virgl_res_table_fini(&v->res);
	gpu_virgl_fences_fini(&v->fences);
	gpu_virgl_rings_fini(&v->rings);
	free(v->ctx_ids);
	free(v);
}

const char *gpu_virgl_renderer(const struct gpu_virgl *v)
{
	return gpu_egl_renderer(v->egl);
}

uint32_t gpu_virgl_num_capsets(const struct gpu_virgl *v)
{
	return v->ncapsets;
}

enum gpu_err gpu_virgl_capset_info(const struct gpu_virgl *v, uint32_t index, uint32_t *id,
				   uint32_t *max_version, uint32_t *max_size)
{
	if (index >= v->ncapsets)
		return GPU_E_BAD_CAPSET;
	*id = v->capsets[index].id;
	*max_version = v->capsets[index].max_version;
	*max_size = v->capsets[index].max_size;
	return GPU_OK;
}

enum gpu_err gpu_virgl_capset(struct gpu_virgl *v, uint32_t id, uint32_t version, void *buf,
			      size_t len)
{
	for (uint32_t i = 0; i < v->ncapsets; i++) {
		const struct capset *c = &v->capsets[i];
		if (c->id != id)
			continue;
		if (version > c->max_version || len < c->max_size)
			return GPU_E_BAD_CAPSET;
		/* Zeroed first: what the renderer leaves is never stale host memory. */
		memset(buf, 0, c->max_size);
		gl_thread(v); /* the renderer asks GL for some of it */
		virgl_renderer_fill_caps(id, version, buf);
		return GPU_OK;
	}
	return GPU_E_BAD_CAPSET;
}

static int ctx_index(const struct gpu_virgl *v, uint32_t ctx_id)
{
	for (uint32_t i = 0; i < v->nctx; i++)
		if (v->ctx_ids[i] == ctx_id)
			return (int)i;
	return -1;
}

enum gpu_err gpu_virgl_ctx_create(struct gpu_virgl *v, uint32_t ctx_id, const char *name,
				  uint32_t nlen)
{
	return gpu_virgl_ctx_create_capset(v, ctx_id, 0, name, nlen);
}

enum gpu_err gpu_virgl_ctx_create_capset(struct gpu_virgl *v, uint32_t ctx_id, uint32_t capset_id,
					 const char *name, uint32_t nlen)
{
	bool listed = capset_id == 0;

	char buf[GPU_VIRGL_CTX_NAME_MAX + 1] = "";

	/* 0 is virglrenderer's own context. */
	if (ctx_id == 0 || ctx_index(v, ctx_id) >= 0)
		return GPU_E_BAD_CONTEXT;
	/* Only capsets we list: 0.10.4 creates a DRM context for capset 6
	 * even when nothing initialised that renderer. */
	for (uint32_t i = 0; i < v->ncapsets; i++)
		listed |= v->capsets[i].id == capset_id;
	if (!listed)
		return GPU_E_BAD_CAPSET;
	if (v->nctx >= v->lim.max_contexts)
		return GPU_E_TOO_MANY;
	if (nlen > GPU_VIRGL_CTX_NAME_MAX)
		nlen = GPU_VIRGL_CTX_NAME_MAX;
	if (name)
		memcpy(buf, name, nlen);
	else
		nlen = 0;
	gl_thread(v);
	int rc = capset_id ? virgl_renderer_context_create_with_flags(ctx_id, capset_id, nlen, buf)
			   : virgl_renderer_context_create(ctx_id, nlen, buf);
	if (rc != 0)
		return rc == EINVAL ? GPU_E_BAD_CONTEXT : GPU_E_NO_MEM;
	v->ctx_ids[v->nctx++] = ctx_id;
	return GPU_OK;
}

enum gpu_err gpu_virgl_ctx_destroy(struct gpu_virgl *v, uint32_t ctx_id)
{
	int i = ctx_index(v, ctx_id);

	if (i < 0)
		return GPU_E_BAD_CONTEXT;
	gl_thread(v);
	virgl_renderer_context_destroy(ctx_id);
	v->ctx_ids[i] = v->ctx_ids[--v->nctx];
	/* Its fences in flight are freed unreported (0.10.4): the frontend
	 * releases their replies; a later context with this id must not see
	 * reports of the old one's. */
	gpu_virgl_rings_ctx_gone(&v->rings, ctx_id);
	gpu_virgl_fences_forget_ctx(&v->fences, ctx_id);
	return GPU_OK;
}

/* CTX_ATTACH/DETACH_RESOURCE: both must exist. */
static enum gpu_err ctx_res(struct gpu_virgl *v, uint32_t ctx_id, uint32_t res_id,
			    void (*op)(int ctx_id, int res_id))
{
	if (ctx_index(v, ctx_id) < 0)
		return GPU_E_BAD_CONTEXT;
	if (!gpu_virgl_res_find(&v->res, res_id))
		return GPU_E_RES_UNKNOWN;
	gl_thread(v);
	op((int)ctx_id, (int)res_id);
	return GPU_OK;
}

enum gpu_err gpu_virgl_ctx_attach(struct gpu_virgl *v, uint32_t ctx_id, uint32_t res_id)
{
	return ctx_res(v, ctx_id, res_id, virgl_renderer_ctx_attach_resource);
}

enum gpu_err gpu_virgl_ctx_detach(struct gpu_virgl *v, uint32_t ctx_id, uint32_t res_id)
{
	return ctx_res(v, ctx_id, res_id, virgl_renderer_ctx_detach_resource);
}

enum gpu_err gpu_virgl_res_create(struct gpu_virgl *v, uint32_t res_id,
				  const struct gpu_virgl_res_desc *d)
{
	uint64_t bytes, used;
	enum gpu_err err;

	if (res_id == 0)
		return GPU_E_RES_ID_ZERO;
	if (gpu_virgl_res_find(&v->res, res_id))
		return GPU_E_RES_EXISTS;
	if (v->res.count >= v->lim.max_resources)
		return GPU_E_TOO_MANY;
	err = gpu_virgl_desc_check(d, &bytes);
	if (err)
		return err;
	/* Charged before the renderer allocates anything. */
	if (__builtin_add_overflow(v->mem_used, bytes, &used) || used > v->lim.mem_limit)
		return GPU_E_NO_MEM;
	struct gpu_virgl_res *r = calloc(1, sizeof(*r));
	if (!r)
		return GPU_E_NO_MEM;
	r->id = res_id;
	r->d = *d;
	r->charged = bytes;
	gpu_virgl_format(d->format, &r->fmt);
	struct virgl_renderer_resource_create_args a = {
	    .handle = res_id,
	    .target = d->target,
	    .format = d->format,
	    .bind = d->bind,
	    .width = d->width,
	    .height = d->height,
	    .depth = d->depth,
	    .array_size = d->array_size,
	    .last_level = d->last_level,
	    .nr_samples = d->nr_samples,
	    .flags = d->flags,
	};
	gl_thread(v);
	int rc = virgl_renderer_resource_create(&a, NULL, 0);
	if (rc != 0) {
		free(r);
		/* EINVAL: a format/bind/target mix this host cannot make. */
		return rc == ENOMEM || rc == -ENOMEM ? GPU_E_NO_MEM : GPU_E_BAD_FORMAT;
	}
	if (gpu_virgl_res_insert(&v->res, r) != 0) {
		virgl_renderer_resource_unref(res_id);
		free(r);
		return GPU_E_NO_MEM;
	}
	v->mem_used = used;
	return GPU_OK;
}

enum gpu_err gpu_virgl_res_unref(struct gpu_virgl *v, uint32_t res_id)
{
	struct gpu_virgl_res *r = gpu_virgl_res_remove(&v->res, res_id);

	if (!r)
		return GPU_E_RES_UNKNOWN;
	gl_thread(v);
	res_free(v, r);
	return GPU_OK;
}

enum gpu_err gpu_virgl_res_info(const struct gpu_virgl *v, uint32_t res_id,
				struct gpu_virgl_res_desc *d)
{
	const struct gpu_virgl_res *r = gpu_virgl_res_find(&v->res, res_id);

	if (!r)
		return GPU_E_RES_UNKNOWN;
	*d = r->d;
	return GPU_OK;
}

enum gpu_err gpu_virgl_res_texture(struct gpu_virgl *v, uint32_t res_id, uint32_t *tex_id)
{
	struct virgl_renderer_resource_info info;

	if (!gpu_virgl_res_find(&v->res, res_id))
		return GPU_E_RES_UNKNOWN;
	gl_thread(v);
	if (virgl_renderer_resource_get_info((int)res_id, &info) != 0 || info.tex_id == 0)
		return GPU_E_UNSUPPORTED;
	*tex_id = info.tex_id;
	return GPU_OK;
}

struct gpu_egl *gpu_virgl_egl(const struct gpu_virgl *v)
{
	return v->egl;
}

enum gpu_err gpu_virgl_attach_backing(struct gpu_virgl *v, uint32_t res_id, const struct iovec *iov,
				      unsigned n)
{
	struct gpu_virgl_res *r = gpu_virgl_res_find(&v->res, res_id);
	uint64_t total = 0;

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (r->iov)
		return GPU_E_HAS_BACKING;
	if (n == 0 || n > GPU_VIRGL_MAX_BACKING)
		return GPU_E_BAD_ENTRIES;
	for (unsigned i = 0; i < n; i++) {
		if (iov[i].iov_len == 0 || !iov[i].iov_base ||
		    __builtin_add_overflow(total, (uint64_t)iov[i].iov_len, &total))
			return GPU_E_BAD_BACKING;
	}
	/* virglrenderer keeps the array pointer: it must be ours. */
	struct iovec *copy = malloc(n * sizeof(*copy));
	if (!copy)
		return GPU_E_NO_MEM;
	memcpy(copy, iov, n * sizeof(*copy));
	if (virgl_renderer_resource_attach_iov((int)res_id, copy, (int)n) != 0) {
		free(copy);
		return GPU_E_NO_MEM;
	}
	r->iov = copy;
	r->niov = n;
	r->backing_len = total;
	return GPU_OK;
}

enum gpu_err gpu_virgl_detach_backing(struct gpu_virgl *v, uint32_t res_id)
{
	struct gpu_virgl_res *r = gpu_virgl_res_find(&v->res, res_id);
	struct iovec *iov = NULL;
	int n = 0;

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (!r->iov)
		return GPU_E_NO_BACKING;
	virgl_renderer_resource_detach_iov((int)res_id, &iov, &n);
	free(r->iov);
	r->iov = NULL;
	r->niov = 0;
	r->backing_len = 0;
	return GPU_OK;
}

/* Everything a transfer is checked for before the renderer runs it. */
static enum gpu_err xfer_check(const struct gpu_virgl *v, const struct gpu_virgl_xfer *t)
{
	const struct gpu_virgl_res *r = gpu_virgl_res_find(&v->res, t->res_id);
	uint64_t end;
	enum gpu_err err;

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (t->ctx_id != 0 && ctx_index(v, t->ctx_id) < 0)
		return GPU_E_BAD_CONTEXT;
	err = gpu_virgl_box_check(r, t->level, &t->box);
	if (err)
		return err;
	if (!r->iov)
		return GPU_E_NO_BACKING;
	err = gpu_virgl_xfer_span(r, t, &end);
	if (err)
		return err;
	return end > r->backing_len ? GPU_E_BAD_OFFSET : GPU_OK;
}

/* Through the attached backing (NULL iovec); the box is virglrenderer's
 * own six u32. */
static enum gpu_err transfer(struct gpu_virgl *v, const struct gpu_virgl_xfer *t, bool to_host)
{
	struct virgl_box box = {t->box.x, t->box.y, t->box.z, t->box.w, t->box.h, t->box.d};
	enum gpu_err err = xfer_check(v, t);
	int rc;

	if (err)
		return err;
	gl_thread(v);
	if (to_host)
		rc = virgl_renderer_transfer_write_iov(t->res_id, t->ctx_id, (int)t->level,
						       t->stride, t->layer_stride, &box, t->offset,
						       NULL, 0);
	else
		rc = virgl_renderer_transfer_read_iov(t->res_id, t->ctx_id, t->level, t->stride,
						      t->layer_stride, &box, t->offset, NULL, 0);
	return rc ? GPU_E_BAD_OFFSET : GPU_OK;
}

enum gpu_err gpu_virgl_transfer_to_host(struct gpu_virgl *v, const struct gpu_virgl_xfer *t)
{
	return transfer(v, t, true);
}

enum gpu_err gpu_virgl_transfer_from_host(struct gpu_virgl *v, const struct gpu_virgl_xfer *t)
{
	return transfer(v, t, false);
}

enum gpu_err gpu_virgl_submit(struct gpu_virgl *v, uint32_t ctx_id, const void *cmds, size_t len)
{
	if (ctx_index(v, ctx_id) < 0)
		return GPU_E_BAD_CONTEXT;
	if (len > v->lim.max_submit)
		return GPU_E_NO_MEM;
	if (len % 4 != 0)
		return GPU_E_BAD_SIZE;
	if (len == 0)
		return GPU_OK;
	/* The renderer reads the stream only; its prototype lacks const. */
	gl_thread(v);
	if (virgl_renderer_submit_cmd((void *)cmds, (int)ctx_id, (int)(len / 4)) != 0)
		return GPU_E_UNSUPPORTED;
	return GPU_OK;
}

int gpu_virgl_fence_fd(const struct gpu_virgl *v)
{
	return v->fence_fd;
}

enum gpu_err gpu_virgl_create_fence(struct gpu_virgl *v, uint32_t ctx_id, uint8_t ring_idx,
				    uint64_t fence_id)
{
	uint32_t seq = gpu_virgl_fences_next(&v->fences);

	if (!seq)
		return GPU_E_NO_MEM;
	/* One global timeline in the renderer (virglrenderer retires its
	 * fences in creation order); the guest's timeline rides along. It
	 * returns a positive errno, unlike the rest of the API; the int is
	 * handed back as the uint32_t it was. */
	gl_thread(v);
	if (virgl_renderer_create_fence((int)seq, 0) != 0)
		return GPU_E_NO_MEM;
	gpu_virgl_fences_push(&v->fences, ctx_id, ring_idx, fence_id);
	return GPU_OK;
}

enum gpu_err gpu_virgl_create_ring_fence(struct gpu_virgl *v, uint32_t ctx_id, uint8_t ring_idx,
					 uint64_t fence_id)
{
	/* virglrenderer asserts on a context it does not know: checked. Its
	 * GL contexts only take ring 0 (vrend answers -EINVAL for others);
	 * those fences ride the global timeline, reported under their own
	 * (ctx, ring), as before context fences. */
	if (ring_idx < GPU_VIRGL_MAX_RINGS && ctx_index(v, ctx_id) >= 0 &&
	    gpu_virgl_rings_room(&v->rings, ctx_id, ring_idx)) {
		gl_thread(v);
		if (virgl_renderer_context_create_fence(ctx_id, 0, ring_idx, fence_id) == 0) {
			gpu_virgl_rings_created(&v->rings, ctx_id, ring_idx, fence_id);
			return GPU_OK;
		}
	}
	return gpu_virgl_create_fence(v, ctx_id, ring_idx, fence_id);
}

unsigned gpu_virgl_retire(struct gpu_virgl *v, gpu_virgl_fence_fn done, void *opaque)
{
	/* Reads the eventfd and calls write_fence with the newest fence done
	 * and write_context_fence with each context fence. */
	gl_thread(v);
	virgl_renderer_poll();
	return gpu_virgl_fences_retire(&v->fences, v->done_seq, done, opaque) +
	       gpu_virgl_rings_drain(&v->rings, done, opaque);
}

enum gpu_err gpu_virgl_read_pixels(struct gpu_virgl *v, uint32_t res_id,
				   const struct gpu_virgl_box *rect, void *dst, size_t dst_stride,
				   size_t dst_len)
{
	const struct gpu_virgl_res *r = gpu_virgl_res_find(&v->res, res_id);
	struct gpu_virgl_xfer t = {
	    .res_id = res_id,
	    .stride = (uint32_t)dst_stride,
	    .box = {rect->x, rect->y, 0, rect->w, rect->h, 1},
	};
	uint64_t end;
	enum gpu_err err;

	if (!r)
		return GPU_E_RES_UNKNOWN;
	err = gpu_virgl_box_check(r, 0, &t.box);
	if (err)
		return err;
	if (dst_stride > UINT32_MAX || gpu_virgl_xfer_span(r, &t, &end) != GPU_OK || end > dst_len)
		return GPU_E_BAD_OFFSET;
	/* Only the rectangle: the iovec starts at its first texel. */
	struct iovec iov = {dst, (size_t)end};
	struct virgl_box box = {t.box.x, t.box.y, 0, t.box.w, t.box.h, 1};
	/* ctx 0 is the renderer's own: current whatever ran last. */
	virgl_renderer_force_ctx_0();
	v->released = false;
	if (virgl_renderer_transfer_read_iov(res_id, 0, 0, t.stride, 0, &box, 0, &iov, 1) != 0)
		return GPU_E_UNSUPPORTED;
	return GPU_OK;
}
