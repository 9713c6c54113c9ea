/* The whole 2D path into a real compositor: guest commands on a virtqueue,
 * the worker thread (with the Wayland fd in its epoll set), the 2D backend
 * and the Wayland display, checked pixel-exact in weston's output; then the
 * compositor goes away and the VM is asked to shut down. */
#include <criterion/criterion.h>
#include <sys/eventfd.h>

#include "display/display.h"
#include "gpu/gpu_priv.h"
#include "tests/unit/test_display_weston.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/gpu_queues.h"
#include "tests/unit/vq_builder.h"

#define FW 200
#define FH 120

static struct vqb ctrl, cursor;
static struct virtio_queue queues[2];
static int shutdowns;

static void irq_queue(struct virtio_irq *irq, unsigned q)
{
}

static void irq_config(struct virtio_irq *irq)
{
}

static void irq_reset(struct virtio_irq *irq)
{
}

static struct virtio_irq irq = {irq_queue, irq_config, irq_reset};

static void on_shutdown(void *opaque)
{
	__atomic_add_fetch(&shutdowns, 1, __ATOMIC_SEQ_CST);
}

static void start(void)
{
	start_weston_shell("--shell=desktop-shell.so");
}

static uint16_t send(const uint8_t *req, size_t len)
{
	struct vqb_buf b[2] = {vqb_buf_out(&ctrl, req, len), vqb_buf_in(&ctrl, 24)};
	uint64_t one = 1;
	uint16_t head = vqb_add_chain(&ctrl, b, 2);

	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
	return head;
}

static void wait_done(unsigned n)
{
	uint16_t id;
	uint32_t len;

	for (unsigned got = 0; got < n;) {
		int i;

		for (i = 0; i < 2000 && !vqb_get_used(&ctrl, &id, &len); i++)
			usleep(1000);
		cr_assert_lt(i, 2000, "request %u not answered", got);
		got++;
	}
}

/* A Wayland window and the GPU on it, not yet activated. */
static struct gpu *open_gpu(struct display **d)
{
	struct display_config dc = {.outputs = 1, .width = FW, .height = FH, .title = "vm"};
	char err[256];
	struct gpu_config gc = {.outputs = 1, .width = FW, .height = FH, .shutdown = on_shutdown};
	struct gpu *g;

	*d = display_wayland_open(&dc, err, sizeof(err));
	cr_assert_not_null(*d, "%s", err);
	gc.display = *d;
	__atomic_store_n(&shutdowns, 0, __ATOMIC_SEQ_CST);
	g = gpu_create(&gc, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	return g;
}

Test(gpu_wayland, guest_frame_reaches_compositor_and_close_shuts_down, .init = start,
     .fini = stop_weston, .timeout = 40)
{
	static uint32_t expect[FW * FH];
	uint8_t req[64];
	struct display *d;
	struct gpu *g = open_gpu(&d);
	uint64_t backing;
	uint8_t *px;

	gpu_queues_init(&ctrl, &cursor, queues, 1 << 20, 16, 1 << 16);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);

	/* The guest draws B8G8R8X8 pixels into its backing. */
	backing = vqb_alloc(&ctrl, FW * FH * 4);
	px = vqb_host(&ctrl, backing);
	for (uint32_t i = 0; i < FW * FH; i++) {
		uint32_t x = i % FW, y = i / FW;

		px[4 * i + 0] = x * 7; /* B */
		px[4 * i + 1] = y * 3; /* G */
		px[4 * i + 2] = x ^ y; /* R */
		px[4 * i + 3] = 0;     /* X */
		expect[i] = (uint32_t)(uint8_t)(x ^ y) << 16 | (uint32_t)(uint8_t)(y * 3) << 8 |
			    (uint8_t)(x * 7);
	}
	struct gpu_mem_entry e = {backing, FW * FH * 4};
	static uint8_t att[64];

	send(req, req_create_2d(req, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, FW, FH));
	send(att, req_attach(att, 1, &e, 1));
	send(req, req_transfer(req, 1, 0, 0, FW, FH, 0));
	send(req, req_set_scanout(req, 0, 1, 0, 0, FW, FH));
	send(req, req_flush(req, 1, 0, 0, FW, FH));
	wait_done(5);

	bool ok = false;
	for (int i = 0; i < 15 && !ok; i++) {
		uint32_t *shot = compositor_shot();

		ok = weston_shows(shot, expect, FW, FH);
		free(shot);
		if (!ok)
			usleep(200000);
	}
	cr_assert(ok, "the guest's frame never appeared exactly in weston");

	/* Compositor gone: the worker's display dispatch fails -> shutdown. */
	kill(weston, SIGTERM);
	waitpid(weston, NULL, 0);
	weston = -1;
	for (int i = 0; i < 2000 && !__atomic_load_n(&shutdowns, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	cr_assert_eq(__atomic_load_n(&shutdowns, __ATOMIC_SEQ_CST), 1);
	/* The worker keeps serving the guest without a display fd. */
	send(req, req_hdr(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0));
	wait_done(1);

	gpu_destroy(g);
	display_destroy(d);
	gpu_queues_free(&ctrl, &cursor, queues);
}

/* The worker serves the display from gpu_create on, not from the driver's
 * DRIVER_OK: with no guest driver at all, the display's events are handled
 * and losing the window ends the VM. (Before the worker lived as long as the
 * device, nothing read the Wayland fd until activate.) */
Test(gpu_wayland, window_gone_before_the_driver_loads_shuts_down, .init = start,
     .fini = stop_weston, .timeout = 40)
{
	struct display *d;
	struct gpu *g = open_gpu(&d);

	/* Never activated. The compositor goes away: only a worker that
	 * polls the display fd notices. */
	usleep(200000);
	kill(weston, SIGTERM);
	waitpid(weston, NULL, 0);
	weston = -1;
	for (int i = 0; i < 5000 && !__atomic_load_n(&shutdowns, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	cr_assert_eq(__atomic_load_n(&shutdowns, __ATOMIC_SEQ_CST), 1);
	gpu_destroy(g);
	display_destroy(d);
}

/* A request whose reply (len bytes) the test reads. */
static const uint8_t *ask(const uint8_t *req, size_t len, uint32_t reply_len)
{
	struct vqb_buf b[2] = {vqb_buf_out(&ctrl, req, len), vqb_buf_in(&ctrl, reply_len)};
	uint64_t one = 1;

	vqb_add_chain(&ctrl, b, 2);
	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
	wait_done(1);
	return vqb_host(&ctrl, b[1].gpa);
}

static void start_kiosk(void)
{
	start_weston_shell("--shell=kiosk-shell.so");
}

/* The compositor sizes the window (the kiosk shell: to its output): the
 * guest is told through VIRTIO_GPU_EVENT_DISPLAY in the config space, and
 * GET_DISPLAY_INFO and the EDID's preferred mode give the new size. */
Test(gpu_wayland_kiosk, window_size_reaches_the_guest, .init = start_kiosk, .fini = stop_weston,
     .timeout = 40)
{
	uint8_t req[64];
	uint32_t ev = 0;
	const uint8_t *r;
	struct display *d;
	struct gpu *g = open_gpu(&d);

	gpu_queues_init(&ctrl, &cursor, queues, 1 << 20, 16, 1 << 16);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);
	for (int i = 0; i < 300 && !(ev & VIRTIO_GPU_EVENT_DISPLAY); i++) {
		gpu_virtio_ops.config_read(g, 0, &ev, 4); /* events_read */
		usleep(10000);
	}
	cr_assert_eq(ev, VIRTIO_GPU_EVENT_DISPLAY, "the display event is pending");
	r = ask(req, req_hdr(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0), 408);
	cr_assert_eq(r32(r, 0), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	cr_assert_eq(r32(r, 24 + 8), OUT_W, "pmodes[0].r.width");
	cr_assert_eq(r32(r, 24 + 12), OUT_H, "pmodes[0].r.height");
	cr_assert_eq(r32(r, 24 + 16), 1, "enabled");
	/* GET_EDID: the preferred (first detailed) timing is the new size. */
	memset(req, 0, sizeof(req));
	req_hdr(req, VIRTIO_GPU_CMD_GET_EDID, 0, 0);
	r = ask(req, 32, 24 + 8 + 1024);
	cr_assert_eq(r32(r, 0), VIRTIO_GPU_RESP_OK_EDID);
	const uint8_t *dtd = r + 32 + 54;
	cr_assert_eq(dtd[2] | (dtd[4] >> 4) << 8, OUT_W);
	cr_assert_eq(dtd[5] | (dtd[7] >> 4) << 8, OUT_H);
	/* The driver acknowledges: the bit clears. */
	ev = VIRTIO_GPU_EVENT_DISPLAY;
	gpu_virtio_ops.config_write(g, 4, &ev, 4);
	gpu_virtio_ops.config_read(g, 0, &ev, 4);
	cr_assert_eq(ev, 0);
	gpu_destroy(g);
	display_destroy(d);
	gpu_queues_free(&ctrl, &cursor, queues);
}
