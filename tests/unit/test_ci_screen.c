/* --expect-screen: the argument syntax, the image comparison (tolerance per
 * channel, rectangles, crops, sizes, the diff image) and the PNG reader.
 * Expected results are worked out by hand on small hand-built images. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display/png.h"
#include "vmm/ci_screen_cmp.h"
#include "vmm/ci_screen_spec.h"
#include "vmm/options.h"

static struct ci_screen_spec spec(const char *arg)
{
	struct ci_screen_spec s;
	char err[256];

	cr_assert_eq(ci_screen_spec_parse(arg, &s, err, sizeof(err)), 0, "%s: %s", arg, err);
	return s;
}

TestSuite(ci_screen_spec);

Test(ci_screen_spec, a_bare_reference_is_exact_on_all_of_output_0)
{
	struct ci_screen_spec s = spec("dir/ref.png");

	cr_assert_str_eq(s.path, "dir/ref.png");
	cr_assert_eq(s.tolerance, 0);
	cr_assert_not(s.has_rect);
	cr_assert_eq(s.output, 0);
}

Test(ci_screen_spec, tolerance_rect_and_output_in_any_order)
{
	struct ci_screen_spec s = spec("r.png,8");

	cr_assert_eq(s.tolerance, 8);
	s = spec("r.png,output=3,rect=10,20,30,40,tol=255");
	cr_assert_str_eq(s.path, "r.png");
	cr_assert_eq(s.tolerance, 255);
	cr_assert_eq(s.output, 3);
	cr_assert(s.has_rect);
	cr_assert_eq(s.rect.x, 10);
	cr_assert_eq(s.rect.y, 20);
	cr_assert_eq(s.rect.w, 30);
	cr_assert_eq(s.rect.h, 40);
	s = spec("r.png,rect=0,0,1,1");
	cr_assert_eq(s.tolerance, 0);
	cr_assert_eq(s.rect.w, 1);
}

Test(ci_screen_spec, bad_arguments_are_one_line_errors)
{
	static const char *const bad[] = {
	    "",
	    ",8",
	    "r.png,",
	    "r.png,,8",
	    "r.png,tol=256",
	    "r.png,tol=",
	    "r.png,tol=-1",
	    "r.png,8,9",
	    "r.png,tol=1,2",
	    "r.png,rect=1,2,3",
	    "r.png,rect=1,2,0,4",
	    "r.png,rect=1,2,3,0",
	    "r.png,rect=a,2,3,4",
	    "r.png,output=16",
	    "r.png,output=1,output=2",
	    "r.png,size=3",
	    "r.png,rect=1,2,3,4,rect=1,2,3,4",
	    "r.png,tol=99999999999",
	};
	struct ci_screen_spec s;
	char err[256];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		cr_expect_eq(ci_screen_spec_parse(bad[i], &s, err, sizeof(err)), -1, "'%s' taken",
			     bad[i]);
		cr_expect(strstr(err, "--expect-screen") && !strchr(err, '\n'), "'%s': %s", bad[i],
			  err);
	}
}

/* Images: 4 x 3, 0x00RRGGBB. */
#define W 4
#define H 3

static const uint32_t base[W * H] = {
    0x102030, 0x405060, 0x708090, 0xa0b0c0, /* row 0 */
    0x000000, 0xffffff, 0x808080, 0x0000ff, /* row 1 */
    0x123456, 0x654321, 0xfedcba, 0x00ff00, /* row 2 */
};

TestSuite(ci_screen_cmp);

Test(ci_screen_cmp, identical_images_match_exactly)
{
	struct ci_screen_spec s = spec("r.png");
	struct ci_screen_cmp c;

	cr_assert(ci_screen_compare(&s, base, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.compared, 12);
	cr_assert_eq(c.mismatched, 0);
	cr_assert_eq(c.max_delta, 0);
}

Test(ci_screen_cmp, the_top_byte_is_not_a_colour)
{
	struct ci_screen_spec s = spec("r.png");
	struct ci_screen_cmp c;
	uint32_t frame[W * H];

	for (unsigned i = 0; i < W * H; i++)
		frame[i] = base[i] | 0xff000000u;
	cr_assert(ci_screen_compare(&s, frame, W, H, base, W, H, NULL, &c));
}

/* Pixel (2,1) 0x808080 becomes 0x858080: red off by 5. */
Test(ci_screen_cmp, tolerance_is_per_channel_and_inclusive)
{
	struct ci_screen_cmp c;
	uint32_t frame[W * H];
	struct ci_screen_spec s4 = spec("r.png,4"), s5 = spec("r.png,tol=5");

	memcpy(frame, base, sizeof(frame));
	frame[1 * W + 2] = 0x858080;
	cr_assert_not(ci_screen_compare(&s4, frame, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.mismatched, 1);
	cr_assert_eq(c.max_delta, 5);
	cr_assert_eq(c.first_x, 2);
	cr_assert_eq(c.first_y, 1);
	cr_assert(ci_screen_compare(&s5, frame, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.max_delta, 5);
}

/* Each channel off by 3 (sum 9, distance 5.2): per channel it is 3. */
Test(ci_screen_cmp, channels_are_not_summed)
{
	struct ci_screen_cmp c;
	uint32_t frame[W * H];
	struct ci_screen_spec s3 = spec("r.png,3"), s2 = spec("r.png,2");

	memcpy(frame, base, sizeof(frame));
	frame[0] = 0x0d1d33; /* 0x102030: -3, -3, +3 */
	cr_assert(ci_screen_compare(&s3, frame, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.max_delta, 3);
	cr_assert_not(ci_screen_compare(&s2, frame, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.mismatched, 1);
	/* Black against white is 255 off: only tolerance 255 takes it. */
	frame[1 * W + 0] = 0xffffff;
	cr_assert_not(ci_screen_compare(&s3, frame, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.max_delta, 255);
	cr_assert_eq(c.mismatched, 1);
	cr_assert_eq(c.first_y, 1);
}

/* rect=1,1,2,2 covers (1,1) (2,1) (1,2) (2,2). */
Test(ci_screen_cmp, outside_the_rectangle_nothing_counts)
{
	struct ci_screen_spec s = spec("r.png,rect=1,1,2,2");
	struct ci_screen_cmp c;
	uint32_t frame[W * H];

	memcpy(frame, base, sizeof(frame));
	frame[0] ^= 0xffffff;
	frame[1 * W + 3] ^= 0xffffff;
	frame[2 * W + 0] ^= 0xffffff;
	cr_assert(ci_screen_compare(&s, frame, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.compared, 4);
	frame[2 * W + 2] ^= 0x000001;
	cr_assert_not(ci_screen_compare(&s, frame, W, H, base, W, H, NULL, &c));
	cr_assert_eq(c.mismatched, 1);
	cr_assert_eq(c.first_x, 2);
	cr_assert_eq(c.first_y, 2);
}

/* A 2 x 2 crop of base at (2,1): 0x808080 0x0000ff / 0xfedcba 0x00ff00. */
Test(ci_screen_cmp, a_crop_reference_sits_at_the_rectangle)
{
	static const uint32_t crop[4] = {0x808080, 0x0000ff, 0xfedcba, 0x00ff00};
	struct ci_screen_spec s = spec("r.png,rect=2,1,2,2"), off = spec("r.png,rect=1,1,2,2");
	struct ci_screen_cmp c;

	cr_assert(ci_screen_compare(&s, base, W, H, crop, 2, 2, NULL, &c));
	cr_assert_eq(c.compared, 4);
	/* One column to the left, every pixel differs. */
	cr_assert_not(ci_screen_compare(&off, base, W, H, crop, 2, 2, NULL, &c));
	cr_assert_eq(c.mismatched, 4);
}

Test(ci_screen_cmp, sizes_are_checked_before_the_run)
{
	struct ci_screen_spec whole = spec("r.png"), rect = spec("r.png,rect=2,1,2,2");
	struct ci_screen_spec out = spec("r.png,rect=3,1,2,2"), o2 = spec("r.png,output=2");
	char err[256];

	cr_assert_eq(ci_screen_check_size(&whole, 4, 3, 4, 3, err, sizeof(err)), 0);
	cr_assert_eq(ci_screen_check_size(&rect, 4, 3, 4, 3, err, sizeof(err)), 0);
	cr_assert_eq(ci_screen_check_size(&rect, 2, 2, 4, 3, err, sizeof(err)), 0);
	/* The crop form needs a rectangle; any other size is refused. */
	cr_assert_eq(ci_screen_check_size(&whole, 2, 2, 4, 3, err, sizeof(err)), -1);
	cr_assert(strstr(err, "2x2") && strstr(err, "4x3"), "%s", err);
	cr_assert_eq(ci_screen_check_size(&whole, 3, 4, 4, 3, err, sizeof(err)), -1);
	cr_assert_eq(ci_screen_check_size(&rect, 2, 3, 4, 3, err, sizeof(err)), -1);
	cr_assert_eq(ci_screen_check_size(&o2, 5, 3, 4, 3, err, sizeof(err)), -1);
	cr_assert(strstr(err, "output 2"), "%s", err);
	/* (3,1)+2 wide ends at 5 > 4. */
	cr_assert_eq(ci_screen_check_size(&out, 4, 3, 4, 3, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not inside"), "%s", err);
}

/* The diff of rect=1,0,3,2 with (2,1) and (0,2) changed: outside black,
 * (2,1) red, the rest of the rectangle the frame at a quarter. */
Test(ci_screen_cmp, the_diff_image_marks_mismatches_red)
{
	static const uint32_t want[W * H] = {
	    0x000000, 0x101418, 0x1c2024, 0x282c30, /* 0x405060>>2 ... */
	    0x000000, 0x3f3f3f, 0xff0000, 0x00003f, /* */
	    0x000000, 0x000000, 0x000000, 0x000000, /* */
	};
	struct ci_screen_spec s = spec("r.png,rect=1,0,3,2");
	struct ci_screen_cmp c;
	uint32_t frame[W * H], diff[W * H];

	memcpy(frame, base, sizeof(frame));
	frame[1 * W + 2] = 0x7f8080;
	frame[2 * W + 0] = 0xffffff;
	memset(diff, 0x55, sizeof(diff));
	cr_assert_not(ci_screen_compare(&s, frame, W, H, base, W, H, diff, &c));
	cr_assert_eq(c.mismatched, 1);
	for (unsigned i = 0; i < W * H; i++)
		cr_expect_eq(diff[i], want[i], "pixel (%u,%u): %06x, want %06x", i % W, i / W,
			     diff[i], want[i]);
}

TestSuite(png_read);

static char dir[] = "/tmp/lkvm-pngread-XXXXXX";

/* CRC-32 of PNG chunks (ISO 3309, bit by bit). */
static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

Test(png_read, pixels_written_come_back_and_errors_say_why)
{
	char path[128], err[256];
	uint32_t *px, w, h;
	FILE *f;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.png", dir);
	cr_assert_eq(png_write_xrgb(path, base, W, H, W * 4), 0);
	cr_assert_eq(png_read_xrgb_err(path, &px, &w, &h, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(w, W);
	cr_assert_eq(h, H);
	for (unsigned i = 0; i < W * H; i++)
		cr_assert_eq(px[i], base[i]);
	free(px);
	snprintf(path, sizeof(path), "%s/none.png", dir);
	cr_assert_lt(png_read_xrgb_err(path, &px, &w, &h, err, sizeof(err)), 0);
	cr_assert(strstr(err, "No such file"), "%s", err);
	snprintf(path, sizeof(path), "%s/text.png", dir);
	f = fopen(path, "w");
	fputs("not a picture\n", f);
	fclose(f);
	cr_assert_lt(png_read_xrgb_err(path, &px, &w, &h, err, sizeof(err)), 0);
	cr_assert(err[0] && !strchr(err, '\n'), "%s", err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.png", dir);
	unlink(path);
	rmdir(dir);
}

/* A valid header claiming 16385 x 1 (and an empty IDAT, where libpng's
 * header reading stops): refused before any pixel memory. */
Test(png_read, a_reference_larger_than_any_output_is_refused)
{
	static char tdir[] = "/tmp/lkvm-pngbig-XXXXXX";
	uint8_t png[8 + 25 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	char path[128], err[256];
	uint32_t *px, w, h;
	FILE *f;

	be32(png + 8, 13);
	memcpy(png + 12, "IHDR", 4);
	be32(png + 16, PNG_READ_MAX_DIM + 1);
	be32(png + 20, 1);
	png[24] = 8; /* depth */
	png[25] = 2; /* RGB */
	be32(png + 29, crc32_png(png + 12, 17));
	be32(png + 33, 0);
	memcpy(png + 37, "IDAT", 4);
	be32(png + 41, crc32_png(png + 37, 4));
	cr_assert(mkdtemp(tdir));
	snprintf(path, sizeof(path), "%s/big.png", tdir);
	f = fopen(path, "wb");
	fwrite(png, 1, sizeof(png), f);
	fclose(f);
	cr_assert_lt(png_read_xrgb_err(path, &px, &w, &h, err, sizeof(err)), 0);
	cr_assert(strstr(err, "16385x1"), "%s", err);
	unlink(path);
	rmdir(tdir);
}

TestSuite(ci_screen_options);

static int parse(int argc, const char *const *args, struct run_options *o, char *err)
{
	static char store[40][80];
	char *argv[40];

	for (int i = 0; i < argc; i++) {
		snprintf(store[i], sizeof(store[i]), "%s", args[i]);
		argv[i] = store[i];
	}
	argv[argc] = NULL;
	return options_parse_run(argc, argv, o, err, 256);
}

Test(ci_screen_options, kept_in_order_as_given_and_need_a_gpu)
{
	static const char *const ok[] = {
	    "run",     "--gpu",		  "headless",	       "--expect-screen",
	    "a.png,4", "--expect-screen", "b.png,rect=1,2,3,4"};
	static const char *const no_gpu[] = {"run", "--expect-screen", "a.png"};
	static const char *const bad[] = {"run", "--gpu", "headless", "--expect-screen", "a.png,x"};
	struct run_options o;
	char err[256];

	cr_assert_eq(parse(7, ok, &o, err), 0, "%s", err);
	cr_assert_eq(o.nr_expect_screens, 2);
	cr_assert_str_eq(o.expect_screens[0], "a.png,4");
	cr_assert_str_eq(o.expect_screens[1], "b.png,rect=1,2,3,4");
	cr_assert_eq(parse(3, no_gpu, &o, err), -1);
	cr_assert(strstr(err, "--expect-screen needs --gpu"), "%s", err);
	cr_assert_eq(parse(5, bad, &o, err), -1);
	cr_assert(strstr(err, "'a.png,x'"), "%s", err);
}

Test(ci_screen_options, at_most_16_references)
{
	const char *args[40] = {"run", "--gpu", "headless"};
	struct run_options o;
	char err[256];
	int n = 3;

	for (int i = 0; i < 17; i++) {
		args[n++] = "--expect-screen";
		args[n++] = "r.png";
	}
	cr_assert_eq(parse(n - 2, args, &o, err), 0, "%s", err);
	cr_assert_eq(o.nr_expect_screens, 16);
	cr_assert_eq(parse(n, args, &o, err), -1);
	cr_assert(strstr(err, "at most 16"), "%s", err);
}
