#include "virtio/console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "util/log.h"

#define RXQ		   0
#define TXQ		   1
#define CONFIG_SIZE	   12 /* cols, rows, max_nr_ports, emerg_wr */
#define TX_MAX_PER_REQUEST (1u << 20)
/* Room asked of the ring before copying: a Linux hvc buffer (one page) at
 * once, so a held chain is woken for a page, not for each byte freed. */
#define TX_ROOM_STEP 4096

/* The main thread made room in out (its thread): wake the worker. */
static void console_room(void *ctx)
{
	struct virtio_console *c = ctx;

	efd_signal(c->room_fd, "virtio-console room");
}

void virtio_console_set_output(struct virtio_console *c, struct tx_ring *out)
{
	c->out = out;
	if (out)
		tx_ring_set_room_cb(out, console_room, c);
}

void virtio_console_set_tap(struct virtio_console *c, struct byte_sink tap)
{
	c->tap = tap;
}

size_t virtio_console_feed(struct virtio_console *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t room, n;
	uint64_t one = 1;

	pthread_mutex_lock(&c->lock);
	room = CONSOLE_IN_BUF - c->in_len;
	n = len < room ? len : room;
	for (size_t i = 0; i < n; i++)
		c->in[(c->in_head + c->in_len + i) % CONSOLE_IN_BUF] = p[i];
	c->in_len += n;
	pthread_mutex_unlock(&c->lock);
	if (n && write(c->input_fd, &one, sizeof(one)) < 0)
		log_error("virtio-console: input eventfd: %s", strerror(errno));
	return n;
}

/* Copy pending input into one receive buffer; lock held. */
static uint32_t fill_one(struct virtio_console *c, struct vq_elem *e)
{
	uint64_t want = c->in_len < e->in_len ? c->in_len : e->in_len;
	uint32_t done = 0;

	while (done < want) {
		size_t first = CONSOLE_IN_BUF - c->in_head;
		size_t chunk = want - done < first ? want - done : first;

		if (vq_elem_write(c->mem, e, done, c->in + c->in_head, chunk) != chunk)
			break;
		c->in_head = (c->in_head + chunk) % CONSOLE_IN_BUF;
		c->in_len -= chunk;
		done += chunk;
	}
	return done;
}

void virtio_console_fill_rx(struct virtio_console *c)
{
	struct virtqueue *vq;
	bool pushed = false;
	int r = 0;

	if (!c->queues)
		return;
	vq = &c->queues[RXQ].vq;
	if (!vq->size || vq->broken)
		return;
	pthread_mutex_lock(&c->lock);
	/* Only pop while there is something to give: a popped buffer must be
	 * returned, and an empty one would wake the guest for nothing. */
	while (c->in_len) {
		r = vq_pop(vq, c->elem);
		if (r == 0 && vq_enable_notify(vq))
			continue; /* buffers arrived while we re-armed */
		if (r <= 0)
			break;
		vq_push(vq, c->elem->head, fill_one(c, c->elem));
		pushed = true;
	}
	pthread_mutex_unlock(&c->lock);
	if (r < 0)
		c->irq->needs_reset(c->irq);
	if (pushed && vq_should_notify(vq))
		c->irq->queue(c->irq, RXQ);
}

/* Copy the held chain into out as far as it has room; true once all of it
 * is in (or the rest cannot be read), false while it waits for room. */
static bool tx_send(struct virtio_console *c)
{
	uint8_t buf[1024];

	while (c->tx_off < c->tx_len) {
		uint64_t step =
		    c->tx_len - c->tx_off < TX_ROOM_STEP ? c->tx_len - c->tx_off : TX_ROOM_STEP;

		if (c->out && !tx_ring_room(c->out, step))
			return false;
		for (uint64_t end = c->tx_off + step; c->tx_off < end;) {
			size_t chunk =
			    end - c->tx_off < sizeof(buf) ? end - c->tx_off : sizeof(buf);
			size_t n = vq_elem_read(c->mem, c->tx_elem, c->tx_off, buf, chunk);

			if (!n)
				return true;
			if (c->out)
				tx_ring_push(c->out, buf, n);
			if (c->tap.write)
				c->tap.write(c->tap.ctx, buf, n);
			c->tx_off += n;
		}
	}
	return true;
}

/* virtio_queue_service's loop, except that a chain the ring cannot take
 * yet stays held (notifications off, nothing more popped) until
 * console_room() brings the worker back here. */
void virtio_console_tx(struct virtio_console *c)
{
	struct virtio_queue *q;
	struct virtqueue *vq;
	unsigned done = 0;
	int r = 0;

	if (!c->queues)
		return;
	q = &c->queues[TXQ];
	vq = &q->vq;
	if (!vq->size || vq->broken)
		return;
	for (;;) {
		vq_disable_notify(vq);
		while (!virtio_queue_stopping(q)) {
			if (!c->tx_held) {
				r = vq_pop(vq, c->tx_elem);
				if (r <= 0)
					break;
				c->tx_held = true;
				c->tx_off = 0;
				c->tx_len = c->tx_elem->out_len < TX_MAX_PER_REQUEST
						? c->tx_elem->out_len
						: TX_MAX_PER_REQUEST;
			}
			if (!tx_send(c))
				goto out;
			vq_push(vq, c->tx_elem->head, 0); /* nothing written to the guest */
			c->tx_held = false;
			done++;
		}
		if (virtio_queue_stopping(q))
			break;
		if (r < 0) {
			log_guest_error("virtio-console: transmit queue: %s; device needs reset",
					vq->fault ? vq->fault : "malformed ring");
			c->irq->needs_reset(c->irq);
			break;
		}
		if (!vq_enable_notify(vq))
			break;
	}
out:
	if (done && vq_should_notify(vq))
		c->irq->queue(c->irq, TXQ);
}

/* TX kicked: send the guest's output; RX kicked: new buffers for input. */
static void console_queue_kicked(void *dev, unsigned q)
{
	struct virtio_console *c = dev;

	if (q == TXQ)
		virtio_console_tx(c);
	else
		virtio_console_fill_rx(c);
}

/* Extra fd 0, input: terminal input is waiting. Extra fd 1, room: the
 * output ring can take the held chain now. */
static void console_fd_ready(void *dev, unsigned extra)
{
	struct virtio_console *c = dev;

	if (extra == 1) {
		efd_drain(c->room_fd, "virtio-console room");
		virtio_console_tx(c);
		return;
	}
	efd_drain(c->input_fd, "virtio-console input");
	virtio_console_fill_rx(c);
}

static const struct vworker_ops console_worker_ops = {
    .queue_kicked = console_queue_kicked,
    .fd_ready = console_fd_ready,
};

static uint64_t console_features(void *dev)
{
	return 0;
}

static void console_config_read(void *dev, uint32_t off, void *data, uint32_t len)
{
	/* cols/rows unused without F_SIZE; one port; no emergency write. */
	memset(data, 0, len);
}

static void console_config_write(void *dev, uint32_t off, const void *data, uint32_t len)
{
}

static int console_activate(void *dev, uint64_t features, const struct guest_mem *mem,
			    struct virtio_queue *queues, struct virtio_irq *irq)
{
	struct virtio_console *c = dev;
	int fds[2] = {c->input_fd, c->room_fd};
	uint64_t one = 1;
	int r;

	c->mem = mem;
	c->queues = queues;
	c->irq = irq;
	r = vworker_start(&c->worker, queues, 2, fds, 2, &console_worker_ops, c);
	/* Input typed before the driver was ready goes out now. */
	if (!r && write(c->input_fd, &one, sizeof(one)) < 0)
		log_error("virtio-console: input eventfd: %s", strerror(errno));
	return r;
}

static void console_reset(void *dev)
{
	struct virtio_console *c = dev;

	vworker_stop(&c->worker);
	c->queues = NULL;
	c->tx_held = false; /* the chain went with the reset ring */
}

const struct virtio_dev_ops virtio_console_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE_DEV,
    .config_size = CONFIG_SIZE,
    .num_queues = 2,
    .queue_max_size = 128,
    .pci_class = 0x078000, /* communication, other */
    .features = console_features,
    .config_read = console_config_read,
    .config_write = console_config_write,
    .activate = console_activate,
    .reset = console_reset,
};

static void free_console(struct virtio_console *c)
{
	if (c->input_fd >= 0)
		close(c->input_fd);
	if (c->room_fd >= 0)
		close(c->room_fd);
	free(c->elem);
	free(c->tx_elem);
	free(c);
}

struct virtio_console *virtio_console_create(void)
{
	struct virtio_console *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->elem = malloc(sizeof(*c->elem));
	c->tx_elem = malloc(sizeof(*c->tx_elem));
	c->input_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!c->elem || !c->tx_elem || c->input_fd < 0 || c->room_fd < 0) {
		free_console(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void virtio_console_destroy(struct virtio_console *c)
{
	if (!c)
		return;
	vworker_stop(&c->worker);
	pthread_mutex_destroy(&c->lock);
	free_console(c);
}
