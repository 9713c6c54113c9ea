/* The whole 2D path into a real X server: guest commands on a virtqueue,
 * the worker thread (with the X connection's fd in its epoll set), the 2D
 * backend and the X11 display, read back pixel-exact with GetImage, through
 * MIT-SHM and through the forced PutImage fallback; then the window manager
 * closes the window, or the server goes away, and the VM is asked to shut
 * down. */
#include <criterion/criterion.h>
#include <sys/eventfd.h>

#include "display/display.h"
#include "display/x11_priv.h"
#include "gpu/gpu_priv.h"
#include "tests/unit/test_display_xvfb.h"
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

TestSuite(gpu_x11, .init = start_xvfb, .fini = stop_xvfb, .timeout = 40);

static void send(const uint8_t *req, size_t len)
{
	struct vqb_buf b[2] = {vqb_buf_out(&ctrl, req, len), vqb_buf_in(&ctrl, 24)};
	uint64_t one = 1;

	vqb_add_chain(&ctrl, b, 2);
	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
}

static void wait_done(unsigned n)
{
	uint16_t id;
	uint32_t len;

	for (unsigned got = 0; got < n; got++) {
		int i;

		for (i = 0; i < 2000 && !vqb_get_used(&ctrl, &id, &len); i++)
			usleep(1000);
		cr_assert_lt(i, 2000, "request %u not answered", got);
	}
}

static struct gpu *open_gpu(struct display **d)
{
	struct display_config dc = {.outputs = 1, .width = FW, .height = FH, .title = "vm"};
	char err[256];
	struct gpu_config gc = {.outputs = 1, .width = FW, .height = FH, .shutdown = on_shutdown};
	struct gpu *g;

	*d = display_x11_open(&dc, err, sizeof(err));
	cr_assert_not_null(*d, "%s", err);
	gc.display = *d;
	__atomic_store_n(&shutdowns, 0, __ATOMIC_SEQ_CST);
	g = gpu_create(&gc, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	return g;
}

static void wait_shutdown(void)
{
	for (int i = 0; i < 3000 && !__atomic_load_n(&shutdowns, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	cr_assert_eq(__atomic_load_n(&shutdowns, __ATOMIC_SEQ_CST), 1);
}

/* The guest draws B8G8R8X8 pixels and scans them out; the window must
 * show them exactly. */
static void guest_frame_shows(struct display *d, struct gpu *g)
{
	static uint32_t expect[FW * FH];
	static uint8_t att[64];
	uint8_t req[64];
	uint64_t backing;
	uint8_t *px;
	bool ok = false;

	gpu_queues_init(&ctrl, &cursor, queues, 1 << 20, 16, 1 << 16);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);
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

	send(req, req_create_2d(req, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, FW, FH));
	send(att, req_attach(att, 1, &e, 1));
	send(req, req_transfer(req, 1, 0, 0, FW, FH, 0));
	send(req, req_set_scanout(req, 0, 1, 0, 0, FW, FH));
	send(req, req_flush(req, 1, 0, 0, FW, FH));
	wait_done(5);
	for (int i = 0; i < 100 && !ok; i++) {
		xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(
		    tc, xcb_get_window_attributes(tc, to_x11(d)->out[0].win), NULL);
		bool viewable = a && a->map_state == XCB_MAP_STATE_VIEWABLE;

		free(a);
		if (viewable) {
			uint32_t *shot = window_pixels(to_x11(d)->out[0].win, FW, FH);

			ok = !memcmp(shot, expect, sizeof(expect));
			free(shot);
		}
		if (!ok)
			usleep(50000);
	}
	cr_assert(ok, "the guest's frame never appeared exactly in the window");
}

Test(gpu_x11, guest_frame_through_shm_and_wm_close_shuts_down)
{
	require_xvfb();
	struct display *d;
	struct gpu *g = open_gpu(&d);
	struct x11 *x = to_x11(d);
	xcb_client_message_event_t ev = {.response_type = XCB_CLIENT_MESSAGE,
					 .format = 32,
					 .window = x->out[0].win,
					 .type = x->wm_protocols};

	cr_assert(x->shm);
	guest_frame_shows(d, g);
	ev.data.data32[0] = x->wm_delete_window;
	xcb_send_event(tc, 0, x->out[0].win, XCB_EVENT_MASK_NO_EVENT, (const char *)&ev);
	xcb_flush(tc);
	wait_shutdown();
	gpu_destroy(g);
	display_destroy(d);
	gpu_queues_free(&ctrl, &cursor, queues);
}

Test(gpu_x11, guest_frame_through_putimage_and_server_gone_shuts_down)
{
	require_xvfb();
	setenv(X11_NO_SHM_ENV, "1", 1);
	struct display *d;
	struct gpu *g = open_gpu(&d);
	uint8_t req[64];

	cr_assert_not(to_x11(d)->shm);
	guest_frame_shows(d, g);
	kill(xvfb, SIGKILL);
	waitpid(xvfb, NULL, 0);
	xvfb = -1;
	wait_shutdown();
	/* The worker keeps serving the guest without a display fd. */
	send(req, req_hdr(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0));
	wait_done(1);
	gpu_destroy(g);
	display_destroy(d);
	gpu_queues_free(&ctrl, &cursor, queues);
}
