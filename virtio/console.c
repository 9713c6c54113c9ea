#include "virtio/console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/log.h"

#define RXQ		   0
#define TXQ		   1
#define CONFIG_SIZE	   12 /* cols, rows, max_nr_ports, emerg_wr */
#define TX_MAX_PER_REQUEST (1u << 20)

void virtio_console_set_output(struct virtio_console *c, struct byte_sink out)
{
	c->out = out;
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

uint32_t virtio_console_tx_request(void *dev, struct vq_elem *e)
{
	struct virtio_console *c = dev;
	uint64_t total = e->out_len < TX_MAX_PER_REQUEST ? e->out_len : TX_MAX_PER_REQUEST;
	uint8_t buf[1024];

	for (uint64_t off = 0; off < total;) {
		size_t chunk = total - off < sizeof(buf) ? total - off : sizeof(buf);
		size_t n = vq_elem_read(c->mem, e, off, buf, chunk);

		if (!n)
			break;
		if (c->out.write)
			c->out.write(c->out.ctx, buf, n);
		if (c->tap.write)
			c->tap.write(c->tap.ctx, buf, n);
		off += n;
	}
	return 0; /* nothing written to the guest */
}

/* TX kicked: send the guest's output; RX kicked: new buffers for input. */
static void console_queue_kicked(void *dev, unsigned q)
{
	struct virtio_console *c = dev;

	if (q == TXQ)
		virtio_queue_service(&c->queues[TXQ], TXQ, c->irq, c->elem,
				     virtio_console_tx_request, c);
	else
		virtio_console_fill_rx(c);
}

/* The input eventfd (extra fd 0): terminal input is waiting. */
static void console_input_ready(void *dev, unsigned extra)
{
	struct virtio_console *c = dev;
	uint64_t v;

	if (read(c->input_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_error("virtio-console: input eventfd: %s", strerror(errno));
	virtio_console_fill_rx(c);
}

static const struct vworker_ops console_worker_ops = {
    .queue_kicked = console_queue_kicked,
    .fd_ready = console_input_ready,
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
	uint64_t one = 1;
	int r;

	c->mem = mem;
	c->queues = queues;
	c->irq = irq;
	r = vworker_start(&c->worker, queues, 2, &c->input_fd, 1, &console_worker_ops, c);
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

struct virtio_console *virtio_console_create(void)
{
	struct virtio_console *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->elem = malloc(sizeof(*c->elem));
	c->input_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!c->elem || c->input_fd < 0) {
		if (c->input_fd >= 0)
			close(c->input_fd);
		free(c->elem);
		free(c);
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
	close(c->input_fd);
	pthread_mutex_destroy(&c->lock);
	free(c->elem);
	free(c);
}
