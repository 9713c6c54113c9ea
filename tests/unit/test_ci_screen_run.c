/* --expect-screen end to end without KVM: references read and checked at
 * open, the comparing thread over a real GPU frontend (2D backend, a fake
 * lazy display), the evidence files and the --result members. The guest's
 * picture is a hand-made B8G8R8X8 resource; the references are written
 * from the same byte formula, not from the code under test. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display/png.h"
#include "gpu/gpu_priv.h"
#include "tests/unit/test_gpu_util.h"
#include "vmm/ci_result.h"
#include "vmm/ci_screen.h"

#define MEM_BASE 0x100000ull
#define MEM_SIZE (1u << 20)
#define OW	 6
#define OH	 4

static uint8_t *ram;
static struct guest_mem gm;
static struct fake_display fd;
static struct gpu *g;
static uint8_t buf[4096];
static struct ci_screen s;
static char dir[64];

static uint8_t chan(uint32_t x, uint32_t y, unsigned c)
{
	return (uint8_t)(x * 40 + y * 23 + c * 70 + 9);
}

static uint32_t rgb(uint32_t x, uint32_t y)
{
	return (uint32_t)chan(x, y, 2) << 16 | (uint32_t)chan(x, y, 1) << 8 | chan(x, y, 0);
}

static void setup(void)
{
	struct gpu_config cfg = {
	    .outputs = 2, .width = OW, .height = OH, .display = &fd.d, .mem = &gm};
	struct gpu_mem_entry e = {.addr = MEM_BASE, .len = OW * OH * 4};
	char err[128];

	snprintf(dir, sizeof(dir), "/tmp/lkvm-screen-XXXXXX");
	cr_assert(mkdtemp(dir));
	ram = calloc(1, MEM_SIZE);
	guest_mem_init_flat(&gm, MEM_BASE, ram, MEM_SIZE);
	fake_display_init(&fd, 2);
	fd.d.ops = &fake_lazy_display_ops;
	g = gpu_create(&cfg, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	/* The guest's picture on output 0 (output 1 stays off). */
	for (uint32_t y = 0; y < OH; y++)
		for (uint32_t x = 0; x < OW; x++)
			for (unsigned c = 0; c < 4; c++)
				ram[(y * OW + x) * 4 + c] = chan(x, y, c);
	cr_assert_eq(gpu_run_request(
			 g, buf, req_create_2d(buf, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, OW, OH)),
		     GPU_OK);
	cr_assert_eq(gpu_run_request(g, buf, req_attach(buf, 1, &e, 1)), GPU_OK);
	cr_assert_eq(gpu_run_request(g, buf, req_transfer(buf, 1, 0, 0, OW, OH, 0)), GPU_OK);
	cr_assert_eq(gpu_run_request(g, buf, req_set_scanout(buf, 0, 1, 0, 0, OW, OH)), GPU_OK);
	memset(&s, 0, sizeof(s));
	s.stop_fd = s.done_fd = -1;
}

static void teardown(void)
{
	char cmd[128];

	ci_screen_close(&s);
	gpu_destroy(g);
	free(ram);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ci_screen_run, .init = setup, .fini = teardown);

/* The guest's picture as a reference, changed at (cx, cy) by delta in
 * red (no change if delta is 0), w x h from (x0, y0). */
static const char *reference(const char *name, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
			     uint32_t cx, uint32_t cy, int delta)
{
	static char path[8][128];
	static unsigned n;
	uint32_t px[OW * OH];
	char *p = path[n++ % 8];

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v = rgb(x0 + x, y0 + y);

			if (x0 + x == cx && y0 + y == cy)
				v = (v & 0x00ffff) | (uint32_t)(((v >> 16) + delta) & 0xff) << 16;
			px[y * w + x] = v;
		}
	snprintf(p, 128, "%s/%s", dir, name);
	cr_assert_eq(png_write_xrgb(p, px, w, h, w * 4), 0);
	return p;
}

static int open_with(const char *const *args, unsigned n, char *err, size_t len)
{
	return ci_screen_open(&s, args, n, 2, OW, OH, err, len);
}

static void start(void)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(ci_screen_start(&s, g, &t0), 0);
}

static bool done_within(int ms)
{
	struct pollfd p = {.fd = ci_screen_done_fd(&s), .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

Test(ci_screen_run, references_match_in_order_and_say_when)
{
	char a1[160], a2[160], a3[160], err[256];
	const char *args[] = {a1, a2, a3};

	snprintf(a1, sizeof(a1), "%s", reference("full.png", 0, 0, OW, OH, 0, 0, 0));
	/* Off by 6 in one red channel at (3,2): tolerance 6 takes it. */
	snprintf(a2, sizeof(a2), "%s,tol=6", reference("near.png", 0, 0, OW, OH, 3, 2, 6));
	/* A 2 x 2 crop at (4,1). */
	snprintf(a3, sizeof(a3), "%s,rect=4,1,2,2", reference("crop.png", 4, 1, 2, 2, 0, 0, 0));
	cr_assert_eq(open_with(args, 3, err, sizeof(err)), 0, "%s", err);
	start();
	cr_assert(done_within(5000), "not every reference matched");
	cr_assert(ci_screen_all_met(&s));
	for (unsigned i = 0; i < 3; i++) {
		cr_expect(s.e[i].matched, "reference %u", i);
		cr_expect_eq(s.e[i].last.mismatched, 0);
		cr_expect_geq(s.e[i].checks, 1);
		cr_expect_geq(s.e[i].time_s, i ? s.e[i - 1].time_s : 0.0);
	}
	cr_expect_eq(s.e[1].last.max_delta, 6);
}

Test(ci_screen_run, a_wrong_reference_leaves_the_frame_and_a_diff)
{
	char a1[160], err[256], path[192], cmd[512];
	const char *args[] = {a1};
	struct ci_report r = {.status = 5,
			      .reason = "poweroff",
			      .detail = "x",
			      .started_at = "2026-12-02T10:00:00.000Z",
			      .version = "0",
			      .vm_name = "t"};
	uint32_t *px, w, h;

	/* Off by 7 at (1,3), tolerance 6: never matches. */
	snprintf(a1, sizeof(a1), "%s,6", reference("wrong.png", 0, 0, OW, OH, 1, 3, 7));
	cr_assert_eq(open_with(args, 1, err, sizeof(err)), 0, "%s", err);
	start();
	cr_assert_not(done_within(3 * CI_SCREEN_INTERVAL_MS));
	ci_screen_finish(&s);
	cr_assert_not(s.e[0].matched);
	cr_assert_geq(s.e[0].checks, 2, "compared at an interval");
	cr_assert_eq(s.e[0].last.mismatched, 1);
	cr_assert_eq(s.e[0].last.max_delta, 7);
	snprintf(path, sizeof(path), "%s/result", dir);
	ci_screen_evidence(&s, path);
	snprintf(path, sizeof(path), "%s/result-expect-screen-0.png", dir);
	cr_assert_str_eq(s.e[0].frame_path, path);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	for (uint32_t i = 0; i < OW * OH; i++)
		cr_assert_eq(px[i], rgb(i % OW, i / OW), "frame pixel %u", i);
	free(px);
	cr_assert_eq(png_read_xrgb(s.e[0].diff_path, &px, &w, &h), 0);
	for (uint32_t i = 0; i < OW * OH; i++)
		cr_assert_eq(px[i],
			     i == 3 * OW + 1 ? 0xff0000u : (rgb(i % OW, i / OW) >> 2) & 0x3f3f3f,
			     "diff pixel %u: %06x", i, px[i]);
	free(px);
	/* And the result names both, valid against the schema. */
	r.screen = &s;
	snprintf(path, sizeof(path), "%s/result.json", dir);
	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	if (system("command -v python3 >/dev/null 2>&1") != 0)
		cr_skip_test("python3 missing");
	snprintf(cmd, sizeof(cmd),
		 "python3 tests/integration/ci_result_check.py %s --status 5 --screens-matched 0",
		 path);
	cr_assert_eq(system(cmd), 0);
}

Test(ci_screen_run, an_output_that_shows_nothing_never_matches)
{
	char a1[160], err[256];
	const char *args[] = {a1};

	snprintf(a1, sizeof(a1), "%s,output=1", reference("o1.png", 0, 0, OW, OH, 0, 0, 0));
	cr_assert_eq(open_with(args, 1, err, sizeof(err)), 0, "%s", err);
	start();
	cr_assert_not(done_within(2 * CI_SCREEN_INTERVAL_MS));
	ci_screen_finish(&s);
	cr_assert_not(s.e[0].matched);
	cr_assert_not(s.e[0].compared);
	cr_assert_eq(s.e[0].frame_w, 0);
	ci_screen_evidence(&s, dir);
	cr_assert_null(s.e[0].frame_path, "no frame: no evidence file");
}

Test(ci_screen_run, bad_references_fail_at_open_in_one_line)
{
	char a1[160], err[256];
	const char *args[] = {a1};
	static const struct {
		const char *tail, *says;
	} cases[] = {
	    {"", "the reference is 3x2, output 0 is 6x4"},
	    {",rect=0,0,3,3", "neither"},
	    {",rect=4,0,3,2", "not inside"},
	    {",output=2", "has 2 outputs"},
	};
	const char *small = reference("small.png", 0, 0, 3, 2, 0, 0, 0);

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(a1, sizeof(a1), "%s%s", small, cases[i].tail);
		err[0] = 0;
		cr_expect_eq(open_with(args, 1, err, sizeof(err)), -1, "%s", a1);
		cr_expect(strstr(err, cases[i].says) && !strchr(err, '\n'), "%s: %s", a1, err);
		ci_screen_close(&s);
	}
	snprintf(a1, sizeof(a1), "%s/missing.png", dir);
	cr_expect_eq(open_with(args, 1, err, sizeof(err)), -1);
	cr_expect(strstr(err, "cannot read the reference"), "%s", err);
	ci_screen_close(&s);
	snprintf(a1, sizeof(a1), "%s", small);
	cr_expect_eq(ci_screen_open(&s, args, 1, 0, OW, OH, err, sizeof(err)), -1);
	cr_expect(strstr(err, "needs --gpu"), "%s", err);
}
