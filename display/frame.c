#include "display/frame.h"

#include "display/png.h"

/* Scanouts are opaque: read the frame through the same format without its
 * alpha channel, so pixman writes 0xff into destination alpha/X bytes
 * (weston's renderer does not ignore the X byte of XRGB8888 buffers). */
static pixman_image_t *wrap(const struct display_frame *f)
{
	pixman_format_code_t opaque = PIXMAN_FORMAT(
	    PIXMAN_FORMAT_BPP(f->format), PIXMAN_FORMAT_TYPE(f->format), 0,
	    PIXMAN_FORMAT_R(f->format), PIXMAN_FORMAT_G(f->format), PIXMAN_FORMAT_B(f->format));

	if (!pixman_format_supported_source(opaque))
		opaque = f->format;
	return pixman_image_create_bits(opaque, f->width, f->height, (uint32_t *)f->data,
					f->stride);
}

pixman_image_t *display_frame_copy(const struct display_frame *f)
{
	pixman_image_t *dst =
	    pixman_image_create_bits(PIXMAN_x8r8g8b8, f->width, f->height, NULL, 0);
	struct display_rect all = {0, 0, f->width, f->height};

	if (dst)
		display_frame_blit(f, &all, dst);
	return dst;
}

void display_frame_blit(const struct display_frame *f, const struct display_rect *r,
			pixman_image_t *dst)
{
	pixman_image_t *src = wrap(f);

	if (!src)
		return;
	pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, r->x, r->y, 0, 0, r->x, r->y, r->w,
				 r->h);
	pixman_image_unref(src);
}

void display_cursor_over(pixman_image_t *img, const uint32_t *argb, int x, int y)
{
	pixman_image_t *cur =
	    pixman_image_create_bits(PIXMAN_a8r8g8b8, DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM,
				     (uint32_t *)argb, DISPLAY_CURSOR_DIM * 4);

	if (!cur)
		return;
	pixman_image_composite32(PIXMAN_OP_OVER, cur, NULL, img, 0, 0, 0, 0, x, y,
				 DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM);
	pixman_image_unref(cur);
}

int display_image_png(pixman_image_t *img, const char *path)
{
	return png_write_xrgb(path, pixman_image_get_data(img), pixman_image_get_width(img),
			      pixman_image_get_height(img), pixman_image_get_stride(img));
}
