/* virtio-gpu 2D through the probe's driver: display info, EDID, a resource
 * in every 2D format, a full-screen framebuffer on scattered backing with a
 * known pattern (whole and partial transfers, non-zero offset), scanout,
 * flush, a fenced command, a cursor uploaded and moved, and the basic error
 * codes. The picture stays on screen: the host compares lkvm-gpu's
 * --screenshot with `gpu_screen` (CRC-32 of the expected RGB bytes, cursor
 * included; the cursor is fully opaque or fully transparent so blending
 * cannot round differently). */
#include "lib/alloc.h"
#include "lib/crc32.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/gpu_fb.h"
#include "lib/virtio_gpu.h"
#include "tests/tests.h"

#define FB_ID	   1
#define CURSOR_ID  2
#define FORMAT_ID0 10
#define CHUNK	   (64 * 1024)
#define MAX_CHUNKS 160
#define PART_X	   100
#define PART_Y	   60
#define PART_W	   200
#define PART_H	   100
#define CUR_X	   300
#define CUR_Y	   200
#define HOT_X	   2
#define HOT_Y	   3

static struct vgpu g;
static struct gpu_fb fb;
static uint32_t fb_w, fb_h;
static uint32_t *cursor;

static uint32_t pattern(uint32_t x, uint32_t y)
{
	return ((x * 7) & 0xff) << 16 | ((y * 3) & 0xff) << 8 | ((x ^ y) & 0xff);
}

static bool in_part(uint32_t x, uint32_t y)
{
	return x >= PART_X && x < PART_X + PART_W && y >= PART_Y && y < PART_Y + PART_H;
}

/* What the framebuffer holds after the partial update. */
static uint32_t fb_pixel(uint32_t x, uint32_t y)
{
	return in_part(x, y) ? pattern(x, y) ^ 0x00ff00ff : pattern(x, y);
}

static uint32_t cursor_pixel(uint32_t x, uint32_t y)
{
	if (x > y || y >= 40)
		return 0; /* transparent: zero colour too (premultiplied) */
	return x == 0 || x == y || y == 39 ? 0xff000000 : 0xffffff00; /* black edge, yellow */
}

/* CRC-32 of the screen as RGB bytes, row by row, cursor on top. */
static uint32_t screen_crc(void)
{
	static uint8_t row[3 * 4096];
	uint32_t crc = 0;
	int32_t cx0 = CUR_X - HOT_X, cy0 = CUR_Y - HOT_Y;

	for (uint32_t y = 0; y < fb_h; y++) {
		for (uint32_t x = 0; x < fb_w; x++) {
			uint32_t p = fb_pixel(x, y);
			int32_t cx = (int32_t)x - cx0, cy = (int32_t)y - cy0;
			if (cx >= 0 && cy >= 0 && cx < VGPU_CURSOR_DIM && cy < VGPU_CURSOR_DIM) {
				uint32_t c = cursor_pixel((uint32_t)cx, (uint32_t)cy);
				if (c >> 24)
					p = c;
			}
			row[3 * x] = (uint8_t)(p >> 16);
			row[3 * x + 1] = (uint8_t)(p >> 8);
			row[3 * x + 2] = (uint8_t)p;
		}
		crc = crc32_update(crc, row, 3 * fb_w);
	}
	return crc;
}

static enum test_result display_and_edid(struct test_ctx *ctx)
{
	uint32_t got;

	EXPECT("GET_DISPLAY_INFO", vgpu_display_info(&g), VGPU_RESP_OK_DISPLAY_INFO);
	const struct vgpu_display_info *di = g.resp;
	for (uint32_t i = 0; i < g.num_scanouts && i < VGPU_MAX_SCANOUTS; i++)
		report_info("gpu_display", "%u:%ux%u+%u+%u:%s", i, di->pmodes[i].r.width,
			    di->pmodes[i].r.height, di->pmodes[i].r.x, di->pmodes[i].r.y,
			    di->pmodes[i].enabled ? "on" : "off");
	fb_w = di->pmodes[0].r.width;
	fb_h = di->pmodes[0].r.height;
	if (!di->pmodes[0].enabled || !fb_w || !fb_h || fb_w > 4096 || fb_h > 4096)
		return test_fail(ctx, "scanout 0 is %ux%u, %s", fb_w, fb_h,
				 di->pmodes[0].enabled ? "enabled" : "disabled");
	if (!g.edid)
		return TEST_PASS;
	struct {
		struct vgpu_hdr hdr;
		uint32_t scanout, padding;
	} e = {{.type = VGPU_CMD_GET_EDID}, 0, 0};
	EXPECT("GET_EDID", vgpu_cmd(&g, &e, sizeof(e), sizeof(struct vgpu_edid), &got),
	       VGPU_RESP_OK_EDID);
	const struct vgpu_edid *r = g.resp;
	static const uint8_t magic[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
	uint8_t sum = 0;
	for (unsigned i = 0; i < 128; i++)
		sum += r->edid[i];
	report_info("gpu_edid", "%u", r->size);
	if (r->size < 128 || r->size > 1024 || memcmp(r->edid, magic, 8) || sum)
		return test_fail(ctx, "EDID of %u bytes: bad header or checksum", r->size);
	return TEST_PASS;
}

static enum test_result every_format(struct test_ctx *ctx)
{
	static const uint32_t formats[] = {
	    VGPU_FORMAT_B8G8R8A8, VGPU_FORMAT_B8G8R8X8, VGPU_FORMAT_A8R8G8B8, VGPU_FORMAT_X8R8G8B8,
	    VGPU_FORMAT_R8G8B8A8, VGPU_FORMAT_X8B8G8R8, VGPU_FORMAT_A8B8G8R8, VGPU_FORMAT_R8G8B8X8,
	};
	uint8_t *buf = page_alloc(16 * 16 * 4);

	if (!buf)
		return test_fail(ctx, "out of memory");
	for (unsigned i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		uint32_t id = FORMAT_ID0 + i;
		struct vgpu_mem_entry e = {phys_addr(buf), 16 * 16 * 4, 0};
		EXPECT("RESOURCE_CREATE_2D", vgpu_create_2d(&g, id, formats[i], 16, 16),
		       VGPU_RESP_OK_NODATA);
		EXPECT("ATTACH_BACKING", vgpu_attach(&g, id, &e, 1), VGPU_RESP_OK_NODATA);
		EXPECT("TRANSFER_TO_HOST_2D",
		       vgpu_transfer(&g, id, (struct vgpu_rect){0, 0, 16, 16}, 0),
		       VGPU_RESP_OK_NODATA);
		EXPECT("RESOURCE_UNREF", vgpu_unref(&g, id), VGPU_RESP_OK_NODATA);
	}
	return TEST_PASS;
}

static enum test_result framebuffer(struct test_ctx *ctx)
{
	struct vgpu_rect full = {0, 0, fb_w, fb_h};

	EXPECT("framebuffer create + attach", gpu_fb_create(&g, &fb, FB_ID, fb_w, fb_h, CHUNK),
	       VGPU_RESP_OK_NODATA);
	uint64_t stride = fb.stride;
	for (uint32_t y = 0; y < fb_h; y++)
		for (uint32_t x = 0; x < fb_w; x++)
			*gpu_fb_px(&fb, x, y) = pattern(x, y);
	EXPECT("TRANSFER_TO_HOST_2D", vgpu_transfer(&g, FB_ID, full, 0), VGPU_RESP_OK_NODATA);
	EXPECT("SET_SCANOUT", vgpu_set_scanout(&g, 0, FB_ID, full), VGPU_RESP_OK_NODATA);
	EXPECT("RESOURCE_FLUSH", vgpu_flush(&g, FB_ID, full), VGPU_RESP_OK_NODATA);

	/* A partial update: only the rectangle changes, sent from its offset. */
	if (fb_w < PART_X + PART_W || fb_h < PART_Y + PART_H)
		return test_fail(ctx, "scanout %ux%u is too small for the test", fb_w, fb_h);
	for (uint32_t y = 0; y < fb_h; y++)
		for (uint32_t x = 0; x < fb_w; x++)
			*gpu_fb_px(&fb, x, y) = fb_pixel(x, y);
	struct vgpu_rect part = {PART_X, PART_Y, PART_W, PART_H};
	EXPECT("partial TRANSFER_TO_HOST_2D",
	       vgpu_transfer(&g, FB_ID, part, PART_Y * stride + PART_X * 4), VGPU_RESP_OK_NODATA);
	EXPECT("partial RESOURCE_FLUSH", vgpu_flush(&g, FB_ID, part), VGPU_RESP_OK_NODATA);

	/* A fenced command answers with the same fence. */
	struct {
		struct vgpu_hdr hdr;
		struct vgpu_rect r;
		uint64_t offset;
		uint32_t id, padding;
	} t = {{.type = VGPU_CMD_TRANSFER_TO_HOST_2D, .flags = VGPU_FLAG_FENCE, .fence_id = 0x1234},
	       {0, 0, 1, 1},
	       0,
	       FB_ID,
	       0};
	uint32_t got;
	EXPECT("fenced TRANSFER_TO_HOST_2D", vgpu_cmd(&g, &t, sizeof(t), sizeof(t.hdr), &got),
	       VGPU_RESP_OK_NODATA);
	const struct vgpu_hdr *h = g.resp;
	if (!(h->flags & VGPU_FLAG_FENCE) || h->fence_id != 0x1234)
		return test_fail(ctx, "fenced response has flags 0x%x fence %lu", h->flags,
				 h->fence_id);
	return TEST_PASS;
}

static enum test_result cursor_up(struct test_ctx *ctx)
{
	const uint32_t bytes = VGPU_CURSOR_DIM * VGPU_CURSOR_DIM * 4;

	cursor = page_alloc(bytes);
	if (!cursor)
		return test_fail(ctx, "out of memory");
	for (uint32_t y = 0; y < VGPU_CURSOR_DIM; y++)
		for (uint32_t x = 0; x < VGPU_CURSOR_DIM; x++)
			cursor[y * VGPU_CURSOR_DIM + x] = cursor_pixel(x, y);
	struct vgpu_mem_entry e = {phys_addr(cursor), bytes, 0};
	struct vgpu_rect r = {0, 0, VGPU_CURSOR_DIM, VGPU_CURSOR_DIM};
	EXPECT(
	    "cursor RESOURCE_CREATE_2D",
	    vgpu_create_2d(&g, CURSOR_ID, VGPU_FORMAT_B8G8R8A8, VGPU_CURSOR_DIM, VGPU_CURSOR_DIM),
	    VGPU_RESP_OK_NODATA);
	EXPECT("cursor ATTACH_BACKING", vgpu_attach(&g, CURSOR_ID, &e, 1), VGPU_RESP_OK_NODATA);
	EXPECT("cursor TRANSFER_TO_HOST_2D", vgpu_transfer(&g, CURSOR_ID, r, 0),
	       VGPU_RESP_OK_NODATA);
	struct {
		struct vgpu_hdr hdr;
		uint32_t scanout, x, y, padding;
		uint32_t id, hot_x, hot_y, padding2;
	} c = {{.type = VGPU_CMD_UPDATE_CURSOR}, 0, 40, 30, 0, CURSOR_ID, HOT_X, HOT_Y, 0};
	if (!vgpu_cursor_cmd(&g, &c, sizeof(c)))
		return test_fail(ctx, "UPDATE_CURSOR not consumed");
	c.hdr.type = VGPU_CMD_MOVE_CURSOR;
	c.x = CUR_X;
	c.y = CUR_Y;
	if (!vgpu_cursor_cmd(&g, &c, sizeof(c)))
		return test_fail(ctx, "MOVE_CURSOR not consumed");
	return TEST_PASS;
}

static enum test_result errors(struct test_ctx *ctx)
{
	struct vgpu_rect r = {0, 0, 1, 1};

	EXPECT("TRANSFER to resource 999", vgpu_transfer(&g, 999, r, 0),
	       VGPU_RESP_ERR_INVALID_RESOURCE_ID);
	EXPECT("SET_SCANOUT 99", vgpu_set_scanout(&g, 99, FB_ID, r),
	       VGPU_RESP_ERR_INVALID_SCANOUT_ID);
	EXPECT("RESOURCE_CREATE_2D id 0", vgpu_create_2d(&g, 0, VGPU_FORMAT_B8G8R8X8, 8, 8),
	       VGPU_RESP_ERR_INVALID_RESOURCE_ID);
	EXPECT("RESOURCE_CREATE_2D duplicate id",
	       vgpu_create_2d(&g, FB_ID, VGPU_FORMAT_B8G8R8X8, 8, 8),
	       VGPU_RESP_ERR_INVALID_RESOURCE_ID);
	return TEST_PASS;
}

enum test_result test_gpu(struct test_ctx *ctx)
{
	int r = vgpu_open(&g, ctx->why, sizeof(ctx->why));
	enum test_result t;

	if (r > 0)
		return test_skip(ctx, "no virtio-gpu device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	report_info("gpu_scanouts", "%u", g.num_scanouts);
	if (g.num_scanouts < 1 || g.num_scanouts > VGPU_MAX_SCANOUTS)
		return test_fail(ctx, "num_scanouts %u", g.num_scanouts);
	if ((t = display_and_edid(ctx)) != TEST_PASS || (t = every_format(ctx)) != TEST_PASS ||
	    (t = framebuffer(ctx)) != TEST_PASS || (t = cursor_up(ctx)) != TEST_PASS ||
	    (t = errors(ctx)) != TEST_PASS)
		return t;
	report_info("gpu_screen", "%ux%u:%08x", fb_w, fb_h, screen_crc());
	return TEST_PASS; /* the picture stays up for the screenshot */
}
