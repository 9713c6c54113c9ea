#include "lib/gpu_fb.h"
#include "lib/alloc.h"

bool gpu_fb_alloc(struct gpu_fb *fb, uint32_t id, uint32_t w, uint32_t h, uint32_t chunk)
{
	*fb = (struct gpu_fb){.id = id, .width = w, .height = h, .chunk = chunk};
	fb->stride = (uint64_t)w * 4;
	fb->bytes = fb->stride * h;
	for (uint64_t off = 0; off < fb->bytes; off += chunk) {
		uint32_t len = fb->bytes - off < chunk ? (uint32_t)(fb->bytes - off) : chunk;
		if (fb->nr == GPU_FB_MAX_CHUNKS || !(fb->piece[fb->nr] = page_alloc(chunk + 4096)))
			return false;
		fb->entry[fb->nr] = (struct vgpu_mem_entry){phys_addr(fb->piece[fb->nr]), len, 0};
		fb->nr++;
	}
	return true;
}

uint32_t gpu_fb_create(struct vgpu *g, struct gpu_fb *fb, uint32_t id, uint32_t w, uint32_t h,
		       uint32_t chunk)
{
	if (!gpu_fb_alloc(fb, id, w, h, chunk))
		return VGPU_RESP_ERR_OUT_OF_MEMORY;
	uint32_t r = vgpu_create_2d(g, id, VGPU_FORMAT_B8G8R8X8, w, h);
	if (r != VGPU_RESP_OK_NODATA)
		return r;
	return vgpu_attach(g, id, fb->entry, fb->nr);
}

void gpu_fb_fill(struct gpu_fb *fb, uint32_t value)
{
	for (unsigned i = 0; i < fb->nr; i++) {
		void *d = fb->piece[i];
		uint64_t n = fb->entry[i].length / 4;
		__asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(value) : "memory");
	}
}
