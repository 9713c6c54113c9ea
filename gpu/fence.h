/* Fenced replies that wait for a backend's fence (virgl). The reply bytes
 * are already in the guest's buffer; only the used-ring entry is held back,
 * so a parked reply costs a few bytes. Replies are released per timeline
 * (context, ring) in the order they were parked, up to the fence id the
 * backend reports done. Backends without fences (2D) never park anything.
 */
#ifndef LKVM_GPU_FENCE_H
#define LKVM_GPU_FENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gpu_timeline {
	uint32_t ctx_id; /* 0 and ring 0 is the global timeline */
	uint8_t ring_idx;
};

struct gpu_parked {
	struct gpu_timeline tl;
	uint64_t fence_id;
	uint16_t head; /* descriptor chain to return */
	uint32_t len;  /* bytes written into it */
};

/* At most one parked reply per queue entry: the queue size bounds it. */
struct gpu_fences {
	struct gpu_parked *v;
	size_t n, cap;
};

int gpu_fences_init(struct gpu_fences *f, size_t cap);
void gpu_fences_free(struct gpu_fences *f);

/* Does the timeline hold parked replies (a later fenced reply must wait
 * behind them, even an error)? */
bool gpu_fences_busy(const struct gpu_fences *f, struct gpu_timeline tl);
/* -1 if full (cannot happen with cap = queue size). */
int gpu_fences_park(struct gpu_fences *f, const struct gpu_parked *p);
/* Release, in parking order, the replies of tl with fence_id <= done:
 * push(opaque, head, len) for each. Returns how many. */
unsigned gpu_fences_retire(struct gpu_fences *f, struct gpu_timeline tl, uint64_t done,
			   void (*push)(void *opaque, uint16_t head, uint32_t len), void *opaque);

/* Context ctx_id is gone: release every reply parked on one of its
 * timelines (its fences will never complete). Returns how many. */
unsigned gpu_fences_release_ctx(struct gpu_fences *f, uint32_t ctx_id,
				void (*push)(void *opaque, uint16_t head, uint32_t len),
				void *opaque);

#endif
