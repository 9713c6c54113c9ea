/* X11 without shared memory: the picture lives in one private x8r8g8b8
 * image per output and reaches the server with core PutImage, in bands of
 * whole rows that each fit the maximum request length (a longer request
 * would make xcb close the connection). Whole rows keep each band one
 * contiguous run of the image, so nothing is repacked (x11_priv.h). */
#include <errno.h>

#include "display/frame.h"
#include "display/x11_priv.h"

/* PutImage's fixed part (24 bytes) plus BIG-REQUESTS' extra length word,
 * rounded up. */
#define PUT_IMAGE_HEADER 32

uint32_t x11_band_rows(uint64_t max_request_bytes, uint32_t w)
{
	uint64_t row = (uint64_t)w * 4, rows;

	if (w == 0 || max_request_bytes <= PUT_IMAGE_HEADER)
		return 0;
	rows = (max_request_bytes - PUT_IMAGE_HEADER) / row;
	return rows > X11_MAX_DIM ? X11_MAX_DIM : (uint32_t)rows;
}

void x11_put_free(struct x11_out *o)
{
	if (o->copy)
		pixman_image_unref(o->copy);
	o->copy = NULL;
}

int x11_put_alloc(struct x11_out *o, uint32_t w, uint32_t h)
{
	x11_put_free(o);
	o->copy = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h, NULL, 0);
	if (!o->copy)
		return -ENOMEM;
	o->width = w;
	o->height = h;
	return 0;
}

/* Send rows [y, y + n) of the copy. */
static void send_rows(struct x11_out *o, uint32_t y, uint32_t n)
{
	struct x11 *x = o->x;
	const uint8_t *px = (const uint8_t *)pixman_image_get_data(o->copy);
	uint64_t stride = (uint64_t)pixman_image_get_stride(o->copy);
	uint32_t band = x11_band_rows(x->max_request_bytes, o->width);

	if (band == 0)
		return; /* not even a row fits: nothing we can send */
	while (n) {
		uint32_t k = n < band ? n : band;

		xcb_put_image(x->c, XCB_IMAGE_FORMAT_Z_PIXMAP, o->win, x->gc, (uint16_t)o->width,
			      (uint16_t)k, 0, (int16_t)y, 0, 24, (uint32_t)(stride * k),
			      px + stride * y);
		y += k;
		n -= k;
	}
}

void x11_put_draw(struct x11_out *o, const struct display_rect *r)
{
	if (!o->copy || !o->live.data)
		return;
	display_frame_blit(&o->live, r, o->copy);
	send_rows(o, r->y, r->h);
	xcb_flush(o->x->c);
}

void x11_put_repaint(struct x11_out *o, const struct display_rect *r)
{
	if (o->copy)
		send_rows(o, r->y, r->h);
}
