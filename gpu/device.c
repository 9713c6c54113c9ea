/* The virtio side of the GPU: features, config space, activate/reset. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu_priv.h"
#include "gpu/resources.h"
#include "util/log.h"

static void free_gpu(struct gpu *g)
{
	if (!g)
		return;
	if (g->res.buckets)
		gpu_res_table_destroy(&g->res, NULL, NULL);
	free(g->elem);
	free(g->req);
	free(g->resp);
	pthread_mutex_destroy(&g->lock);
	pthread_mutex_destroy(&g->post_lock);
	pthread_mutex_destroy(&g->msg_lock);
	pthread_cond_destroy(&g->msg_cond);
	free(g);
}

static void on_resize(void *opaque, unsigned output, uint32_t w, uint32_t h)
{
	gpu_output_resized(opaque, output, w, h);
}

static void on_close(void *opaque)
{
	struct gpu *g = opaque;

	if (g->cfg.shutdown)
		g->cfg.shutdown(g->cfg.shutdown_opaque);
}

struct gpu *gpu_create(const struct gpu_config *cfg, char *err, size_t errlen)
{
	struct gpu *g;

	if (!cfg->display || cfg->outputs == 0 || cfg->outputs > VIRTIO_GPU_MAX_SCANOUTS ||
	    cfg->outputs > cfg->display->nr_outputs || cfg->width == 0 || cfg->height == 0) {
		snprintf(err, errlen, "gpu: bad configuration (%u outputs of %ux%u)", cfg->outputs,
			 cfg->width, cfg->height);
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		goto oom;
	g->cfg = *cfg;
	if (!g->cfg.backend_create)
		g->cfg.backend_create = gpu_backend_2d_create;
	if (!g->cfg.max_resources)
		g->cfg.max_resources = GPU_DEFAULT_MAX_RESOURCES;
	if (!g->cfg.mem_limit)
		g->cfg.mem_limit = (uint64_t)GPU_DEFAULT_MEM_MIB << 20;
	g->display = cfg->display;
	g->mem = cfg->mem;
	g->msg_fd = g->epoll_fd = -1;
	g->elem = malloc(sizeof(*g->elem));
	g->req = malloc(GPU_MAX_REQUEST_BYTES);
	g->resp = malloc(GPU_MAX_REPLY_BYTES);
	if (!g->elem || !g->req || !g->resp ||
	    gpu_res_table_init(&g->res, g->cfg.max_resources, g->cfg.mem_limit))
		goto oom;
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->post_lock, NULL);
	pthread_mutex_init(&g->msg_lock, NULL);
	pthread_cond_init(&g->msg_cond, NULL);
	for (unsigned i = 0; i < cfg->outputs; i++) {
		g->outputs[i].width = cfg->width;
		g->outputs[i].height = cfg->height;
	}
	/* After the outputs are set: the display may report a size now. The
	 * worker then services the display from the start, before any
	 * driver: a compositor's ping is answered, a closed window ends the
	 * VM. */
	display_set_events(g->display, &(struct display_events){
					   .opaque = g,
					   .resize = on_resize,
					   .close = on_close,
					   .input = cfg->input,
				       });
	if (gpu_worker_start(g, err, errlen)) {
		g->display->ev = (struct display_events){0};
		free_gpu(g);
		return NULL;
	}
	return g;
oom:
	snprintf(err, errlen, "gpu: out of memory");
	free_gpu(g);
	return NULL;
}

void gpu_output_resized(struct gpu *g, unsigned output, uint32_t w, uint32_t h)
{
	bool changed;

	if (output >= g->cfg.outputs || w == 0 || h == 0)
		return;
	pthread_mutex_lock(&g->lock);
	changed = g->outputs[output].width != w || g->outputs[output].height != h;
	g->outputs[output].width = w;
	g->outputs[output].height = h;
	if (changed)
		g->events_read |= VIRTIO_GPU_EVENT_DISPLAY;
	pthread_mutex_unlock(&g->lock);
	/* On the worker (display dispatch): irq is the worker's to read. */
	if (changed && g->attached)
		g->irq->config(g->irq);
}

/* The backend's bits were fixed at create (RESOURCE_BLOB from the 2D one:
 * Linux then puts its dumb buffers in guest blobs). */
static uint64_t features(void *dev)
{
	struct gpu *g = dev;

	return 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_GPU_F_EDID | g->features;
}

/* num_capsets is fixed at create: a vCPU reading it never reaches the
 * backend, whatever the worker does meanwhile. */
static void config_snapshot(struct gpu *g, struct virtio_gpu_config *c)
{
	uint32_t caps = g->num_capsets;

	pthread_mutex_lock(&g->lock);
	c->events_read = htole32(g->events_read);
	pthread_mutex_unlock(&g->lock);
	c->events_clear = 0;
	c->num_scanouts = htole32(g->cfg.outputs);
	c->num_capsets = htole32(caps);
}

static void config_read(void *dev, uint32_t off, void *data, uint32_t len)
{
	struct virtio_gpu_config c;

	config_snapshot(dev, &c);
	if (off >= sizeof(c) || len > sizeof(c) - off) {
		memset(data, 0, len);
		return;
	}
	memcpy(data, (uint8_t *)&c + off, len);
}

/* Only events_clear is writable: the driver acknowledges events there. */
static void config_write(void *dev, uint32_t off, const void *data, uint32_t len)
{
	struct gpu *g = dev;
	const uint32_t clear_off = offsetof(struct virtio_gpu_config, events_clear);
	uint8_t bytes[4] = {0};
	uint32_t v;

	if (off < clear_off || off >= clear_off + 4 || len > clear_off + 4 - off)
		return;
	memcpy(bytes + (off - clear_off), data, len);
	memcpy(&v, bytes, 4);
	pthread_mutex_lock(&g->lock);
	g->events_read &= ~le32toh(v);
	pthread_mutex_unlock(&g->lock);
}

static int activate(void *dev, uint64_t feats, const struct guest_mem *mem,
		    struct virtio_queue *queues, struct virtio_irq *irq)
{
	int ret = gpu_worker_attach(dev, mem, queues, irq);

	if (ret)
		log_error("virtio-gpu: activate: %s", strerror(-ret));
	return ret;
}

static void reset(void *dev)
{
	struct gpu *g = dev;

	gpu_worker_detach(g);
	pthread_mutex_lock(&g->lock);
	g->events_read = 0;
	pthread_mutex_unlock(&g->lock);
}

void gpu_destroy(struct gpu *g)
{
	if (!g)
		return;
	gpu_worker_stop(g);
	g->display->ev = (struct display_events){0};
	free_gpu(g);
}

/* Queue 0 is ctrl, queue 1 is cursor (virtio 1.2, 5.7.2). */
static const uint16_t gpu_queue_sizes[] = {GPU_CTRL_QUEUE_SIZE, GPU_CURSOR_QUEUE_SIZE};

const struct virtio_dev_ops gpu_virtio_ops = {
    .name = "virtio-gpu",
    .device_id = 16,
    .config_size = sizeof(struct virtio_gpu_config),
    .num_queues = 2,
    .queue_max_size = GPU_CTRL_QUEUE_SIZE,
    .queue_sizes = gpu_queue_sizes,
    .pci_class = 0x038000, /* display controller, other (as QEMU's virtio-gpu-pci) */
    .features = features,
    .config_read = config_read,
    .config_write = config_write,
    .activate = activate,
    .reset = reset,
};
