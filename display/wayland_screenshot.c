/* Wayland: a screenshot is the guest's screen, as headless writes it: the
 * live frame (or, once the guest disabled it, the buffer last shown) with
 * the guest's cursor composed. Runs on the GPU worker, after the GPU made
 * the live frame current. */
#include <errno.h>

#include "display/frame.h"
#include "display/wayland_priv.h"

int wayland_screenshot(struct display *d, unsigned i, const char *path)
{
	struct wayland *w = to_wl(d);
	pixman_image_t *img = NULL;
	struct wl_out *o;
	int ret;

	if (i >= d->nr_outputs)
		return -EINVAL;
	o = &w->out[i];
	pthread_mutex_lock(&w->lock);
	if (o->live.data) {
		img = display_frame_copy(&o->live);
	} else if (o->shown) {
		img = display_frame_copy(&(struct display_frame){
		    .format = PIXMAN_x8r8g8b8,
		    .width = o->width,
		    .height = o->height,
		    .stride = o->width * 4,
		    .data = pixman_image_get_data(o->shown->img),
		});
	}
	if (img && o->cursor_visible)
		display_cursor_over(img, o->cursor_copy, o->cur_x - o->hot_x, o->cur_y - o->hot_y);
	pthread_mutex_unlock(&w->lock);
	if (!img)
		return -ENODATA;
	ret = display_image_png(img, path);
	pixman_image_unref(img);
	return ret;
}
