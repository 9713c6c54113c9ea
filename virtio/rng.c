#include "virtio/rng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/log.h"

/* Per request: enough for any driver's pool refill, small enough that a
 * guest offering gigabytes cannot keep the worker busy for long. */
#define RNG_MAX_PER_REQUEST 65536

uint32_t virtio_rng_request(void *dev, struct vq_elem *e)
{
	struct virtio_rng *r = dev;
	uint8_t buf[4096];
	uint64_t want = e->in_len < RNG_MAX_PER_REQUEST ? e->in_len : RNG_MAX_PER_REQUEST;
	uint32_t done = 0;

	while (done < want) {
		size_t chunk = want - done < sizeof(buf) ? want - done : sizeof(buf);
		ssize_t n = getrandom(buf, chunk, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("virtio-rng: getrandom: %s", strerror(errno));
			break;
		}
		if (vq_elem_write(r->mem, e, done, buf, n) != (size_t)n)
			break;
		done += n;
	}
	return done;
}

static uint64_t rng_features(void *dev)
{
	return 0;
}

static void rng_config_read(void *dev, uint32_t off, void *data, uint32_t len)
{
	memset(data, 0, len);
}

static void rng_config_write(void *dev, uint32_t off, const void *data, uint32_t len)
{
}

static void rng_queue_kicked(void *dev, unsigned idx)
{
	struct virtio_rng *r = dev;

	virtio_queue_service(&r->queues[0], 0, r->irq, r->elem, virtio_rng_request, r);
}

static const struct vworker_ops rng_worker_ops = {.queue_kicked = rng_queue_kicked};

static int rng_activate(void *dev, uint64_t features, const struct guest_mem *mem,
			struct virtio_queue *queues, struct virtio_irq *irq)
{
	struct virtio_rng *r = dev;

	r->mem = mem;
	r->queues = queues;
	r->irq = irq;
	return vworker_start(&r->worker, queues, 1, NULL, 0, &rng_worker_ops, r);
}

static void rng_reset(void *dev)
{
	struct virtio_rng *r = dev;

	vworker_stop(&r->worker);
}

const struct virtio_dev_ops virtio_rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG_DEV,
    .config_size = 0,
    .num_queues = 1,
    .queue_max_size = 64,
    .pci_class = 0xff0000,
    .features = rng_features,
    .config_read = rng_config_read,
    .config_write = rng_config_write,
    .activate = rng_activate,
    .reset = rng_reset,
};

struct virtio_rng *virtio_rng_create(void)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));

	if (r)
		r->elem = malloc(sizeof(*r->elem));
	if (!r || !r->elem) {
		free(r);
		return NULL;
	}
	return r;
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	if (!r)
		return;
	vworker_stop(&r->worker);
	free(r->elem);
	free(r);
}
