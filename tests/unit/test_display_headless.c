#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "display/display.h"
#include "display/png.h"

static char dir[] = "/tmp/lkvm-disp-XXXXXX";
static char path[256];

static void setup(void)
{
	strcpy(dir, "/tmp/lkvm-disp-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/shot.png", dir);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static struct display *open_headless(unsigned outputs)
{
	struct display_config cfg = {.outputs = outputs, .width = 64, .height = 48};
	char err[128];
	struct display *d = display_headless_open(&cfg, err, sizeof(err));

	cr_assert_not_null(d, "%s", err);
	return d;
}

/* A w x h frame in PIXMAN_a8b8g8r8 (R,G,B,A bytes) with a known pattern. */
static uint32_t *make_frame(uint32_t w, uint32_t h)
{
	uint32_t *p = malloc((size_t)w * h * 4);

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			p[y * w + x] = 0x80u << 24 | (x * 3 & 0xff) << 16 | (y * 5 & 0xff) << 8 |
				       ((x ^ y) & 0xff);
	return p;
}

/* The same pixel as the PNG reads it back: 0x00RRGGBB. */
static uint32_t expect_rgb(uint32_t abgr)
{
	return (abgr & 0xff) << 16 | (abgr & 0xff00) | (abgr >> 16 & 0xff);
}

Test(display_headless, present_then_png_round_trip, .init = setup, .fini = teardown)
{
	struct display *d = open_headless(1);
	uint32_t *px = make_frame(40, 30), *back, w, h;
	struct display_frame f = {
	    .format = PIXMAN_a8b8g8r8, .width = 40, .height = 30, .stride = 40 * 4, .data = px};
	struct display_rect all = {0, 0, 40, 30};

	cr_assert_eq(d->ops->screenshot(d, 0, path), -ENODATA);
	d->ops->present(d, 0, &f, &all);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &back, &w, &h), 0);
	cr_assert_eq(w, 40);
	cr_assert_eq(h, 30);
	for (uint32_t i = 0; i < 40 * 30; i++)
		cr_assert_eq(back[i], expect_rgb(px[i]), "pixel %u", i);
	free(back);
	free(px);
	d->ops->destroy(d);
}

Test(display_headless, disable_keeps_a_copy_of_the_last_frame, .init = setup, .fini = teardown)
{
	struct display *d = open_headless(1);
	uint32_t *px = make_frame(16, 8), *back, w, h, want = expect_rgb(px[5 * 16 + 7]);
	struct display_frame f = {
	    .format = PIXMAN_a8b8g8r8, .width = 16, .height = 8, .stride = 16 * 4, .data = px};
	struct display_rect all = {0, 0, 16, 8};

	d->ops->present(d, 0, &f, &all);
	d->ops->disable(d, 0);
	/* The GPU frees the resource after disable: we must not read it. */
	memset(px, 0xee, 16 * 8 * 4);
	free(px);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &back, &w, &h), 0);
	cr_assert_eq(w, 16);
	cr_assert_eq(back[5 * 16 + 7], want);
	free(back);
	d->ops->destroy(d);
}

Test(display_headless, cursor_composed_over_frame_at_hotspot, .init = setup, .fini = teardown)
{
	struct display *d = open_headless(1);
	uint32_t *px = calloc(100 * 80, 4), *back, w, h;
	uint32_t cur[64 * 64] = {0};
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = 100, .height = 80, .stride = 100 * 4, .data = px};
	struct display_rect all = {0, 0, 100, 80};

	for (int i = 0; i < 100 * 80; i++)
		px[i] = 0x00204060;
	/* Cursor: opaque red at (0,0), 50% premultiplied white at (1,0). */
	cur[0] = 0xffff0000;
	cur[1] = 0x80808080;
	d->ops->present(d, 0, &f, &all);
	d->ops->set_cursor(d, 0, cur, 2, 3);
	d->ops->move_cursor(d, 0, 30, 20);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &back, &w, &h), 0);
	/* Image (0,0) sits at pointer - hotspot = (28, 17). */
	cr_assert_eq(back[17 * 100 + 28], 0xff0000);
	/* OVER: 0x80 + src*(1-0x80/255) per channel. */
	uint32_t p = back[17 * 100 + 29];
	cr_assert(((p >> 16) & 0xff) >= 0x8f && ((p >> 16) & 0xff) <= 0x91, "r %x", p);
	cr_assert(((p >> 8) & 0xff) >= 0x9f && ((p >> 8) & 0xff) <= 0xa1, "g %x", p);
	cr_assert(((p)&0xff) >= 0xaf && ((p)&0xff) <= 0xb1, "b %x", p);
	cr_assert_eq(back[17 * 100 + 30], 0x204060, "transparent cursor pixels leave the frame");
	cr_assert_eq(back[0], 0x204060);
	free(back);
	/* Hidden: the frame alone. */
	d->ops->set_cursor(d, 0, NULL, 0, 0);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &back, &w, &h), 0);
	cr_assert_eq(back[17 * 100 + 28], 0x204060);
	free(back);
	free(px);
	d->ops->destroy(d);
}

Test(display_headless, cursor_partly_off_screen, .init = setup, .fini = teardown)
{
	struct display *d = open_headless(1);
	uint32_t *px = calloc(20 * 20, 4), *back, w, h;
	uint32_t cur[64 * 64];
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = 20, .height = 20, .stride = 20 * 4, .data = px};
	struct display_rect all = {0, 0, 20, 20};

	for (int i = 0; i < 64 * 64; i++)
		cur[i] = 0xff00ff00;
	d->ops->present(d, 0, &f, &all);
	d->ops->set_cursor(d, 0, cur, 0, 0);
	d->ops->move_cursor(d, 0, -60, 18);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &back, &w, &h), 0);
	cr_assert_eq(back[19 * 20 + 3], 0x00ff00);
	cr_assert_eq(back[19 * 20 + 4], 0);
	cr_assert_eq(back[17 * 20 + 0], 0);
	free(back);
	free(px);
	d->ops->destroy(d);
}

/* Headless is lazy: present only notes where the frame is (the GPU makes
 * the pixels current before a screenshot, not per frame), a screenshot
 * reads the frame as it is then, and disable keeps a copy taken at that
 * moment for the exit screenshot. */
Test(display_headless, lazy_present_reads_at_screenshot_and_keeps_a_copy_at_disable, .init = setup,
     .fini = teardown)
{
	struct display *d = open_headless(1);
	uint32_t *px = calloc(8 * 8, 4), *back, w, h;
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = 8, .height = 8, .stride = 32, .data = px};
	struct display_rect all = {0, 0, 8, 8};

	cr_assert(d->ops->lazy_present);
	d->ops->present(d, 0, &f, &all);
	for (int i = 0; i < 64; i++)
		px[i] = 0x00336699; /* after present: a lazy display sees it */
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &back, &w, &h), 0);
	cr_assert_eq(back[9], 0x336699);
	free(back);
	d->ops->disable(d, 0);
	for (int i = 0; i < 64; i++)
		px[i] = 0x00ffffff; /* after disable: the kept copy must not change */
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &back, &w, &h), 0);
	cr_assert_eq(back[63], 0x336699);
	free(back);
	free(px);
	d->ops->destroy(d);
}

Test(display_headless, screenshot_all_names_outputs, .init = setup, .fini = teardown)
{
	struct display *d = open_headless(3);
	uint32_t *px = make_frame(8, 8), *back, w, h;
	struct display_frame f = {
	    .format = PIXMAN_a8b8g8r8, .width = 8, .height = 8, .stride = 32, .data = px};
	struct display_rect all = {0, 0, 8, 8};
	char p2[300];

	d->ops->present(d, 0, &f, &all);
	d->ops->present(d, 2, &f, &all);
	cr_assert_eq(display_screenshot_all(d, path), 0);
	snprintf(p2, sizeof(p2), "%s/shot-2.png", dir);
	cr_assert_eq(png_read_xrgb(p2, &back, &w, &h), 0);
	cr_assert_eq(back[9], expect_rgb(px[9]));
	free(back);
	snprintf(p2, sizeof(p2), "%s/shot-1.png", dir);
	cr_assert_neq(access(p2, F_OK), 0, "output 1 never shown: no file");
	free(px);
	d->ops->destroy(d);
}

Test(display_open, mode_list_falls_back_in_order)
{
	struct display_config cfg = {.outputs = 1, .width = 64, .height = 48};
	char err[256];
	struct display *d;

	d = display_open("nonsense,headless", &cfg, err, sizeof(err));
	cr_assert_not_null(d);
	cr_assert_str_eq(d->ops->name, "headless");
	display_destroy(d);
	d = display_open("nonsense", &cfg, err, sizeof(err));
	cr_assert_null(d);
	cr_assert(strstr(err, "nonsense"), "%s", err);
	cfg.outputs = 17;
	cr_assert_null(display_open("headless", &cfg, err, sizeof(err)));
}
