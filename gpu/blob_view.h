/* What a scanout shows of a guest blob (SET_SCANOUT_BLOB): a layout
 * (format, size, stride, offset) over the blob's pages and the scanout's
 * rectangle in it. When those bytes are one run of host memory (the guest
 * pages follow each other) the display reads them in place: no copy at
 * all. Otherwise the view keeps a shadow of the rectangle, charged to the
 * memory cap, and copies rows into it only when a reader needs them (the
 * same moments as a 2D resource's pending transfers). */
#ifndef LKVM_GPU_BLOB_VIEW_H
#define LKVM_GPU_BLOB_VIEW_H

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>

#include "display/display.h"
#include "gpu/decode.h"
#include "gpu/resources.h"

/* Filled by gpu_blob_layout_check, padding zeroed: memcmp compares two. */
struct gpu_blob_layout {
	uint32_t format; /* virtio 2D format */
	pixman_format_code_t pformat;
	uint32_t width, height, stride;
	uint64_t offset;
};

struct gpu_blob_view {
	struct gpu_blob_layout l;
	struct gpu_rect r;     /* inside the layout */
	const uint8_t *direct; /* r's top-left pixel in host memory, or NULL */
	uint8_t *shadow;       /* else r.w x r.h pixels, rows r.w * 4 apart */
	uint64_t charged;      /* bytes charged for the shadow and the view */
};

/* Check SET_SCANOUT_BLOB's layout against blob r (64-bit arithmetic: the
 * last byte read must lie inside blob_size). GPU_E_BAD_FORMAT, GPU_E_BAD_SIZE,
 * GPU_E_BAD_BLOB (stride, offset) or GPU_E_BAD_RECT. */
enum gpu_err gpu_blob_layout_check(const struct gpu_resource *r, const struct gpu_cmd *c,
				   struct gpu_blob_layout *out);

/* A view of rc (inside l) of r, charged to t. GPU_E_NO_MEM past the cap. */
enum gpu_err gpu_blob_view_new(struct gpu_res_table *t, const struct gpu_resource *r,
			       const struct gpu_blob_layout *l, const struct gpu_rect *rc,
			       struct gpu_blob_view **out);
void gpu_blob_view_free(struct gpu_res_table *t, struct gpu_blob_view *v);

/* The scanout's frame (its rectangle only, top-left first). sync (resource
 * coordinates) is copied into a shadow first; NULL copies nothing. false if
 * the guest pages could not be read. */
bool gpu_blob_view_frame(struct gpu_blob_view *v, const struct gpu_resource *r,
			 const struct gpu_rect *sync, struct display_frame *f);

/* The 64x64 cursor image of blob r (B8G8R8A8, packed rows from its first
 * byte, as Linux lays out its cursor buffer) into argb. GPU_E_BAD_CURSOR if
 * the blob is smaller. */
enum gpu_err gpu_blob_cursor(const struct gpu_resource *r, uint32_t *argb);

#endif
