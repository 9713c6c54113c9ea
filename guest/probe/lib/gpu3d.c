#include "lib/gpu3d.h"
#include "lib/fmt.h"

/* Byte position of R, G, B, A in a pixel; -1 = not stored (X or absent). */
static const struct {
	uint32_t format;
	int8_t pos[4];
} formats[] = {
    {VIRGL_FORMAT_B8G8R8A8_UNORM, {2, 1, 0, 3}},
    {VIRGL_FORMAT_B8G8R8X8_UNORM, {2, 1, 0, -1}},
    {VIRGL_FORMAT_R8G8B8A8_UNORM, {0, 1, 2, 3}},
};

int gpu3d_open(struct vgpu *g, char *err, size_t errlen)
{
	int r = vgpu_open_3d(g, err, errlen);

	if (r > 0) {
		fmt_snprintf(err, errlen, "no virtio-gpu device on PCI bus 0");
		return 1;
	}
	if (r)
		return -1;
	if (!g->virgl) {
		fmt_snprintf(err, errlen, "the virtio-gpu device does not offer VIRTIO_GPU_F_VIRGL");
		return 1;
	}
	return 0;
}

static uint32_t unorm8(float f)
{
	if (!(f > 0.0f))
		return 0;
	if (f >= 1.0f)
		return 255;
	return (uint32_t)(f * 255.0f + 0.5f);
}

uint32_t gpu3d_pixel(uint32_t format, const float rgba[4], uint32_t *mask)
{
	uint32_t v = 0;

	*mask = 0;
	for (unsigned i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (formats[i].format != format)
			continue;
		for (int c = 0; c < 4; c++) {
			int p = formats[i].pos[c];
			if (p < 0)
				continue;
			v |= unorm8(rgba[c]) << (8 * p);
			*mask |= 0xffu << (8 * p);
		}
	}
	return v;
}

uint32_t gpu3d_rt_create(struct vgpu *g, struct gpu3d_rt *rt, uint32_t ctx, uint32_t id,
			 uint32_t format, uint32_t w, uint32_t h, uint32_t chunk)
{
	rt->ctx = ctx;
	rt->format = format;
	if (!gpu_fb_alloc(&rt->fb, id, w, h, chunk))
		return VGPU_RESP_ERR_OUT_OF_MEMORY;
	struct vgpu_create_3d c = {
	    .id = id,
	    .target = VIRGL_TARGET_2D,
	    .format = format,
	    .bind = VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW | VIRGL_BIND_SCANOUT,
	    .width = w,
	    .height = h,
	    .depth = 1,
	    .array_size = 1,
	};
	uint32_t r = vgpu_create_3d(g, &c);
	if (r == VGPU_RESP_OK_NODATA)
		r = vgpu_attach(g, id, rt->fb.entry, rt->fb.nr);
	if (r == VGPU_RESP_OK_NODATA)
		r = vgpu_ctx_resource(g, VGPU_CMD_CTX_ATTACH_RESOURCE, ctx, id);
	return r;
}

void gpu3d_bind_rt(struct virgl_enc *e, const struct gpu3d_rt *rt, uint32_t surface)
{
	venc_create_surface(e, surface, rt->fb.id, rt->format);
	venc_set_framebuffer(e, surface, 0);
	venc_set_viewport(e, rt->fb.width, rt->fb.height);
}

bool gpu3d_fence_echoed(const struct vgpu *g, uint64_t fence_id)
{
	const struct vgpu_hdr *h = g->resp;
	return (h->flags & VGPU_FLAG_FENCE) && h->fence_id == fence_id;
}

uint32_t gpu3d_readback(struct vgpu *g, const struct gpu3d_rt *rt, struct vgpu_box box,
			uint64_t fence_id)
{
	uint64_t offset = box.y * rt->fb.stride + (uint64_t)box.x * 4;
	uint32_t r = vgpu_transfer_3d(g, VGPU_CMD_TRANSFER_FROM_HOST_3D, rt->ctx, rt->fb.id, box, 0,
				      offset, (uint32_t)rt->fb.stride, fence_id);
	if (r == VGPU_RESP_OK_NODATA && fence_id && !gpu3d_fence_echoed(g, fence_id))
		return VGPU_RESP_ERR_UNSPEC;
	return r;
}

bool gpu3d_check(const struct gpu3d_rt *rt, struct vgpu_box box,
		 uint32_t (*want)(uint32_t x, uint32_t y), uint32_t mask,
		 struct gpu3d_mismatch *bad)
{
	struct gpu_fb *fb = (struct gpu_fb *)&rt->fb;

	for (uint32_t y = box.y; y < box.y + box.h; y++)
		for (uint32_t x = box.x; x < box.x + box.w; x++) {
			uint32_t got = *gpu_fb_px(fb, x, y), w = want(x, y);
			if ((got ^ w) & mask) {
				*bad = (struct gpu3d_mismatch){x, y, got, w};
				return false;
			}
		}
	return true;
}
