/* libFuzzer: the checks gpu/virgl makes before virglrenderer sees a
 * RESOURCE_CREATE_3D or a TRANSFER_*_HOST_3D (pure, no GL).
 *
 * Input: 10 dwords of a create, then 11 dwords of a transfer (box, level,
 * strides, 64-bit offset). Whatever passes must really lie inside the
 * resource: an accepted box is re-checked here texel by texel bound, and
 * an accepted span is at least the bytes of the box's last row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/virgl_res.h"

static uint32_t dword(const uint8_t *d, size_t i)
{
	uint32_t v;

	memcpy(&v, d + 4 * i, 4);
	return v;
}

static uint32_t level_size(uint32_t v, uint32_t l)
{
	v = l < 32 ? v >> l : 0;
	return v ? v : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpu_virgl_res r = {.id = 1};
	struct gpu_virgl_xfer t;
	uint64_t bytes, end;

	if (size < 21 * 4)
		return 0;
	r.d = (struct gpu_virgl_res_desc){
	    dword(data, 0), dword(data, 1), dword(data, 2), dword(data, 3), dword(data, 4),
	    dword(data, 5), dword(data, 6), dword(data, 7), dword(data, 8), dword(data, 9)};
	if (gpu_virgl_desc_check(&r.d, &bytes) != GPU_OK)
		return 0;
	if (bytes == 0 || r.d.width == 0 || r.d.height == 0 ||
	    !gpu_virgl_format(r.d.format, &r.fmt))
		abort();
	t = (struct gpu_virgl_xfer){
	    .res_id = 1,
	    .level = dword(data, 10),
	    .stride = dword(data, 11),
	    .layer_stride = dword(data, 12),
	    .box = {dword(data, 13), dword(data, 14), dword(data, 15), dword(data, 16),
		    dword(data, 17), dword(data, 18)},
	    .offset = (uint64_t)dword(data, 19) << 32 | dword(data, 20),
	};
	if (gpu_virgl_box_check(&r, t.level, &t.box) != GPU_OK)
		return 0;
	if (t.level > r.d.last_level || t.box.w == 0 ||
	    (uint64_t)t.box.x + t.box.w > level_size(r.d.width, t.level) ||
	    (uint64_t)t.box.y + t.box.h > level_size(r.d.height, t.level))
		abort();
	if (gpu_virgl_xfer_span(&r, &t, &end) != GPU_OK)
		return 0;
	if (end < t.offset || end - t.offset < (uint64_t)t.box.w / r.fmt.bw * r.fmt.bytes)
		abort();
	return 0;
}
