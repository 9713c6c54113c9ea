/* Reading PNG files (libpng's simplified API): screenshots read back by
 * tests, and the reference images of --expect-screen. Any PNG libpng reads
 * (palette, grey, 16-bit, alpha) becomes 8-bit RGB; alpha is composed over
 * black, as a display would show it. */
#include "display/png.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int png_read_xrgb_err(const char *path, uint32_t **pixels, uint32_t *w, uint32_t *h, char *err,
		      size_t errlen)
{
	png_image img;
	png_color black = {0, 0, 0};
	uint8_t *rgb = NULL;
	uint32_t *out = NULL;
	size_t n;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		/* libpng's message names the cause (no such file, not a PNG). */
		snprintf(err, errlen, "%s", img.message[0] ? img.message : "cannot read");
		png_image_free(&img);
		return -EIO;
	}
	if (img.width == 0 || img.height == 0 || img.width > PNG_READ_MAX_DIM ||
	    img.height > PNG_READ_MAX_DIM) {
		snprintf(err, errlen, "%ux%u is not a size from 1x1 to %ux%u", img.width,
			 img.height, PNG_READ_MAX_DIM, PNG_READ_MAX_DIM);
		png_image_free(&img);
		return -EFBIG;
	}
	img.format = PNG_FORMAT_RGB;
	n = (size_t)img.width * img.height; /* at most 2^28: no overflow below */
	rgb = malloc(n * 3);
	out = malloc(n * 4);
	if (!rgb || !out) {
		snprintf(err, errlen, "out of memory for %ux%u", img.width, img.height);
		png_image_free(&img);
		free(rgb);
		free(out);
		return -ENOMEM;
	}
	if (!png_image_finish_read(&img, &black, rgb, 0, NULL)) {
		snprintf(err, errlen, "%s", img.message[0] ? img.message : "cannot decode");
		png_image_free(&img);
		free(rgb);
		free(out);
		return -EIO;
	}
	for (size_t i = 0; i < n; i++)
		out[i] =
		    (uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
	free(rgb);
	*pixels = out;
	*w = img.width;
	*h = img.height;
	return 0;
}

int png_read_xrgb(const char *path, uint32_t **pixels, uint32_t *w, uint32_t *h)
{
	char err[256];

	return png_read_xrgb_err(path, pixels, w, h, err, sizeof(err));
}
