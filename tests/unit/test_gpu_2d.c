/* The 2D backend over fake guest memory: transfers pixel-exact for every
 * format over scattered backing, scanouts, flush damage, cursor, caps and
 * every hostile case the backend must refuse. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include "gpu/backend.h"
#include "gpu/gpu_priv.h"
#include "gpu/backing.h"
#include "gpu/copy.h"
#include "gpu/format.h"
#include "gpu/resources.h"
#include "gpu/transfer.h"
#include "display/png.h"
#include "tests/unit/test_gpu_util.h"

#define MEM_BASE 0x100000ull
#define MEM_SIZE (8u << 20)

static uint8_t *ram;
static struct guest_mem gm;
static struct fake_display fd;
static struct gpu *g;
static uint8_t buf[1 << 20];

/* The device frontend and the 2D backend, driven without a worker queue:
 * commands go straight to gpu_dispatch. The fake display is lazy (like
 * headless): pixels are made current only when read (gpu_scanouts_sync,
 * as before a screenshot). */
static void create_gpu(struct display *d, uint64_t limit, uint32_t max_res)
{
	struct gpu_config cfg = {.outputs = d->nr_outputs,
				 .width = 640,
				 .height = 480,
				 .mem_limit = limit,
				 .max_resources = max_res,
				 .display = d,
				 .mem = &gm};
	char err[128];

	g = gpu_create(&cfg, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
}

static void setup_mem(uint64_t limit, uint32_t max_res)
{
	ram = calloc(1, MEM_SIZE);
	guest_mem_init_flat(&gm, MEM_BASE, ram, MEM_SIZE);
	fake_display_init(&fd, 2);
	fd.d.ops = &fake_lazy_display_ops;
	create_gpu(&fd.d, limit, max_res);
}

static void setup(void)
{
	setup_mem(64u << 20, 1024);
}

static void teardown(void)
{
	gpu_destroy(g);
	free(ram);
}

static enum gpu_err run(size_t n)
{
	return gpu_run_request(g, buf, n);
}

/* Scattered backing for a linear buffer of len bytes: a 100-byte first
 * entry, then 4 KiB pages placed in reverse order with a page gap between
 * them, then the remainder. Returns the entry count; lin2gpa maps. */
#define MAX_ENT 4096
static struct gpu_mem_entry ents[MAX_ENT];
static uint32_t nents;

static uint32_t scatter(uint64_t len)
{
	uint64_t off = 0, top = MEM_BASE + MEM_SIZE;
	uint32_t n = 0;

	while (off < len) {
		uint32_t l = n == 0 ? 100 : 4096;

		if (l > len - off)
			l = (uint32_t)(len - off);
		top -= 8192;
		ents[n].addr = top + (n & 1) * 12; /* odd-ish placement */
		ents[n].len = l;
		off += l;
		n++;
	}
	nents = n;
	return n;
}

static uint8_t *lin2host(uint64_t lin)
{
	for (uint32_t i = 0; i < nents; i++) {
		if (lin < ents[i].len)
			return ram + (ents[i].addr + lin - MEM_BASE);
		lin -= ents[i].len;
	}
	cr_assert_fail("linear offset past backing");
	return NULL;
}

static uint8_t pattern(uint64_t lin)
{
	return (uint8_t)(lin * 7 + (lin >> 8) * 13 + 1);
}

static void fill_backing(uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		*lin2host(i) = pattern(i);
}

static void make_res(uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
	cr_assert_eq(run(req_create_2d(buf, id, fmt, w, h)), GPU_OK);
	scatter((uint64_t)w * h * 4);
	fill_backing((uint64_t)w * h * 4);
	cr_assert_eq(run(req_attach(buf, id, ents, nents)), GPU_OK);
}

/* Frame pixel (x, y) as a8r8g8b8, via pixman. */
static uint32_t frame_argb(const struct display_frame *f, uint32_t x, uint32_t y)
{
	uint32_t out = 0;
	pixman_image_t *src, *dst;

	gpu_scanouts_sync(g); /* as before a screenshot */
	src = pixman_image_create_bits(f->format, f->width, f->height, (uint32_t *)f->data,
				       f->stride);
	dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, 1, 1, &out, 4);

	pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, x, y, 0, 0, 0, 0, 1, 1);
	pixman_image_unref(src);
	pixman_image_unref(dst);
	return out;
}

struct fmt_case {
	uint32_t fmt;
	int a, r, g, b; /* byte index in memory, -1: none (X) */
};

static const struct fmt_case fmts[] = {
    {VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 3, 2, 1, 0}, {VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, -1, 2, 1, 0},
    {VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 0, 1, 2, 3}, {VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, -1, 1, 2, 3},
    {VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 3, 0, 1, 2}, {VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, -1, 3, 2, 1},
    {VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, 0, 3, 2, 1}, {VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, -1, 0, 1, 2},
};

static uint32_t expect_argb(const struct fmt_case *f, const uint8_t *px)
{
	uint32_t a = f->a < 0 ? 0xff : px[f->a];

	return a << 24 | (uint32_t)px[f->r] << 16 | (uint32_t)px[f->g] << 8 | px[f->b];
}

#define W 53
#define H 41

/* Transfer rect (rx, ry, rw, rh) with offset off; then check every pixel. */
static void check_transfer(const struct fmt_case *f, uint32_t id, uint32_t rx, uint32_t ry,
			   uint32_t rw, uint32_t rh, uint64_t off)
{
	uint8_t zero[4] = {0};

	cr_assert_eq(run(req_transfer(buf, id, rx, ry, rw, rh, off)), GPU_OK);
	cr_assert_eq(run(req_set_scanout(buf, 0, id, 0, 0, W, H)), GPU_OK);
	cr_assert_eq(run(req_flush(buf, id, 0, 0, W, H)), GPU_OK);
	for (uint32_t y = 0; y < H; y++) {
		for (uint32_t x = 0; x < W; x++) {
			uint8_t px[4];
			bool in = x >= rx && x < rx + rw && y >= ry && y < ry + rh;

			if (in) {
				uint64_t lin = off + (uint64_t)(y - ry) * W * 4 + (x - rx) * 4;

				for (int k = 0; k < 4; k++)
					px[k] = pattern(lin + k);
			}
			cr_assert_eq(frame_argb(&fd.frame[0], x, y), expect_argb(f, in ? px : zero),
				     "fmt %u pixel (%u,%u) in=%d", f->fmt, x, y, in);
		}
	}
}

Test(gpu_2d, every_format_partial_transfer_pixel_exact, .init = setup, .fini = teardown)
{
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		uint32_t id = 10 + i;

		make_res(id, fmts[i].fmt, W, H);
		cr_assert_gt(nents, 2);
		/* Linux's offset: where the rectangle's first pixel is. */
		check_transfer(&fmts[i], id, 5, 3, 20, 10, 3 * W * 4 + 5 * 4);
	}
}

Test(gpu_2d, every_format_whole_transfer_pixel_exact, .init = setup, .fini = teardown)
{
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		uint32_t id = 20 + i;

		make_res(id, fmts[i].fmt, W, H);
		check_transfer(&fmts[i], id, 0, 0, W, H, 0);
	}
}

Test(gpu_2d, odd_offset_is_a_linear_byte_offset, .init = setup, .fini = teardown)
{
	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	/* Offset unrelated to the rectangle: rows still step by width*bpp. */
	check_transfer(&fmts[1], 1, 2, 1, 7, 5, 8);
}

Test(gpu_2d, full_width_rows_at_y_offset, .init = setup, .fini = teardown)
{
	make_res(1, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, W, H);
	check_transfer(&fmts[4], 1, 0, 7, W, 9, 7 * W * 4);
}

Test(gpu_2d, transfer_offset_near_2_64_rejected, .init = setup, .fini = teardown)
{
	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, 1, 1, UINT64_MAX)), GPU_E_BAD_OFFSET);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, W, H, 0xfffffffffffff000ull)),
		     GPU_E_BAD_OFFSET);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, 1, 1, (uint64_t)W * H * 4 - 3)),
		     GPU_E_BAD_OFFSET);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, 1, 1, (uint64_t)W * H * 4 - 4)), GPU_OK);
	/* Last row reaches one byte past the backing. */
	cr_assert_eq(run(req_transfer(buf, 1, 0, 1, W, H - 1, W * 4 + 4)), GPU_E_BAD_OFFSET);
}

Test(gpu_2d, transfer_rect_outside_resource_rejected, .init = setup, .fini = teardown)
{
	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	cr_assert_eq(run(req_transfer(buf, 1, 1, 0, W, 1, 0)), GPU_E_BAD_RECT);
	cr_assert_eq(run(req_transfer(buf, 1, 0, H, 1, 1, 0)), GPU_E_BAD_RECT);
	cr_assert_eq(run(req_transfer(buf, 1, 0x7fffffff, 0, 0x7fffffff, 1, 0)), GPU_E_BAD_RECT);
	cr_assert_eq(run(req_transfer(buf, 9, 0, 0, 1, 1, 0)), GPU_E_RES_UNKNOWN);
}

Test(gpu_2d, transfer_without_backing_rejected, .init = setup, .fini = teardown)
{
	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8)), GPU_OK);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, 8, 8, 0)), GPU_E_NO_BACKING);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1)),
		     GPU_E_NO_BACKING);
}

Test(gpu_2d, backing_smaller_than_resource_rejected_at_use, .init = setup, .fini = teardown)
{
	struct gpu_mem_entry e = {MEM_BASE, 64};

	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8)), GPU_OK);
	cr_assert_eq(run(req_attach(buf, 1, &e, 1)), GPU_OK);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, 4, 4, 0)), GPU_E_BAD_OFFSET);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, 8, 2, 0)), GPU_OK);
}

Test(gpu_2d, backing_outside_guest_memory_rejected, .init = setup, .fini = teardown)
{
	struct gpu_mem_entry bad[][2] = {
	    {{MEM_BASE, 4096}, {MEM_BASE + MEM_SIZE - 100, 101}},
	    {{0, 4096}, {MEM_BASE, 4096}},
	    {{UINT64_MAX - 10, 4096}, {MEM_BASE, 4096}},
	    {{MEM_BASE, 0}, {MEM_BASE, 4096}},
	};

	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8)), GPU_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(run(req_attach(buf, 1, bad[i], 2)), GPU_E_BAD_BACKING, "case %zu", i);
	/* Nothing stuck: a good attach still works, a second one does not. */
	cr_assert_eq(run(req_attach(buf, 1, bad[0], 1)), GPU_OK);
	cr_assert_eq(run(req_attach(buf, 1, bad[0], 1)), GPU_E_HAS_BACKING);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1)), GPU_OK);
	cr_assert_eq(run(req_attach(buf, 1, bad[0], 1)), GPU_OK);
	cr_assert_eq(run(req_attach(buf, 2, bad[0], 1)), GPU_E_RES_UNKNOWN);
}

Test(gpu_2d, create_rejects_bad_ids_formats_sizes, .init = setup, .fini = teardown)
{
	cr_assert_eq(run(req_create_2d(buf, 0, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8)),
		     GPU_E_RES_ID_ZERO);
	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8)), GPU_OK);
	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8)),
		     GPU_E_RES_EXISTS);
	cr_assert_eq(run(req_create_2d(buf, 2, 0, 8, 8)), GPU_E_BAD_FORMAT);
	cr_assert_eq(run(req_create_2d(buf, 2, 5, 8, 8)), GPU_E_BAD_FORMAT);
	cr_assert_eq(run(req_create_2d(buf, 2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, 8)),
		     GPU_E_BAD_SIZE);
	cr_assert_eq(run(req_create_2d(buf, 2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 0)),
		     GPU_E_BAD_SIZE);
	cr_assert_eq(
	    run(req_create_2d(buf, 2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0xffffffff, 0xffffffff)),
	    GPU_E_BAD_SIZE);
	cr_assert_eq(
	    run(req_create_2d(buf, 2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, GPU_MAX_DIM + 1, 1)),
	    GPU_E_BAD_SIZE);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1)), GPU_OK);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1)), GPU_E_RES_UNKNOWN);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 0)), GPU_E_RES_UNKNOWN);
}

Test(gpu_2d, memory_cap_gives_out_of_memory_and_recovers)
{
	setup_mem(1u << 20, 1024);
	/* 512x512x4 is exactly the cap, plus bookkeeping: too much. */
	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 512, 512)),
		     GPU_E_NO_MEM);
	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256)),
		     GPU_OK);
	cr_assert_eq(run(req_create_2d(buf, 2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256)),
		     GPU_OK);
	cr_assert_eq(run(req_create_2d(buf, 3, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256)),
		     GPU_OK);
	cr_assert_eq(run(req_create_2d(buf, 4, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256)),
		     GPU_E_NO_MEM);
	cr_assert_eq(gpu_err_to_resp(GPU_E_NO_MEM), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 2)), GPU_OK);
	cr_assert_eq(run(req_create_2d(buf, 4, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256)),
		     GPU_OK);
	teardown();
}

Test(gpu_2d, resource_count_cap)
{
	setup_mem(64u << 20, 3);
	for (uint32_t id = 1; id <= 3; id++)
		cr_assert_eq(run(req_create_2d(buf, id, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 4, 4)),
			     GPU_OK);
	cr_assert_eq(run(req_create_2d(buf, 4, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 4, 4)),
		     GPU_E_TOO_MANY);
	teardown();
}

Test(gpu_2d, set_scanout_checks_and_sub_rectangle, .init = setup, .fini = teardown)
{
	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	cr_assert_eq(run(req_set_scanout(buf, 2, 1, 0, 0, W, H)), GPU_E_BAD_SCANOUT);
	cr_assert_eq(run(req_set_scanout(buf, 0xffffffff, 1, 0, 0, W, H)), GPU_E_BAD_SCANOUT);
	cr_assert_eq(run(req_set_scanout(buf, 0, 2, 0, 0, W, H)), GPU_E_RES_UNKNOWN);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 1, 0, W, H)), GPU_E_BAD_RECT);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 0, 0, 0, H)), GPU_E_BAD_RECT);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, W, H, 0)), GPU_OK);
	/* Scanout 1 shows a 10x6 window at (4, 5) of the resource. */
	cr_assert_eq(run(req_set_scanout(buf, 1, 1, 4, 5, 10, 6)), GPU_OK);
	/* A new scanout shows its whole window at once. */
	cr_assert_eq(fd.presents[1], 1);
	cr_assert_eq(fd.damage[1].w, 10);
	cr_assert_eq(fd.damage[1].h, 6);
	/* The same again changes nothing. */
	cr_assert_eq(run(req_set_scanout(buf, 1, 1, 4, 5, 10, 6)), GPU_OK);
	cr_assert_eq(fd.presents[1], 1);
	cr_assert_eq(run(req_flush(buf, 1, 0, 0, 8, 8)), GPU_OK);
	cr_assert_eq(fd.presents[1], 2);
	cr_assert_eq(fd.frame[1].width, 10);
	cr_assert_eq(fd.frame[1].height, 6);
	/* Damage: (0..8)x(0..8) of the resource, clipped to the window. */
	cr_assert_eq(fd.damage[1].x, 0);
	cr_assert_eq(fd.damage[1].y, 0);
	cr_assert_eq(fd.damage[1].w, 4);
	cr_assert_eq(fd.damage[1].h, 3);
	cr_assert_eq(frame_argb(&fd.frame[1], 0, 0),
		     expect_argb(&fmts[1], lin2host(5 * W * 4 + 16)));
	/* A flush outside the window presents nothing. */
	cr_assert_eq(run(req_flush(buf, 1, 20, 20, 4, 2)), GPU_OK);
	cr_assert_eq(fd.presents[1], 2);
	cr_assert_eq(run(req_flush(buf, 1, 0, 0, W + 1, 1)), GPU_E_BAD_RECT);
	cr_assert_eq(run(req_flush(buf, 7, 0, 0, 1, 1)), GPU_E_RES_UNKNOWN);
	/* Resource 0 disables. */
	cr_assert_eq(run(req_set_scanout(buf, 1, 0, 0, 0, 0, 0)), GPU_OK);
	cr_assert_eq(fd.disables[1], 1);
	cr_assert_eq(run(req_flush(buf, 1, 0, 0, W, H)), GPU_OK);
	cr_assert_eq(fd.presents[1], 2);
}

Test(gpu_2d, unref_of_scanned_out_resource_disables_scanout, .init = setup, .fini = teardown)
{
	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 0, 0, W, H)), GPU_OK);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1)), GPU_OK);
	cr_assert_eq(fd.disables[0], 1);
	cr_assert_eq(run(req_flush(buf, 1, 0, 0, 1, 1)), GPU_E_RES_UNKNOWN);
}

Test(gpu_2d, cursor_update_move_and_hostile, .init = setup, .fini = teardown)
{
	/* Same scatter layout for both; the larger one last keeps ents valid. */
	make_res(6, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 32, 32);
	make_res(5, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64);
	cr_assert_eq(run(req_transfer(buf, 5, 0, 0, 64, 64, 0)), GPU_OK);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 100, 50, 5, 3, 4)),
		     GPU_OK);
	cr_assert_eq(fd.cursor_set, 1);
	cr_assert_eq(fd.hot_x, 3);
	cr_assert_eq(fd.hot_y, 4);
	cr_assert_eq(fd.cur_x, 100);
	cr_assert_eq(fd.cur_y, 50);
	for (uint32_t i = 0; i < 64 * 64; i += 97)
		cr_assert_eq(fd.cursor[i], expect_argb(&fmts[0], lin2host(i * 4)), "px %u", i);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_MOVE_CURSOR, 0, (uint32_t)-20, 7, 0, 0, 0)),
		     GPU_OK);
	cr_assert_eq(fd.cur_x, -20);
	cr_assert_eq(fd.cursor_set, 1);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, 0, 99, 0, 0)),
		     GPU_E_RES_UNKNOWN);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, 0, 6, 0, 0)),
		     GPU_E_BAD_CURSOR);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 2, 0, 0, 5, 0, 0)),
		     GPU_E_BAD_SCANOUT);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_MOVE_CURSOR, 9, 0, 0, 0, 0, 0)),
		     GPU_E_BAD_SCANOUT);
	/* Absurd hotspot and position are clamped, not trusted. The cursor
	 * image is 64x64 (virtio 1.2, 5.7.6.10), so a hotspot lies in 0..63;
	 * positions are signed screen coordinates, kept to -4096..16384
	 * (gpu/README.md). Exact values, from those rules: */
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0x7fffffff, 0x80000000, 5,
				    0xffffffff, 1000)),
		     GPU_OK);
	cr_assert_eq(fd.hot_x, 63);
	cr_assert_eq(fd.hot_y, 63);
	cr_assert_eq(fd.cur_x, 16384);
	cr_assert_eq(fd.cur_y, -4096);
	/* In range: passed through, negative positions included. */
	cr_assert_eq(
	    run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, (uint32_t)-64, 16383, 5, 63, 0)),
	    GPU_OK);
	cr_assert_eq(fd.hot_x, 63);
	cr_assert_eq(fd.hot_y, 0);
	cr_assert_eq(fd.cur_x, -64);
	cr_assert_eq(fd.cur_y, 16383);
	/* Resource 0 hides it. */
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, 0, 0, 0, 0)), GPU_OK);
	cr_assert_eq(fd.cursor_hidden, 1);
}

Test(gpu_2d, backing_read_gathers_across_entries, .init = setup, .fini = teardown)
{
	struct gpu_backing b;
	struct gpu_cmd c;
	uint8_t out[9000];

	scatter(10000);
	fill_backing(10000);
	req_attach(buf, 1, ents, nents);
	cr_assert_eq(gpu_decode(buf, 32 + 16 * nents, &c), GPU_OK);
	cr_assert_eq(gpu_backing_attach(&b, &gm, &c), GPU_OK);
	cr_assert_eq(b.total, 10000);
	cr_assert(gpu_backing_read(&b, 50, out, 9000, false));
	for (int i = 0; i < 9000; i++)
		cr_assert_eq(out[i], pattern(50 + i), "byte %d", i);
	cr_assert_not(gpu_backing_read(&b, 1001, out, 9000, false));
	cr_assert_not(gpu_backing_read(&b, UINT64_MAX, out, 2, false));
	cr_assert(gpu_backing_read(&b, 10000, out, 0, false));
	gpu_backing_free(&b);
}

/* A page flip: scanout moves to B, then A is freed. The display must not
 * keep reading A (ASan catches a use after free in the screenshot). */
Test(gpu_2d, flip_then_unref_old_resource_with_headless_display)
{
	struct display_config dc = {.outputs = 1, .width = 64, .height = 48};
	char err[128], path[] = "/tmp/lkvm-gpu-flip-XXXXXX.png";
	struct display *d = display_headless_open(&dc, err, sizeof(err));
	int fdp = mkstemps(path, 4);

	ram = calloc(1, MEM_SIZE);
	guest_mem_init_flat(&gm, MEM_BASE, ram, MEM_SIZE);
	create_gpu(d, 1 << 24, 8);
	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16, 16);
	make_res(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16, 16);
	uint32_t *px, w, h;

	/* Only B gets content; A stays black. */
	cr_assert_eq(run(req_transfer(buf, 2, 0, 0, 16, 16, 0)), GPU_OK);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 0, 0, 16, 16)), GPU_OK);
	cr_assert_eq(run(req_flush(buf, 1, 0, 0, 16, 16)), GPU_OK);
	cr_assert_eq(run(req_set_scanout(buf, 0, 2, 0, 0, 16, 16)), GPU_OK);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1)), GPU_OK);
	cr_assert_eq(gpu_screenshot(g, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	cr_assert_eq(px[3 * 16 + 5], expect_argb(&fmts[1], lin2host(3 * 64 + 20)) & 0xffffff);
	free(px);
	/* Destroying the backend leaves the display a copy. */
	teardown();
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	close(fdp);
	unlink(path);
	display_destroy(d);
}

/* Big transfers take the streaming copy: same bytes, every alignment. */
Test(gpu_2d, large_transfers_stream_pixel_exact, .init = setup, .fini = teardown)
{
	const uint32_t w = 301, h = 299, stride = w * 4;
	const uint8_t *pix;

	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, w, h);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 0, 0, w, h)), GPU_OK);
	/* Full frame, then a misaligned partial one over different bytes. */
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, w, h, 0)), GPU_OK);
	pix = fd.frame[0].data;
	gpu_scanouts_sync(g);
	for (uint64_t i = 0; i < (uint64_t)stride * h; i++)
		cr_assert_eq(pix[i], pattern(i), "byte %lu", (unsigned long)i);
	for (uint64_t i = 0; i < (uint64_t)stride * h; i++)
		*lin2host(i) = pattern(i + 5);
	cr_assert_eq(run(req_transfer(buf, 1, 1, 2, w - 1, h - 2, 2 * stride + 4)), GPU_OK);
	gpu_scanouts_sync(g);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < stride; x++) {
			uint64_t i = (uint64_t)y * stride + x;
			bool in = y >= 2 && x >= 4;

			cr_assert_eq(pix[i], in ? pattern(i + 5) : pattern(i), "(%u,%u)", x, y);
		}
}

Test(gpu_2d, stream_copy_matches_memcpy_at_every_alignment)
{
	static uint8_t src[5000], a[5100], b[5100];

	for (int i = 0; i < 5000; i++)
		src[i] = i * 31 + 7;
	for (int d = 0; d < 17; d++)
		for (int s = 0; s < 17; s++)
			for (size_t n = 0; n < 4900; n += 97) {
				memset(a, 0x5a, sizeof(a));
				memset(b, 0x5a, sizeof(b));
				memcpy(a + d, src + s, n);
				gpu_copy_stream(b + d, src + s, n);
				gpu_copy_stream_done();
				cr_assert_arr_eq(a, b, sizeof(a), "d=%d s=%d n=%zu", d, s, n);
			}
}

/* ---- lazy transfers (gpu/transfer.h) ---- */

#define LW 40
#define LH 30

static const uint8_t *lazy_pixels(void)
{
	make_res(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, LW, LH);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 0, 0, LW, LH)), GPU_OK);
	return fd.frame[0].data;
}

/* Byte i of the resource's pixels as the backing held it when applied. */
static void expect_bytes(const uint8_t *pix, uint64_t from, uint64_t to, int gen)
{
	for (uint64_t i = from; i < to; i++)
		cr_assert_eq(pix[i], (uint8_t)(pattern(i) + gen), "byte %lu gen %d",
			     (unsigned long)i, gen);
}

static void rewrite_backing(int gen)
{
	for (uint64_t i = 0; i < (uint64_t)LW * LH * 4; i++)
		*lin2host(i) = (uint8_t)(pattern(i) + gen);
}

/* A transfer at its natural offset costs no copy until the pixels are
 * read: the headless frame loop does no per-frame copy. */
Test(gpu_2d, natural_offset_transfer_copies_only_when_read, .init = setup, .fini = teardown)
{
	const uint8_t *pix = lazy_pixels();

	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, LW, LH, 0)), GPU_OK);
	cr_assert_eq(run(req_flush(buf, 1, 0, 0, LW, LH)), GPU_OK);
	cr_assert_eq(pix[0], 0, "copied before anyone read the frame");
	cr_assert_eq(pix[LW * LH * 4 - 1], 0);
	gpu_scanouts_sync(g);
	expect_bytes(pix, 0, LW * LH * 4, 0);
	/* Nothing pending now: a second sync reads no backing. */
	rewrite_backing(1);
	gpu_scanouts_sync(g);
	expect_bytes(pix, 0, LW * LH * 4, 0);
}

/* A transfer from another offset is copied at once and must not be
 * overwritten later by a pending transfer of the same pixels. */
Test(gpu_2d, odd_offset_transfer_wins_over_pending, .init = setup, .fini = teardown)
{
	const uint8_t *pix = lazy_pixels();
	const uint64_t stride = LW * 4;

	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, LW, LH, 0)), GPU_OK);
	/* Rows 0..1 of the resource from the backing's rows 10..11. */
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, LW, 2, 10 * stride)), GPU_OK);
	gpu_scanouts_sync(g);
	for (uint64_t i = 0; i < 2 * stride; i++)
		cr_assert_eq(pix[i], pattern(10 * stride + i), "byte %lu", (unsigned long)i);
	expect_bytes(pix, 2 * stride, LH * stride, 0);
}

/* After a detach the guest may reuse its pages: what it transferred
 * before must be what shows. */
Test(gpu_2d, detach_applies_pending_transfers, .init = setup, .fini = teardown)
{
	const uint8_t *pix = lazy_pixels();

	cr_assert_eq(run(req_transfer(buf, 1, 5, 3, 20, 10, 3 * LW * 4 + 5 * 4)), GPU_OK);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 1)), GPU_OK);
	rewrite_backing(9);
	gpu_scanouts_sync(g);
	for (uint32_t y = 3; y < 13; y++)
		expect_bytes(pix, (uint64_t)y * LW * 4 + 20, (uint64_t)y * LW * 4 + 100, 0);
	cr_assert_eq(pix[0], 0, "outside the transfer");
}

/* The cursor image is sampled at UPDATE_CURSOR: pending transfers first. */
Test(gpu_2d, update_cursor_applies_pending_transfers, .init = setup, .fini = teardown)
{
	make_res(7, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64);
	cr_assert_eq(run(req_transfer(buf, 7, 0, 0, 64, 64, 0)), GPU_OK);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 10, 10, 7, 0, 0)),
		     GPU_OK);
	cr_assert_eq(fd.cursor_set, 1);
	cr_assert_eq(fd.cursor[0], expect_argb(&fmts[0], lin2host(0)));
	cr_assert_eq(fd.cursor[64 * 64 - 1], expect_argb(&fmts[0], lin2host(64 * 64 * 4 - 4)));
}

/* Scattered 1x1 transfers: the pending region stays small (applied once
 * it passes GPU_PENDING_MAX_RECTS), so the first ones were copied then. */
Test(gpu_2d, pending_region_stays_bounded, .init = setup, .fini = teardown)
{
	const uint8_t *pix = lazy_pixels();
	const uint64_t stride = LW * 4;

	for (uint32_t i = 0; i <= GPU_PENDING_MAX_RECTS; i++)
		cr_assert_eq(run(req_transfer(buf, 1, 2 * i, i, 1, 1, i * stride + 8 * i)), GPU_OK);
	rewrite_backing(3);
	gpu_scanouts_sync(g);
	for (uint32_t i = 0; i <= GPU_PENDING_MAX_RECTS; i++)
		expect_bytes(pix, i * stride + 8 * i, i * stride + 8 * i + 4, 0);
}
