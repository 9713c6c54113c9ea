#include "gpu/fence.h"

#include <stdlib.h>
#include <string.h>

int gpu_fences_init(struct gpu_fences *f, size_t cap)
{
	memset(f, 0, sizeof(*f));
	f->v = calloc(cap, sizeof(*f->v));
	if (!f->v)
		return -1;
	f->cap = cap;
	return 0;
}

void gpu_fences_free(struct gpu_fences *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static bool same(struct gpu_timeline a, struct gpu_timeline b)
{
	return a.ctx_id == b.ctx_id && a.ring_idx == b.ring_idx;
}

bool gpu_fences_busy(const struct gpu_fences *f, struct gpu_timeline tl)
{
	for (size_t i = 0; i < f->n; i++)
		if (same(f->v[i].tl, tl))
			return true;
	return false;
}

int gpu_fences_park(struct gpu_fences *f, const struct gpu_parked *p)
{
	if (f->n >= f->cap)
		return -1;
	f->v[f->n++] = *p;
	return 0;
}

/* Stops at the first reply of tl that is not done: later ones, even with
 * a smaller id (a guest may reuse ids), wait behind it. */
unsigned gpu_fences_retire(struct gpu_fences *f, struct gpu_timeline tl, uint64_t done,
			   void (*push)(void *opaque, uint16_t head, uint32_t len), void *opaque)
{
	size_t keep = 0;
	unsigned released = 0;
	bool blocked = false;

	for (size_t i = 0; i < f->n; i++) {
		struct gpu_parked p = f->v[i];

		if (same(p.tl, tl) && !blocked && p.fence_id <= done) {
			push(opaque, p.head, p.len);
			released++;
			continue;
		}
		if (same(p.tl, tl))
			blocked = true;
		f->v[keep++] = p;
	}
	f->n = keep;
	return released;
}

unsigned gpu_fences_release_ctx(struct gpu_fences *f, uint32_t ctx_id,
				void (*push)(void *opaque, uint16_t head, uint32_t len),
				void *opaque)
{
	size_t keep = 0;
	unsigned released = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].tl.ctx_id == ctx_id) {
			push(opaque, f->v[i].head, f->v[i].len);
			released++;
			continue;
		}
		f->v[keep++] = f->v[i];
	}
	f->n = keep;
	return released;
}
