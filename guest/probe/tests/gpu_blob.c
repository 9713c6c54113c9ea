/* Guest blobs (VIRTIO_GPU_F_RESOURCE_BLOB) through the probe's driver, on
 * two scanouts: scanout 0 shows a blob in one contiguous run of pages (the
 * host can read it in place), scanout 1 a blob on scattered pieces with a
 * page between them (the host needs its shadow), each with a padded row
 * stride and a non-zero offset given by SET_SCANOUT_BLOB. Then a partial
 * update (guest writes, TRANSFER_TO_HOST_2D, RESOURCE_FLUSH), the hostile
 * sizes, strides and offsets, each with the spec's error. The pictures
 * stay up: the host compares lkvm-gpu's screenshots (FILE.png, FILE-1.png)
 * with `gpu_blob_screen0` and `gpu_blob_screen1` (CRC-32 of the expected
 * RGB rows). Command numbers and layouts are from virtio 1.2 5.7.6. */
#include "lib/alloc.h"
#include "lib/crc32.h"
#include "lib/gpu_fb.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/virtio_gpu.h"
#include "tests/tests.h"

#define F_RESOURCE_BLOB	     (1ull << 3)
#define CMD_CREATE_BLOB	     0x010c
#define CMD_SET_SCANOUT_BLOB 0x010d
#define BLOB_MEM_GUEST	     1
#define BLOB_MEM_HOST3D	     2
#define BLOB_SHAREABLE	     2
#define PAD_PX		     24 /* extra pixels per row */
#define OFF_ROWS	     2	/* rows before the image */
#define OFF_PX		     5	/* and pixels */
#define CHUNK		     (64 * 1024)
#define PART_X		     30
#define PART_Y		     20
#define PART_W		     150
#define PART_H		     90

struct create_blob {
	struct vgpu_hdr hdr;
	uint32_t id, blob_mem, blob_flags, nr_entries;
	uint64_t blob_id, size;
};

struct scanout_blob {
	struct vgpu_hdr hdr;
	struct vgpu_rect r;
	uint32_t scanout, id, width, height, format, padding;
	uint32_t strides[4], offsets[4];
};

static struct vgpu g;
static uint32_t w, h, stride;

static uint32_t pattern(unsigned s, uint32_t x, uint32_t y)
{
	uint32_t p = ((x * 5 + s * 77) & 0xff) << 16 | ((y * 3) & 0xff) << 8 | ((x ^ y) & 0xff);

	if (x >= PART_X && x < PART_X + PART_W && y >= PART_Y && y < PART_Y + PART_H)
		p ^= 0x00ff00ff;
	return p;
}

/* Where pixel (x, y) of the image lies in the blob. */
static uint64_t at(uint32_t x, uint32_t y)
{
	return (uint64_t)(OFF_ROWS + y) * stride + (uint64_t)(OFF_PX + x) * 4;
}

static uint32_t screen_crc(unsigned s)
{
	static uint8_t row[3 * 4096];
	uint32_t crc = 0;

	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			uint32_t p = pattern(s, x, y);
			row[3 * x] = (uint8_t)(p >> 16);
			row[3 * x + 1] = (uint8_t)(p >> 8);
			row[3 * x + 2] = (uint8_t)p;
		}
		crc = crc32_update(crc, row, 3 * w);
	}
	return crc;
}

static uint32_t create_blob(uint32_t id, uint32_t mem, uint64_t size,
			    const struct vgpu_mem_entry *e, uint32_t n)
{
	struct create_blob c = {{.type = CMD_CREATE_BLOB}, id, mem, BLOB_SHAREABLE, n, 0, size};
	uint32_t got;

	return vgpu_cmd2(&g, &c, sizeof(c), e, n * sizeof(*e), sizeof(struct vgpu_hdr), &got);
}

static uint32_t scanout_blob(uint32_t scanout, uint32_t id, struct vgpu_rect r, uint32_t str,
			     uint32_t off)
{
	struct scanout_blob s = {.hdr = {.type = CMD_SET_SCANOUT_BLOB},
				 .r = r,
				 .scanout = scanout,
				 .id = id,
				 .width = w,
				 .height = h,
				 .format = VGPU_FORMAT_B8G8R8X8};
	uint32_t got;

	s.strides[0] = str;
	s.offsets[0] = off;
	return vgpu_cmd(&g, &s, sizeof(s), sizeof(struct vgpu_hdr), &got);
}

/* Pixel writers for the two kinds of memory. */
static uint8_t *contig;
static struct gpu_fb fb;

static uint32_t *px(unsigned s, uint64_t off)
{
	if (s == 0)
		return (uint32_t *)(contig + off);
	return (uint32_t *)(fb.piece[off / fb.chunk] + off % fb.chunk);
}

static enum test_result show(struct test_ctx *ctx, unsigned s, uint32_t id, uint64_t bytes,
			     const struct vgpu_mem_entry *e, uint32_t n)
{
	struct vgpu_rect full = {0, 0, w, h}, part = {PART_X, PART_Y, PART_W, PART_H};

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			*px(s, at(x, y)) = pattern(s, x, y) ^ 0x00ff00ff; /* the part inverted */
	EXPECT("RESOURCE_CREATE_BLOB", create_blob(id, BLOB_MEM_GUEST, bytes, e, n),
	       VGPU_RESP_OK_NODATA);
	EXPECT("SET_SCANOUT_BLOB", scanout_blob(s, id, full, stride, (uint32_t)at(0, 0)),
	       VGPU_RESP_OK_NODATA);
	EXPECT("RESOURCE_FLUSH", vgpu_flush(&g, id, full), VGPU_RESP_OK_NODATA);
	/* Everything outside the part was inverted twice: now the pattern;
	 * the part is redrawn, transferred (nothing to copy) and flushed. */
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			*px(s, at(x, y)) = pattern(s, x, y);
	EXPECT("TRANSFER_TO_HOST_2D on a blob", vgpu_transfer(&g, id, part, at(PART_X, PART_Y)),
	       VGPU_RESP_OK_NODATA);
	EXPECT("partial RESOURCE_FLUSH", vgpu_flush(&g, id, part), VGPU_RESP_OK_NODATA);
	return TEST_PASS;
}

static enum test_result hostile(struct test_ctx *ctx, uint32_t id, uint64_t bytes,
				const struct vgpu_mem_entry *e, uint32_t n)
{
	struct vgpu_rect full = {0, 0, w, h};
	uint32_t last = (uint32_t)(bytes - ((uint64_t)(h - 1) * stride + (uint64_t)w * 4));

	EXPECT("CREATE_BLOB bigger than its pages",
	       create_blob(90, BLOB_MEM_GUEST, bytes + 1, e, n), VGPU_RESP_ERR_INVALID_PARAMETER);
	EXPECT("CREATE_BLOB HOST3D without 3D", create_blob(90, BLOB_MEM_HOST3D, bytes, NULL, 0),
	       VGPU_RESP_ERR_INVALID_PARAMETER);
	EXPECT("CREATE_BLOB of an id in use", create_blob(id, BLOB_MEM_GUEST, bytes, e, n),
	       VGPU_RESP_ERR_INVALID_RESOURCE_ID);
	EXPECT("ATTACH_BACKING to a blob", vgpu_attach(&g, id, e, 1),
	       VGPU_RESP_ERR_INVALID_PARAMETER);
	/* The last row ends exactly at the blob's end: fine; 4 bytes on: not. */
	EXPECT("SET_SCANOUT_BLOB ending at the blob's end", scanout_blob(1, id, full, stride, last),
	       VGPU_RESP_OK_NODATA);
	EXPECT("SET_SCANOUT_BLOB past the blob", scanout_blob(1, id, full, stride, last + 4),
	       VGPU_RESP_ERR_INVALID_PARAMETER);
	EXPECT("SET_SCANOUT_BLOB stride wrapping 32 bits",
	       scanout_blob(1, id, full, 0x80000000u, 0), VGPU_RESP_ERR_INVALID_PARAMETER);
	EXPECT("SET_SCANOUT_BLOB stride under a row", scanout_blob(1, id, full, w * 4 - 4, 0),
	       VGPU_RESP_ERR_INVALID_PARAMETER);
	EXPECT("SET_SCANOUT_BLOB offset near 2^32", scanout_blob(1, id, full, stride, 0xfffffffcu),
	       VGPU_RESP_ERR_INVALID_PARAMETER);
	EXPECT("SET_SCANOUT_BLOB of a missing blob", scanout_blob(1, 999, full, stride, 0),
	       VGPU_RESP_ERR_INVALID_RESOURCE_ID);
	EXPECT("SET_SCANOUT_BLOB on scanout 16", scanout_blob(16, id, full, stride, 0),
	       VGPU_RESP_ERR_INVALID_SCANOUT_ID);
	return TEST_PASS;
}

enum test_result test_gpu_blob(struct test_ctx *ctx)
{
	int r =
	    vgpu_open_features(&g, VIRTIO_GPU_F_EDID | F_RESOURCE_BLOB, ctx->why, sizeof(ctx->why));
	enum test_result t;
	uint64_t bytes;

	if (r > 0)
		return test_skip(ctx, "no virtio-gpu device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	if (!(g.v.features & F_RESOURCE_BLOB))
		return test_fail(ctx, "the device does not offer RESOURCE_BLOB");
	if (g.num_scanouts < 2)
		return test_fail(ctx, "%u scanouts: run with --gpu-outputs 2", g.num_scanouts);
	EXPECT("GET_DISPLAY_INFO", vgpu_display_info(&g), VGPU_RESP_OK_DISPLAY_INFO);
	const struct vgpu_display_info *di = g.resp;
	w = di->pmodes[0].r.width;
	h = di->pmodes[0].r.height;
	if (!w || !h || w > 4096 || h > 4096 || w < PART_X + PART_W || h < PART_Y + PART_H)
		return test_fail(ctx, "scanout 0 is %ux%u", w, h);
	stride = (w + PAD_PX) * 4;
	bytes = (uint64_t)(OFF_ROWS + h + 1) * stride;

	/* Scanout 0: one contiguous run of pages. */
	contig = page_alloc(bytes);
	if (!contig)
		return test_fail(ctx, "out of memory");
	struct vgpu_mem_entry one = {phys_addr(contig), (uint32_t)bytes, 0};
	if ((t = show(ctx, 0, 1, bytes, &one, 1)) != TEST_PASS)
		return t;
	/* Scanout 1: scattered pieces (gpu_fb's layout: a page between). */
	if (!gpu_fb_alloc(&fb, 2, w + PAD_PX, OFF_ROWS + h + 1, CHUNK))
		return test_fail(ctx, "out of memory");
	if ((t = show(ctx, 1, 2, fb.bytes, fb.entry, fb.nr)) != TEST_PASS ||
	    (t = hostile(ctx, 2, fb.bytes, fb.entry, fb.nr)) != TEST_PASS)
		return t;
	/* The hostile part moved scanout 1: show the picture again. */
	EXPECT("SET_SCANOUT_BLOB again",
	       scanout_blob(1, 2, (struct vgpu_rect){0, 0, w, h}, stride, (uint32_t)at(0, 0)),
	       VGPU_RESP_OK_NODATA);
	report_info("gpu_blob_screen0", "%ux%u:%08x", w, h, screen_crc(0));
	report_info("gpu_blob_screen1", "%ux%u:%08x", w, h, screen_crc(1));
	return TEST_PASS; /* the pictures stay up for the screenshots */
}
