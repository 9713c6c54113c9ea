/* PNG files of 32-bit x8r8g8b8 images (libpng's simplified API). */
#ifndef LKVM_DISPLAY_PNG_H
#define LKVM_DISPLAY_PNG_H

#include <stddef.h>
#include <stdint.h>

/* The largest width or height png_read_xrgb accepts (the largest output). */
#define PNG_READ_MAX_DIM 16384u

/* Write w x h PIXMAN_x8r8g8b8 pixels (stride in bytes) as an 8-bit RGB PNG.
 * 0 or -errno; -EINVAL if path exists and is not a regular file (a FIFO or
 * a device is refused at once, never waited on). */
int png_write_xrgb(const char *path, const void *pixels, uint32_t w, uint32_t h, uint32_t stride);

/* Read a PNG (display/png_read.c) into a malloc'ed w x h array of
 * 0x00RRGGBB words (stride w*4), at most PNG_READ_MAX_DIM each way. 0 or
 * -errno; the _err form also writes the cause (libpng's words) to err. */
int png_read_xrgb(const char *path, uint32_t **pixels, uint32_t *w, uint32_t *h);
int png_read_xrgb_err(const char *path, uint32_t **pixels, uint32_t *w, uint32_t *h, char *err,
		      size_t errlen);

#endif
