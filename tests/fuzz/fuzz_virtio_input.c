/* libFuzzer: a virtio-input device against a fuzzer-made guest.
 *
 * Input: 8 header bytes (device kind, eventq and statusq size exponents,
 * the initial select/subsel, a config offset and length, a ring salt),
 * then a program of 4-byte steps (op, a, b, c) run over a small guest RAM
 * that holds both rings and their buffers (the rest of the input fills
 * it): send a frame of up to 3 events made of (a, b, c), kick the eventq,
 * serve the statusq, write and read config space, reset and re-activate,
 * publish a burst of simple buffers as a driver would.
 * Every write must stay inside that RAM and the device's memory must stay
 * bounded (ASan checks); frames the device does not offer are refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/input.h"

#define RAM_GPA	 0x10000ULL
#define RAM_SIZE 0x4000ULL

static void irq_q(struct virtio_irq *irq, unsigned q)
{
}
static void irq_nop(struct virtio_irq *irq)
{
}
static struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};

/* Rings as the transport would set them up: eventq at 0, statusq after
 * it. No worker thread: the harness plays its part. */
static void activate(struct virtio_input *in, struct virtio_queue *qs, const struct guest_mem *mem,
		     const uint8_t *h)
{
	uint16_t qsize[2] = {(uint16_t)(1u << (h[1] % 7)), (uint16_t)(1u << (h[2] % 5))};
	uint64_t gpa = RAM_GPA;

	for (unsigned q = 0; q < 2; q++) {
		uint64_t desc = gpa, avail = desc + 16ULL * qsize[q];
		uint64_t used = (avail + 6 + 2ULL * qsize[q] + 3 + (h[7] & 4)) & ~3ULL;

		memset(&qs[q], 0, sizeof(qs[q]));
		qs[q].kick_fd = -1;
		if (vq_init(&qs[q].vq, mem, qsize[q], desc, avail, used, h[7] & 1))
			qs[q].vq.size = 0;
		gpa = used + 6 + 8ULL * qsize[q] + 64;
	}
	pthread_mutex_lock(&in->lock);
	in->mem = mem;
	in->queues = qs;
	in->irq = &irq;
	in->nbufs = 0;
	in->pend_head = in->pend_len = 0;
	in->active = true;
	pthread_mutex_unlock(&in->lock);
}

/* Play a driver that publishes n one-descriptor chains at once (heads
 * reused as the ring wraps, held or not), len bytes each, device-writable
 * unless ro: random RAM alone seldom makes 64 good buffers. */
static void post(struct virtio_queue *q, uint8_t *ram, unsigned n, uint8_t len, bool ro)
{
	struct virtqueue *vq = &q->vq;
	uint8_t *desc, *avail;
	uint16_t idx;

	if (!vq->size)
		return;
	desc = ram + (vq->desc_gpa - RAM_GPA);
	avail = ram + (vq->avail_gpa - RAM_GPA);
	idx = (uint16_t)(avail[2] | avail[3] << 8);
	for (unsigned i = 0; i < n; i++, idx++) {
		uint16_t d = idx % vq->size;
		uint64_t addr = RAM_GPA + RAM_SIZE - 0x400 + 8ULL * (d % 64);
		uint16_t flags = ro ? 0 : 2;

		memcpy(desc + 16 * d, &addr, 8);
		memcpy(desc + 16 * d + 8, &(uint32_t){len}, 4);
		memcpy(desc + 16 * d + 12, &flags, 2);
		memset(desc + 16 * d + 14, 0, 2);
		avail[4 + 2 * (idx % vq->size)] = (uint8_t)d;
		avail[5 + 2 * (idx % vq->size)] = (uint8_t)(d >> 8);
	}
	avail[2] = (uint8_t)idx;
	avail[3] = (uint8_t)(idx >> 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_queue qs[2];
	struct guest_mem mem;
	struct virtio_input *in;
	uint8_t *ram, cfg[VINPUT_CONFIG_SIZE + 8];
	const uint8_t *prog;
	size_t nprog;

	if (size < 8)
		return 0;
	in = virtio_input_create((enum vinput_kind)(data[0] % 3));
	ram = calloc(1, RAM_SIZE);
	if (!in || !ram) {
		virtio_input_destroy(in);
		free(ram);
		return 0;
	}
	prog = data + 8;
	nprog = (size - 8) / 2 / 4 * 4; /* the first half is the program */
	memcpy(ram, data + 8 + nprog, size - 8 - nprog < RAM_SIZE ? size - 8 - nprog : RAM_SIZE);
	guest_mem_init_flat(&mem, RAM_GPA, ram, RAM_SIZE);
	virtio_input_ops.config_write(in, 0, data + 3, 2);
	activate(in, qs, &mem, data);
	for (size_t i = 0; i + 4 <= nprog && i < 4 * 256; i += 4) {
		const uint8_t *s = prog + i;
		struct vinput_event ev[3] = {
		    {s[1] % 4, (uint16_t)(s[2] | (s[3] & 3) << 8), (int8_t)s[3]},
		    {3 /* EV_ABS */, s[2] % 2, s[1]},
		    {s[3] % 4, s[1], -1},
		};

		switch (s[0] % 8) {
		case 0:
		case 1:
			virtio_input_send(in, ev, 1 + s[0] % 3);
			break;
		case 2:
			virtio_input_event_kicked(in);
			break;
		case 3:
			virtio_queue_service(&qs[1], 1, &irq, in->status_elem,
					     virtio_input_status_request, in);
			break;
		case 4:
			virtio_input_ops.config_write(in, s[1] % 16, s + 2, 1 + s[3] % 2);
			break;
		case 5:
			virtio_input_ops.config_read(in, (uint32_t)(s[1] | s[2] << 8) % 200, cfg,
						     1 + s[3] % 8);
			break;
		case 6:
			virtio_input_ops.reset(in);
			if (s[1] & 1)
				activate(in, qs, &mem, data);
			break;
		case 7:
			post(&qs[s[3] & 1], ram, s[1] % 80, s[2] % 12, s[3] & 2);
			break;
		}
		if (in->nbufs > VINPUT_QUEUE_SIZE || in->pend_len > VINPUT_QUEUE_FRAMES)
			abort();
	}
	virtio_input_ops.reset(in);
	virtio_input_destroy(in);
	free(ram);
	return 0;
}
