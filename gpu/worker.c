/* The GPU worker: one thread, one epoll set over the ctrl and cursor kick
 * eventfds, the display's fd and a kill eventfd. Each wakeup drains both
 * queues with the cursor queue served first, and before every ctrl command
 * too, so a long ctrl backlog never delays the pointer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "gpu/gpu_priv.h"
#include "util/log.h"

enum { TAG_KILL, TAG_CTRL, TAG_CURSOR, TAG_DISPLAY, TAG_FENCE };

static struct virtqueue *queue(struct gpu *g, unsigned qi)
{
	struct virtqueue *vq = &g->queues[qi].vq;

	return vq->size && !vq->broken ? vq : NULL;
}

/* Pop and answer one chain of queue qi: 1 done, 0 queue empty, -1 broken. */
static int process_one(struct gpu *g, unsigned qi)
{
	struct virtqueue *vq = queue(g, qi);
	struct vq_elem *e = g->elem;
	uint8_t resp[GPU_MAX_REPLY_BYTES];
	struct gpu_reply_info info = {0};
	size_t len, n, cap;
	int ret;

	if (!vq || __atomic_load_n(&g->stopping, __ATOMIC_ACQUIRE))
		return 0;
	ret = vq_pop(vq, e);
	if (ret < 0) {
		log_guest_error("virtio-gpu: queue %u broken", qi);
		g->irq->needs_reset(g->irq);
		return -1;
	}
	if (ret == 0)
		return 0;
	/* Copy the request once, capped; everything after works on the copy. */
	len = e->out_len < GPU_MAX_REQUEST_BYTES ? e->out_len : GPU_MAX_REQUEST_BYTES;
	len = vq_elem_read(vq->mem, e, 0, g->req, len);
	/* Cursor requests usually carry no reply buffer: cap is 0 then and
	 * the chain is still returned. */
	cap = e->in_len < sizeof(resp) ? e->in_len : sizeof(resp);
	n = gpu_handle_request(g, g->req, len, resp, cap, qi == GPU_QUEUE_CTRL ? &info : NULL);
	n = n ? vq_elem_write(vq->mem, e, 0, resp, n) : 0;
	if (info.park) {
		struct gpu_parked p = {info.tl, info.fence_id, e->head, (uint32_t)n};

		/* One entry per descriptor head: room is never short. */
		if (!gpu_fences_park(&g->fences, &p))
			return 1;
	}
	vq_push(vq, e->head, (uint32_t)n);
	return 1;
}

static void notify(struct gpu *g, unsigned qi, bool pushed)
{
	struct virtqueue *vq = queue(g, qi);

	if (pushed && vq && vq_should_notify(vq))
		g->irq->queue(g->irq, qi);
}

/* Drain a queue entirely; true if anything was returned. */
static bool drain(struct gpu *g, unsigned qi)
{
	bool any = false;

	while (process_one(g, qi) > 0)
		any = true;
	return any;
}

static bool reenable(struct gpu *g, unsigned qi)
{
	struct virtqueue *vq = queue(g, qi);

	return vq && vq_enable_notify(vq);
}

void gpu_worker_process(struct gpu *g)
{
	bool more;

	do {
		bool cursor = false, ctrl = false;

		for (unsigned qi = 0; qi < 2; qi++)
			if (queue(g, qi))
				vq_disable_notify(&g->queues[qi].vq);
		cursor |= drain(g, GPU_QUEUE_CURSOR);
		for (;;) {
			int r = process_one(g, GPU_QUEUE_CTRL);

			if (r <= 0)
				break;
			ctrl = true;
			cursor |= drain(g, GPU_QUEUE_CURSOR);
		}
		notify(g, GPU_QUEUE_CURSOR, cursor);
		notify(g, GPU_QUEUE_CTRL, ctrl);
		more = reenable(g, GPU_QUEUE_CURSOR);
		more |= reenable(g, GPU_QUEUE_CTRL);
	} while (more && !__atomic_load_n(&g->stopping, __ATOMIC_ACQUIRE));
}

static void push_ctrl(void *opaque, uint16_t head, uint32_t len)
{
	struct gpu *g = opaque;

	vq_push(&g->queues[GPU_QUEUE_CTRL].vq, head, len);
}

static void fence_done(void *opaque, struct gpu_timeline tl, uint64_t fence_id)
{
	struct gpu *g = opaque;

	if (queue(g, GPU_QUEUE_CTRL) && gpu_fences_retire(&g->fences, tl, fence_id, push_ctrl, g))
		notify(g, GPU_QUEUE_CTRL, true);
}

/* The backend's fence fd fired: release the replies whose fences are done. */
void gpu_worker_fences(struct gpu *g)
{
	const struct gpu_backend_ops *ops = g->backend.ops;

	if (ops->retire_fences)
		ops->retire_fences(g->backend.be, fence_done, g);
}

static void *worker_main(void *arg)
{
	struct gpu *g = arg;
	struct epoll_event ev[8];

	/* Buffers may have been queued before the first kick we see. */
	gpu_worker_process(g);
	for (;;) {
		int n = epoll_wait(g->epoll_fd, ev, 8, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("virtio-gpu: epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			switch (ev[i].data.u32) {
			case TAG_KILL:
				return NULL;
			case TAG_CTRL:
				efd_drain(g->queues[GPU_QUEUE_CTRL].kick_fd, "virtio-gpu");
				break;
			case TAG_CURSOR:
				efd_drain(g->queues[GPU_QUEUE_CURSOR].kick_fd, "virtio-gpu");
				break;
			case TAG_FENCE:
				gpu_worker_fences(g);
				break;
			case TAG_DISPLAY:
				if (g->display->ops->dispatch(g->display) < 0)
					epoll_ctl(g->epoll_fd, EPOLL_CTL_DEL,
						  g->display->ops->get_fd(g->display), NULL);
				break;
			}
		}
		gpu_worker_process(g);
	}
	return NULL;
}

static int watch(int ep, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};

	if (fd < 0)
		return 0;
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int gpu_worker_start(struct gpu *g)
{
	int ret;

	g->stopping = false;
	g->kill_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (g->kill_fd < 0 || g->epoll_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = watch(g->epoll_fd, g->kill_fd, TAG_KILL);
	if (!ret)
		ret = watch(g->epoll_fd, g->queues[GPU_QUEUE_CTRL].kick_fd, TAG_CTRL);
	if (!ret)
		ret = watch(g->epoll_fd, g->queues[GPU_QUEUE_CURSOR].kick_fd, TAG_CURSOR);
	if (!ret)
		ret = watch(g->epoll_fd, g->display->ops->get_fd(g->display), TAG_DISPLAY);
	if (!ret && g->backend.ops->fence_fd)
		ret = watch(g->epoll_fd, g->backend.ops->fence_fd(g->backend.be), TAG_FENCE);
	if (ret)
		goto fail;
	ret = -pthread_create(&g->thread, NULL, worker_main, g);
	if (ret)
		goto fail;
	pthread_setname_np(g->thread, "gpu-worker");
	return 0;
fail:
	if (g->kill_fd >= 0)
		close(g->kill_fd);
	if (g->epoll_fd >= 0)
		close(g->epoll_fd);
	g->kill_fd = g->epoll_fd = -1;
	return ret;
}

void gpu_worker_stop(struct gpu *g)
{
	uint64_t one = 1;

	if (g->kill_fd < 0)
		return;
	__atomic_store_n(&g->stopping, true, __ATOMIC_RELEASE);
	if (write(g->kill_fd, &one, sizeof(one)) != sizeof(one))
		log_error("virtio-gpu: kill eventfd: %s", strerror(errno));
	pthread_join(g->thread, NULL);
	close(g->kill_fd);
	close(g->epoll_fd);
	g->kill_fd = g->epoll_fd = -1;
}
