#include "display/png.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open path for writing without ever waiting: a FIFO (or a device) named
 * by whoever asked for the screenshot would block the GPU worker, and the
 * VMM with it, until someone reads it. Only regular files are written. */
static FILE *open_regular(const char *path, int *ret)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
	struct stat st;
	FILE *fp;

	if (fd < 0) {
		*ret = -errno;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*ret = -EINVAL;
		close(fd);
		return NULL;
	}
	/* Truncated only now that it is known to be a file. */
	if (ftruncate(fd, 0) < 0 || fcntl(fd, F_SETFL, 0) < 0 || !(fp = fdopen(fd, "wb"))) {
		*ret = -errno;
		close(fd);
		return NULL;
	}
	return fp;
}

int png_write_xrgb(const char *path, const void *pixels, uint32_t w, uint32_t h, uint32_t stride)
{
	png_image img;
	uint8_t *rgb;
	FILE *fp;
	int ok, ret = 0;

	if (w == 0 || h == 0)
		return -EINVAL;
	rgb = malloc((size_t)w * h * 3);
	if (!rgb)
		return -ENOMEM;
	for (uint32_t y = 0; y < h; y++) {
		const uint32_t *src =
		    (const uint32_t *)((const uint8_t *)pixels + (size_t)y * stride);
		uint8_t *dst = rgb + (size_t)y * w * 3;

		for (uint32_t x = 0; x < w; x++) {
			dst[3 * x + 0] = src[x] >> 16;
			dst[3 * x + 1] = src[x] >> 8;
			dst[3 * x + 2] = src[x];
		}
	}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = w;
	img.height = h;
	img.format = PNG_FORMAT_RGB;
	fp = open_regular(path, &ret);
	ok = fp && png_image_write_to_stdio(&img, fp, 0, rgb, (png_int_32)w * 3, NULL);
	if (fp && !ok)
		ret = errno ? -errno : -EIO;
	if (fp && fclose(fp) && ok) {
		ok = 0;
		ret = errno ? -errno : -EIO;
	}
	free(rgb);
	if (!ok) {
		png_image_free(&img);
		return ret;
	}
	return 0;
}
