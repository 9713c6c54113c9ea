/* TRANSFER_TO_HOST_2D, applied now or when the pixels are next read.
 *
 * A transfer at the offset where the rectangle sits in the linear backing
 * (y * stride + x * bpp: what Linux and the probe send) only records the
 * rectangle in the resource's pending region; the copy happens when
 * someone reads the pixels (a display through display_frame_sync, the
 * cursor, a detach). A headless display that nobody screenshots then copies
 * nothing per frame. The price: pixels read later show the backing as it
 * is then, so a guest that rewrites its backing after a transfer may see
 * the newer bytes on screen (a tear, as with scanout of guest memory).
 * Any other offset is copied at once and overrides what was pending there.
 *
 * Everything runs on the GPU worker (the only thread that touches
 * resources). */
#ifndef LKVM_GPU_TRANSFER_H
#define LKVM_GPU_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/decode.h"
#include "gpu/resources.h"

/* Past this many rectangles the pending region is applied at once: a guest
 * sending scattered tiny transfers cannot grow it without bound. */
#define GPU_PENDING_MAX_RECTS 16

/* rc is inside r and [offset, end of its last row) inside the backing
 * (checked by the caller). Records or copies; false if a copy could not
 * read the backing. */
bool gpu_transfer(struct gpu_resource *r, const struct gpu_rect *rc, uint64_t offset);

/* Copy every pending rectangle now (from the backing as it is). */
void gpu_transfer_apply(struct gpu_resource *r);

#endif
