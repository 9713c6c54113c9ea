/* Guest blobs into a real compositor: SET_SCANOUT_BLOB with a padded stride
 * and an offset, once over one contiguous run of guest pages (the display
 * reads guest memory in place) and once over scattered pages (through the
 * shadow), then a partial redraw flushed; each checked pixel-exact in
 * weston's output. Expected pixels are the guest's own drawing. */
#include <criterion/criterion.h>
#include <sys/eventfd.h>

#include "display/display.h"
#include "gpu/gpu_priv.h"
#include "tests/unit/gpu_queues.h"
#include "tests/unit/test_display_weston.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/vq_builder.h"

#define FW     160
#define FH     100
#define STRIDE ((FW + 12) * 4)
#define OFFSET (3 * STRIDE + 8)
#define BYTES  (OFFSET + FH * STRIDE)
#define PAGE   4096u

static struct vqb ctrl, cursor;
static struct virtio_queue queues[2];
static uint8_t req[8192];
static uint32_t expect[FW * FH];

static void irq_queue(struct virtio_irq *irq, unsigned q)
{
}

static void irq_nop(struct virtio_irq *irq)
{
}

static struct virtio_irq irq = {irq_queue, irq_nop, irq_nop};

static void start(void)
{
	start_weston_shell("--shell=desktop-shell.so");
}

static void send(size_t len)
{
	struct vqb_buf b[2] = {vqb_buf_out(&ctrl, req, (uint32_t)len), vqb_buf_in(&ctrl, 24)};
	uint64_t one = 1;
	uint16_t id;
	uint32_t n;
	int i;

	vqb_add_chain(&ctrl, b, 2);
	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
	for (i = 0; i < 2000 && !vqb_get_used(&ctrl, &id, &n); i++)
		usleep(1000);
	cr_assert_lt(i, 2000, "no reply");
	cr_assert_eq(r32(vqb_host(&ctrl, b[1].gpa), 0), VIRTIO_GPU_RESP_OK_NODATA);
}

static struct gpu_mem_entry ents[64];
static uint32_t nents;

static uint8_t *blob_byte(uint64_t off)
{
	for (uint32_t i = 0; i < nents; i++) {
		if (off < ents[i].len)
			return vqb_host(&ctrl, ents[i].addr + off);
		off -= ents[i].len;
	}
	cr_assert_fail("past the blob");
	return NULL;
}

/* Draw B8G8R8X8 pixels (seed s) into the blob and the expected picture. */
static void draw(uint32_t s, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h)
{
	for (uint32_t y = y0; y < y0 + h; y++)
		for (uint32_t x = x0; x < x0 + w; x++) {
			uint8_t *p = blob_byte(OFFSET + (uint64_t)y * STRIDE + x * 4);

			p[0] = (uint8_t)(x * 7 + s);
			p[1] = (uint8_t)(y * 3);
			p[2] = (uint8_t)(x ^ y ^ s);
			p[3] = 0;
			expect[y * FW + x] = (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		}
}

static size_t create_blob(uint32_t id)
{
	req_hdr(req, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 0, 0);
	w32(req, 24, id);
	w32(req, 28, 1); /* GUEST */
	w32(req, 32, 2); /* SHAREABLE */
	w32(req, 36, nents);
	w64(req, 40, 0);
	w64(req, 48, BYTES);
	for (uint32_t i = 0; i < nents; i++) {
		w64(req, 56 + 16 * i, ents[i].addr);
		w32(req, 64 + 16 * i, ents[i].len);
		w32(req, 68 + 16 * i, 0);
	}
	return 56 + 16 * (size_t)nents;
}

static size_t scanout_blob(uint32_t id)
{
	req_hdr(req, VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0, 0);
	put_rect(req, 24, 0, 0, FW, FH);
	w32(req, 40, 0);
	w32(req, 44, id);
	w32(req, 48, FW);
	w32(req, 52, FH);
	w32(req, 56, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
	w32(req, 60, 0);
	for (int i = 0; i < 4; i++) {
		w32(req, 64 + 4 * i, i ? 0 : STRIDE);
		w32(req, 80 + 4 * i, i ? 0 : OFFSET);
	}
	return 96;
}

static void assert_on_screen(const char *what)
{
	bool ok = false;

	for (int i = 0; i < 15 && !ok; i++) {
		uint32_t *shot = compositor_shot();

		ok = weston_shows(shot, expect, FW, FH);
		free(shot);
		if (!ok)
			usleep(200000);
	}
	cr_assert(ok, "%s: the blob never appeared exactly in weston", what);
}

static void show_and_update(uint32_t id, uint32_t seed, const char *what)
{
	draw(seed, 0, 0, FW, FH);
	send(create_blob(id));
	send(scanout_blob(id));
	send(req_flush(req, id, 0, 0, FW, FH));
	assert_on_screen(what);
	draw(seed + 100, 20, 10, 50, 40);
	send(req_transfer(req, id, 20, 10, 50, 40, 0));
	send(req_flush(req, id, 20, 10, 50, 40));
	assert_on_screen(what);
}

Test(gpu_wayland_blob, in_place_and_shadowed_blobs_pixel_exact, .init = start, .fini = stop_weston,
     .timeout = 60)
{
	struct display_config dc = {.outputs = 1, .width = FW, .height = FH, .title = "vm"};
	struct gpu_config gc = {.outputs = 1, .width = FW, .height = FH};
	struct display *d;
	struct gpu *g;
	char err[256];
	uint64_t base;

	d = display_wayland_open(&dc, err, sizeof(err));
	cr_assert_not_null(d, "%s", err);
	gc.display = d;
	g = gpu_create(&gc, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	gpu_queues_init(&ctrl, &cursor, queues, 4 << 20, 16, 1 << 16);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);

	/* One run of pages: read in place. */
	nents = 1;
	ents[0] = (struct gpu_mem_entry){vqb_alloc(&ctrl, BYTES), BYTES};
	show_and_update(1, 0, "in place");
	/* Pages in reverse order, a page apart: through the shadow. */
	nents = (BYTES + PAGE - 1) / PAGE;
	base = (vqb_alloc(&ctrl, 2 * nents * PAGE + PAGE) + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	for (uint32_t i = 0; i < nents; i++)
		ents[i] = (struct gpu_mem_entry){base + 2ull * PAGE * (nents - 1 - i), PAGE};
	show_and_update(2, 50, "shadowed");

	gpu_destroy(g);
	display_destroy(d);
	gpu_queues_free(&ctrl, &cursor, queues);
}
