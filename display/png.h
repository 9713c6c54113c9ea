/* PNG files of 32-bit x8r8g8b8 images (libpng's simplified API). */
#ifndef LKVM_DISPLAY_PNG_H
#define LKVM_DISPLAY_PNG_H

#include <stdint.h>

/* Write w x h PIXMAN_x8r8g8b8 pixels (stride in bytes) as an 8-bit RGB PNG.
 * 0 or -errno; -EINVAL if path exists and is not a regular file (a FIFO or
 * a device is refused at once, never waited on). */
int png_write_xrgb(const char *path, const void *pixels, uint32_t w, uint32_t h, uint32_t stride);

/* Read a PNG into a malloc'ed w x h array of 0x00RRGGBB words (stride w*4).
 * 0 or -errno. */
int png_read_xrgb(const char *path, uint32_t **pixels, uint32_t *w, uint32_t *h);

#endif
