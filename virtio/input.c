/* virtio-input: the queues and the frames (config answers: input_config.c).
 *
 * Buffers the guest posts on eventq are popped into a pool of at most
 * VINPUT_QUEUE_SIZE (the largest queue we offer), so however many a guest
 * publishes, the host holds a fixed amount. A frame of n events needs n
 * pooled buffers; it is written only when all n are there. */
#include "virtio/input.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define EVENTQ	0
#define STATUSQ 1

static const uint16_t input_queue_sizes[2] = {VINPUT_QUEUE_SIZE, VINPUT_STATUS_QSIZE};

/* Keep one popped chain as a pool buffer, or give it back empty when it
 * cannot take an event (too short, or readable segments in it). Lock held.
 * True if it was given back (the used ring moved). */
static bool pool_add(struct virtio_input *in, const struct vq_elem *e)
{
	struct vinput_buf *b = &in->bufs[in->nbufs];
	uint32_t need = VINPUT_EVENT_SIZE;

	if (e->n_out || e->in_len < VINPUT_EVENT_SIZE) {
		in->bad_bufs++;
		log_guest_error("virtio-input: eventq buffer %u is %s; returned unused", e->head,
				e->n_out ? "device-readable" : "shorter than an event");
		vq_push(&in->queues[EVENTQ].vq, e->head, 0);
		return true;
	}
	b->head = e->head;
	b->nseg = 0;
	for (unsigned i = 0; i < e->n_in && need; i++) {
		struct vq_seg s = e->segs[e->n_out + i];

		if (!s.len)
			continue;
		if (s.len > need)
			s.len = need;
		b->seg[b->nseg++] = s;
		need -= s.len;
	}
	in->nbufs++;
	return false;
}

/* Pop what the guest posted into the pool, up to its size. Lock held.
 * True if something went back to the guest. */
static bool take_buffers(struct virtio_input *in)
{
	struct virtqueue *vq = &in->queues[EVENTQ].vq;
	bool pushed = false;

	if (!vq->size || vq->broken)
		return false;
	while (in->nbufs < VINPUT_QUEUE_SIZE) {
		int r = vq_pop(vq, in->elem);

		if (r < 0) {
			log_guest_error("virtio-input: eventq: %s; device needs reset",
					vq->fault ? vq->fault : "malformed ring");
			in->irq->needs_reset(in->irq);
			break;
		}
		if (r == 0) {
			if (vq_enable_notify(vq))
				continue; /* buffers arrived while we re-armed */
			break;
		}
		pushed |= pool_add(in, in->elem);
	}
	return pushed;
}

static void put_event(uint8_t out[VINPUT_EVENT_SIZE], const struct vinput_event *ev)
{
	uint32_t v = (uint32_t)ev->value;

	out[0] = (uint8_t)ev->type;
	out[1] = (uint8_t)(ev->type >> 8);
	out[2] = (uint8_t)ev->code;
	out[3] = (uint8_t)(ev->code >> 8);
	for (unsigned i = 0; i < 4; i++)
		out[4 + i] = (uint8_t)(v >> (8 * i));
}

/* Write frame f into the oldest f->n pool buffers and return them. Lock
 * held, in->nbufs >= f->n. */
static void place_frame(struct virtio_input *in, const struct vinput_frame *f)
{
	struct virtqueue *vq = &in->queues[EVENTQ].vq;

	for (unsigned i = 0; i < f->n; i++) {
		const struct vinput_buf *b = &in->bufs[i];
		uint8_t raw[VINPUT_EVENT_SIZE];
		uint32_t off = 0;

		put_event(raw, &f->ev[i]);
		for (unsigned s = 0; s < b->nseg; s++) {
			if (!guest_mem_write(in->mem, b->seg[s].gpa, raw + off, b->seg[s].len))
				break;
			off += b->seg[s].len;
		}
		vq_push(vq, b->head, off);
	}
	in->nbufs -= f->n;
	memmove(in->bufs, in->bufs + f->n, in->nbufs * sizeof(in->bufs[0]));
	in->placed++;
}

/* Place waiting frames, oldest first, while the pool holds enough. Lock
 * held. True if the used ring moved. */
static bool drain_pending(struct virtio_input *in)
{
	bool pushed = false;

	while (in->pend_len && in->nbufs >= in->pending[in->pend_head].n) {
		place_frame(in, &in->pending[in->pend_head]);
		in->pend_head = (in->pend_head + 1) % VINPUT_QUEUE_FRAMES;
		in->pend_len--;
		pushed = true;
	}
	return pushed;
}

static void notify_if_wanted(struct virtio_input *in, bool pushed)
{
	if (pushed && vq_should_notify(&in->queues[EVENTQ].vq))
		in->irq->queue(in->irq, EVENTQ);
}

void virtio_input_event_kicked(struct virtio_input *in)
{
	bool pushed;

	pthread_mutex_lock(&in->lock);
	if (in->active) {
		pushed = take_buffers(in);
		pushed |= drain_pending(in);
		notify_if_wanted(in, pushed);
	}
	pthread_mutex_unlock(&in->lock);
}

enum vinput_sent virtio_input_send(struct virtio_input *in, const struct vinput_event *ev,
				   unsigned n)
{
	struct vinput_frame f;
	enum vinput_sent r;
	bool pushed;

	if (!n || n >= VINPUT_FRAME_MAX)
		return VINPUT_UNSUPPORTED;
	for (unsigned i = 0; i < n; i++)
		if (ev[i].type == EV_SYN || !vinput_supports(in->kind, ev[i].type, ev[i].code))
			return VINPUT_UNSUPPORTED;
	memcpy(f.ev, ev, n * sizeof(*ev));
	f.ev[n] = (struct vinput_event){EV_SYN, SYN_REPORT, 0};
	f.n = n + 1;

	pthread_mutex_lock(&in->lock);
	if (!in->active) {
		in->dropped++;
		pthread_mutex_unlock(&in->lock);
		return VINPUT_NOT_READY;
	}
	pushed = take_buffers(in);
	pushed |= drain_pending(in);
	if (!in->pend_len && in->nbufs >= f.n) {
		place_frame(in, &f);
		pushed = true;
		r = VINPUT_PLACED;
	} else if (in->pend_len < VINPUT_QUEUE_FRAMES) {
		in->pending[(in->pend_head + in->pend_len) % VINPUT_QUEUE_FRAMES] = f;
		in->pend_len++;
		r = VINPUT_QUEUED;
	} else {
		in->dropped++;
		r = VINPUT_DROPPED;
	}
	notify_if_wanted(in, pushed);
	pthread_mutex_unlock(&in->lock);
	return r;
}

unsigned virtio_input_pending(struct virtio_input *in)
{
	unsigned n;

	pthread_mutex_lock(&in->lock);
	n = in->pend_len;
	pthread_mutex_unlock(&in->lock);
	return n;
}

uint8_t virtio_input_leds(struct virtio_input *in)
{
	return __atomic_load_n(&in->leds, __ATOMIC_RELAXED);
}

/* One status event from the guest: LED state is kept (and shown with
 * --debug); anything else is consumed and ignored. */
uint32_t virtio_input_status_request(void *dev, struct vq_elem *e)
{
	struct virtio_input *in = dev;
	uint8_t raw[VINPUT_EVENT_SIZE];
	uint16_t type, code;
	uint32_t value;

	if (e->out_len < VINPUT_EVENT_SIZE ||
	    vq_elem_read(in->mem, e, 0, raw, sizeof(raw)) != sizeof(raw)) {
		in->bad_status++;
		log_guest_error("virtio-input: statusq buffer %u is shorter than an event",
				e->head);
		return 0;
	}
	type = (uint16_t)(raw[0] | raw[1] << 8);
	code = (uint16_t)(raw[2] | raw[3] << 8);
	value = (uint32_t)raw[4] | (uint32_t)raw[5] << 8 | (uint32_t)raw[6] << 16 |
		(uint32_t)raw[7] << 24;
	if (type == EV_LED && in->kind == VINPUT_KEYBOARD && code <= LED_SCROLLL) {
		uint8_t bit = (uint8_t)(1u << code);

		if (value)
			__atomic_fetch_or(&in->leds, bit, __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&in->leds, (uint8_t)~bit, __ATOMIC_RELAXED);
		log_guest_debug("virtio-input: keyboard LED %s %s",
				code == LED_NUML    ? "num"
				: code == LED_CAPSL ? "caps"
						    : "scroll",
				value ? "on" : "off");
	}
	return 0;
}

static void input_queue_kicked(void *dev, unsigned q)
{
	struct virtio_input *in = dev;

	if (q == EVENTQ)
		virtio_input_event_kicked(in);
	else
		virtio_queue_service(&in->queues[STATUSQ], STATUSQ, in->irq, in->status_elem,
				     virtio_input_status_request, in);
}

static const struct vworker_ops input_worker_ops = {.queue_kicked = input_queue_kicked};

static uint64_t input_features(void *dev)
{
	return 0;
}

static void input_config_read(void *dev, uint32_t off, void *data, uint32_t len)
{
	struct virtio_input *in = dev;
	uint8_t cfg[VINPUT_CONFIG_SIZE];

	memset(data, 0, len);
	if (off >= VINPUT_CONFIG_SIZE)
		return;
	if (len > VINPUT_CONFIG_SIZE - off)
		len = VINPUT_CONFIG_SIZE - off;
	pthread_mutex_lock(&in->lock);
	vinput_config_fill(in->kind, in->select, in->subsel, cfg);
	pthread_mutex_unlock(&in->lock);
	memcpy(data, cfg + off, len);
}

/* Only select (byte 0) and subsel (byte 1) are writable. */
static void input_config_write(void *dev, uint32_t off, const void *data, uint32_t len)
{
	struct virtio_input *in = dev;
	const uint8_t *p = data;

	pthread_mutex_lock(&in->lock);
	for (uint32_t i = 0; i < len && (uint64_t)off + i < 2; i++) {
		if (off + i == 0)
			in->select = p[i];
		else
			in->subsel = p[i];
	}
	pthread_mutex_unlock(&in->lock);
}

static int input_activate(void *dev, uint64_t features, const struct guest_mem *mem,
			  struct virtio_queue *queues, struct virtio_irq *irq)
{
	struct virtio_input *in = dev;
	int r;

	pthread_mutex_lock(&in->lock);
	in->mem = mem;
	in->queues = queues;
	in->irq = irq;
	in->nbufs = 0;
	in->pend_head = in->pend_len = 0;
	in->active = true;
	/* Buffers posted before DRIVER_OK were not kicked to our worker. */
	notify_if_wanted(in, take_buffers(in));
	pthread_mutex_unlock(&in->lock);
	r = vworker_start(&in->worker, queues, 2, NULL, 0, &input_worker_ops, in);
	if (r) {
		pthread_mutex_lock(&in->lock);
		in->active = false;
		in->queues = NULL;
		pthread_mutex_unlock(&in->lock);
	}
	return r;
}

/* The rings are gone: forget the buffers held and the frames waiting. */
static void input_reset(void *dev)
{
	struct virtio_input *in = dev;

	vworker_stop(&in->worker);
	pthread_mutex_lock(&in->lock);
	in->active = false;
	in->queues = NULL;
	in->nbufs = 0;
	in->pend_head = in->pend_len = 0;
	in->select = in->subsel = 0;
	pthread_mutex_unlock(&in->lock);
	__atomic_store_n(&in->leds, 0, __ATOMIC_RELAXED);
}

const struct virtio_dev_ops virtio_input_ops = {
    .name = "virtio-input",
    .device_id = VIRTIO_ID_INPUT_DEV,
    .config_size = VINPUT_CONFIG_SIZE,
    .num_queues = 2,
    .queue_max_size = VINPUT_QUEUE_SIZE,
    .queue_sizes = input_queue_sizes,
    .pci_class = 0x098000, /* input device, other (as QEMU) */
    .features = input_features,
    .config_read = input_config_read,
    .config_write = input_config_write,
    .activate = input_activate,
    .reset = input_reset,
};

struct virtio_input *virtio_input_create(enum vinput_kind kind)
{
	struct virtio_input *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->kind = kind;
	in->elem = malloc(sizeof(*in->elem));
	in->status_elem = malloc(sizeof(*in->status_elem));
	if (!in->elem || !in->status_elem) {
		free(in->elem);
		free(in->status_elem);
		free(in);
		return NULL;
	}
	pthread_mutex_init(&in->lock, NULL);
	return in;
}

void virtio_input_destroy(struct virtio_input *in)
{
	if (!in)
		return;
	vworker_stop(&in->worker);
	pthread_mutex_destroy(&in->lock);
	free(in->elem);
	free(in->status_elem);
	free(in);
}
