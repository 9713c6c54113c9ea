/* libFuzzer: reading a PNG (display/png_read.c), the --expect-screen
 * reference images a CI job hands us.
 *
 * Input: the file's bytes, read from a memfd by path as the runner reads
 * a file. Any result is fine but a crash: a read that works must give a
 * size from 1x1 to PNG_READ_MAX_DIM each way and pixels whose top byte is
 * 0; a refusal must say why. Images that claim more than 2^22 pixels
 * (within the size limit) are skipped: the reader allocates them in full
 * before libpng finds the data short, which is right for a reference
 * image but would make each such input cost up to 1.75 GiB here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display/png.h"

static int fd = -1;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[256];
	uint32_t *px = NULL, w = 0, h = 0;

	if (size >= 24 && !memcmp(data + 12, "IHDR", 4)) {
		uint64_t iw = be32(data + 16), ih = be32(data + 20);

		if (iw <= PNG_READ_MAX_DIM && ih <= PNG_READ_MAX_DIM && iw * ih > (1u << 22))
			return 0;
	}
	if (fd < 0)
		fd = memfd_create("fuzz-png", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = 0;
	if (png_read_xrgb_err(path, &px, &w, &h, err, sizeof(err)) == 0) {
		if (!px || w == 0 || h == 0 || w > PNG_READ_MAX_DIM || h > PNG_READ_MAX_DIM)
			abort();
		for (size_t i = 0; i < (size_t)w * h; i++)
			if (px[i] >> 24)
				abort();
		free(px);
	} else if (!err[0]) {
		abort();
	}
	return 0;
}
