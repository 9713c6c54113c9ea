/* The GPU worker: one thread from gpu_create to gpu_destroy, one epoll set
 * over its mailbox, the display's fd, the backend's fence fd and, while the
 * device is active, the ctrl and cursor kick eventfds. Each wakeup drains
 * both queues with the cursor queue served first, and before every ctrl
 * command too, so a long ctrl backlog never delays the pointer.
 *
 * Every backend call happens here (GL contexts belong to one thread). Other
 * threads talk to it through the mailbox: a message is posted, the msg
 * eventfd kicks the worker, and the poster waits until it is done.
 * Activate and reset are such messages, so a vCPU never starts, stops or
 * joins a thread; a worker never takes the transport's lock, so a vCPU
 * waiting under it cannot deadlock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gpu/gpu_priv.h"
#include "util/eventfd.h"
#include "util/log.h"
#include "util/sandbox.h"

enum { TAG_MSG, TAG_CTRL, TAG_CURSOR, TAG_DISPLAY, TAG_FENCE };

enum gpu_msg_kind { MSG_CREATE, MSG_ATTACH, MSG_DETACH, MSG_SCREENSHOT, MSG_CAPTURE, MSG_STOP };

struct gpu_msg {
	enum gpu_msg_kind kind;
	union {
		struct {
			const struct guest_mem *mem;
			struct virtio_queue *queues;
			struct virtio_irq *irq;
		} attach;
		const char *path; /* SCREENSHOT */
		struct {
			unsigned output;
			uint32_t *pixels;
			uint32_t w, h, frame_w, frame_h;
		} capture;
	} u;
	int result;
	char *err; /* CREATE, SCREENSHOT: one line on failure */
	size_t errlen;
	bool done;
};

static bool msg_pending(struct gpu *g)
{
	return __atomic_load_n(&g->msg_pending, __ATOMIC_ACQUIRE);
}

static struct virtqueue *queue(struct gpu *g, unsigned qi)
{
	struct virtqueue *vq;

	if (!g->attached)
		return NULL;
	vq = &g->queues[qi].vq;
	return vq->size && !vq->broken ? vq : NULL;
}

/* Pop and answer one chain of queue qi: 1 done, 0 queue empty (or a
 * message is waiting), -1 broken. */
static int process_one(struct gpu *g, unsigned qi)
{
	struct virtqueue *vq = queue(g, qi);
	struct vq_elem *e = g->elem;
	uint8_t resp[GPU_MAX_REPLY_BYTES];
	struct gpu_reply_info info = {0};
	size_t len, n, cap;
	int ret;

	if (!vq || msg_pending(g))
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
	} while (more && !msg_pending(g));
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

static int watch(struct gpu *g, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};

	if (fd < 0)
		return 0;
	return epoll_ctl(g->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void unwatch(struct gpu *g, int fd)
{
	if (fd >= 0)
		epoll_ctl(g->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
}

/* The backend, its features and its capsets: before the guest can read
 * the config space. */
static int do_create(struct gpu *g, struct gpu_msg *m)
{
	const struct gpu_backend_ops *ops;
	struct gpu_backend_env env = {.mem = g->cfg.mem, .res = &g->res};
	int ret = g->cfg.backend_create(&env, &g->backend, m->err, m->errlen);

	if (ret)
		return ret;
	ops = g->backend.ops;
	g->features = ops->features ? ops->features(g->backend.be) : 0;
	if (ops->capsets)
		g->num_capsets = ops->capsets(g->backend.be, g->capsets, GPU_MAX_CAPSETS);
	for (unsigned i = 0; i < g->num_capsets; i++)
		if (g->capsets[i].max_size > GPU_MAX_CAPSET_BYTES) {
			snprintf(m->err, m->errlen, "gpu %s: capset %u is %u bytes (at most %u)",
				 ops->name, g->capsets[i].id, g->capsets[i].max_size,
				 GPU_MAX_CAPSET_BYTES);
			return -E2BIG;
		}
	if (ops->fence_fd) {
		ret = watch(g, ops->fence_fd(g->backend.be), TAG_FENCE);
		if (ret)
			snprintf(m->err, m->errlen, "gpu: epoll: %s", strerror(-ret));
	}
	return ret;
}

/* Commands the guest made available before it reset the device run
 * first, as if the reset had come a moment later: Linux queues a page
 * flip without waiting for it and may reboot at once, and the picture at
 * exit must be the one it showed (the nested drm-virgl case lost it so
 * under load). At most one ring's worth per queue, so another vCPU that
 * keeps refilling a ring cannot stretch the reset. */
static void run_queued_before_reset(struct gpu *g)
{
	if (!g->attached)
		return;
	/* process_one stops while a message waits: this one is the reset. */
	__atomic_store_n(&g->msg_pending, false, __ATOMIC_RELEASE);
	for (unsigned qi = 0; qi < 2; qi++) {
		struct virtqueue *vq = queue(g, qi);

		for (unsigned n = vq ? vq->size : 0; n && process_one(g, qi) > 0; n--)
			;
	}
}

/* A device reset: whatever the guest made goes, attached or not. */
static void do_detach(struct gpu *g)
{
	if (g->attached) {
		unwatch(g, g->queues[GPU_QUEUE_CTRL].kick_fd);
		unwatch(g, g->queues[GPU_QUEUE_CURSOR].kick_fd);
		/* Parked replies die with the queues they belong to. */
		gpu_fences_free(&g->fences);
	}
	gpu_resources_clear(g);
	if (g->backend.ops->reset)
		g->backend.ops->reset(g->backend.be);
	g->attached = false;
	g->queues = NULL;
	g->irq = NULL;
	g->mem = g->cfg.mem;
}

static int do_attach(struct gpu *g, struct gpu_msg *m)
{
	int ret;

	do_detach(g);
	if (gpu_fences_init(&g->fences, m->u.attach.queues[GPU_QUEUE_CTRL].vq.size + 1u))
		return -ENOMEM;
	g->mem = m->u.attach.mem;
	g->queues = m->u.attach.queues;
	g->irq = m->u.attach.irq;
	ret = watch(g, g->queues[GPU_QUEUE_CTRL].kick_fd, TAG_CTRL);
	if (!ret)
		ret = watch(g, g->queues[GPU_QUEUE_CURSOR].kick_fd, TAG_CURSOR);
	if (ret) {
		unwatch(g, g->queues[GPU_QUEUE_CTRL].kick_fd);
		gpu_fences_free(&g->fences);
		g->queues = NULL;
		g->irq = NULL;
		g->mem = g->cfg.mem;
		return ret;
	}
	g->attached = true;
	return 0;
}

static int do_screenshot(struct gpu *g, struct gpu_msg *m)
{
	int ret;

	/* Commands the guest queued before the screenshot was asked for go
	 * first: at exit the vCPUs have stopped, and the last SET_SCANOUT or
	 * transfer may not have been read yet. (The poster holds post_lock,
	 * so no other message can come in meanwhile.) */
	__atomic_store_n(&g->msg_pending, false, __ATOMIC_RELEASE);
	gpu_worker_process(g);
	gpu_scanouts_sync(g);
	ret = display_screenshot_all(g->display, m->u.path);
	if (ret == -ENODATA)
		snprintf(m->err, m->errlen, "the guest has not shown anything yet");
	else if (ret)
		snprintf(m->err, m->errlen, "%s: %s", m->u.path, strerror(-ret));
	return ret;
}

static int do_capture(struct gpu *g, struct gpu_msg *m)
{
	/* As for a screenshot: what the guest queued before comes first. */
	__atomic_store_n(&g->msg_pending, false, __ATOMIC_RELEASE);
	gpu_worker_process(g);
	return gpu_capture_on_worker(g, m->u.capture.output, m->u.capture.pixels, m->u.capture.w,
				     m->u.capture.h, &m->u.capture.frame_w, &m->u.capture.frame_h);
}

/* Run the posted message; false once the worker must exit. */
static bool handle_msg(struct gpu *g)
{
	struct gpu_msg *m;
	bool go_on = true;

	efd_drain(g->msg_fd, "virtio-gpu");
	pthread_mutex_lock(&g->msg_lock);
	m = g->msg;
	pthread_mutex_unlock(&g->msg_lock);
	if (!m || m->done)
		return true;
	switch (m->kind) {
	case MSG_CREATE:
		/* Before the backend starts: EGL, Mesa and virglrenderer make
		 * their threads (llvmpipe's rasterizers, shader queues,
		 * vrend-sync) while creating it, and those inherit this
		 * thread's filter (util/sandbox.h). */
		m->result = sandbox_enter(SANDBOX_GPU);
		if (m->result)
			snprintf(m->err, m->errlen, "gpu: cannot enter the sandbox");
		else
			m->result = do_create(g, m);
		go_on = m->result == 0;
		break;
	case MSG_ATTACH:
		m->result = do_attach(g, m);
		break;
	case MSG_DETACH:
		run_queued_before_reset(g);
		do_detach(g);
		break;
	case MSG_SCREENSHOT:
		m->result = do_screenshot(g, m);
		break;
	case MSG_CAPTURE:
		m->result = do_capture(g, m);
		break;
	case MSG_STOP:
		go_on = false;
		break;
	}
	pthread_mutex_lock(&g->msg_lock);
	__atomic_store_n(&g->msg_pending, false, __ATOMIC_RELEASE);
	m->done = true;
	pthread_cond_broadcast(&g->msg_cond);
	pthread_mutex_unlock(&g->msg_lock);
	return go_on;
}

/* Post m and wait until the worker has run it. Any thread but the worker. */
static int post(struct gpu *g, struct gpu_msg *m)
{
	pthread_mutex_lock(&g->post_lock);
	pthread_mutex_lock(&g->msg_lock);
	m->done = false;
	g->msg = m;
	__atomic_store_n(&g->msg_pending, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&g->msg_lock);
	efd_signal(g->msg_fd, "virtio-gpu");
	pthread_mutex_lock(&g->msg_lock);
	while (!m->done)
		pthread_cond_wait(&g->msg_cond, &g->msg_lock);
	g->msg = NULL;
	pthread_mutex_unlock(&g->msg_lock);
	pthread_mutex_unlock(&g->post_lock);
	return m->result;
}

/* Everything the worker owns goes with it, on its own thread. */
static void worker_exit(struct gpu *g)
{
	if (!g->backend.ops)
		return; /* the backend never started: nothing was made */
	do_detach(g);
	gpu_resources_clear(g);
	if (g->backend.ops) {
		g->backend.ops->destroy(g->backend.be);
		memset(&g->backend, 0, sizeof(g->backend));
	}
}

static void *worker_main(void *arg)
{
	struct gpu *g = arg;
	struct epoll_event ev[8];

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
			case TAG_MSG:
				if (!handle_msg(g)) {
					worker_exit(g);
					return NULL;
				}
				break;
			case TAG_CTRL:
				efd_drain(g->queues[GPU_QUEUE_CTRL].kick_fd, "virtio-gpu");
				break;
			case TAG_CURSOR:
				efd_drain(g->queues[GPU_QUEUE_CURSOR].kick_fd, "virtio-gpu");
				break;
			case TAG_FENCE:
				if (g->backend.ops->retire_fences)
					g->backend.ops->retire_fences(g->backend.be, fence_done, g);
				break;
			case TAG_DISPLAY:
				if (g->display->ops->dispatch(g->display) < 0)
					unwatch(g, g->display->ops->get_fd(g->display));
				break;
			}
		}
		/* Buffers may have been queued before the first kick we see,
		 * and a message may have interrupted a drain. */
		gpu_worker_process(g);
	}
	worker_exit(g);
	return NULL;
}

int gpu_worker_start(struct gpu *g, char *err, size_t errlen)
{
	struct gpu_msg m = {.kind = MSG_CREATE, .err = err, .errlen = errlen};
	int ret;

	g->msg_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (g->msg_fd < 0 || g->epoll_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = watch(g, g->msg_fd, TAG_MSG);
	if (!ret)
		ret = watch(g, g->display->ops->get_fd(g->display), TAG_DISPLAY);
	if (!ret)
		ret = -pthread_create(&g->thread, NULL, worker_main, g);
	if (ret) {
		snprintf(err, errlen, "gpu: worker: %s", strerror(-ret));
		goto fail;
	}
	pthread_setname_np(g->thread, "gpu-worker");
	g->thread_started = true;
	ret = post(g, &m);
	if (ret) {
		/* The worker exits after a failed create. */
		pthread_join(g->thread, NULL);
		g->thread_started = false;
		goto fail;
	}
	return 0;
fail:
	if (g->msg_fd >= 0)
		close(g->msg_fd);
	if (g->epoll_fd >= 0)
		close(g->epoll_fd);
	g->msg_fd = g->epoll_fd = -1;
	return ret;
}

void gpu_worker_stop(struct gpu *g)
{
	struct gpu_msg m = {.kind = MSG_STOP};

	if (!g->thread_started)
		return;
	post(g, &m);
	pthread_join(g->thread, NULL);
	g->thread_started = false;
	close(g->msg_fd);
	close(g->epoll_fd);
	g->msg_fd = g->epoll_fd = -1;
}

int gpu_worker_attach(struct gpu *g, const struct guest_mem *mem, struct virtio_queue *queues,
		      struct virtio_irq *irq)
{
	struct gpu_msg m = {.kind = MSG_ATTACH, .u.attach = {mem, queues, irq}};

	return post(g, &m);
}

void gpu_worker_detach(struct gpu *g)
{
	struct gpu_msg m = {.kind = MSG_DETACH};

	post(g, &m);
}

int gpu_screenshot(struct gpu *g, const char *path, char *err, size_t errlen)
{
	struct gpu_msg m = {.kind = MSG_SCREENSHOT, .u.path = path, .err = err, .errlen = errlen};

	return post(g, &m) ? -1 : 0;
}

int gpu_capture(struct gpu *g, unsigned output, uint32_t *pixels, uint32_t w, uint32_t h,
		uint32_t *frame_w, uint32_t *frame_h)
{
	struct gpu_msg m = {.kind = MSG_CAPTURE, .u.capture = {output, pixels, w, h, 0, 0}};
	int ret = post(g, &m);

	*frame_w = m.u.capture.frame_w;
	*frame_h = m.u.capture.frame_h;
	return ret;
}
