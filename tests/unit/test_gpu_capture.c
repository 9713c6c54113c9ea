/* gpu_capture (--expect-screen's frames): the scanout's rectangle of its
 * resource, as 0x00RRGGBB words, copied only when the caller's buffer is
 * the frame's size. Expected pixels come from the guest's bytes (B, G, R, X
 * in memory for B8G8R8X8), not from the code under test. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu_priv.h"
#include "tests/unit/test_gpu_util.h"

#define MEM_BASE 0x100000ull
#define MEM_SIZE (1u << 20)
#define RES_W	 8
#define RES_H	 5

static uint8_t *ram;
static struct guest_mem gm;
static struct fake_display fd;
static struct gpu *g;
static uint8_t buf[4096];

static void setup(void)
{
	struct gpu_config cfg = {
	    .outputs = 2, .width = 64, .height = 48, .display = &fd.d, .mem = &gm};
	char err[128];

	ram = calloc(1, MEM_SIZE);
	guest_mem_init_flat(&gm, MEM_BASE, ram, MEM_SIZE);
	fake_display_init(&fd, 2);
	fd.d.ops = &fake_lazy_display_ops;
	g = gpu_create(&cfg, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
}

static void teardown(void)
{
	gpu_destroy(g);
	free(ram);
}

TestSuite(gpu_capture, .init = setup, .fini = teardown);

static enum gpu_err run(size_t n)
{
	return gpu_run_request(g, buf, n);
}

/* Guest byte pattern of pixel (x, y): B, G, R, X. */
static uint8_t chan(uint32_t x, uint32_t y, unsigned c)
{
	return (uint8_t)(x * 31 + y * 17 + c * 85 + 3);
}

/* A RES_W x RES_H B8G8R8X8 resource filled from the pattern, transferred,
 * shown on scanout 0 at (2, 1) 4 x 3. */
static void show_resource(void)
{
	struct gpu_mem_entry e = {.addr = MEM_BASE, .len = RES_W * RES_H * 4};

	for (uint32_t y = 0; y < RES_H; y++)
		for (uint32_t x = 0; x < RES_W; x++)
			for (unsigned c = 0; c < 4; c++)
				ram[(y * RES_W + x) * 4 + c] = chan(x, y, c);
	cr_assert_eq(run(req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, RES_W, RES_H)),
		     GPU_OK);
	cr_assert_eq(run(req_attach(buf, 1, &e, 1)), GPU_OK);
	cr_assert_eq(run(req_transfer(buf, 1, 0, 0, RES_W, RES_H, 0)), GPU_OK);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 2, 1, 4, 3)), GPU_OK);
}

Test(gpu_capture, copies_the_scanout_rectangle_as_rgb_words)
{
	uint32_t px[12], fw, fh;

	show_resource();
	cr_assert_eq(gpu_capture(g, 0, px, 4, 3, &fw, &fh), 0);
	cr_assert_eq(fw, 4);
	cr_assert_eq(fh, 3);
	for (uint32_t y = 0; y < 3; y++)
		for (uint32_t x = 0; x < 4; x++) {
			uint32_t gx = x + 2, gy = y + 1;
			uint32_t want = (uint32_t)chan(gx, gy, 2) << 16 |
					(uint32_t)chan(gx, gy, 1) << 8 | chan(gx, gy, 0);

			cr_assert_eq(px[y * 4 + x] & 0xffffff, want, "(%u,%u): %06x, want %06x", x,
				     y, px[y * 4 + x] & 0xffffff, want);
		}
}

/* An opaque 64x64 cursor of B, G, R, A = 0x11, 0x22, 0x33, 0xff at (1,1)
 * with hotspot (0,0) covers every pixel but row 0 and column 0, as in a
 * screenshot; hidden again, the picture is the resource's. */
Test(gpu_capture, the_cursor_is_drawn_as_a_screenshot_draws_it)
{
	struct gpu_mem_entry e = {.addr = MEM_BASE + 0x40000, .len = 64 * 64 * 4};
	uint32_t px[12], fw, fh;

	show_resource();
	for (unsigned i = 0; i < 64 * 64; i++)
		memcpy(ram + 0x40000 + i * 4, "\x11\x22\x33\xff", 4);
	cr_assert_eq(run(req_create_2d(buf, 2, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64)), GPU_OK);
	cr_assert_eq(run(req_attach(buf, 2, &e, 1)), GPU_OK);
	cr_assert_eq(run(req_transfer(buf, 2, 0, 0, 64, 64, 0)), GPU_OK);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 1, 1, 2, 0, 0)), GPU_OK);
	cr_assert_eq(gpu_capture(g, 0, px, 4, 3, &fw, &fh), 0);
	for (uint32_t y = 0; y < 3; y++)
		for (uint32_t x = 0; x < 4; x++) {
			uint32_t gx = x + 2, gy = y + 1;
			uint32_t want = x && y
					    ? 0x332211u
					    : (uint32_t)chan(gx, gy, 2) << 16 |
						  (uint32_t)chan(gx, gy, 1) << 8 | chan(gx, gy, 0);

			cr_assert_eq(px[y * 4 + x] & 0xffffff, want, "(%u,%u): %06x, want %06x", x,
				     y, px[y * 4 + x] & 0xffffff, want);
		}
	/* Hotspot (63,63) at (0,0): only its last pixel, at (0,0), shows. */
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, 0, 2, 63, 63)),
		     GPU_OK);
	cr_assert_eq(gpu_capture(g, 0, px, 4, 3, &fw, &fh), 0);
	cr_assert_eq(px[0] & 0xffffff, 0x332211u);
	cr_assert_neq(px[1] & 0xffffff, 0x332211u);
	cr_assert_eq(run(req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, 0, 0, 0, 0)), GPU_OK);
	cr_assert_eq(gpu_capture(g, 0, px, 4, 3, &fw, &fh), 0);
	cr_assert_eq(px[0] & 0xffffff,
		     (uint32_t)chan(2, 1, 2) << 16 | (uint32_t)chan(2, 1, 1) << 8 | chan(2, 1, 0));
}

Test(gpu_capture, a_frame_of_another_size_is_not_copied)
{
	uint32_t px[20], fw, fh;

	for (unsigned i = 0; i < 20; i++)
		px[i] = 0xdeadbeef;
	show_resource();
	cr_assert_eq(gpu_capture(g, 0, px, 5, 4, &fw, &fh), -EMSGSIZE);
	cr_assert_eq(fw, 4);
	cr_assert_eq(fh, 3);
	for (unsigned i = 0; i < 20; i++)
		cr_assert_eq(px[i], 0xdeadbeef, "word %u written", i);
}

Test(gpu_capture, an_output_showing_nothing_has_no_frame)
{
	uint32_t px[12], fw = 1, fh = 1;

	cr_assert_eq(gpu_capture(g, 0, px, 4, 3, &fw, &fh), -ENODATA);
	cr_assert_eq(fw, 0);
	show_resource();
	cr_assert_eq(gpu_capture(g, 1, px, 4, 3, &fw, &fh), -ENODATA);
	cr_assert_eq(gpu_capture(g, 16, px, 4, 3, &fw, &fh), -ENODATA);
}
