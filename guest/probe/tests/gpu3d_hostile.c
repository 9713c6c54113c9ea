/* Hostile virtio-gpu 3D commands. Each must be answered with an error: the
 * spec's where it names one (an unknown context is ERR_INVALID_CONTEXT_ID,
 * an unknown resource ERR_INVALID_RESOURCE_ID, a bad value
 * ERR_INVALID_PARAMETER), ERR_OUT_OF_MEMORY also accepted where a limit is
 * what the command hits, and any error where the spec is silent (unref of a
 * resource still attached to a context). After every case the device must
 * still answer (GET_CAPSET_INFO). A fenced command that fails must still
 * echo its fence, and at the end a fresh context must still
 * render: clear + fenced readback, pixel-exact.
 *
 * Streams that virglrenderer rejects go to throwaway contexts: once vrend
 * sees an error in a context it ignores that context's later commands.
 *
 * Every answer is reported as `gpu3d_hostile_<case>=0xNNNN`. With
 * `probe.gpu3d_hostile=report` (for QEMU 7.2, which answers OK_NODATA to
 * many of these) wrong answers are listed in `gpu3d_hostile_wrong` instead
 * of failing the test; no answer at all, a dead device or a fresh context
 * that no longer renders still fail. */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/gpu3d.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "tests/tests.h"

#define ANY_ERROR   0
#define GOOD_CTX    1
#define TMP_CTX0    20
#define FRESH_CTX   40
#define NO_CTX	    77
#define RT_ID	    0x50
#define BARE_ID	    0x51 /* 3D resource, no backing */
#define ATTACHED_ID 0x53
#define FRESH_ID    0x60
#define NO_RES	    4242
#define DIM	    64

static struct vgpu g;
static struct gpu3d_rt rt;
static uint32_t tmp_ctx = TMP_CTX0;
static uint32_t stream[64];

static uint32_t submit_raw(uint32_t ctx, uint32_t size, const void *tail, uint32_t tail_len)
{
	struct vgpu_submit_3d s = {{.type = VGPU_CMD_SUBMIT_3D, .ctx_id = ctx}, size, 0};
	uint32_t got;
	return vgpu_cmd2(&g, &s, sizeof(s), tail, tail_len, sizeof(struct vgpu_hdr), &got);
}

/* A new context for a stream that may poison it (0 if it cannot be made). */
static uint32_t throwaway(void)
{
	uint32_t c = tmp_ctx++;
	return vgpu_ctx_create(&g, c, "probe-hostile") == VGPU_RESP_OK_NODATA ? c : 0;
}

static uint32_t h_submit_past_buffer(void)
{
	static const uint32_t two_nops[2] = {0, 0};
	uint32_t c = throwaway();
	return c ? submit_raw(c, 4096, two_nops, sizeof(two_nops)) : 0;
}

static uint32_t h_submit_odd_size(void)
{
	static const uint32_t two_nops[2] = {0, 0};
	uint32_t c = throwaway();
	return c ? submit_raw(c, 6, two_nops, sizeof(two_nops)) : 0;
}

static uint32_t h_submit_huge(void)
{
	static const uint32_t two_nops[2] = {0, 0};
	uint32_t c = throwaway();
	return c ? submit_raw(c, 0xfffffff0u, two_nops, sizeof(two_nops)) : 0;
}

static uint32_t h_submit_bad_command(void)
{
	uint32_t c = throwaway();
	stream[0] = venc_header(200, 0, 0); /* no such virgl command */
	return c ? vgpu_submit_3d(&g, c, stream, 4, 0) : 0;
}

static uint32_t h_submit_unknown_ctx(void)
{
	stream[0] = venc_header(VIRGL_CCMD_NOP, 0, 0);
	return vgpu_submit_3d(&g, NO_CTX, stream, 4, 0);
}

static uint32_t h_submit_destroyed_ctx(void)
{
	uint32_t c = throwaway();
	if (!c || vgpu_ctx_destroy(&g, c) != VGPU_RESP_OK_NODATA)
		return 0;
	stream[0] = venc_header(VIRGL_CCMD_NOP, 0, 0);
	return vgpu_submit_3d(&g, c, stream, 4, 0);
}

/* An error answer to a fenced command must still carry the fence (flag
 * and id): the guest's fence processing ignores the response type. A
 * missing fence comes back as FENCE_DROPPED | type, never a right answer. */
#define FENCE_DROPPED 0xfd000000u

static uint32_t h_fenced_error(void)
{
	stream[0] = venc_header(VIRGL_CCMD_NOP, 0, 0);
	uint32_t r = vgpu_submit_3d(&g, NO_CTX + 4, stream, 4, 0x3d0e);
	return r && r != VGPU_NO_RESPONSE && !gpu3d_fence_echoed(&g, 0x3d0e) ? FENCE_DROPPED | r : r;
}

static uint32_t h_ctx_destroy_unknown(void)
{
	return vgpu_ctx_destroy(&g, NO_CTX + 1);
}

static uint32_t h_ctx_create_zero(void)
{
	return vgpu_ctx_create(&g, 0, "zero");
}

static uint32_t h_attach_unknown_ctx(void)
{
	return vgpu_ctx_resource(&g, VGPU_CMD_CTX_ATTACH_RESOURCE, NO_CTX + 2, RT_ID);
}

static uint32_t h_attach_unknown_res(void)
{
	return vgpu_ctx_resource(&g, VGPU_CMD_CTX_ATTACH_RESOURCE, GOOD_CTX, NO_RES);
}

static uint32_t h_detach_unknown_res(void)
{
	return vgpu_ctx_resource(&g, VGPU_CMD_CTX_DETACH_RESOURCE, GOOD_CTX, NO_RES + 1);
}

static uint32_t create(uint32_t id, uint32_t target, uint32_t format, uint32_t w, uint32_t h,
		       uint32_t depth, uint32_t array_size)
{
	struct vgpu_create_3d c = {.id = id,
				   .target = target,
				   .format = format,
				   .bind = VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW,
				   .width = w,
				   .height = h,
				   .depth = depth,
				   .array_size = array_size};
	return vgpu_create_3d(&g, &c);
}

static uint32_t h_create_zero_size(void)
{
	return create(0x70, VIRGL_TARGET_2D, VIRGL_FORMAT_B8G8R8X8_UNORM, 0, 0, 1, 1);
}

static uint32_t h_create_huge(void)
{
	return create(0x71, VIRGL_TARGET_2D, VIRGL_FORMAT_B8G8R8X8_UNORM, 16384, 16384, 1, 2048);
}

static uint32_t h_create_bad_target(void)
{
	return create(0x72, 99, VIRGL_FORMAT_B8G8R8X8_UNORM, 8, 8, 1, 1);
}

static uint32_t h_create_bad_format(void)
{
	return create(0x73, VIRGL_TARGET_2D, 9999, 8, 8, 1, 1);
}

static uint32_t h_create_2d_with_depth(void)
{
	return create(0x74, VIRGL_TARGET_2D, VIRGL_FORMAT_B8G8R8X8_UNORM, 8, 8, 4, 1);
}

static uint32_t h_create_id_zero(void)
{
	return create(0, VIRGL_TARGET_2D, VIRGL_FORMAT_B8G8R8X8_UNORM, 8, 8, 1, 1);
}

static uint32_t h_create_duplicate(void)
{
	return create(RT_ID, VIRGL_TARGET_2D, VIRGL_FORMAT_B8G8R8X8_UNORM, 8, 8, 1, 1);
}

static uint32_t xfer(uint32_t type, uint32_t ctx, uint32_t id, struct vgpu_box b, uint32_t level,
		     uint64_t offset, uint32_t stride)
{
	return vgpu_transfer_3d(&g, type, ctx, id, b, level, offset, stride, 0);
}

#define FROM VGPU_CMD_TRANSFER_FROM_HOST_3D
#define TO   VGPU_CMD_TRANSFER_TO_HOST_3D

static uint32_t h_box_outside(void)
{
	return xfer(FROM, GOOD_CTX, RT_ID, (struct vgpu_box){DIM - 8, 0, 0, 16, 1, 1}, 0, 0, DIM * 4);
}

static uint32_t h_box_overflow(void)
{
	return xfer(FROM, GOOD_CTX, RT_ID, (struct vgpu_box){0xfffffff0u, 0, 0, 0x20, 1, 1}, 0, 0,
		    DIM * 4);
}

static uint32_t h_box_z_outside(void)
{
	return xfer(FROM, GOOD_CTX, RT_ID, (struct vgpu_box){0, 0, 1, 8, 8, 1}, 0, 0, DIM * 4);
}

static uint32_t h_level_outside(void)
{
	return xfer(FROM, GOOD_CTX, RT_ID, (struct vgpu_box){0, 0, 0, 8, 8, 1}, 3, 0, DIM * 4);
}

static uint32_t h_offset_past_backing(void)
{
	return xfer(FROM, GOOD_CTX, RT_ID, (struct vgpu_box){0, 0, 0, DIM, DIM, 1}, 0,
		    0xffffffff00000000ull, DIM * 4);
}

static uint32_t h_stride_short(void)
{
	return xfer(TO, GOOD_CTX, RT_ID, (struct vgpu_box){0, 0, 0, DIM, DIM, 1}, 0, 0, 4);
}

static uint32_t h_from_no_backing(void)
{
	return xfer(FROM, GOOD_CTX, BARE_ID, (struct vgpu_box){0, 0, 0, 8, 8, 1}, 0, 0, DIM * 4);
}

static uint32_t h_to_no_backing(void)
{
	return xfer(TO, GOOD_CTX, BARE_ID, (struct vgpu_box){0, 0, 0, 8, 8, 1}, 0, 0, DIM * 4);
}

static uint32_t h_transfer_unknown_res(void)
{
	return xfer(FROM, GOOD_CTX, NO_RES + 2, (struct vgpu_box){0, 0, 0, 1, 1, 1}, 0, 0, 4);
}

static uint32_t h_transfer_unknown_ctx(void)
{
	return xfer(FROM, NO_CTX + 3, RT_ID, (struct vgpu_box){0, 0, 0, 1, 1, 1}, 0, 0, DIM * 4);
}

static uint32_t h_capset_index(void)
{
	struct vgpu_capset_info ci;
	return vgpu_capset_info(&g, g.num_capsets, &ci);
}

static uint32_t h_capset_bad_id(void)
{
	uint32_t got;
	return vgpu_get_capset(&g, 99, 1, 2048, &got);
}

static uint32_t h_capset_id_zero(void)
{
	uint32_t got;
	return vgpu_get_capset(&g, 0, 0, 2048, &got);
}

static uint32_t h_capset_bad_version(void)
{
	uint32_t got;
	return vgpu_get_capset(&g, VGPU_CAPSET_VIRGL, 99, 2048, &got);
}

/* Unref of a resource a context still holds. Afterwards the probe cleans
 * up (detach, unref) whatever the device kept. */
static uint32_t h_unref_attached(void)
{
	if (create(ATTACHED_ID, VIRGL_TARGET_2D, VIRGL_FORMAT_B8G8R8X8_UNORM, 8, 8, 1, 1) !=
		VGPU_RESP_OK_NODATA ||
	    vgpu_ctx_resource(&g, VGPU_CMD_CTX_ATTACH_RESOURCE, GOOD_CTX, ATTACHED_ID) !=
		VGPU_RESP_OK_NODATA)
		return 0;
	uint32_t r = vgpu_unref(&g, ATTACHED_ID);
	vgpu_ctx_resource(&g, VGPU_CMD_CTX_DETACH_RESOURCE, GOOD_CTX, ATTACHED_ID);
	vgpu_unref(&g, ATTACHED_ID);
	return r;
}

struct hostile_case {
	const char *name;
	uint32_t (*run)(void);
	uint32_t want; /* exact response, or ANY_ERROR */
	uint32_t alt;  /* also accepted (0: none) */
};

#define INVAL  VGPU_RESP_ERR_INVALID_PARAMETER
#define NOCTX  VGPU_RESP_ERR_INVALID_CONTEXT_ID
#define NORES  VGPU_RESP_ERR_INVALID_RESOURCE_ID
#define NOMEM  VGPU_RESP_ERR_OUT_OF_MEMORY
#define UNSPEC VGPU_RESP_ERR_UNSPEC

static const struct hostile_case cases[] = {
    {"submit_past_buffer", h_submit_past_buffer, INVAL, 0},
    {"submit_odd_size", h_submit_odd_size, INVAL, 0},
    {"submit_huge", h_submit_huge, INVAL, NOMEM},
    {"submit_bad_command", h_submit_bad_command, INVAL, 0},
    {"submit_unknown_ctx", h_submit_unknown_ctx, NOCTX, 0},
    {"submit_destroyed_ctx", h_submit_destroyed_ctx, NOCTX, 0},
    {"fenced_error", h_fenced_error, NOCTX, 0},
    {"ctx_destroy_unknown", h_ctx_destroy_unknown, NOCTX, 0},
    {"ctx_create_zero", h_ctx_create_zero, NOCTX, 0},
    {"attach_unknown_ctx", h_attach_unknown_ctx, NOCTX, 0},
    {"attach_unknown_res", h_attach_unknown_res, NORES, 0},
    {"detach_unknown_res", h_detach_unknown_res, NORES, 0},
    {"create_zero_size", h_create_zero_size, INVAL, 0},
    {"create_huge", h_create_huge, NOMEM, INVAL},
    {"create_bad_target", h_create_bad_target, INVAL, 0},
    {"create_bad_format", h_create_bad_format, INVAL, 0},
    {"create_2d_with_depth", h_create_2d_with_depth, INVAL, 0},
    {"create_id_zero", h_create_id_zero, NORES, 0},
    {"create_duplicate", h_create_duplicate, NORES, 0},
    {"box_outside", h_box_outside, INVAL, 0},
    {"box_overflow", h_box_overflow, INVAL, 0},
    {"box_z_outside", h_box_z_outside, INVAL, 0},
    {"level_outside", h_level_outside, INVAL, 0},
    {"offset_past_backing", h_offset_past_backing, INVAL, 0},
    {"stride_short", h_stride_short, INVAL, 0},
    {"from_no_backing", h_from_no_backing, INVAL, UNSPEC},
    {"to_no_backing", h_to_no_backing, INVAL, UNSPEC},
    {"transfer_unknown_res", h_transfer_unknown_res, NORES, 0},
    {"transfer_unknown_ctx", h_transfer_unknown_ctx, NOCTX, 0},
    {"capset_index", h_capset_index, INVAL, 0},
    {"capset_bad_id", h_capset_bad_id, INVAL, 0},
    {"capset_id_zero", h_capset_id_zero, INVAL, 0},
    {"capset_bad_version", h_capset_bad_version, INVAL, 0},
    {"unref_attached", h_unref_attached, ANY_ERROR, 0},
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static bool alive(void)
{
	struct vgpu_capset_info ci;
	return vgpu_capset_info(&g, 0, &ci) == VGPU_RESP_OK_CAPSET_INFO;
}

static bool is_error(uint32_t r)
{
	return r >= VGPU_RESP_ERR_UNSPEC && r <= 0x12ff;
}

static const float green[4] = {0.0f, 1.0f, 0.2f, 1.0f};
static uint32_t green_px;
static uint32_t want_green(uint32_t x, uint32_t y)
{
	return green_px;
}

/* A fresh context: clear a new target, fenced readback, every pixel. */
static enum test_result fresh_render(struct test_ctx *ctx)
{
	struct gpu3d_rt f;
	struct virgl_enc e;
	struct gpu3d_mismatch m;
	uint32_t mask, r;

	if ((r = vgpu_ctx_create(&g, FRESH_CTX, "probe-fresh")) != VGPU_RESP_OK_NODATA ||
	    (r = gpu3d_rt_create(&g, &f, FRESH_CTX, FRESH_ID, VIRGL_FORMAT_B8G8R8X8_UNORM, DIM, DIM,
				 4096)) != VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "fresh context set-up answered 0x%x", r);
	venc_init(&e, stream, sizeof(stream) / 4);
	gpu3d_bind_rt(&e, &f, 1);
	venc_clear_color(&e, green);
	if ((r = vgpu_submit_3d(&g, FRESH_CTX, stream, venc_bytes(&e), 0)) != VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "fresh context clear answered 0x%x", r);
	gpu3d_poison(&f, 0x5a5a5a5au);
	if ((r = gpu3d_readback(&g, &f, gpu3d_full(&f), 0x3dfe)) != VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "fresh context readback answered 0x%x", r);
	green_px = gpu3d_pixel(f.format, green, &mask);
	if (!gpu3d_check(&f, gpu3d_full(&f), want_green, mask, &m))
		return test_fail(ctx, "fresh context: pixel (%u,%u) is 0x%08x, want 0x%08x", m.x,
				 m.y, m.got, m.want);
	return TEST_PASS;
}

enum test_result test_gpu3d_hostile(struct test_ctx *ctx)
{
	int r = gpu3d_open(&g, ctx->why, sizeof(ctx->why));
	size_t len;
	const char *mode = cmdline_find(ctx->cmdline, "probe.gpu3d_hostile", &len);
	bool report_only = mode && len == 6 && !memcmp(mode, "report", 6);
	static char wrong[2048];
	size_t wn = 0;
	unsigned nwrong = 0;

	if (r)
		return r > 0 ? TEST_SKIP : TEST_FAIL;
	struct vgpu_create_3d bare = {.id = BARE_ID,
				      .target = VIRGL_TARGET_2D,
				      .format = VIRGL_FORMAT_B8G8R8X8_UNORM,
				      .bind = VIRGL_BIND_RENDER_TARGET,
				      .width = 8,
				      .height = 8,
				      .depth = 1,
				      .array_size = 1};
	if (vgpu_ctx_create(&g, GOOD_CTX, "probe-good") != VGPU_RESP_OK_NODATA ||
	    gpu3d_rt_create(&g, &rt, GOOD_CTX, RT_ID, VIRGL_FORMAT_B8G8R8X8_UNORM, DIM, DIM, 4096) !=
		VGPU_RESP_OK_NODATA ||
	    vgpu_create_3d(&g, &bare) != VGPU_RESP_OK_NODATA ||
	    vgpu_ctx_resource(&g, VGPU_CMD_CTX_ATTACH_RESOURCE, GOOD_CTX, BARE_ID) !=
		VGPU_RESP_OK_NODATA)
		return test_fail(ctx, "could not set up a context and resources");

	wrong[0] = 0;
	for (unsigned i = 0; i < NR_CASES; i++) {
		const struct hostile_case *c = &cases[i];
		uint32_t resp = c->run();
		char key[48];
		fmt_snprintf(key, sizeof(key), "gpu3d_hostile_%s", c->name);
		report_info(key, "0x%x", resp);
		if (resp == 0)
			return test_fail(ctx, "%s: no answer within the timeout", c->name);
		bool ok = c->want == ANY_ERROR ? is_error(resp)
					       : resp == c->want || (c->alt && resp == c->alt);
		if (!ok) {
			if (!report_only)
				return test_fail(ctx, "%s: response 0x%x, want 0x%x%s", c->name, resp,
						 c->want ? c->want : 0x12ff,
						 c->want ? "" : " (any error)");
			nwrong++;
			wn += fmt_snprintf(wrong + wn, sizeof(wrong) - wn, "%s%s:0x%x",
					   nwrong > 1 ? "," : "", c->name, resp);
		}
		if (!alive())
			return test_fail(ctx, "after %s the device stopped answering", c->name);
	}
	report_info("gpu3d_hostile_cases", "%u", (unsigned)NR_CASES);
	if (report_only)
		report_info_long("gpu3d_hostile_wrong", nwrong ? wrong : "none");
	enum test_result t = fresh_render(ctx);
	vgpu_close(&g);
	return t;
}
