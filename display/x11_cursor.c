/* X11: the guest's cursor becomes the window's cursor (a RENDER ARGB
 * cursor made from the guest's 64x64 image), so the host pointer is the
 * guest's pointer and nothing is drawn into the frame. Without RENDER the
 * window keeps the server's default cursor. A blank cursor hides the
 * pointer while the guest has none and during a grab (x11_priv.h). */
#include <stdlib.h>
#include <string.h>
#include <xcb/render.h>

#include "display/x11_priv.h"
#include "util/log.h"

static uint32_t find_argb32(struct x11 *x)
{
	xcb_render_query_pict_formats_reply_t *r;
	uint32_t id = 0;

	if (!xcb_get_extension_data(x->c, &xcb_render_id) ||
	    !xcb_get_extension_data(x->c, &xcb_render_id)->present)
		return 0;
	r = xcb_render_query_pict_formats_reply(x->c, xcb_render_query_pict_formats(x->c), NULL);
	if (!r)
		return 0;
	for (xcb_render_pictforminfo_iterator_t it =
		 xcb_render_query_pict_formats_formats_iterator(r);
	     it.rem; xcb_render_pictforminfo_next(&it)) {
		const xcb_render_pictforminfo_t *f = it.data;
		const xcb_render_directformat_t *d = &f->direct;

		if (f->type == XCB_RENDER_PICT_TYPE_DIRECT && f->depth == 32 &&
		    d->alpha_shift == 24 && d->alpha_mask == 0xff && d->red_shift == 16 &&
		    d->red_mask == 0xff && d->green_shift == 8 && d->green_mask == 0xff &&
		    d->blue_shift == 0 && d->blue_mask == 0xff) {
			id = f->id;
			break;
		}
	}
	free(r);
	return id;
}

void x11_cursor_init(struct x11 *x)
{
	xcb_pixmap_t pix = xcb_generate_id(x->c);
	xcb_gcontext_t gc = xcb_generate_id(x->c);

	x->argb_format = find_argb32(x);
	if (!x->argb_format)
		log_info("x11: no RENDER ARGB32 format: the guest's cursor is not shown");
	/* Blank: a 1x1 cursor whose mask is cleared. */
	xcb_create_pixmap(x->c, 1, pix, x->screen->root, 1, 1);
	xcb_create_gc(x->c, gc, pix, XCB_GC_FOREGROUND, (uint32_t[]){0});
	xcb_poly_fill_rectangle(x->c, pix, gc, 1, &(xcb_rectangle_t){0, 0, 1, 1});
	x->blank_cursor = xcb_generate_id(x->c);
	xcb_create_cursor(x->c, x->blank_cursor, pix, pix, 0, 0, 0, 0, 0, 0, 0, 0);
	xcb_free_gc(x->c, gc);
	xcb_free_pixmap(x->c, pix);
}

static xcb_cursor_t make_cursor(struct x11 *x, const uint32_t *argb, int hot_x, int hot_y)
{
	xcb_pixmap_t pix = xcb_generate_id(x->c);
	xcb_gcontext_t gc = xcb_generate_id(x->c);
	xcb_render_picture_t pic = xcb_generate_id(x->c);
	xcb_cursor_t cur = xcb_generate_id(x->c);

	xcb_create_pixmap(x->c, 32, pix, x->screen->root, DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM);
	xcb_create_gc(x->c, gc, pix, 0, NULL);
	xcb_put_image(x->c, XCB_IMAGE_FORMAT_Z_PIXMAP, pix, gc, DISPLAY_CURSOR_DIM,
		      DISPLAY_CURSOR_DIM, 0, 0, 0, 32, DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM * 4,
		      (const uint8_t *)argb);
	xcb_render_create_picture(x->c, pic, pix, x->argb_format, 0, NULL);
	xcb_render_create_cursor(x->c, cur, pic, (uint16_t)hot_x, (uint16_t)hot_y);
	xcb_render_free_picture(x->c, pic);
	xcb_free_gc(x->c, gc);
	xcb_free_pixmap(x->c, pix);
	return cur;
}

static int clamp_hot(int v)
{
	return v < 0 ? 0 : v >= DISPLAY_CURSOR_DIM ? DISPLAY_CURSOR_DIM - 1 : v;
}

void x11_set_cursor(struct display *d, unsigned i, const uint32_t *argb, int hot_x, int hot_y)
{
	struct x11 *x = to_x11(d);
	struct x11_out *o;
	xcb_cursor_t old;

	if (i >= d->nr_outputs || x->dead)
		return;
	o = &x->out[i];
	/* The hot spot must lie inside the image, or X refuses the cursor. */
	hot_x = clamp_hot(hot_x);
	hot_y = clamp_hot(hot_y);
	pthread_mutex_lock(&x->lock);
	o->cursor_visible = argb != NULL;
	o->hot_x = hot_x;
	o->hot_y = hot_y;
	if (argb)
		memcpy(o->cursor_copy, argb, sizeof(o->cursor_copy));
	pthread_mutex_unlock(&x->lock);
	if (!x->argb_format)
		return;
	old = o->cursor;
	o->cursor = argb ? make_cursor(x, argb, hot_x, hot_y) : 0;
	xcb_change_window_attributes(x->c, o->win, XCB_CW_CURSOR,
				     (uint32_t[]){o->cursor ? o->cursor : x->blank_cursor});
	if (old)
		xcb_free_cursor(x->c, old);
	xcb_flush(x->c);
}

/* The host pointer is the cursor: the user moves it, not the guest. The
 * position only places the cursor in screenshots. */
void x11_move_cursor(struct display *d, unsigned i, int x_, int y)
{
	struct x11 *x = to_x11(d);

	if (i >= d->nr_outputs)
		return;
	pthread_mutex_lock(&x->lock);
	x->out[i].cur_x = x_;
	x->out[i].cur_y = y;
	pthread_mutex_unlock(&x->lock);
}
