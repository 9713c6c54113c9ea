#include "gpu/virgl_fence.h"

#include <errno.h>
#include <stdlib.h>

int gpu_virgl_fences_init(struct gpu_virgl_fences *q, uint32_t cap)
{
	*q = (struct gpu_virgl_fences){.cap = cap};
	q->v = calloc(cap, sizeof(*q->v));
	return q->v ? 0 : -ENOMEM;
}

void gpu_virgl_fences_fini(struct gpu_virgl_fences *q)
{
	free(q->v);
	q->v = NULL;
}

uint32_t gpu_virgl_fences_next(const struct gpu_virgl_fences *q)
{
	if (q->count >= q->cap)
		return 0;
	/* 0 is never used, so it can mean "full". */
	return q->next_seq + 1 ? q->next_seq + 1 : 1;
}

void gpu_virgl_fences_push(struct gpu_virgl_fences *q, uint32_t ctx_id, uint8_t ring_idx,
			   uint64_t fence_id)
{
	uint32_t seq = gpu_virgl_fences_next(q);

	q->v[(q->head + q->count) % q->cap] =
	    (struct gpu_virgl_fence){seq, ctx_id, ring_idx, fence_id, false};
	q->count++;
	q->next_seq = seq;
}

void gpu_virgl_fences_forget_ctx(struct gpu_virgl_fences *q, uint32_t ctx_id)
{
	for (uint32_t i = 0; i < q->count; i++) {
		struct gpu_virgl_fence *f = &q->v[(q->head + i) % q->cap];

		if (f->ctx_id == ctx_id)
			f->dead = true;
	}
}

void gpu_virgl_fences_clear(struct gpu_virgl_fences *q)
{
	q->head = q->count = 0;
}

unsigned gpu_virgl_fences_retire(struct gpu_virgl_fences *q, uint32_t done,
				 void (*fn)(void *opaque, uint32_t ctx_id, uint8_t ring_idx,
					    uint64_t fence_id),
				 void *opaque)
{
	unsigned n = 0;

	while (q->count) {
		const struct gpu_virgl_fence *f = &q->v[q->head];
		if ((int32_t)(f->seq - done) > 0)
			break;
		if (fn && !f->dead)
			fn(opaque, f->ctx_id, f->ring_idx, f->fence_id);
		q->head = (q->head + 1) % q->cap;
		q->count--;
		n++;
	}
	return n;
}
