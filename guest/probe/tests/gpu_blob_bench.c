/* Guest-blob frames against 2D frames in the same run (not in the default
 * set): bench_gpu_blob_frames puts a scanout-sized framebuffer on screen
 * three ways and times probe.bench_frames (default 100) full-screen updates
 * of each (write every pixel, TRANSFER_TO_HOST_2D, RESOURCE_FLUSH, wait):
 * a 2D resource on 1 MiB backing pieces, a guest blob on the same kind of
 * pieces (the host keeps a shadow), and a guest blob in one contiguous run
 * (the host reads it in place). Run with --resolution 1920x1080. */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/gpu_fb.h"
#include "lib/io.h"
#include "lib/report.h"
#include "lib/time.h"
#include "lib/virtio_gpu.h"
#include "tests/tests.h"

#define F_RESOURCE_BLOB (1ull << 3)

static struct vgpu g;

static void report(const char *key, uint64_t count, uint64_t bytes, uint64_t cycles)
{
	uint64_t hz = tsc_hz();

	if (!hz || !cycles) {
		report_info(key, "%lu:%lu:cycles=%lu", count, bytes, cycles);
		return;
	}
	report_info(key, "%lu:%lu:us=%lu:per_s_x100=%lu", count, bytes, cycles / (hz / 1000000),
		    count * 100 * hz / cycles);
}

static uint32_t create_blob(uint32_t id, uint64_t size, const struct vgpu_mem_entry *e, uint32_t n)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t id, blob_mem, blob_flags, nr_entries;
		uint64_t blob_id, size;
	} c = {{.type = 0x010c}, id, 1, 2, n, 0, size};
	uint32_t got;

	return vgpu_cmd2(&g, &c, sizeof(c), e, n * sizeof(*e), sizeof(struct vgpu_hdr), &got);
}

static uint32_t scanout_blob(uint32_t id, uint32_t w, uint32_t h)
{
	struct {
		struct vgpu_hdr hdr;
		struct vgpu_rect r;
		uint32_t scanout, id, width, height, format, padding;
		uint32_t strides[4], offsets[4];
	} s = {.hdr = {.type = 0x010d},
	       .r = {0, 0, w, h},
	       .id = id,
	       .width = w,
	       .height = h,
	       .format = VGPU_FORMAT_B8G8R8X8,
	       .strides = {w * 4}};
	uint32_t got;

	return vgpu_cmd(&g, &s, sizeof(s), sizeof(struct vgpu_hdr), &got);
}

/* frames updates of fb (resource id) on screen; false if one failed. */
static bool loop(struct gpu_fb *fb, uint32_t id, uint64_t frames, const char *key)
{
	struct vgpu_rect full = {0, 0, fb->width, fb->height};

	gpu_fb_fill(fb, 0); /* first touches out of the timing */
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < frames; i++) {
		gpu_fb_fill(fb, (uint32_t)(i * 0x010203));
		if (vgpu_transfer(&g, id, full, 0) != VGPU_RESP_OK_NODATA ||
		    vgpu_flush(&g, id, full) != VGPU_RESP_OK_NODATA)
			return false;
	}
	report(key, frames, frames * fb->bytes, rdtsc() - t0);
	return true;
}

enum test_result test_bench_gpu_blob_frames(struct test_ctx *ctx)
{
	static struct gpu_fb fb2d, fbs, fbc;
	size_t mark = alloc_mark();
	uint64_t frames, v;
	bool bad;
	int r =
	    vgpu_open_features(&g, VIRTIO_GPU_F_EDID | F_RESOURCE_BLOB, ctx->why, sizeof(ctx->why));

	if (r > 0)
		return test_skip(ctx, "no virtio-gpu device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	if (!(g.v.features & F_RESOURCE_BLOB))
		return test_skip(ctx, "no RESOURCE_BLOB");
	frames = cmdline_u64(ctx->cmdline, "probe.bench_frames", &v, &bad) && v ? v : 100;
	EXPECT("GET_DISPLAY_INFO", vgpu_display_info(&g), VGPU_RESP_OK_DISPLAY_INFO);
	const struct vgpu_display_info *di = g.resp;
	uint32_t w = di->pmodes[0].r.width, h = di->pmodes[0].r.height;
	struct vgpu_rect full = {0, 0, w, h};
	report_info("bench_gpu_size", "%ux%u", w, h);
	size_t frame_mark = alloc_mark();

	EXPECT("2D framebuffer", gpu_fb_create(&g, &fb2d, 1, w, h, 1 << 20), VGPU_RESP_OK_NODATA);
	EXPECT("SET_SCANOUT", vgpu_set_scanout(&g, 0, 1, full), VGPU_RESP_OK_NODATA);
	if (!loop(&fb2d, 1, frames, "bench_gpu_2d_frames"))
		return test_fail(ctx, "a 2D frame failed");
	/* The arena holds about two frames: each goes before the next. */
	EXPECT("RESOURCE_UNREF", vgpu_unref(&g, 1), VGPU_RESP_OK_NODATA);
	alloc_release(frame_mark);

	if (!gpu_fb_alloc(&fbs, 2, w, h, 1 << 20))
		return test_fail(ctx, "out of memory");
	EXPECT("scattered blob", create_blob(2, fbs.bytes, fbs.entry, fbs.nr), VGPU_RESP_OK_NODATA);
	EXPECT("SET_SCANOUT_BLOB", scanout_blob(2, w, h), VGPU_RESP_OK_NODATA);
	if (!loop(&fbs, 2, frames, "bench_gpu_blob_shadow_frames"))
		return test_fail(ctx, "a scattered-blob frame failed");
	EXPECT("RESOURCE_UNREF", vgpu_unref(&g, 2), VGPU_RESP_OK_NODATA);
	alloc_release(frame_mark);

	/* One piece as big as the frame: contiguous. */
	uint64_t bytes = (uint64_t)w * h * 4;
	if (bytes > 0xffffffffu || !gpu_fb_alloc(&fbc, 3, w, h, (uint32_t)bytes))
		return test_fail(ctx, "out of memory");
	EXPECT("contiguous blob", create_blob(3, fbc.bytes, fbc.entry, fbc.nr),
	       VGPU_RESP_OK_NODATA);
	EXPECT("SET_SCANOUT_BLOB", scanout_blob(3, w, h), VGPU_RESP_OK_NODATA);
	if (!loop(&fbc, 3, frames, "bench_gpu_blob_in_place_frames"))
		return test_fail(ctx, "a contiguous-blob frame failed");
	vgpu_close(&g);
	alloc_release(mark);
	return TEST_PASS;
}
