/* The virtio side of the GPU: features, config space, activate/reset. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu_priv.h"
#include "gpu/resources.h"
#include "util/log.h"

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

struct gpu *gpu_create(const struct gpu_config *cfg)
{
	struct gpu *g;

	if (!cfg->display || cfg->outputs == 0 || cfg->outputs > VIRTIO_GPU_MAX_SCANOUTS ||
	    cfg->outputs > cfg->display->nr_outputs || cfg->width == 0 || cfg->height == 0)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->cfg = *cfg;
	if (!g->cfg.backend_create)
		g->cfg.backend_create = gpu_backend_2d_create;
	if (!g->cfg.max_resources)
		g->cfg.max_resources = GPU_DEFAULT_MAX_RESOURCES;
	if (!g->cfg.mem_limit)
		g->cfg.mem_limit = (uint64_t)GPU_DEFAULT_MEM_MIB << 20;
	g->display = cfg->display;
	g->kill_fd = g->epoll_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	for (unsigned i = 0; i < cfg->outputs; i++) {
		g->outputs[i].width = cfg->width;
		g->outputs[i].height = cfg->height;
	}
	/* After the outputs are set: the display may report a size now. */
	display_set_events(g->display, &(struct display_events){
					   .opaque = g,
					   .resize = on_resize,
					   .close = on_close,
				       });
	return g;
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
	if (changed && g->running)
		g->irq->config(g->irq);
}

static uint64_t features(void *dev)
{
	/* No VIRGL, no blobs: offering blobs would make Linux put dumb
	 * buffers in them. */
	return 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_GPU_F_EDID;
}

static void config_snapshot(struct gpu *g, struct virtio_gpu_config *c)
{
	uint32_t caps = 0;

	if (g->running && g->backend.ops && g->backend.ops->num_capsets)
		caps = g->backend.ops->num_capsets(g->backend.be);
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

static void stop(struct gpu *g)
{
	if (!g->running)
		return;
	gpu_worker_stop(g);
	g->backend.ops->destroy(g->backend.be);
	memset(&g->backend, 0, sizeof(g->backend));
	free(g->elem);
	free(g->req);
	g->elem = NULL;
	g->req = NULL;
	gpu_fences_free(&g->fences);
	g->running = false;
}

static int activate(void *dev, uint64_t feats, const struct guest_mem *mem,
		    struct virtio_queue *queues, struct virtio_irq *irq)
{
	struct gpu *g = dev;
	struct gpu_backend_env env = {
	    .mem = mem,
	    .display = g->display,
	    .num_scanouts = g->cfg.outputs,
	    .max_resources = g->cfg.max_resources,
	    .mem_limit = g->cfg.mem_limit,
	};
	int ret;

	stop(g);
	g->mem = mem;
	g->queues = queues;
	g->irq = irq;
	g->elem = malloc(sizeof(*g->elem));
	g->req = malloc(GPU_MAX_REQUEST_BYTES);
	if (!g->elem || !g->req ||
	    gpu_fences_init(&g->fences, queues[GPU_QUEUE_CTRL].vq.size + 1u)) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = g->cfg.backend_create(&env, &g->backend);
	if (ret)
		goto fail;
	ret = gpu_worker_start(g);
	if (ret) {
		g->backend.ops->destroy(g->backend.be);
		memset(&g->backend, 0, sizeof(g->backend));
		goto fail;
	}
	g->running = true;
	return 0;
fail:
	log_error("virtio-gpu: activate: %s", strerror(-ret));
	gpu_fences_free(&g->fences);
	free(g->elem);
	free(g->req);
	g->elem = NULL;
	g->req = NULL;
	return ret;
}

static void reset(void *dev)
{
	struct gpu *g = dev;

	stop(g);
	pthread_mutex_lock(&g->lock);
	g->events_read = 0;
	pthread_mutex_unlock(&g->lock);
}

void gpu_destroy(struct gpu *g)
{
	if (!g)
		return;
	stop(g);
	g->display->ev = (struct display_events){0};
	pthread_mutex_destroy(&g->lock);
	free(g);
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
