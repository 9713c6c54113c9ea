/* X11: a screenshot is the guest's screen, as the other displays write it:
 * the live frame (or, once the guest disabled it, the picture we keep)
 * with the guest's cursor composed. Runs on the GPU worker, after the GPU
 * made the live frame current. */
#include <errno.h>

#include "display/frame.h"
#include "display/x11_priv.h"

int x11_screenshot(struct display *d, unsigned i, const char *path)
{
	struct x11 *x = to_x11(d);
	pixman_image_t *img = NULL, *kept;
	struct x11_out *o;
	int ret;

	if (i >= d->nr_outputs)
		return -EINVAL;
	o = &x->out[i];
	pthread_mutex_lock(&x->lock);
	kept = o->copy ? o->copy : o->shown ? o->shown->img : NULL;
	if (o->live.data) {
		img = display_frame_copy(&o->live);
	} else if (kept) {
		img = display_frame_copy(&(struct display_frame){
		    .format = PIXMAN_x8r8g8b8,
		    .width = o->width,
		    .height = o->height,
		    .stride = (uint32_t)pixman_image_get_stride(kept),
		    .data = pixman_image_get_data(kept),
		});
	}
	if (img && o->cursor_visible)
		display_cursor_over(img, o->cursor_copy, o->cur_x - o->hot_x, o->cur_y - o->hot_y);
	pthread_mutex_unlock(&x->lock);
	if (!img)
		return -ENODATA;
	ret = display_image_png(img, path);
	pixman_image_unref(img);
	return ret;
}
