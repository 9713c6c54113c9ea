/* Context fences (VIRTIO_GPU_F_CONTEXT_INIT): the (context, ring)
 * timelines with fences in the renderer, what the renderer reported done on
 * each, and which reports are still to be passed on. virglrenderer reports
 * a context fence by (ctx_id, ring_idx, fence_id) through
 * write_context_fence. A context destroyed with fences in flight never
 * reports them (0.10.4 frees them): its timelines are dropped here without
 * a report (the frontend releases their replies at CTX_DESTROY), so that a
 * new context with the same id never sees the old one's reports. Pure: no
 * GL. */
#ifndef LKVM_GPU_VIRGL_RING_H
#define LKVM_GPU_VIRGL_RING_H

#include <stdbool.h>
#include <stdint.h>

/* Rings per context (virtio 1.2: ring_idx 0..63). */
#define GPU_VIRGL_MAX_RINGS 64

struct gpu_virgl_ring {
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint64_t created; /* newest fence handed to the renderer */
	uint64_t done;	  /* newest reported done */
	bool report;	  /* done changed since the last drain */
};

struct gpu_virgl_rings {
	struct gpu_virgl_ring *v;
	uint32_t n, cap;
};

/* 0 or -ENOMEM. */
int gpu_virgl_rings_init(struct gpu_virgl_rings *t, uint32_t cap);
void gpu_virgl_rings_fini(struct gpu_virgl_rings *t);
/* Room for a fence on (ctx, ring)? false when cap timelines are busy. */
bool gpu_virgl_rings_room(const struct gpu_virgl_rings *t, uint32_t ctx_id, uint8_t ring_idx);
/* The renderer took fence_id on (ctx, ring) (room was checked). */
void gpu_virgl_rings_created(struct gpu_virgl_rings *t, uint32_t ctx_id, uint8_t ring_idx,
			     uint64_t fence_id);
/* The renderer says fence_id on (ctx, ring) is done (unknown: ignored). */
void gpu_virgl_rings_done(struct gpu_virgl_rings *t, uint32_t ctx_id, uint8_t ring_idx,
			  uint64_t fence_id);
/* ctx is gone: forget its timelines and their unreported reports. */
void gpu_virgl_rings_ctx_gone(struct gpu_virgl_rings *t, uint32_t ctx_id);
/* Pass on every new report: fn(ctx, ring, done). A timeline lives until
 * its context is destroyed (at most contexts x 64 of them: the caller's
 * cap), so a report is never lost to a slot freed too early. Returns how
 * many were reported. */
unsigned gpu_virgl_rings_drain(struct gpu_virgl_rings *t,
			       void (*fn)(void *opaque, uint32_t ctx_id, uint8_t ring_idx,
					  uint64_t fence_id),
			       void *opaque);
/* Device reset: forget everything, report nothing. */
void gpu_virgl_rings_clear(struct gpu_virgl_rings *t);

#endif
