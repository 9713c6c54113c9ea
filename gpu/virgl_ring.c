#include "gpu/virgl_ring.h"

#include <errno.h>
#include <stdlib.h>

int gpu_virgl_rings_init(struct gpu_virgl_rings *t, uint32_t cap)
{
	*t = (struct gpu_virgl_rings){.cap = cap};
	t->v = calloc(cap, sizeof(*t->v));
	return t->v ? 0 : -ENOMEM;
}

void gpu_virgl_rings_fini(struct gpu_virgl_rings *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static struct gpu_virgl_ring *find(const struct gpu_virgl_rings *t, uint32_t ctx_id,
				   uint8_t ring_idx)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].ctx_id == ctx_id && t->v[i].ring_idx == ring_idx)
			return &t->v[i];
	return NULL;
}

bool gpu_virgl_rings_room(const struct gpu_virgl_rings *t, uint32_t ctx_id, uint8_t ring_idx)
{
	return find(t, ctx_id, ring_idx) || t->n < t->cap;
}

void gpu_virgl_rings_created(struct gpu_virgl_rings *t, uint32_t ctx_id, uint8_t ring_idx,
			     uint64_t fence_id)
{
	struct gpu_virgl_ring *r = find(t, ctx_id, ring_idx);

	if (!r) {
		if (t->n >= t->cap)
			return;
		r = &t->v[t->n++];
		*r = (struct gpu_virgl_ring){.ctx_id = ctx_id, .ring_idx = ring_idx};
	}
	r->created = fence_id;
}

void gpu_virgl_rings_done(struct gpu_virgl_rings *t, uint32_t ctx_id, uint8_t ring_idx,
			  uint64_t fence_id)
{
	struct gpu_virgl_ring *r = find(t, ctx_id, ring_idx);

	if (!r)
		return;
	r->done = fence_id;
	r->report = true;
}

void gpu_virgl_rings_ctx_gone(struct gpu_virgl_rings *t, uint32_t ctx_id)
{
	uint32_t keep = 0;

	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].ctx_id != ctx_id)
			t->v[keep++] = t->v[i];
	t->n = keep;
}

unsigned gpu_virgl_rings_drain(struct gpu_virgl_rings *t,
			       void (*fn)(void *opaque, uint32_t ctx_id, uint8_t ring_idx,
					  uint64_t fence_id),
			       void *opaque)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < t->n; i++) {
		if (!t->v[i].report)
			continue;
		t->v[i].report = false;
		fn(opaque, t->v[i].ctx_id, t->v[i].ring_idx, t->v[i].done);
		n++;
	}
	return n;
}

void gpu_virgl_rings_clear(struct gpu_virgl_rings *t)
{
	t->n = 0;
}
