/* virtio-gpu 3D (virgl) through the probe's driver and encoder:
 *  - capsets: GET_CAPSET_INFO for every index, VIRGL (1) and VIRGL2 (2)
 *    present, GET_CAPSET of each at its max version sized to max_size;
 *  - a context; small render targets in three formats cleared and read back
 *    (expected bytes computed from each format); TRANSFER_TO_HOST_3D of a
 *    pattern, whole and then a sub-box from its offset with the row stride,
 *    read back exact;
 *  - a scanout-sized B8G8R8X8 render target on scattered 64 KiB backing:
 *    cleared, several fenced SUBMIT_3D in flight (answered in order, each
 *    with its fence id), one flat triangle from TGSI text shaders with its
 *    vertices written inline into a buffer resource;
 *  - TRANSFER_FROM_HOST_3D of a sub-box with an offset and the row stride
 *    into a poisoned backing (inside exact, outside untouched), then all of
 *    it, every pixel checked exactly (the triangle's edges never pass
 *    through a pixel centre, so coverage is not a matter of rounding);
 *  - SET_SCANOUT + RESOURCE_FLUSH of the 3D resource: the picture stays up,
 *    `gpu3d_screen` is the CRC-32 of the RGB rows a screenshot must show. */
#include "lib/alloc.h"
#include "lib/crc32.h"
#include "lib/gpu3d.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "tests/tests.h"

#define CTX	    1
#define RT_ID	    0x30
#define VB_ID	    0x31
#define SMALL_ID0   0x40
#define SURF	    1
#define BLEND	    2
#define DSA	    3
#define RAST	    4
#define VS	    5
#define FS	    6
#define VE	    7
#define SMALL_SURF0 10
#define CHUNK	    (64 * 1024)
#define IN_FLIGHT   8
#define FENCE0	    0x3d000
#define SENTINEL    0x5a5a5a5au
#define STREAM_DW   1024

static struct vgpu g;
static struct gpu3d_rt rt;
static uint32_t stream[STREAM_DW];

/* Colours exactly representable in unorm8 (k / 255). */
static const float clear_rgba[4] = {0.2f, 0.4f, 0.6f, 1.0f};
static const float tri_rgba[4] = {1.0f, 0.8f, 0.0f, 1.0f}; /* as in fs_text */

static const char vs_text[] = "VERT\n"
			      "DCL IN[0]\n"
			      "DCL OUT[0], POSITION\n"
			      "  0: MOV OUT[0], IN[0]\n"
			      "  1: END\n";
static const char fs_text[] = "FRAG\n"
			      "PROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1\n"
			      "DCL OUT[0], COLOR\n"
			      "IMM[0] FLT32 {    1.0000,     0.8000,     0.0000,     1.0000}\n"
			      "  0: MOV OUT[0], IMM[0]\n"
			      "  1: END\n";

/* The triangle in window pixels (row 0 = first row in memory): A = (x0,
 * y0), B = (x0, y0 + 2L), C = (x0 + L, y0 + 2L). A pixel is covered when
 * its centre (x + 1/2, y + 1/2) is inside: right of AB, above BC and left
 * of AC (slope 2), i.e. 4(x - x0) + 2 < 2(y - y0) + 1 in integers; the two
 * sides differ in parity, so no centre lies on an edge. */
static int32_t tri_x0, tri_y0, tri_l;
static uint32_t clear_px, tri_px, px_mask;

static bool covered(uint32_t x, uint32_t y)
{
	int32_t dx = (int32_t)x - tri_x0, dy = (int32_t)y - tri_y0;
	return dx >= 0 && dy < 2 * tri_l && 4 * dx + 2 < 2 * dy + 1;
}

static uint32_t want_clear(uint32_t x, uint32_t y)
{
	return clear_px;
}

static uint32_t want_scene(uint32_t x, uint32_t y)
{
	return covered(x, y) ? tri_px : clear_px;
}

static uint32_t sub_x, sub_y, sub_w, sub_h;
static uint32_t want_sub(uint32_t x, uint32_t y)
{
	bool in = x >= sub_x && x < sub_x + sub_w && y >= sub_y && y < sub_y + sub_h;
	return in ? want_scene(x, y) : SENTINEL;
}

static enum test_result mismatch(struct test_ctx *ctx, const char *what,
				 const struct gpu3d_mismatch *m)
{
	return test_fail(ctx, "%s: pixel (%u,%u) is 0x%08x, want 0x%08x", what, m->x, m->y, m->got,
			 m->want);
}

static enum test_result capsets(struct test_ctx *ctx)
{
	bool have[3] = {false, false, false};
	char list[160];
	size_t n = 0;

	list[0] = 0;
	if (g.num_capsets < 2 || g.num_capsets > 64)
		return test_fail(ctx, "num_capsets %u, want VIRGL and VIRGL2", g.num_capsets);
	for (uint32_t i = 0; i < g.num_capsets; i++) {
		struct vgpu_capset_info ci;
		EXPECT("GET_CAPSET_INFO", vgpu_capset_info(&g, i, &ci), VGPU_RESP_OK_CAPSET_INFO);
		n += fmt_snprintf(list + n, sizeof(list) - n, "%s%u:v%u:%u", i ? "," : "",
				  ci.capset_id, ci.max_version, ci.max_size);
		if (ci.capset_id != VGPU_CAPSET_VIRGL && ci.capset_id != VGPU_CAPSET_VIRGL2)
			continue;
		if (ci.max_size < 4 || ci.max_size > 4096 - sizeof(struct vgpu_hdr) ||
		    ci.max_version < 1)
			return test_fail(ctx, "capset %u: version %u size %u", ci.capset_id,
					 ci.max_version, ci.max_size);
		have[ci.capset_id] = true;
		uint32_t got;
		size_t want_len = sizeof(struct vgpu_hdr) + ci.max_size;
		EXPECT("GET_CAPSET", vgpu_get_capset(&g, ci.capset_id, ci.max_version, want_len, &got),
		       VGPU_RESP_OK_CAPSET);
		if (got != want_len)
			return test_fail(ctx, "capset %u: %u bytes written, want %u", ci.capset_id,
					 got, (uint32_t)want_len);
		/* union virgl_caps starts with its own max_version. */
		uint32_t caps_ver = *(const uint32_t *)((const uint8_t *)g.resp + 24);
		if (caps_ver < 1 || (ci.capset_id == VGPU_CAPSET_VIRGL2 && caps_ver < 2))
			return test_fail(ctx, "capset %u: caps max_version %u", ci.capset_id,
					 caps_ver);
	}
	report_info("gpu3d_capsets", "%s", list);
	if (!have[VGPU_CAPSET_VIRGL] || !have[VGPU_CAPSET_VIRGL2])
		return test_fail(ctx, "capsets %s: VIRGL and VIRGL2 must both be there", list);
	return TEST_PASS;
}

/* A 64x64 target per format, cleared and read back whole. */
static enum test_result small_clears(struct test_ctx *ctx)
{
	static const uint32_t fmts[] = {VIRGL_FORMAT_B8G8R8A8_UNORM, VIRGL_FORMAT_R8G8B8A8_UNORM,
					VIRGL_FORMAT_B8G8R8X8_UNORM};
	static const float rgba[4] = {0.8f, 0.2f, 0.4f, 0.6f};
	size_t mark = alloc_mark();

	for (unsigned i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct gpu3d_rt s;
		struct virgl_enc e;
		struct gpu3d_mismatch m;
		EXPECT("small target", gpu3d_rt_create(&g, &s, CTX, SMALL_ID0 + i, fmts[i], 64, 64, 4096),
		       VGPU_RESP_OK_NODATA);
		venc_init(&e, stream, STREAM_DW);
		gpu3d_bind_rt(&e, &s, SMALL_SURF0 + i);
		venc_clear_color(&e, rgba);
		venc_destroy_object(&e, SMALL_SURF0 + i);
		EXPECT("small clear", vgpu_submit_3d(&g, CTX, stream, venc_bytes(&e), 0),
		       VGPU_RESP_OK_NODATA);
		gpu3d_poison(&s, SENTINEL);
		EXPECT("small readback", gpu3d_readback(&g, &s, gpu3d_full(&s), FENCE0 + 0x100 + i),
		       VGPU_RESP_OK_NODATA);
		clear_px = gpu3d_pixel(fmts[i], rgba, &px_mask);
		if (!gpu3d_check(&s, gpu3d_full(&s), want_clear, px_mask, &m))
			return test_fail(ctx, "format %u clear: pixel (%u,%u) is 0x%08x, want 0x%08x",
					 fmts[i], m.x, m.y, m.got, m.want);
		EXPECT("small detach",
		       vgpu_ctx_resource(&g, VGPU_CMD_CTX_DETACH_RESOURCE, CTX, SMALL_ID0 + i),
		       VGPU_RESP_OK_NODATA);
		EXPECT("small unref", vgpu_unref(&g, SMALL_ID0 + i), VGPU_RESP_OK_NODATA);
	}
	alloc_release(mark);
	report_info("gpu3d_formats", "%u", (unsigned)(sizeof(fmts) / sizeof(fmts[0])));
	return TEST_PASS;
}

/* TRANSFER_TO_HOST_3D: a 64x64 R8G8B8A8 texture gets pattern A whole,
 * then pattern B in a sub-box sent from its offset with the row stride
 * (the backing elsewhere holds garbage that must not travel); read back
 * into a poisoned backing, B must show in the box and A around it. */
#define UP_ID  0x48
#define UP_DIM 64
#define UP_X   9
#define UP_Y   21
#define UP_W   30
#define UP_H   17

static uint32_t pattern_a(uint32_t x, uint32_t y)
{
	return 0xff000000u | (x * 4) << 16 | (y * 4) << 8 | ((x + y) & 0xff);
}

static uint32_t pattern_b(uint32_t x, uint32_t y)
{
	return pattern_a(x, y) ^ 0x00ffff00u;
}

static bool in_up_box(uint32_t x, uint32_t y)
{
	return x >= UP_X && x < UP_X + UP_W && y >= UP_Y && y < UP_Y + UP_H;
}

static uint32_t want_upload(uint32_t x, uint32_t y)
{
	return in_up_box(x, y) ? pattern_b(x, y) : pattern_a(x, y);
}

static enum test_result upload(struct test_ctx *ctx)
{
	size_t mark = alloc_mark();
	struct gpu3d_rt u;
	struct gpu3d_mismatch m;
	struct vgpu_box box = {UP_X, UP_Y, 0, UP_W, UP_H, 1};

	EXPECT("upload target",
	       gpu3d_rt_create(&g, &u, CTX, UP_ID, VIRGL_FORMAT_R8G8B8A8_UNORM, UP_DIM, UP_DIM, 4096),
	       VGPU_RESP_OK_NODATA);
	for (uint32_t y = 0; y < UP_DIM; y++)
		for (uint32_t x = 0; x < UP_DIM; x++)
			*gpu_fb_px(&u.fb, x, y) = pattern_a(x, y);
	EXPECT("TRANSFER_TO_HOST_3D whole",
	       vgpu_transfer_3d(&g, VGPU_CMD_TRANSFER_TO_HOST_3D, CTX, UP_ID, gpu3d_full(&u), 0, 0,
				(uint32_t)u.fb.stride, 0),
	       VGPU_RESP_OK_NODATA);
	for (uint32_t y = 0; y < UP_DIM; y++)
		for (uint32_t x = 0; x < UP_DIM; x++)
			*gpu_fb_px(&u.fb, x, y) = in_up_box(x, y) ? pattern_b(x, y) : 0x12345678u;
	EXPECT("TRANSFER_TO_HOST_3D sub-box",
	       vgpu_transfer_3d(&g, VGPU_CMD_TRANSFER_TO_HOST_3D, CTX, UP_ID, box, 0,
				UP_Y * u.fb.stride + UP_X * 4, (uint32_t)u.fb.stride, FENCE0 + 0x180),
	       VGPU_RESP_OK_NODATA);
	if (!gpu3d_fence_echoed(&g, FENCE0 + 0x180))
		return test_fail(ctx, "fenced TRANSFER_TO_HOST_3D: fence not echoed");
	gpu3d_poison(&u, SENTINEL);
	EXPECT("upload readback", gpu3d_readback(&g, &u, gpu3d_full(&u), FENCE0 + 0x181),
	       VGPU_RESP_OK_NODATA);
	if (!gpu3d_check(&u, gpu3d_full(&u), want_upload, 0xffffffffu, &m))
		return mismatch(ctx, "TRANSFER_TO_HOST_3D then FROM_HOST", &m);
	EXPECT("upload detach", vgpu_ctx_resource(&g, VGPU_CMD_CTX_DETACH_RESOURCE, CTX, UP_ID),
	       VGPU_RESP_OK_NODATA);
	EXPECT("upload unref", vgpu_unref(&g, UP_ID), VGPU_RESP_OK_NODATA);
	report_info("gpu3d_upload", "%ux%u+%u+%u", UP_W, UP_H, UP_X, UP_Y);
	alloc_release(mark);
	return TEST_PASS;
}

/* IN_FLIGHT fenced submits (each a real clear) posted back to back, then
 * reaped: the used ring must return them in order, each answer OK_NODATA
 * with FLAG_FENCE and its own fence id. */
static enum test_result fences_in_flight(struct test_ctx *ctx)
{
	struct slot {
		uint8_t *req;
		struct vgpu_hdr *resp;
		uint16_t head;
	} s[IN_FLIGHT];
	size_t mark = alloc_mark();
	uint32_t order[IN_FLIGHT];

	for (unsigned i = 0; i < IN_FLIGHT; i++) {
		struct virgl_enc e;
		struct vgpu_submit_3d *h;
		s[i].req = page_alloc(4096);
		s[i].resp = page_alloc(sizeof(struct vgpu_hdr));
		if (!s[i].req || !s[i].resp)
			return test_fail(ctx, "out of memory");
		h = (struct vgpu_submit_3d *)s[i].req;
		/* Header and stream in one descriptor this time. */
		venc_init(&e, (uint32_t *)(s[i].req + sizeof(*h)), (4096 - sizeof(*h)) / 4);
		venc_clear_color(&e, clear_rgba);
		venc_nop(&e);
		*h = (struct vgpu_submit_3d){{.type = VGPU_CMD_SUBMIT_3D,
					      .flags = VGPU_FLAG_FENCE,
					      .fence_id = FENCE0 + i,
					      .ctx_id = CTX},
					     venc_bytes(&e),
					     0};
		if (!vgpu_post(&g, h, sizeof(*h) + venc_bytes(&e), NULL, 0, s[i].resp,
			       sizeof(struct vgpu_hdr), &s[i].head))
			return test_fail(ctx, "could not queue fenced submit %u", i);
	}
	for (unsigned n = 0; n < IN_FLIGHT; n++) {
		uint16_t head;
		uint32_t got;
		if (!vgpu_reap(&g, &head, &got, deadline_ms(VGPU_CMD_TIMEOUT_MS)))
			return test_fail(ctx, "fenced submits: only %u of %u answered", n, IN_FLIGHT);
		unsigned i = 0;
		while (i < IN_FLIGHT && s[i].head != head)
			i++;
		if (i == IN_FLIGHT)
			return test_fail(ctx, "fenced submits: unknown head %u came back", head);
		order[n] = i;
		if (got < sizeof(struct vgpu_hdr) || s[i].resp->type != VGPU_RESP_OK_NODATA ||
		    !(s[i].resp->flags & VGPU_FLAG_FENCE) || s[i].resp->fence_id != FENCE0 + i)
			return test_fail(ctx,
					 "fenced submit %u: %u bytes, type 0x%x flags 0x%x fence 0x%lx",
					 i, got, s[i].resp->type, s[i].resp->flags,
					 s[i].resp->fence_id);
	}
	for (unsigned n = 0; n < IN_FLIGHT; n++)
		if (order[n] != n)
			return test_fail(ctx, "fenced submits answered out of order: #%u came %u-th",
					 order[n], n + 1);
	report_info("gpu3d_fences", "%u:in_order", IN_FLIGHT);
	alloc_release(mark);
	return TEST_PASS;
}

static enum test_result triangle(struct test_ctx *ctx)
{
	struct virgl_enc e;
	uint32_t w = rt.fb.width, h = rt.fb.height;
	float verts[3][4];
	const int32_t px[3][2] = {
	    {tri_x0, tri_y0}, {tri_x0, tri_y0 + 2 * tri_l}, {tri_x0 + tri_l, tri_y0 + 2 * tri_l}};

	for (int i = 0; i < 3; i++) {
		verts[i][0] = 2.0f * (float)px[i][0] / (float)w - 1.0f;
		verts[i][1] = 2.0f * (float)px[i][1] / (float)h - 1.0f;
		verts[i][2] = 0.0f;
		verts[i][3] = 1.0f;
	}
	struct vgpu_create_3d vb = {.id = VB_ID,
				    .target = VIRGL_TARGET_BUFFER,
				    .format = VIRGL_FORMAT_R8_UNORM,
				    .bind = VIRGL_BIND_VERTEX_BUFFER,
				    .width = sizeof(verts),
				    .height = 1,
				    .depth = 1,
				    .array_size = 1};
	EXPECT("vertex buffer RESOURCE_CREATE_3D", vgpu_create_3d(&g, &vb), VGPU_RESP_OK_NODATA);
	EXPECT("vertex buffer CTX_ATTACH_RESOURCE",
	       vgpu_ctx_resource(&g, VGPU_CMD_CTX_ATTACH_RESOURCE, CTX, VB_ID), VGPU_RESP_OK_NODATA);

	static const struct virgl_vertex_element ve = {0, 0, 0, VIRGL_FORMAT_R32G32B32A32_FLOAT};
	static const struct virgl_vertex_buffer vbuf = {16, 0, VB_ID};
	venc_init(&e, stream, STREAM_DW);
	venc_create_blend_opaque(&e, BLEND);
	venc_bind_object(&e, VIRGL_OBJECT_BLEND, BLEND);
	venc_create_dsa_off(&e, DSA);
	venc_bind_object(&e, VIRGL_OBJECT_DSA, DSA);
	venc_create_rasterizer_fill(&e, RAST);
	venc_bind_object(&e, VIRGL_OBJECT_RASTERIZER, RAST);
	venc_create_shader(&e, VS, VIRGL_SHADER_VERTEX, vs_text);
	venc_bind_shader(&e, VS, VIRGL_SHADER_VERTEX);
	venc_create_shader(&e, FS, VIRGL_SHADER_FRAGMENT, fs_text);
	venc_bind_shader(&e, FS, VIRGL_SHADER_FRAGMENT);
	venc_create_vertex_elements(&e, VE, 1, &ve);
	venc_bind_object(&e, VIRGL_OBJECT_VERTEX_ELEMENTS, VE);
	venc_inline_write_buffer(&e, VB_ID, 0, verts, sizeof(verts));
	venc_set_vertex_buffers(&e, 1, &vbuf);
	venc_draw_arrays(&e, VIRGL_PRIM_TRIANGLES, 0, 3);
	if (e.overflow)
		return test_fail(ctx, "triangle stream does not fit %u dwords", STREAM_DW);
	report_info("gpu3d_triangle_stream", "%u", venc_bytes(&e));
	EXPECT("triangle SUBMIT_3D", vgpu_submit_3d(&g, CTX, stream, venc_bytes(&e), FENCE0 + 0x200),
	       VGPU_RESP_OK_NODATA);
	if (!gpu3d_fence_echoed(&g, FENCE0 + 0x200))
		return test_fail(ctx, "fenced triangle submit: fence not echoed");
	return TEST_PASS;
}

static enum test_result readbacks(struct test_ctx *ctx)
{
	struct gpu3d_mismatch m;
	struct vgpu_box full = gpu3d_full(&rt);

	/* A sub-box straddling the triangle's slanted edge, read into its
	 * own place in a poisoned backing: offset and stride at work. */
	sub_x = (uint32_t)tri_x0 + (uint32_t)tri_l / 4;
	sub_y = (uint32_t)tri_y0 + (uint32_t)tri_l / 2;
	sub_w = (uint32_t)tri_l / 2 + 3;
	sub_h = (uint32_t)tri_l / 2 + 5;
	gpu3d_poison(&rt, SENTINEL);
	EXPECT("sub-box TRANSFER_FROM_HOST_3D",
	       gpu3d_readback(&g, &rt, (struct vgpu_box){sub_x, sub_y, 0, sub_w, sub_h, 1},
			      FENCE0 + 0x300),
	       VGPU_RESP_OK_NODATA);
	report_info("gpu3d_subbox", "%ux%u+%u+%u:offset=%lu:stride=%lu", sub_w, sub_h, sub_x, sub_y,
		    sub_y * rt.fb.stride + sub_x * 4, rt.fb.stride);
	if (!gpu3d_check(&rt, full, want_sub, px_mask, &m)) {
		bool in = m.x >= sub_x && m.x < sub_x + sub_w && m.y >= sub_y && m.y < sub_y + sub_h;
		if (!in)
			return mismatch(ctx, "sub-box readback wrote outside the box", &m);
		return mismatch(ctx, "sub-box readback", &m);
	}
	EXPECT("full TRANSFER_FROM_HOST_3D", gpu3d_readback(&g, &rt, full, FENCE0 + 0x301),
	       VGPU_RESP_OK_NODATA);
	if (!gpu3d_check(&rt, full, want_scene, px_mask, &m))
		return mismatch(ctx, "triangle readback", &m);
	return TEST_PASS;
}

/* CRC-32 of the expected screen as RGB rows (png_rgb_crc.py's format). */
static uint32_t screen_crc(void)
{
	static uint8_t row[3 * 4096];
	const float *c;
	uint32_t crc = 0;

	for (uint32_t y = 0; y < rt.fb.height; y++) {
		for (uint32_t x = 0; x < rt.fb.width; x++) {
			c = covered(x, y) ? tri_rgba : clear_rgba;
			for (int i = 0; i < 3; i++)
				row[3 * x + i] = (uint8_t)(c[i] * 255.0f + 0.5f);
		}
		crc = crc32_update(crc, row, 3 * rt.fb.width);
	}
	return crc;
}

enum test_result test_gpu3d(struct test_ctx *ctx)
{
	int r = gpu3d_open(&g, ctx->why, sizeof(ctx->why));
	enum test_result t;
	struct virgl_enc e;
	struct gpu3d_mismatch m;

	if (r)
		return r > 0 ? TEST_SKIP : TEST_FAIL;
	if ((t = capsets(ctx)) != TEST_PASS)
		return t;

	EXPECT("GET_DISPLAY_INFO", vgpu_display_info(&g), VGPU_RESP_OK_DISPLAY_INFO);
	const struct vgpu_display_info *di = g.resp;
	uint32_t w = di->pmodes[0].r.width, h = di->pmodes[0].r.height;
	if (w < 64 || h < 64 || w > 4096 || h > 4096)
		return test_fail(ctx, "scanout 0 is %ux%u", w, h);

	EXPECT("CTX_CREATE", vgpu_ctx_create(&g, CTX, "probe-gpu3d"), VGPU_RESP_OK_NODATA);
	if ((t = small_clears(ctx)) != TEST_PASS || (t = upload(ctx)) != TEST_PASS)
		return t;

	EXPECT("render target", gpu3d_rt_create(&g, &rt, CTX, RT_ID, VIRGL_FORMAT_B8G8R8X8_UNORM, w,
						h, CHUNK),
	       VGPU_RESP_OK_NODATA);
	report_info("gpu3d_target", "%ux%u:format=%u:pieces=%u", w, h, rt.format, rt.fb.nr);
	clear_px = gpu3d_pixel(rt.format, clear_rgba, &px_mask);
	tri_px = gpu3d_pixel(rt.format, tri_rgba, &px_mask);
	uint32_t side = w < h ? w : h;
	tri_x0 = (int32_t)(w / 4);
	tri_y0 = (int32_t)(h / 8);
	tri_l = (int32_t)(side * 3 / 8);

	venc_init(&e, stream, STREAM_DW);
	gpu3d_bind_rt(&e, &rt, SURF);
	venc_clear_color(&e, clear_rgba);
	EXPECT("clear SUBMIT_3D", vgpu_submit_3d(&g, CTX, stream, venc_bytes(&e), 0),
	       VGPU_RESP_OK_NODATA);
	gpu3d_poison(&rt, SENTINEL);
	EXPECT("clear readback", gpu3d_readback(&g, &rt, gpu3d_full(&rt), FENCE0 + 0x10),
	       VGPU_RESP_OK_NODATA);
	if (!gpu3d_check(&rt, gpu3d_full(&rt), want_clear, px_mask, &m))
		return mismatch(ctx, "clear readback", &m);

	if ((t = fences_in_flight(ctx)) != TEST_PASS || (t = triangle(ctx)) != TEST_PASS ||
	    (t = readbacks(ctx)) != TEST_PASS)
		return t;

	struct vgpu_rect full = {0, 0, w, h};
	EXPECT("SET_SCANOUT of the 3D resource", vgpu_set_scanout(&g, 0, RT_ID, full),
	       VGPU_RESP_OK_NODATA);
	EXPECT("RESOURCE_FLUSH of the 3D resource", vgpu_flush(&g, RT_ID, full), VGPU_RESP_OK_NODATA);
	report_info("gpu3d_screen", "%ux%u:%08x", w, h, screen_crc());
	return TEST_PASS; /* the picture stays up for the screenshot */
}
