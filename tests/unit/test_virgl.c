/* The virgl layer over real virglrenderer on Mesa (llvmpipe here), no KVM:
 * plain malloc'ed memory plays guest backing. Capsets, contexts, a clear
 * encoded by hand and read back pixel-exact, fences retired in order, and
 * every hostile case refused before (or when) the renderer sees it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/gl.h>

#include "gpu/virgl.h"
#include "gpu/virgl_egl.h"
#include "tests/unit/dri_pin.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/virgl_stream.h"

#define BIND_RENDER_TARGET (1u << 1) /* VIRGL_BIND_RENDER_TARGET */
#define W		   64u
#define H		   32u

static struct gpu_virgl *v;

static void open_with(struct gpu_virgl_limits lim)
{
	cr_assert_eq(gpu_virgl_open(&lim, &v), 0, "virgl_open");
	dri_pin_loaded();
}

/* For a test that needs other limits than the suite's. */
static void reopen(struct gpu_virgl_limits lim)
{
	gpu_virgl_close(v);
	open_with(lim);
}

static void setup(void)
{
	open_with((struct gpu_virgl_limits){0});
}

static void teardown(void)
{
	gpu_virgl_close(v);
	v = NULL;
}

TestSuite(virgl, .init = setup, .fini = teardown, .timeout = 60);

static struct gpu_virgl_res_desc tex2d(uint32_t format, uint32_t w, uint32_t h)
{
	return (struct gpu_virgl_res_desc){
	    .target = GPU_VIRGL_TEX_2D,
	    .format = format,
	    .bind = BIND_RENDER_TARGET,
	    .width = w,
	    .height = h,
	    .depth = 1,
	    .array_size = 1,
	};
}

/* Resource res_id (W x H BGRA8) with backing of len bytes (0xee-filled),
 * attached to context ctx. Returns the backing. */
static uint8_t *make_target(uint32_t ctx, uint32_t res_id, size_t len)
{
	struct gpu_virgl_res_desc d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, W, H);
	uint8_t *mem = malloc(len);

	cr_assert(mem);
	memset(mem, 0xee, len);
	cr_assert_eq(gpu_virgl_res_create(v, res_id, &d), GPU_OK);
	struct iovec iov = {mem, len};
	cr_assert_eq(gpu_virgl_attach_backing(v, res_id, &iov, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_ctx_attach(v, ctx, res_id), GPU_OK);
	return mem;
}

static void submit_clear(uint32_t ctx, uint32_t res_id, float r, float g, float b, float a)
{
	struct vstream s = {.n = 0};

	vs_create_surface(&s, res_id, res_id, GPU_VIRGL_FMT_B8G8R8A8_UNORM);
	vs_set_framebuffer(&s, res_id);
	vs_clear_color(&s, r, g, b, a);
	cr_assert_eq(gpu_virgl_submit(v, ctx, s.d, s.n * 4), GPU_OK);
}

/* UNORM8 from the format definition: round(c * 255). */
static uint8_t unorm8(float c)
{
	return (uint8_t)lrintf(c * 255.0f);
}

static struct gpu_virgl_xfer whole(uint32_t ctx, uint32_t res_id)
{
	return (struct gpu_virgl_xfer){
	    .res_id = res_id, .ctx_id = ctx, .stride = W * 4, .box = {0, 0, 0, W, H, 1}};
}

Test(virgl, capsets_are_virgl_and_virgl2_with_host_sizes)
{
	uint32_t id, ver, size;
	uint8_t buf[2048];

	cr_assert_eq(gpu_virgl_num_capsets(v), 2);
	cr_assert_eq(gpu_virgl_capset_info(v, 0, &id, &ver, &size), GPU_OK);
	cr_assert_eq(id, 1);
	cr_assert_eq(ver, 1);
	cr_assert_eq(size, 308);
	cr_assert_eq(gpu_virgl_capset_info(v, 1, &id, &ver, &size), GPU_OK);
	cr_assert_eq(id, 2);
	cr_assert_eq(ver, 2);
	cr_assert_eq(size, 1376);
	memset(buf, 0xaa, sizeof(buf));
	cr_assert_eq(gpu_virgl_capset(v, 2, 2, buf, size), GPU_OK);
	/* struct virgl_caps_v2 starts with max_version. */
	cr_assert_eq(r32(buf, 0), 2);
	cr_assert_eq(buf[size], 0xaa, "nothing written past the capset");
	cr_assert_eq(gpu_virgl_capset(v, 1, 1, buf, 308), GPU_OK);
	cr_assert_eq(r32(buf, 0), 1);
}

Test(virgl, capset_index_id_version_out_of_range)
{
	uint32_t id, ver, size;
	uint8_t buf[2048];

	cr_assert_eq(gpu_virgl_capset_info(v, 2, &id, &ver, &size), GPU_E_BAD_CAPSET);
	cr_assert_eq(gpu_virgl_capset_info(v, UINT32_MAX, &id, &ver, &size), GPU_E_BAD_CAPSET);
	cr_assert_eq(gpu_virgl_capset(v, 0, 0, buf, sizeof(buf)), GPU_E_BAD_CAPSET);
	cr_assert_eq(gpu_virgl_capset(v, 3, 1, buf, sizeof(buf)), GPU_E_BAD_CAPSET);
	/* VENUS answers get_cap_set but is not enabled: never listed. */
	cr_assert_eq(gpu_virgl_capset(v, 4, 0, buf, sizeof(buf)), GPU_E_BAD_CAPSET);
	cr_assert_eq(gpu_virgl_capset(v, 1, 2, buf, sizeof(buf)), GPU_E_BAD_CAPSET);
	cr_assert_eq(gpu_virgl_capset(v, 2, 3, buf, sizeof(buf)), GPU_E_BAD_CAPSET);
	cr_assert_eq(gpu_virgl_capset(v, 2, UINT32_MAX, buf, sizeof(buf)), GPU_E_BAD_CAPSET);
	cr_assert_eq(gpu_virgl_capset(v, 1, 1, buf, 307), GPU_E_BAD_CAPSET, "short buffer");
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_CAPSET), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}

Test(virgl, context_create_destroy_unknown)
{
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "test", 4), GPU_OK);
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "again", 5), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_virgl_ctx_create(v, 0, "zero", 4), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_virgl_ctx_create(v, 7, NULL, 100), GPU_OK, "name length cut");
	cr_assert_eq(gpu_virgl_ctx_destroy(v, 2), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_virgl_ctx_destroy(v, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_ctx_destroy(v, 1), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_virgl_ctx_attach(v, 1, 1), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_virgl_ctx_attach(v, 7, 1), GPU_E_RES_UNKNOWN);
	cr_assert_eq(gpu_virgl_ctx_detach(v, 1, 1), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_CONTEXT), VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
}

Test(virgl, context_cap)
{
	reopen((struct gpu_virgl_limits){.max_contexts = 2});
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "a", 1), GPU_OK);
	cr_assert_eq(gpu_virgl_ctx_create(v, 2, "b", 1), GPU_OK);
	cr_assert_eq(gpu_virgl_ctx_create(v, 3, "c", 1), GPU_E_TOO_MANY);
	cr_assert_eq(gpu_err_to_resp(GPU_E_TOO_MANY), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	cr_assert_eq(gpu_virgl_ctx_destroy(v, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_ctx_create(v, 3, "c", 1), GPU_OK);
}

Test(virgl, clear_then_transfer_from_host_is_pixel_exact)
{
	const float c[4] = {1.0f, 0.2f, 0.6f, 1.0f};
	const uint8_t want[4] = {unorm8(c[2]), unorm8(c[1]), unorm8(c[0]),
				 unorm8(c[3])}; /* B G R A */
	size_t len = W * H * 4;

	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "clear", 5), GPU_OK);
	uint8_t *mem = make_target(1, 1, len);
	submit_clear(1, 1, c[0], c[1], c[2], c[3]);
	struct gpu_virgl_xfer t = whole(1, 1);
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_OK);
	for (size_t i = 0; i < len; i += 4)
		cr_assert_eq(memcmp(mem + i, want, 4), 0, "pixel %zu: %02x %02x %02x %02x", i / 4,
			     mem[i], mem[i + 1], mem[i + 2], mem[i + 3]);
	free(mem);
}

Test(virgl, transfer_box_with_offset_touches_only_its_span)
{
	size_t len = W * H * 4;

	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "box", 3), GPU_OK);
	uint8_t *mem = make_target(1, 1, len);
	submit_clear(1, 1, 0.0f, 1.0f, 0.0f, 1.0f);
	/* A 3x2 box, rows 100 bytes apart, at backing offset 1000. */
	struct gpu_virgl_xfer t = {
	    .res_id = 1, .ctx_id = 1, .stride = 100, .box = {5, 7, 0, 3, 2, 1}, .offset = 1000};
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_OK);
	for (size_t i = 0; i < len; i++) {
		size_t rel = i - 1000;
		bool in = i >= 1000 && rel % 100 < 12 && rel / 100 < 2;
		uint8_t want = in ? (rel % 4 == 0 ? 0 : 0xff) : 0xee; /* B=0 G=ff R=0 A=ff */
		if (in && rel % 4 == 2)
			want = 0;
		cr_assert_eq(mem[i], want, "byte %zu", i);
	}
	free(mem);
}

Test(virgl, read_pixels_of_a_rectangle)
{
	uint8_t px[4 * 4 * 4 + 8];

	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "read", 4), GPU_OK);
	uint8_t *mem = make_target(1, 1, W * H * 4);
	submit_clear(1, 1, 0.0f, 0.0f, 1.0f, 1.0f);
	memset(px, 0x11, sizeof(px));
	struct gpu_virgl_box r = {60, 28, 0, 4, 4, 1};
	cr_assert_eq(gpu_virgl_read_pixels(v, 1, &r, px, 16, 64), GPU_OK);
	for (int i = 0; i < 64; i += 4) {
		cr_assert_eq(px[i], 0xff);
		cr_assert_eq(px[i + 1], 0);
		cr_assert_eq(px[i + 2], 0);
		cr_assert_eq(px[i + 3], 0xff);
	}
	cr_assert_eq(px[64], 0x11, "only the rectangle");
	r.x = 61;
	cr_assert_eq(gpu_virgl_read_pixels(v, 1, &r, px, 16, 64), GPU_E_BAD_RECT);
	r.x = 60;
	cr_assert_eq(gpu_virgl_read_pixels(v, 1, &r, px, 16, 63), GPU_E_BAD_OFFSET);
	cr_assert_eq(gpu_virgl_read_pixels(v, 1, &r, px, 15, 64), GPU_E_BAD_OFFSET);
	cr_assert_eq(gpu_virgl_read_pixels(v, 2, &r, px, 16, 64), GPU_E_RES_UNKNOWN);
	free(mem);
}

static uint64_t seen[8];
static unsigned nseen;

static void on_fence(void *opaque, uint32_t ctx, uint8_t ring, uint64_t id)
{
	cr_assert_eq(ctx, 1);
	cr_assert_eq(ring, 3);
	cr_assert_lt(nseen, 8);
	seen[nseen++] = id;
}

Test(virgl, fences_retire_in_order_through_the_fd)
{
	int fd = gpu_virgl_fence_fd(v);
	int readable = 0;

	cr_assert_geq(fd, 0);
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "fence", 5), GPU_OK);
	uint8_t *mem = make_target(1, 1, W * H * 4);
	nseen = 0;
	for (uint64_t f = 1; f <= 5; f++) {
		submit_clear(1, 1, 0.1f * (float)f, 0.0f, 0.0f, 1.0f);
		cr_assert_eq(gpu_virgl_create_fence(v, 1, 3, 100 + f), GPU_OK);
	}
	while (nseen < 5) {
		struct pollfd p = {fd, POLLIN, 0};
		cr_assert_eq(poll(&p, 1, 10000), 1, "fence fd readable");
		readable++;
		gpu_virgl_retire(v, on_fence, NULL);
	}
	cr_assert_geq(readable, 1);
	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(seen[i], 101 + i, "fence %u", i);
	cr_assert_eq(gpu_virgl_retire(v, on_fence, NULL), 0, "nothing left");
	free(mem);
}

Test(virgl, fence_cap)
{
	reopen((struct gpu_virgl_limits){.max_fences = 2});
	cr_assert_eq(gpu_virgl_create_fence(v, 0, 0, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_create_fence(v, 0, 0, 2), GPU_OK);
	cr_assert_eq(gpu_virgl_create_fence(v, 0, 0, 3), GPU_E_NO_MEM);
}

Test(virgl, create_refuses_bad_sizes_targets_formats_ids)
{
	struct gpu_virgl_res_desc d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 0, 0);

	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_SIZE, "0x0");
	d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 0, 16);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_SIZE, "0 wide");
	d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 16385, 1);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_SIZE, "too wide");
	d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, UINT32_MAX, UINT32_MAX);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_SIZE, "enormous");
	d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 16384, 16384);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_NO_MEM, "1 GiB > 256 MiB cap");
	d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 16, 16);
	d.target = GPU_VIRGL_TARGET_COUNT;
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_FORMAT, "unknown target");
	d.target = UINT32_MAX;
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_FORMAT, "unknown target");
	d = tex2d(0, 16, 16);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_FORMAT, "format 0");
	d = tex2d(73, 16, 16);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_FORMAT, "gap in the numbering");
	d = tex2d(100000, 16, 16);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_FORMAT, "past the last");
	d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 16, 16);
	d.last_level = 5;
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_SIZE, "level past log2(16)");
	d.last_level = 0;
	d.depth = 2;
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_BAD_SIZE, "2D with depth");
	d.depth = 1;
	cr_assert_eq(gpu_virgl_res_create(v, 0, &d), GPU_E_RES_ID_ZERO);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_OK);
	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_E_RES_EXISTS);
	cr_assert_eq(gpu_virgl_res_unref(v, 2), GPU_E_RES_UNKNOWN);
	cr_assert_eq(gpu_virgl_res_unref(v, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_res_unref(v, 1), GPU_E_RES_UNKNOWN);
}

Test(virgl, memory_cap_charges_the_estimate)
{
	reopen((struct gpu_virgl_limits){.mem_limit = 1u << 20});
	struct gpu_virgl_res_desc d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 512, 512);
	struct gpu_virgl_res_desc small = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 1, 1);

	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_OK, "exactly 1 MiB");
	cr_assert_eq(gpu_virgl_res_create(v, 2, &small), GPU_E_NO_MEM);
	cr_assert_eq(gpu_err_to_resp(GPU_E_NO_MEM), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	cr_assert_eq(gpu_virgl_res_unref(v, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_res_create(v, 2, &small), GPU_OK, "unref gave it back");
}

Test(virgl, resource_count_cap)
{
	reopen((struct gpu_virgl_limits){.max_resources = 3});
	struct gpu_virgl_res_desc d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 4, 4);

	for (uint32_t id = 1; id <= 3; id++)
		cr_assert_eq(gpu_virgl_res_create(v, id, &d), GPU_OK);
	cr_assert_eq(gpu_virgl_res_create(v, 4, &d), GPU_E_TOO_MANY);
}

Test(virgl, backing_attach_detach_rules)
{
	struct gpu_virgl_res_desc d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 4, 4);
	uint8_t mem[64];
	struct iovec iov[2] = {{mem, 32}, {mem + 32, 32}};

	cr_assert_eq(gpu_virgl_res_create(v, 1, &d), GPU_OK);
	cr_assert_eq(gpu_virgl_attach_backing(v, 2, iov, 2), GPU_E_RES_UNKNOWN);
	cr_assert_eq(gpu_virgl_attach_backing(v, 1, iov, 0), GPU_E_BAD_ENTRIES);
	cr_assert_eq(gpu_virgl_attach_backing(v, 1, iov, GPU_VIRGL_MAX_BACKING + 1),
		     GPU_E_BAD_ENTRIES);
	struct iovec empty[2] = {{mem, 32}, {mem, 0}};
	cr_assert_eq(gpu_virgl_attach_backing(v, 1, empty, 2), GPU_E_BAD_BACKING);
	struct iovec wrap[2] = {{mem, SIZE_MAX}, {mem, 2}};
	cr_assert_eq(gpu_virgl_attach_backing(v, 1, wrap, 2), GPU_E_BAD_BACKING);
	cr_assert_eq(gpu_virgl_detach_backing(v, 1), GPU_E_NO_BACKING);
	cr_assert_eq(gpu_virgl_attach_backing(v, 1, iov, 2), GPU_OK);
	cr_assert_eq(gpu_virgl_attach_backing(v, 1, iov, 2), GPU_E_HAS_BACKING);
	cr_assert_eq(gpu_virgl_detach_backing(v, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_attach_backing(v, 1, iov, 2), GPU_OK, "again after detach");
	/* Unref while attached: detached by the unref, nothing leaks (ASan). */
	cr_assert_eq(gpu_virgl_res_unref(v, 1), GPU_OK);
}

Test(virgl, transfers_refuse_box_level_backing_ctx)
{
	struct gpu_virgl_xfer t;

	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "x", 1), GPU_OK);
	struct gpu_virgl_res_desc d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, W, H);
	cr_assert_eq(gpu_virgl_res_create(v, 2, &d), GPU_OK);
	t = whole(1, 2);
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_NO_BACKING);
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_E_NO_BACKING);

	uint8_t *mem = make_target(1, 1, W * H * 4);
	t = whole(1, 1);
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_OK);
	t.box.x = 1;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_RECT, "x + w past width");
	t = whole(1, 1);
	t.box.y = H;
	t.box.h = 1;
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_E_BAD_RECT, "y past height");
	t = whole(1, 1);
	t.box.x = UINT32_MAX;
	t.box.w = 2;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_RECT, "x + w wraps");
	t = whole(1, 1);
	t.box.d = 2;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_RECT, "second layer");
	t = whole(1, 1);
	t.box.w = 0;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_RECT, "empty box");
	t = whole(1, 1);
	t.level = 1;
	t.box.w = t.box.h = 1;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_RECT, "level past last_level");
	t = whole(1, 1);
	t.offset = 4;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_OFFSET, "past the backing");
	t.offset = UINT64_MAX - 8;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_OFFSET, "offset wraps");
	t = whole(1, 1);
	t.stride = W * 4 - 1;
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_OFFSET, "stride < row");
	t = whole(1, 1);
	t.stride = UINT32_MAX;
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_E_BAD_OFFSET, "huge stride");
	t = whole(9, 1);
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_E_BAD_CONTEXT);
	t = whole(1, 5);
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_E_RES_UNKNOWN);
	free(mem);
}

Test(virgl, submit_refuses_size_ctx_and_reports_renderer_errors)
{
	uint32_t junk[4] = {0xffff00ff, 1, 2, 3}; /* command 255: none */
	static uint32_t big[(GPU_VIRGL_DEFAULT_SUBMIT / 4) + 1];

	cr_assert_eq(gpu_virgl_submit(v, 1, junk, 4), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "s", 1), GPU_OK);
	cr_assert_eq(gpu_virgl_submit(v, 1, junk, 6), GPU_E_BAD_SIZE, "not a multiple of 4");
	cr_assert_eq(gpu_virgl_submit(v, 1, big, sizeof(big)), GPU_E_NO_MEM, "past the cap");
	cr_assert_eq(gpu_virgl_submit(v, 1, big, GPU_VIRGL_DEFAULT_SUBMIT), GPU_OK, "NOPs");
	cr_assert_eq(gpu_virgl_submit(v, 1, junk, sizeof(junk)), GPU_E_UNSUPPORTED);
	/* A fresh context still renders. */
	cr_assert_eq(gpu_virgl_ctx_create(v, 2, "fresh", 5), GPU_OK);
	uint8_t *mem = make_target(2, 1, W * H * 4);
	submit_clear(2, 1, 1.0f, 1.0f, 1.0f, 1.0f);
	struct gpu_virgl_xfer t = whole(2, 1);
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_OK);
	cr_assert_eq(r32(mem, 0), 0xffffffff);
	free(mem);
}

Test(virgl, reset_drops_resources_contexts_and_fences)
{
	reopen((struct gpu_virgl_limits){.mem_limit = 1u << 20, .max_contexts = 1});
	struct gpu_virgl_res_desc d = tex2d(GPU_VIRGL_FMT_B8G8R8A8_UNORM, 512, 512);

	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "r", 1), GPU_OK);
	uint8_t *mem = make_target(1, 1, W * H * 4);
	cr_assert_eq(gpu_virgl_res_create(v, 2, &d), GPU_E_NO_MEM, "cap nearly used");
	submit_clear(1, 1, 1.0f, 0.0f, 0.0f, 1.0f);
	cr_assert_eq(gpu_virgl_create_fence(v, 1, 0, 9), GPU_OK);
	gpu_virgl_reset(v);
	nseen = 0;
	struct pollfd p = {gpu_virgl_fence_fd(v), POLLIN, 0};
	poll(&p, 1, 2000);
	cr_assert_eq(gpu_virgl_retire(v, on_fence, NULL), 0, "fence 9 forgotten");
	cr_assert_eq(gpu_virgl_res_unref(v, 1), GPU_E_RES_UNKNOWN);
	cr_assert_eq(gpu_virgl_ctx_destroy(v, 1), GPU_E_BAD_CONTEXT);
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "again", 5), GPU_OK, "id and cap free again");
	cr_assert_eq(gpu_virgl_res_create(v, 2, &d), GPU_OK, "memory given back");
	free(mem);
}

/* What the guest wrote at (x, y) is what a readback of (x, y) returns:
 * the same coordinates for TRANSFER_TO_HOST_3D and for the display. */
Test(virgl, read_pixels_returns_what_was_transferred_at_its_place)
{
	size_t len = W * H * 4;
	uint8_t out[5 * 3 * 4];

	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "pattern", 7), GPU_OK);
	uint8_t *mem = make_target(1, 1, len);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			w32(mem, (y * W + x) * 4, 0xff000000u | y << 8 | x);
	struct gpu_virgl_xfer t = whole(1, 1);
	cr_assert_eq(gpu_virgl_transfer_to_host(v, &t), GPU_OK);
	struct gpu_virgl_box r = {10, 20, 0, 5, 3, 1};
	cr_assert_eq(gpu_virgl_read_pixels(v, 1, &r, out, 5 * 4, sizeof(out)), GPU_OK);
	for (uint32_t y = 0; y < 3; y++)
		for (uint32_t x = 0; x < 5; x++)
			cr_assert_eq(r32(out, (y * 5 + x) * 4),
				     0xff000000u | (20 + y) << 8 | (10 + x), "(%u, %u)", 10 + x,
				     20 + y);
	free(mem);
}

/* The renderer detaches an unreferenced resource from every context; the
 * context's surface on it must not be a way to reach freed memory. */
Test(virgl, unref_while_attached_and_drawn_to)
{
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "u", 1), GPU_OK);
	uint8_t *mem = make_target(1, 1, W * H * 4);
	submit_clear(1, 1, 1.0f, 0.0f, 0.0f, 1.0f);
	cr_assert_eq(gpu_virgl_res_unref(v, 1), GPU_OK);
	cr_assert_eq(gpu_virgl_ctx_attach(v, 1, 1), GPU_E_RES_UNKNOWN);
	struct vstream s = {.n = 0};
	vs_clear_color(&s, 0.0f, 1.0f, 0.0f, 1.0f);
	gpu_virgl_submit(v, 1, s.d, s.n * 4); /* either answer, never a crash */
	uint8_t *mem2 = make_target(1, 2, W * H * 4);
	submit_clear(1, 2, 0.0f, 0.0f, 1.0f, 1.0f);
	struct gpu_virgl_xfer t = whole(1, 2);
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_OK);
	cr_assert_eq(r32(mem2, 0), 0xff0000ff, "blue BGRA: %08x", r32(mem2, 0));
	free(mem);
	free(mem2);
}

/* The device opens the renderer where it is built and uses it on its
 * worker: one thread at a time, handed over by gpu_virgl_release_thread. */
static void *worker(void *arg)
{
	const uint8_t *mem;
	uint8_t caps[2048];

	/* First a call that runs GL in the renderer's own context. */
	cr_assert_eq(gpu_virgl_capset(v, 2, 2, caps, sizeof(caps)), GPU_OK);
	cr_assert_eq(r32(caps, 0), 2);
	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "worker", 6), GPU_OK);
	mem = make_target(1, 1, W * H * 4);
	submit_clear(1, 1, 0.0f, 1.0f, 0.0f, 1.0f);
	struct gpu_virgl_xfer t = whole(1, 1);
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_OK);
	cr_assert_eq(r32(mem, 0), 0xff00ff00, "green BGRA: %08x", r32(mem, 0));
	gpu_virgl_release_thread(v);
	return (void *)mem;
}

Test(virgl, used_on_a_worker_thread_then_closed_on_the_opener)
{
	pthread_t th;
	void *mem;

	cr_assert_eq(pthread_create(&th, NULL, worker, NULL), 0);
	cr_assert_eq(pthread_join(th, &mem), 0);
	struct gpu_virgl_box r = {0, 0, 0, 1, 1, 1};
	uint32_t px = 0;
	cr_assert_eq(gpu_virgl_read_pixels(v, 1, &r, &px, 4, 4), GPU_OK, "back on this thread");
	cr_assert_eq(px, 0xff00ff00);
	free(mem);
}

/* Without its fence thread the renderer would need a polling timer. */
Test(virgl, no_fence_fd_is_an_error_and_leaves_nothing_open)
{
	struct gpu_virgl_limits lim = {0};

	gpu_virgl_close(v);
	v = NULL;
	setenv("VIRGL_DISABLE_MT", "1", 1);
	cr_assert_eq(gpu_virgl_open(&lim, &v), -ENOTSUP);
	unsetenv("VIRGL_DISABLE_MT");
	cr_assert_eq(gpu_virgl_open(&lim, &v), 0, "a later open works");
	cr_assert_geq(gpu_virgl_fence_fd(v), 0);
}

/* Why we own EGL: a display context of ours reads the renderer's texture
 * directly, and the renderer carries on after the hand-back. */
Test(virgl, a_display_context_reads_the_renderers_texture)
{
	uint32_t tex = 0, px = 0;
	GLuint fb;

	cr_assert_eq(gpu_virgl_ctx_create(v, 1, "tex", 3), GPU_OK);
	uint8_t *mem = make_target(1, 1, W * H * 4);
	submit_clear(1, 1, 1.0f, 0.0f, 1.0f, 1.0f);
	cr_assert_eq(gpu_virgl_res_texture(v, 1, &tex), GPU_OK);
	cr_assert_eq(gpu_virgl_res_texture(v, 2, &tex), GPU_E_RES_UNKNOWN);
	struct gpu_egl *egl = gpu_virgl_egl(v);
	void *ctx = gpu_egl_context_create(egl, 3, 3);
	cr_assert(ctx);
	cr_assert_eq(gpu_egl_make_current(egl, ctx), 0);
	glGenFramebuffers(1, &fb);
	glBindFramebuffer(GL_FRAMEBUFFER, fb);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex, 0);
	cr_assert_eq(glCheckFramebufferStatus(GL_FRAMEBUFFER), GL_FRAMEBUFFER_COMPLETE);
	glReadPixels(0, 0, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, &px);
	cr_assert_eq(px, 0xffff00ff, "magenta RGBA: %08x", px);
	glDeleteFramebuffers(1, &fb);
	gpu_egl_make_current(egl, NULL);
	gpu_egl_context_destroy(egl, ctx);
	gpu_virgl_release_thread(v);
	submit_clear(1, 1, 0.0f, 1.0f, 0.0f, 1.0f);
	struct gpu_virgl_xfer t = whole(1, 1);
	cr_assert_eq(gpu_virgl_transfer_from_host(v, &t), GPU_OK);
	cr_assert_eq(r32(mem, 0), 0xff00ff00, "green BGRA after the hand-back: %08x", r32(mem, 0));
	free(mem);
}

Test(virgl, open_twice_is_busy)
{
	struct gpu_virgl *other;
	struct gpu_virgl_limits lim = {0};

	cr_assert_eq(gpu_virgl_open(&lim, &other), -EBUSY);
}
