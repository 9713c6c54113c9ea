/* libFuzzer: the virtio-gpu device over fuzzer-controlled guest memory.
 *
 * Byte 0 picks the mode:
 *  even: a sequence of requests [len lo, len hi, cap, bytes...] handed to
 *        the decoder and then the reply path one after another (so
 *        create/attach/transfer/scanout/flush/cursor sequences build up
 *        state), with bytes 1.. also copied into a 64 KiB guest RAM that
 *        attach requests can point into;
 *  odd:  the rest of the input is guest RAM holding the ctrl and cursor
 *        rings (16 entries each, fixed places), descriptors, requests
 *        and backing; the worker's queue processing runs once over it.
 * One device and headless display for the whole run (its worker thread
 * costs too much to start per input); a device reset after each input
 * frees whatever the input made, so runs stay independent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display/display.h"
#include "gpu/gpu_priv.h"

#define RAM_GPA	 0x10000ull
#define RAM_SIZE 0x10000ull

/* Ring layout for odd mode, 16-entry queues. */
#define CTRL_DESC    (RAM_GPA + 0x0000)
#define CTRL_AVAIL   (RAM_GPA + 0x0100)
#define CTRL_USED    (RAM_GPA + 0x0200)
#define CURSOR_DESC  (RAM_GPA + 0x0400)
#define CURSOR_AVAIL (RAM_GPA + 0x0500)
#define CURSOR_USED  (RAM_GPA + 0x0600)

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
static uint8_t *ram;
static uint8_t resp[GPU_MAX_REPLY_BYTES];

static void run_requests(struct gpu *g, const uint8_t *p, size_t n)
{
	while (n >= 3) {
		size_t len = p[0] | (size_t)p[1] << 8;
		size_t cap = p[2] == 0xff ? sizeof(resp) : p[2];

		p += 3;
		n -= 3;
		if (len > n)
			len = n;
		struct gpu_cmd c;
		(void)gpu_decode(p, len, &c);
		size_t r = gpu_handle_request(g, p, len, resp, cap, NULL);
		if (r > cap)
			abort();
		p += len;
		n -= len;
	}
}

static void run_queues(struct gpu *g, struct virtio_queue *q)
{
	if (vq_init(&q[0].vq, g->mem, 16, CTRL_DESC, CTRL_AVAIL, CTRL_USED, ram[0] & 1) ||
	    vq_init(&q[1].vq, g->mem, 16, CURSOR_DESC, CURSOR_AVAIL, CURSOR_USED, ram[0] & 2))
		abort();
	gpu_worker_process(g);
}

static struct gpu *device(const struct guest_mem *gm)
{
	static struct gpu *g;
	struct display_config dc = {.outputs = 2, .width = 320, .height = 200};
	char err[128];
	struct display *d;

	if (g)
		return g;
	d = display_headless_open(&dc, err, sizeof(err));
	if (!d)
		abort();
	struct gpu_config gc = {.outputs = 2,
				.width = 320,
				.height = 200,
				.display = d,
				.mem = gm,
				.max_resources = 64,
				.mem_limit = 4u << 20};
	g = gpu_create(&gc, err, sizeof(err));
	if (!g)
		abort();
	return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_mem gm;
	struct virtio_queue queues[2] = {{.kick_fd = -1}, {.kick_fd = -1}};
	struct gpu *g;

	if (size < 1)
		return 0;
	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	memcpy(ram, data + 1, size - 1 < RAM_SIZE ? size - 1 : RAM_SIZE);
	guest_mem_init_flat(&gm, RAM_GPA, ram, RAM_SIZE);
	g = device(&gm);

	if (data[0] & 1) {
		/* The worker thread is idle (no kick fds): drive its queue
		 * processing here, as if attached. */
		g->queues = queues;
		g->irq = &irq;
		g->attached = true;
		run_queues(g, queues);
	} else {
		run_requests(g, data + 1, size - 1);
	}
	/* Frees every resource (on the worker) and detaches. */
	gpu_virtio_ops.reset(g);
	return 0;
}
