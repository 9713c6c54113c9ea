#include "gpu/format.h"

#include <endian.h>
#include <stddef.h>

#include "gpu/protocol.h"

_Static_assert(__BYTE_ORDER == __LITTLE_ENDIAN, "format table assumes a little-endian host");

bool gpu_format_to_pixman(uint32_t fmt, pixman_format_code_t *out)
{
	switch (fmt) {
	case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM:
		*out = PIXMAN_a8r8g8b8;
		return true;
	case VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM:
		*out = PIXMAN_x8r8g8b8;
		return true;
	case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM:
		*out = PIXMAN_b8g8r8a8;
		return true;
	case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM:
		*out = PIXMAN_b8g8r8x8;
		return true;
	case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM:
		*out = PIXMAN_a8b8g8r8;
		return true;
	case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM:
		*out = PIXMAN_r8g8b8x8;
		return true;
	case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM:
		*out = PIXMAN_r8g8b8a8;
		return true;
	case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM:
		*out = PIXMAN_x8b8g8r8;
		return true;
	default:
		return false;
	}
}

bool gpu_format_cursor(pixman_format_code_t pf, void *pixels, uint32_t stride, uint32_t *argb)
{
	const int dim = 64; /* the spec's cursor size */
	pixman_image_t *src = pixman_image_create_bits(pf, dim, dim, pixels, (int)stride);
	pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, dim, dim, argb, dim * 4);

	if (src && dst)
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, dim, dim);
	if (src)
		pixman_image_unref(src);
	if (dst)
		pixman_image_unref(dst);
	return src && dst;
}
