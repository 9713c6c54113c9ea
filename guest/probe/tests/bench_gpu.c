/* virtio-gpu benchmarks (not in the default set; `make bench` runs them under
 * lkvm-gpu and QEMU's virtio-gpu-pci with the same probe).
 *   bench_gpu_frames: probe.bench_frames (default 100) full-screen updates
 *     at the scanout's size (set it with --resolution 1920x1080): write every
 *     pixel, TRANSFER_TO_HOST_2D, RESOURCE_FLUSH, wait for the response.
 *     Also the guest's own fill rate over the same bytes, for scale.
 *     probe.bench_display=1 is for timing a display rather than the device
 *     (scripts/bench-desktop-nested.sh): no fill-rate loop, and each frame
 *     rewrites one row only (the frame still differs from the last) but
 *     transfers and flushes all of it, so the guest's own writes (slow
 *     under emulation) do not set the pace.
 *   bench_gpu_rtt: probe.bench_n (default 2000) 1x1 transfer+flush pairs. */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/gpu_fb.h"
#include "lib/io.h"
#include "lib/report.h"
#include "lib/time.h"
#include "lib/virtio_gpu.h"
#include "tests/tests.h"

#define FB_ID 1

static struct vgpu g;
static struct gpu_fb fb;

static uint64_t option(const char *cmdline, const char *key, uint64_t def)
{
	uint64_t v;
	bool bad;

	return cmdline_u64(cmdline, key, &v, &bad) && v ? v : def;
}

static void report(const char *key, uint64_t count, uint64_t bytes, uint64_t cycles)
{
	uint64_t hz = tsc_hz();

	report_info("tsc_hz", "%lu:%s", hz, tsc_source());
	if (!hz || !cycles) {
		report_info(key, "%lu:%lu:cycles=%lu", count, bytes, cycles);
		return;
	}
	uint64_t us = cycles / (hz / 1000000);
	report_info(key, "%lu:%lu:us=%lu:per_s_x100=%lu:mib_s=%lu", count, bytes, us,
		    count * 100 * hz / cycles, bytes * (hz / 1000) / cycles * 1000 / (1 << 20));
}

/* Open, then a framebuffer the size of scanout 0 on screen. */
static enum test_result setup(struct test_ctx *ctx)
{
	int r = vgpu_open(&g, ctx->why, sizeof(ctx->why));

	if (r > 0)
		return test_skip(ctx, "no virtio-gpu device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	if (vgpu_display_info(&g) != VGPU_RESP_OK_DISPLAY_INFO)
		return test_fail(ctx, "GET_DISPLAY_INFO failed");
	const struct vgpu_display_info *di = g.resp;
	uint32_t w = di->pmodes[0].r.width, h = di->pmodes[0].r.height;
	struct vgpu_rect full = {0, 0, w, h};
	if (gpu_fb_create(&g, &fb, FB_ID, w, h, 1 << 20) != VGPU_RESP_OK_NODATA ||
	    vgpu_transfer(&g, FB_ID, full, 0) != VGPU_RESP_OK_NODATA ||
	    vgpu_set_scanout(&g, 0, FB_ID, full) != VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "could not put a %ux%u framebuffer on scanout 0", w, h);
	report_info("bench_gpu_size", "%ux%u", w, h);
	return TEST_PASS;
}

enum test_result test_bench_gpu_frames(struct test_ctx *ctx)
{
	size_t mark = alloc_mark();
	enum test_result r = setup(ctx);

	if (r != TEST_PASS)
		return r;
	uint64_t frames = option(ctx->cmdline, "probe.bench_frames", 100);
	bool display = option(ctx->cmdline, "probe.bench_display", 0) != 0;
	struct vgpu_rect full = {0, 0, fb.width, fb.height};

	gpu_fb_fill(&fb, 0); /* first touches (page faults) out of the timing */
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < frames && !display; i++)
		gpu_fb_fill(&fb, (uint32_t)(i * 0x010203));
	if (!display)
		report("bench_gpu_fill", frames, frames * fb.bytes, rdtsc() - t0);

	t0 = rdtsc();
	for (uint64_t i = 0; i < frames; i++) {
		if (display)
			for (uint32_t x = 0; x < fb.width; x++)
				*gpu_fb_px(&fb, x, (uint32_t)(i % fb.height)) =
				    (uint32_t)(i * 0x010203);
		else
			gpu_fb_fill(&fb, (uint32_t)(i * 0x010203));
		if (vgpu_transfer(&g, FB_ID, full, 0) != VGPU_RESP_OK_NODATA ||
		    vgpu_flush(&g, FB_ID, full) != VGPU_RESP_OK_NODATA)
			return test_fail(ctx, "frame %lu failed", i);
	}
	report("bench_gpu_frames", frames, frames * fb.bytes, rdtsc() - t0);
	vgpu_close(&g);
	alloc_release(mark);
	return TEST_PASS;
}

enum test_result test_bench_gpu_rtt(struct test_ctx *ctx)
{
	size_t mark = alloc_mark();
	enum test_result r = setup(ctx);

	if (r != TEST_PASS)
		return r;
	uint64_t n = option(ctx->cmdline, "probe.bench_n", 2000);
	struct vgpu_rect one = {0, 0, 1, 1};

	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++) {
		*gpu_fb_px(&fb, 0, 0) = (uint32_t)i;
		if (vgpu_transfer(&g, FB_ID, one, 0) != VGPU_RESP_OK_NODATA ||
		    vgpu_flush(&g, FB_ID, one) != VGPU_RESP_OK_NODATA)
			return test_fail(ctx, "pair %lu failed", i);
	}
	report("bench_gpu_rtt", n, 0, rdtsc() - t0);
	vgpu_close(&g);
	alloc_release(mark);
	return TEST_PASS;
}
