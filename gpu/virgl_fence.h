/* The guest fences virglrenderer is working on, oldest first. The renderer
 * knows a fence only by a 32-bit sequence number on one global timeline
 * and reports the newest one done; each entry keeps the guest's 64-bit id
 * and its timeline (ctx_id, ring_idx) to report it on. Pure: no GL. */
#ifndef LKVM_GPU_VIRGL_FENCE_H
#define LKVM_GPU_VIRGL_FENCE_H

#include <stdbool.h>
#include <stdint.h>

struct gpu_virgl_fence {
	uint32_t seq;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint64_t fence_id;
	bool dead; /* its context is gone: not reported */
};

struct gpu_virgl_fences {
	struct gpu_virgl_fence *v; /* ring of cap entries, oldest at head */
	uint32_t cap, head, count;
	uint32_t next_seq;
};

/* 0 or -ENOMEM. */
int gpu_virgl_fences_init(struct gpu_virgl_fences *q, uint32_t cap);
void gpu_virgl_fences_fini(struct gpu_virgl_fences *q);
/* The sequence number to hand to the renderer for a new fence, or 0 if cap
 * fences are in flight. gpu_virgl_fences_push() must follow with it if the
 * renderer took it. */
uint32_t gpu_virgl_fences_next(const struct gpu_virgl_fences *q);
void gpu_virgl_fences_push(struct gpu_virgl_fences *q, uint32_t ctx_id, uint8_t ring_idx,
			   uint64_t fence_id);
/* ctx is gone: its fences still retire in order but are reported to
 * nobody (a new context may reuse the id). */
void gpu_virgl_fences_forget_ctx(struct gpu_virgl_fences *q, uint32_t ctx_id);
/* Forget every fence in flight; numbers keep counting up. */
void gpu_virgl_fences_clear(struct gpu_virgl_fences *q);
/* Report, oldest first, every fence with seq <= done (serial-number order,
 * so the counter may wrap). Returns how many. */
unsigned gpu_virgl_fences_retire(struct gpu_virgl_fences *q, uint32_t done,
				 void (*fn)(void *opaque, uint32_t ctx_id, uint8_t ring_idx,
					    uint64_t fence_id),
				 void *opaque);

#endif
