/* The device with its 3D backend: the frontend (command table, resources,
 * scanouts, fences) over real virglrenderer on llvmpipe, requests in wire
 * format, no KVM. What the guest sees: VIRGL and its capsets before any
 * driver, a clear shown on a scanout pixel-exact, 2D dumb buffers through
 * the renderer, fences retired in order, and errors where QEMU 7.2 says OK.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gpu/gpu_priv.h"
#include "util/sandbox.h"
#include "tests/unit/dri_pin.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/virgl_stream.h"
#include "tests/unit/gpu_queues.h"
#include "tests/unit/vq_builder.h"

#define W 64u
#define H 32u

/* virtio 1.2 spec numbers, written out (not from gpu/protocol.h). */
#define SPEC_RESP_OK_NODATA		 0x1100
#define SPEC_RESP_OK_CAPSET		 0x1103
#define SPEC_RESP_ERR_INVALID_CONTEXT_ID 0x1204
#define SPEC_RESP_ERR_INVALID_PARAMETER	 0x1205
#define SPEC_F_VIRGL			 0
#define SPEC_FLAG_FENCE			 1
#define GALLIUM_TEX_2D			 2
#define GALLIUM_BIND_RT			 (1u << 1)
#define FMT_B8G8R8X8			 2

static struct fake_display fd;
static struct gpu *g;
static struct vqb ctrl, cursor;
static struct virtio_queue queues[2];
static uint8_t req[4096];
static uint8_t *resp; /* the last reply, in guest memory */

static void nop_queue(struct virtio_irq *irq, unsigned q)
{
}

static void nop(struct virtio_irq *irq)
{
}

static struct virtio_irq irq = {nop_queue, nop, nop};

/* The device runs for real: every backend call happens on its worker (GL
 * is bound to that thread), so requests go through the ctrl queue. */
static void setup(void)
{
	struct gpu_config cfg = {.outputs = 1,
				 .width = 640,
				 .height = 480,
				 .display = &fd.d,
				 .backend_create = gpu_backend_virgl_create};
	char err[256];

	fake_display_init(&fd, 1);
	gpu_queues_init(&ctrl, &cursor, queues, 16u << 20, 256, 1 << 16);
	g = gpu_create(&cfg, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);
}

static void teardown(void)
{
	dri_pin_loaded(); /* if the worker started the backend */
	gpu_destroy(g);
	gpu_queues_free(&ctrl, &cursor, queues);
}

TestSuite(gpu_virgl, .init = setup, .fini = teardown, .timeout = 60);

/* Queue req (len bytes) with a reply buffer; returns the chain's head. */
static uint16_t post_req(size_t len, uint8_t **reply)
{
	struct vqb_buf b[2] = {vqb_buf_out(&ctrl, req, len), vqb_buf_in(&ctrl, 2048)};
	uint64_t one = 1;
	uint16_t head = vqb_add_chain(&ctrl, b, 2);

	*reply = vqb_host(&ctrl, b[1].gpa);
	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
	return head;
}

static int next_used(int ms, uint32_t *len)
{
	uint16_t id;

	for (int i = 0; i < ms; i++) {
		if (vqb_get_used(&ctrl, &id, len))
			return id;
		usleep(1000);
	}
	return -1;
}

/* Send and wait: the reply's type. */
static uint32_t send_req(size_t len)
{
	uint32_t n;
	uint16_t head = post_req(len, &resp);

	cr_assert_eq(next_used(5000, &n), head);
	cr_assert_geq(n, 24);
	return r32(resp, 0);
}

static size_t hdr(uint32_t type, uint32_t ctx)
{
	req_hdr(req, type, 0, 0);
	w32(req, 16, ctx);
	return 24;
}

static uint32_t ctx_create(uint32_t ctx, uint32_t context_init)
{
	memset(req, 0, 96);
	hdr(VIRTIO_GPU_CMD_CTX_CREATE, ctx);
	w32(req, 24, 4);
	w32(req, 28, context_init);
	memcpy(req + 32, "test", 4);
	return send_req(96);
}

static uint32_t create_3d(uint32_t id, uint32_t w, uint32_t h)
{
	hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0);
	w32(req, 24, id);
	w32(req, 28, GALLIUM_TEX_2D);
	w32(req, 32, FMT_B8G8R8X8);
	w32(req, 36, GALLIUM_BIND_RT);
	w32(req, 40, w);
	w32(req, 44, h);
	w32(req, 48, 1); /* depth */
	w32(req, 52, 1); /* array_size */
	w32(req, 56, 0); /* last_level */
	w32(req, 60, 0); /* nr_samples */
	w32(req, 64, 0); /* flags */
	w32(req, 68, 0);
	return send_req(72);
}

static uint32_t attach(uint32_t id, uint64_t gpa, uint32_t len)
{
	struct gpu_mem_entry e = {gpa, len};

	return send_req(req_attach(req, id, &e, 1));
}

static uint32_t ctx_res(uint32_t type, uint32_t ctx, uint32_t id)
{
	hdr(type, ctx);
	w32(req, 24, id);
	w32(req, 28, 0);
	return send_req(32);
}

static uint32_t submit(uint32_t ctx, const struct vstream *s)
{
	hdr(VIRTIO_GPU_CMD_SUBMIT_3D, ctx);
	w32(req, 24, s->n * 4);
	w32(req, 28, 0);
	memcpy(req + 32, s->d, s->n * 4);
	return send_req(32 + s->n * 4);
}

static uint8_t unorm8(float c)
{
	return (uint8_t)lrintf(c * 255.0f);
}

Test(gpu_virgl, virgl_and_its_capsets_before_any_driver)
{
	uint32_t v[4];

	cr_assert(gpu_virtio_ops.features(g) & (1ull << SPEC_F_VIRGL));
	gpu_virtio_ops.config_read(g, 0, v, 16);
	cr_assert_eq(v[3], 2, "VIRGL and VIRGL2");
	/* GET_CAPSET VIRGL2 v2: 1376 bytes on this host's virglrenderer. */
	hdr(VIRTIO_GPU_CMD_GET_CAPSET, 0);
	w32(req, 24, 2);
	w32(req, 28, 2);
	uint32_t n, head = post_req(32, &resp);

	cr_assert_eq(next_used(5000, &n), (int)head);
	cr_assert_eq(n, 24 + 1376);
	cr_assert_eq(r32(resp, 0), SPEC_RESP_OK_CAPSET);
}

/* A context clears a render target; SET_SCANOUT + FLUSH shows it. */
static void clear_shown(void)
{
	struct vstream s = {.n = 0};
	const uint8_t *px;

	cr_assert_eq(ctx_create(1, 0), SPEC_RESP_OK_NODATA);
	cr_assert_eq(create_3d(5, W, H), SPEC_RESP_OK_NODATA);
	cr_assert_eq(attach(5, vqb_alloc(&ctrl, W * H * 4), W * H * 4), SPEC_RESP_OK_NODATA);
	cr_assert_eq(ctx_res(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, 1, 5), SPEC_RESP_OK_NODATA);
	vs_create_surface(&s, 1, 5, FMT_B8G8R8X8);
	vs_set_framebuffer(&s, 1);
	vs_clear_color(&s, 0.25f, 0.5f, 1.0f, 1.0f);
	cr_assert_eq(submit(1, &s), SPEC_RESP_OK_NODATA);
	cr_assert_eq(send_req(req_set_scanout(req, 0, 5, 0, 0, W, H)), SPEC_RESP_OK_NODATA);
	cr_assert_eq(send_req(req_flush(req, 5, 0, 0, W, H)), SPEC_RESP_OK_NODATA);
	cr_assert_eq(fd.presents[0], 2);
	cr_assert_eq(fd.frame[0].width, W);
	px = fd.frame[0].data;
	/* B8G8R8X8_UNORM: bytes B, G, R, X; UNORM8 = round(c * 255). */
	for (uint32_t i = 0; i < W * H; i += 7) {
		cr_assert_eq(px[4 * i + 0], unorm8(1.0f), "B of pixel %u", i);
		cr_assert_eq(px[4 * i + 1], unorm8(0.5f), "G of pixel %u", i);
		cr_assert_eq(px[4 * i + 2], unorm8(0.25f), "R of pixel %u", i);
	}
}

Test(gpu_virgl, clear_shown_on_a_scanout_pixel_exact)
{
	clear_shown();
}

/* The same with the worker under its seccomp filter (util/sandbox.h),
 * as lkvm-gpu runs it: entered once the backend started, so the guest's
 * context, llvmpipe's threads for it, the render and teardown all happen
 * under it. A call off the GPU list kills the test process. */
static void setup_sandboxed(void)
{
	sandbox_mode = SANDBOX_KILL;
	setup();
}

TestSuite(gpu_virgl_sandbox, .init = setup_sandboxed, .fini = teardown, .timeout = 60);

/* Seccomp mode (0 none, 2 filter) of each thread of ours, by name. */
static void thread_modes(char *out, size_t max)
{
	char path[300], comm[32], line[128];
	size_t len = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	cr_assert_not_null(d);
	out[0] = 0;
	while ((e = readdir(d))) {
		FILE *f;
		int mode = -1;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		if (f)
			fclose(f);
		comm[strcspn(comm, "\n")] = 0;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "Seccomp: %d", &mode) == 1)
				break;
		if (f)
			fclose(f);
		len += snprintf(out + len, max - len, "%s=%d ", comm, mode);
		if (len >= max)
			break;
	}
	closedir(d);
}

Test(gpu_virgl_sandbox, clear_shown_under_the_gpu_filter)
{
	char modes[1024];

	clear_shown();
	thread_modes(modes, sizeof(modes));
	cr_log_info("threads: %s", modes);
	cr_expect(strstr(modes, "gpu-worker=2 "), "the worker is filtered: %s", modes);
	/* Mesa's and virglrenderer's threads, made while the backend
	 * started, inherited it. */
	cr_expect(strstr(modes, "llvmpipe-0=2 ") && strstr(modes, "vrend-sync=2 "), "%s", modes);
	cr_expect(!strstr(modes, "llvmpipe-0=0 ") && !strstr(modes, "gpu-worker=0 "), "%s", modes);
}

/* Linux's dumb buffers are 2D resources even with VIRGL on: created,
 * filled by TRANSFER_TO_HOST_2D and shown through the renderer, each
 * pixel at its place. */
Test(gpu_virgl, dumb_buffer_2d_path_through_the_renderer)
{
	uint64_t gpa = vqb_alloc(&ctrl, W * H * 4);
	uint8_t *back = vqb_host(&ctrl, gpa);
	const uint32_t *px;

	for (uint32_t i = 0; i < W * H; i++) {
		uint32_t x = i % W, y = i / W;

		back[4 * i + 0] = (uint8_t)x;	    /* B */
		back[4 * i + 1] = (uint8_t)(y * 3); /* G */
		back[4 * i + 2] = (uint8_t)(x ^ y); /* R */
		back[4 * i + 3] = 0;
	}
	cr_assert_eq(send_req(req_create_2d(req, 3, FMT_B8G8R8X8, W, H)), SPEC_RESP_OK_NODATA);
	cr_assert_eq(attach(3, gpa, W * H * 4), SPEC_RESP_OK_NODATA);
	cr_assert_eq(send_req(req_transfer(req, 3, 0, 0, W, H, 0)), SPEC_RESP_OK_NODATA);
	cr_assert_eq(send_req(req_set_scanout(req, 0, 3, 0, 0, W, H)), SPEC_RESP_OK_NODATA);
	px = fd.frame[0].data;
	for (uint32_t i = 0; i < W * H; i++) {
		uint32_t x = i % W, y = i / W;
		uint32_t want =
		    (uint32_t)(uint8_t)(x ^ y) << 16 | (uint32_t)(uint8_t)(y * 3) << 8 | x;

		cr_assert_eq(px[i] & 0xffffff, want, "(%u,%u)", x, y);
	}
}

/* Fenced commands that succeed park their reply until the renderer's
 * fence fd says they are done (no timer); they come back in order, each
 * with its fence id. */
Test(gpu_virgl, fenced_submits_park_and_retire_in_order)
{
	struct vstream s = {.n = 0};
	uint16_t heads[3];
	uint8_t *replies[3];
	uint32_t n;

	cr_assert_eq(ctx_create(2, 0), SPEC_RESP_OK_NODATA);
	vs_hdr(&s, 0, 0, 0); /* a NOP dword */
	for (unsigned i = 0; i < 3; i++) {
		hdr(VIRTIO_GPU_CMD_SUBMIT_3D, 2);
		w32(req, 4, SPEC_FLAG_FENCE);
		w64(req, 8, (i + 1) * 10);
		w32(req, 24, 4);
		memcpy(req + 32, s.d, 4);
		heads[i] = post_req(36, &replies[i]);
	}
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(next_used(5000, &n), heads[i], "reply %u out of order", i);
		cr_assert_eq(r32(replies[i], 0), SPEC_RESP_OK_NODATA);
		cr_assert_eq(r32(replies[i], 4), SPEC_FLAG_FENCE);
		cr_assert_eq(r64(replies[i], 8), (i + 1) * 10);
	}
}

/* What QEMU 7.2 answers OK_NODATA to (a 0x0 create), and the other
 * mistakes a hostile guest makes, each get the spec's error. */
Test(gpu_virgl, hostile_3d_commands_get_errors)
{
	struct vstream s = {.n = 0};

	cr_assert_eq(create_3d(7, 0, 0), SPEC_RESP_ERR_INVALID_PARAMETER);
	/* context_init: a capset we list (VIRGL 1, VIRGL2 2) or 0, nothing else. */
	cr_assert_eq(ctx_create(3, 4), SPEC_RESP_ERR_INVALID_PARAMETER, "VENUS: not listed");
	cr_assert_eq(ctx_create(3, 6), SPEC_RESP_ERR_INVALID_PARAMETER, "DRM: not listed");
	cr_assert_eq(ctx_create(3, 0x101), SPEC_RESP_ERR_INVALID_PARAMETER, "undefined bits");
	cr_assert_eq(ctx_create(0, 0), SPEC_RESP_ERR_INVALID_CONTEXT_ID);
	vs_hdr(&s, 0, 0, 0);
	cr_assert_eq(submit(9, &s), SPEC_RESP_ERR_INVALID_CONTEXT_ID);
	/* A transfer without backing. */
	cr_assert_eq(create_3d(8, W, H), SPEC_RESP_OK_NODATA);
	hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, 0);
	memset(req + 24, 0, 48);
	w32(req, 36, 1);
	w32(req, 40, 1);
	w32(req, 44, 1);
	w32(req, 56, 8);
	cr_assert_eq(send_req(72), SPEC_RESP_ERR_INVALID_PARAMETER);
	/* A submit whose size runs past the request. */
	hdr(VIRTIO_GPU_CMD_SUBMIT_3D, 3);
	w32(req, 24, 4096);
	cr_assert_eq(send_req(40), SPEC_RESP_ERR_INVALID_PARAMETER);
}

/* Every 2D format of the spec can be created through the renderer. */
Test(gpu_virgl, every_2d_format_through_the_renderer)
{
	const uint32_t fmts[] = {1, 2, 3, 4, 67, 68, 121, 134}; /* virtio 1.2, 5.7.6.8 */

	for (unsigned i = 0; i < 8; i++)
		cr_expect_eq(send_req(req_create_2d(req, 40 + i, fmts[i], 16, 16)),
			     SPEC_RESP_OK_NODATA, "format %u", fmts[i]);
}

/* CONTEXT_INIT over the real renderer: contexts made for capset VIRGL2
 * and VIRGL, fenced submits with INFO_RING_IDX (flag 2) coming back on
 * their (context, ring) with ring_idx echoed: ring 0 through the
 * renderer's context fences, ring 9 (which a GL context cannot take) on
 * the global fence, reported on its own timeline. */
Test(gpu_virgl, context_init_and_ring_fences)
{
	struct vstream s = {.n = 0};
	const struct {
		uint32_t ctx;
		uint8_t ring;
		uint64_t id;
	} f[4] = {{3, 0, 1}, {3, 0, 2}, {4, 0, 1}, {3, 9, 1}};
	uint8_t *replies[4];
	uint16_t heads[4];
	bool back[4] = {false};
	uint32_t n;

	cr_assert(gpu_virtio_ops.features(g) & (1ull << 4));
	cr_assert_eq(ctx_create(3, 2), SPEC_RESP_OK_NODATA);
	cr_assert_eq(ctx_create(4, 1), SPEC_RESP_OK_NODATA);
	vs_hdr(&s, 0, 0, 0);
	for (unsigned i = 0; i < 4; i++) {
		hdr(VIRTIO_GPU_CMD_SUBMIT_3D, f[i].ctx);
		w32(req, 4, SPEC_FLAG_FENCE | 2);
		w64(req, 8, f[i].id);
		req[20] = f[i].ring;
		w32(req, 24, 4);
		memcpy(req + 32, s.d, 4);
		heads[i] = post_req(36, &replies[i]);
	}
	for (unsigned k = 0; k < 4; k++) {
		int h = next_used(5000, &n);
		unsigned i = 0;

		while (i < 4 && heads[i] != h)
			i++;
		cr_assert_lt(i, 4, "reply %u never came back", k);
		cr_assert(i != 1 || back[0], "ring (3,0): fence 2 before fence 1");
		back[i] = true;
		cr_assert_eq(r32(replies[i], 0), SPEC_RESP_OK_NODATA);
		cr_assert_eq(r32(replies[i], 4), SPEC_FLAG_FENCE | 2);
		cr_assert_eq(r64(replies[i], 8), f[i].id);
		cr_assert_eq(r32(replies[i], 16), f[i].ctx);
		cr_assert_eq(replies[i][20], f[i].ring);
	}
}
