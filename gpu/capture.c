/* A copy of an output's frame in memory, for the CI runner's screen
 * expectations: the scanout's frame, made current, converted to x8r8g8b8
 * into the caller's buffer, with the cursor drawn over it as a screenshot
 * draws it (a reference made with --screenshot is the same picture). Runs
 * on the worker (gpu_capture posts it). */
#include <errno.h>

#include "display/frame.h"
#include "gpu/gpu_priv.h"

int gpu_capture_on_worker(struct gpu *g, unsigned output, uint32_t *pixels, uint32_t w, uint32_t h,
			  uint32_t *frame_w, uint32_t *frame_h)
{
	struct display_frame f;
	pixman_image_t *dst;

	*frame_w = *frame_h = 0;
	if (output >= g->cfg.outputs || !gpu_scanout_current(g, output, &f) ||
	    f.kind != DISPLAY_FRAME_PIXELS)
		return -ENODATA;
	*frame_w = f.width;
	*frame_h = f.height;
	if (f.width != w || f.height != h)
		return -EMSGSIZE;
	dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h, pixels, (int)w * 4);
	if (!dst)
		return -ENOMEM;
	display_frame_blit(&f, &(struct display_rect){0, 0, w, h}, dst);
	if (g->cursor_pos[output].visible) {
		const struct gpu_cursor_pos *c = &g->cursor_pos[output];

		display_cursor_over(dst, g->cursor, c->x - c->hot_x, c->y - c->hot_y);
	}
	pixman_image_unref(dst);
	return 0;
}
