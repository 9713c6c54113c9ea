/* Helpers the display backends share. */
#ifndef LKVM_DISPLAY_FRAME_H
#define LKVM_DISPLAY_FRAME_H

#include "display/display.h"

/* A new PIXMAN_x8r8g8b8 image holding a copy of f (NULL on failure). */
pixman_image_t *display_frame_copy(const struct display_frame *f);

/* Composite the damage rectangle of f into dst (any 32-bit format) at the
 * same coordinates. */
void display_frame_blit(const struct display_frame *f, const struct display_rect *r,
			pixman_image_t *dst);

/* Composite a 64x64 premultiplied a8r8g8b8 cursor OVER img with the
 * cursor image's top-left at (x, y); parts off img are clipped. */
void display_cursor_over(pixman_image_t *img, const uint32_t *argb, int x, int y);

/* Write img (x8r8g8b8 or a8r8g8b8) as PNG: 0 or -errno. */
int display_image_png(pixman_image_t *img, const char *path);

#endif
