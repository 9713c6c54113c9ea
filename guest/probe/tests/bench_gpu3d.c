/* virtio-gpu 3D benchmarks (not in the default set; scripts/bench/gpu3d.py
 * runs them under a VMM with a virgl device):
 *   bench_gpu3d_fence: probe.bench_n (default 2000) fenced one-dword
 *     SUBMIT_3D (a virgl NOP), each timed from the notify to its used-ring
 *     entry; p50 and p99 of the round trip.
 *   bench_gpu3d_clear: probe.bench_n (default 1000) rounds of a 256x256
 *     clear (SUBMIT_3D, unfenced) + fenced TRANSFER_FROM_HOST_3D of the
 *     whole target, two pixels checked each round.
 * Output (cycles are the guest TSC; tsc_hz is the probe's calibration):
 *   bench_gpu3d_fence=n:0:us=total:p50_cyc=..:p99_cyc=..:p50_ns=..:p99_ns=..
 *   bench_gpu3d_clear=n:bytes:us=total:cyc=..:per_s=.. */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/gpu3d.h"
#include "lib/io.h"
#include "lib/report.h"
#include "lib/time.h"
#include "tests/tests.h"

#define CTX	   1
#define RT_ID	   0x30
#define MAX_N	   20000
#define CLEAR_DIM  256
#define FENCE_BASE 0x100000

static struct vgpu g;
static uint64_t samples[MAX_N];
static uint32_t stream[256];

static uint64_t option_n(const char *cmdline, uint64_t def)
{
	uint64_t v;
	bool bad;

	if (!cmdline_u64(cmdline, "probe.bench_n", &v, &bad) || !v)
		return def;
	return v > MAX_N ? MAX_N : v;
}

static uint64_t cyc_to_ns(uint64_t cyc, uint64_t hz)
{
	return hz ? cyc * 1000 / (hz / 1000000) : 0;
}

static uint64_t cyc_to_us(uint64_t cyc, uint64_t hz)
{
	return hz ? cyc / (hz / 1000000) : 0;
}

/* Shell sort: a few thousand samples. */
static void sort_u64(uint64_t *a, uint64_t n)
{
	for (uint64_t gap = n / 2; gap; gap /= 2)
		for (uint64_t i = gap; i < n; i++) {
			uint64_t v = a[i], j = i;
			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
}

static enum test_result open_ctx(struct test_ctx *ctx)
{
	int r = gpu3d_open(&g, ctx->why, sizeof(ctx->why));

	if (r)
		return r > 0 ? TEST_SKIP : TEST_FAIL;
	if (vgpu_ctx_create(&g, CTX, "probe-bench") != VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "CTX_CREATE failed");
	return TEST_PASS;
}

enum test_result test_bench_gpu3d_fence(struct test_ctx *ctx)
{
	enum test_result t = open_ctx(ctx);
	uint64_t n = option_n(ctx->cmdline, 2000), total = 0;
	uint64_t hz = tsc_hz();

	if (t != TEST_PASS)
		return t;
	stream[0] = venc_header(VIRGL_CCMD_NOP, 0, 0);
	for (uint64_t i = 0; i < n + 20; i++) {
		uint64_t fence = FENCE_BASE + i, t0 = rdtsc();
		uint32_t r = vgpu_submit_3d(&g, CTX, stream, 4, fence);
		uint64_t dt = rdtsc() - t0;
		if (r != VGPU_RESP_OK_NODATA || !gpu3d_fence_echoed(&g, fence))
			return test_fail(ctx, "fenced submit %lu: response 0x%x", i, r);
		if (i >= 20) /* the first ones warm up both sides */
			total += samples[i - 20] = dt;
	}
	sort_u64(samples, n);
	uint64_t p50 = samples[n / 2], p99 = samples[n * 99 / 100];
	report_info("tsc_hz", "%lu:%s", hz, tsc_source());
	report_info("bench_gpu3d_fence", "%lu:0:us=%lu:p50_cyc=%lu:p99_cyc=%lu:p50_ns=%lu:p99_ns=%lu", n,
		    cyc_to_us(total, hz), p50, p99, cyc_to_ns(p50, hz), cyc_to_ns(p99, hz));
	vgpu_close(&g);
	return TEST_PASS;
}

enum test_result test_bench_gpu3d_clear(struct test_ctx *ctx)
{
	size_t mark = alloc_mark();
	enum test_result t = open_ctx(ctx);
	uint64_t n = option_n(ctx->cmdline, 1000);
	uint64_t hz = tsc_hz();
	struct gpu3d_rt rt;
	struct virgl_enc e;
	uint32_t r, mask;

	if (t != TEST_PASS)
		return t;
	r = gpu3d_rt_create(&g, &rt, CTX, RT_ID, VIRGL_FORMAT_B8G8R8X8_UNORM, CLEAR_DIM, CLEAR_DIM,
			    64 * 1024);
	if (r != VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "render target: response 0x%x", r);
	venc_init(&e, stream, sizeof(stream) / 4);
	gpu3d_bind_rt(&e, &rt, 1);
	if ((r = vgpu_submit_3d(&g, CTX, stream, venc_bytes(&e), 0)) != VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "framebuffer state: response 0x%x", r);

	uint64_t t0 = 0;
	for (uint64_t i = 0; i < n + 10; i++) {
		if (i == 10)
			t0 = rdtsc(); /* after a few warm-up rounds */
		float rgba[4] = {(float)(i % 256) / 255.0f, (float)((i / 256) % 256) / 255.0f, 0.6f,
				 1.0f};
		venc_init(&e, stream, sizeof(stream) / 4);
		venc_clear_color(&e, rgba);
		if ((r = vgpu_submit_3d(&g, CTX, stream, venc_bytes(&e), 0)) != VGPU_RESP_OK_NODATA)
			return test_fail(ctx, "clear %lu: response 0x%x", i, r);
		if ((r = gpu3d_readback(&g, &rt, gpu3d_full(&rt), FENCE_BASE + i)) !=
		    VGPU_RESP_OK_NODATA)
			return test_fail(ctx, "readback %lu: response 0x%x", i, r);
		uint32_t want = gpu3d_pixel(rt.format, rgba, &mask);
		uint32_t a = *gpu_fb_px(&rt.fb, 0, 0), b = *gpu_fb_px(&rt.fb, 255, 255);
		if (((a ^ want) | (b ^ want)) & mask)
			return test_fail(ctx, "round %lu: pixels 0x%08x 0x%08x, want 0x%08x", i, a,
					 b, want);
	}
	uint64_t cyc = rdtsc() - t0;
	report_info("tsc_hz", "%lu:%s", hz, tsc_source());
	report_info("bench_gpu3d_clear", "%lu:%lu:us=%lu:cyc=%lu:per_s=%lu", n, n * rt.fb.bytes,
		    cyc_to_us(cyc, hz), cyc, cyc ? n * hz / cyc : 0);
	vgpu_close(&g);
	alloc_release(mark);
	return TEST_PASS;
}
