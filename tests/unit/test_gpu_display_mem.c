/* Issue 13, finding 1: the display's own copies of frames count against
 * --gpu-mem. A guest that shows a big resource on each of 16 outputs and
 * then turns them off (or frees the resources) left the headless display
 * one kept frame per output, outputs x cap in all. The model here is the
 * cap's promise (DESIGN.md: host memory spent on guest resources is
 * capped): resources plus display copies never pass it. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "gpu/gpu_priv.h"
#include "tests/unit/test_gpu_util.h"

#if defined(__SANITIZE_ADDRESS__)
/* From the sanitizer runtime (gcc ships no header declaring it). */
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}
#endif

#define OUTPUTS 16
#define SIDE	1024 /* a 4 MiB frame */
#define FRAME	((uint64_t)SIDE * SIDE * 4)
#define CAP	(FRAME * 9 / 2) /* 18 MiB: room for 4.5 frames */
#define SLACK	(256u << 10)	/* bookkeeping, not pixels */
#define FMT	VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM

static struct gpu *g;
static uint8_t buf[256];

static struct gpu *open_gpu(struct display *d)
{
	struct gpu_config cfg = {.outputs = OUTPUTS,
				 .width = 640,
				 .height = 480,
				 .mem_limit = CAP,
				 .max_resources = 64,
				 .display = d};
	char err[128];
	struct gpu *gp = gpu_create(&cfg, err, sizeof(err));

	cr_assert_not_null(gp, "%s", err);
	return gp;
}

static enum gpu_err run(size_t n)
{
	return gpu_run_request(g, buf, n);
}

/* The hostile guest: on each output, a fresh SIDE x SIDE resource is shown,
 * the output turned off, the resource freed. Returns how many outputs
 * took it; the rest must have been refused with OUT_OF_MEMORY. */
static unsigned show_and_drop_on_every_output(void)
{
	unsigned shown = 0;

	for (uint32_t i = 0; i < OUTPUTS; i++) {
		enum gpu_err err;

		cr_assert_eq(run(req_create_2d(buf, 100 + i, FMT, SIDE, SIDE)), GPU_OK, "output %u",
			     i);
		err = run(req_set_scanout(buf, i, 100 + i, 0, 0, SIDE, SIDE));
		cr_assert(err == GPU_OK || err == GPU_E_NO_MEM, "output %u: %d", i, err);
		shown += err == GPU_OK;
		cr_assert_eq(run(req_set_scanout(buf, i, 0, 0, 0, 0, 0)), GPU_OK);
		cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 100 + i)), GPU_OK);
	}
	cr_assert_eq(gpu_err_to_resp(GPU_E_NO_MEM), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	return shown;
}

/* Each success leaves one kept frame, and the next needs a resource and a
 * frame more: k frames kept fit while (k + 2) frames <= the cap, so
 * floor(cap / frame) - 1 outputs (3 here) show it. */
static unsigned expected_shown(void)
{
	return (unsigned)(CAP / FRAME) - 1;
}

Test(gpu_display_mem, headless_kept_frames_stay_under_the_cap)
{
	struct display_config dc = {.outputs = OUTPUTS, .width = 64, .height = 48};
	char err[128];
	struct display *d = display_headless_open(&dc, err, sizeof(err));
	size_t before;
	unsigned shown;

	cr_assert_not_null(d, "%s", err);
	g = open_gpu(d);
	before = heap_in_use();
	shown = show_and_drop_on_every_output();
	cr_assert_eq(shown, expected_shown());
	/* What the display really holds, measured by the allocator. */
	cr_assert_leq(heap_in_use() - before, CAP, "display holds %zu bytes, cap %llu",
		      heap_in_use() - before, (unsigned long long)CAP);
	cr_assert_leq(heap_in_use() - before, g->res.mem_used + SLACK,
		      "held %zu bytes, charged %llu", heap_in_use() - before,
		      (unsigned long long)g->res.mem_used);
	gpu_destroy(g);
	display_destroy(d);
}

/* An output that goes from a big frame to a small one: the big kept copy
 * must go when the small frame is presented, since only the small one is
 * charged from then on. */
Test(gpu_display_mem, headless_smaller_frame_releases_the_bigger_copy)
{
	struct display_config dc = {.outputs = OUTPUTS, .width = 64, .height = 48};
	char err[128];
	struct display *d = display_headless_open(&dc, err, sizeof(err));
	size_t before;

	cr_assert_not_null(d, "%s", err);
	g = open_gpu(d);
	before = heap_in_use();
	cr_assert_eq(run(req_create_2d(buf, 1, FMT, SIDE, SIDE)), GPU_OK);
	cr_assert_eq(run(req_set_scanout(buf, 0, 1, 0, 0, SIDE, SIDE)), GPU_OK);
	cr_assert_eq(run(req_res(buf, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1)), GPU_OK);
	cr_assert_geq(g->res.mem_used, FRAME, "the kept frame is charged");
	cr_assert_eq(run(req_create_2d(buf, 2, FMT, 64, 64)), GPU_OK);
	cr_assert_eq(run(req_set_scanout(buf, 0, 2, 0, 0, 64, 64)), GPU_OK);
	cr_assert_lt(g->res.mem_used, FRAME / 2, "only the small frame is charged now");
	cr_assert_leq(heap_in_use() - before, g->res.mem_used + SLACK,
		      "held %zu bytes, charged %llu", heap_in_use() - before,
		      (unsigned long long)g->res.mem_used);
	gpu_destroy(g);
	display_destroy(d);
}

/* A fake display that copies like headless (a frame at disable, dropped at
 * the next present) and counts what it holds. */
struct copying_display {
	struct fake_display f;
	uint64_t held[OUTPUTS], live[OUTPUTS], peak_total;
};

static struct copying_display cd;

static uint64_t total_held(void)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < OUTPUTS; i++)
		t += cd.held[i];
	return t;
}

static void copying_present(struct display *d, unsigned o, const struct display_frame *fr,
			    const struct display_rect *dmg)
{
	fake_present(d, o, fr, dmg);
	cd.live[o] = (uint64_t)fr->width * fr->height * 4;
	cd.held[o] = 0;
}

static void copying_disable(struct display *d, unsigned o)
{
	fake_disable(d, o);
	if (cd.live[o])
		cd.held[o] = cd.live[o];
	cd.live[o] = 0;
	if (total_held() > cd.peak_total)
		cd.peak_total = total_held();
}

static uint64_t copying_frame_bytes(const struct display *d, uint32_t w, uint32_t h)
{
	return (uint64_t)w * h * 4;
}

static const struct display_ops copying_ops = {
    .name = "fake-copying",
    .lazy_present = true,
    .present = copying_present,
    .disable = copying_disable,
    .frame_bytes = copying_frame_bytes,
    .set_cursor = fake_set_cursor,
    .move_cursor = fake_move_cursor,
    .get_fd = fake_get_fd,
    .dispatch = fake_dispatch,
    .destroy = fake_nop,
};

Test(gpu_display_mem, fake_display_copies_are_charged_and_released)
{
	memset(&cd, 0, sizeof(cd));
	fake_display_init(&cd.f, OUTPUTS);
	cd.f.d.ops = &copying_ops;
	g = open_gpu(&cd.f.d);
	cr_assert_eq(show_and_drop_on_every_output(), expected_shown());
	cr_assert_leq(cd.peak_total, CAP);
	cr_assert_eq(cd.peak_total, expected_shown() * FRAME);
	/* Every output can still show a small frame; charges follow sizes. */
	for (uint32_t i = 0; i < OUTPUTS; i++) {
		cr_assert_eq(run(req_create_2d(buf, 200 + i, FMT, 64, 64)), GPU_OK);
		cr_assert_eq(run(req_set_scanout(buf, i, 200 + i, 0, 0, 64, 64)), GPU_OK,
			     "output %u", i);
	}
	cr_assert_lt(g->res.mem_used, 2 * OUTPUTS * 64 * 64 * 4 + SLACK);
	gpu_destroy(g);
}
