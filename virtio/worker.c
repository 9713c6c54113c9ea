#include "util/eventfd.h"
#include "virtio/worker.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/sandbox.h"

/* epoll tags: the stop fd, queue i, or extra fd i with EXTRA_BIT set. */
#define STOP_TAG  UINT32_MAX
#define EXTRA_BIT (1u << 30)

/* Polling policy ---------------------------------------------------------- */

void vpoll_init(struct vpoll *p, uint64_t max_ns)
{
	memset(p, 0, sizeof(*p));
	p->max_ns = max_ns;
	p->backoff = VPOLL_BACKOFF_MIN;
}

void vpoll_woken(struct vpoll *p, uint64_t slept_ns)
{
	if (!p->max_ns)
		return;
	if (p->cooldown) {
		p->cooldown--;
		return;
	}
	if (slept_ns <= p->max_ns) {
		/* A window of slept_ns would have caught this kick. */
		if (slept_ns > p->ns)
			p->ns = p->ns < VPOLL_START_NS ? VPOLL_START_NS : p->ns * 2;
		if (p->ns > p->max_ns)
			p->ns = p->max_ns;
	} else {
		p->ns /= 2;
		if (p->ns < VPOLL_START_NS)
			p->ns = 0;
	}
}

uint64_t vpoll_window(const struct vpoll *p)
{
	return p->cooldown ? 0 : p->ns;
}

void vpoll_session_done(struct vpoll *p, bool caught)
{
	if (caught) {
		p->miss_streak = 0;
		p->backoff = VPOLL_BACKOFF_MIN;
		return;
	}
	if (++p->miss_streak < VPOLL_MISS_LIMIT)
		return;
	p->miss_streak = 0;
	p->ns = 0;
	p->cooldown = p->backoff;
	if (p->backoff < VPOLL_BACKOFF_MAX)
		p->backoff *= 2;
}

/* The worker -------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static bool queue_watched(const struct virtio_queue *q)
{
	return q->vq.size && q->kick_fd >= 0;
}

/* Serve every queue whose ring holds buffers not yet taken. */
static bool serve_pending(struct vworker *w)
{
	bool any = false;

	for (unsigned i = 0; i < w->nq; i++) {
		if (queue_watched(&w->queues[i]) && vq_avail_pending(&w->queues[i].vq)) {
			w->ops->queue_kicked(w->dev, i);
			any = true;
		}
	}
	return any;
}

/* Spin on the rings while requests keep coming within the window of each
 * other. The driver still kicks meanwhile (notifications stay on, so no
 * request can be missed once we sleep); those kicks are drained before
 * sleeping, with a last look at the rings after the drain. */
static void poll_rings(struct vworker *w)
{
	uint64_t window = vpoll_window(&w->poll), deadline;
	bool caught = false;

	if (!window)
		return;
	w->poll_sessions++;
	deadline = now_ns() + window;
	for (;;) {
		if (serve_pending(w)) {
			w->poll_hits++;
			caught = true;
			deadline = now_ns() + window;
			continue;
		}
		if (__atomic_load_n(&w->stopping, __ATOMIC_ACQUIRE))
			return;
		if (now_ns() >= deadline) {
			for (unsigned i = 0; i < w->nq; i++)
				if (queue_watched(&w->queues[i]))
					efd_drain(w->queues[i].kick_fd, "virtio worker");
			if (!serve_pending(w))
				break;
			deadline = now_ns() + window;
			continue;
		}
		__builtin_ia32_pause();
	}
	if (!caught)
		w->poll_empty++;
	vpoll_session_done(&w->poll, caught);
}

static void *worker_loop(void *arg)
{
	struct vworker *w = arg;
	struct epoll_event ev[8];

	uint64_t slept_at = 0;

	/* Narrower than the vCPU list it inherits (util/sandbox.h); that one
	 * still holds if this fails. */
	sandbox_enter(SANDBOX_VIRTIO);

	for (;;) {
		int n;

		if (w->poll.max_ns)
			slept_at = now_ns();
		n = epoll_wait(w->epfd, ev, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("virtio worker: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		bool kicked = false;
		for (int i = 0; i < n; i++) {
			uint32_t tag = ev[i].data.u64 >> 32;
			int fd = (int)(uint32_t)ev[i].data.u64;

			if (tag == STOP_TAG)
				return NULL;
			/* Drain the doorbell before servicing, so a kick that
			 * lands during service wakes us again. */
			if (tag & EXTRA_BIT) {
				w->ops->fd_ready(w->dev, tag & ~EXTRA_BIT);
				continue;
			}
			efd_drain(fd, "virtio worker");
			kicked = true;
			w->ops->queue_kicked(w->dev, tag);
		}
		w->wakeups += kicked;
		if (kicked && w->poll.max_ns) {
			vpoll_woken(&w->poll, now_ns() - slept_at);
			poll_rings(w);
		}
	}
}

static int watch(struct vworker *w, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)tag << 32 | (uint32_t)fd};

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int vworker_start(struct vworker *w, struct virtio_queue *queues, unsigned nq, const int *extra_fds,
		  unsigned n_extra, const struct vworker_ops *ops, void *dev)
{
	uint64_t poll_max = w->poll.max_ns;
	int r;

	memset(w, 0, sizeof(*w));
	vpoll_init(&w->poll, poll_max);
	w->queues = queues;
	w->nq = nq;
	w->ops = ops;
	w->dev = dev;
	for (unsigned i = 0; i < nq; i++)
		queues[i].stop = &w->stopping;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->epfd < 0 || w->stop_fd < 0) {
		r = -errno;
		goto fail;
	}
	r = watch(w, w->stop_fd, STOP_TAG);
	for (unsigned i = 0; !r && i < nq; i++)
		if (queue_watched(&queues[i]))
			r = watch(w, queues[i].kick_fd, i);
	for (unsigned i = 0; !r && i < n_extra; i++)
		r = watch(w, extra_fds[i], EXTRA_BIT | i);
	if (r)
		goto fail;
	r = -pthread_create(&w->thread, NULL, worker_loop, w);
	if (r)
		goto fail;
	w->running = true;
	return 0;
fail:
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	w->epfd = w->stop_fd = -1;
	return r;
}

void vworker_set_poll(struct vworker *w, uint64_t max_ns)
{
	w->poll.max_ns = max_ns;
}

void vworker_stop(struct vworker *w)
{
	uint64_t one = 1;

	if (!w->running)
		return;
	__atomic_store_n(&w->stopping, true, __ATOMIC_RELEASE);
	if (write(w->stop_fd, &one, sizeof(one)) < 0)
		log_error("virtio worker: stop: %s", strerror(errno));
	pthread_join(w->thread, NULL);
	if (w->poll.max_ns)
		log_guest_debug(
		    "virtio worker: %llu wake-ups, %llu requests found by polling, %llu of "
		    "%llu polling sessions found none, window now %llu ns",
		    (unsigned long long)w->wakeups, (unsigned long long)w->poll_hits,
		    (unsigned long long)w->poll_empty, (unsigned long long)w->poll_sessions,
		    (unsigned long long)vpoll_window(&w->poll));
	close(w->epfd);
	close(w->stop_fd);
	w->running = false;
}

static bool stop_requested(const struct virtio_queue *q)
{
	return q->stop && __atomic_load_n(q->stop, __ATOMIC_ACQUIRE);
}

unsigned virtio_queue_service(struct virtio_queue *q, unsigned idx, struct virtio_irq *irq,
			      struct vq_elem *elem, vq_request_fn fn, void *dev)
{
	struct virtqueue *vq = &q->vq;
	unsigned done = 0;
	int r = 0;

	/* A broken ring was reported once; ignore it until reset. */
	if (!vq->size || vq->broken)
		return 0;
	for (;;) {
		vq_disable_notify(vq);
		/* A guest can keep the ring full for ever: a reset waiting for
		 * this thread gets it after at most one more request. */
		while (!stop_requested(q) && (r = vq_pop(vq, elem)) > 0) {
			vq_push(vq, elem->head, fn(dev, elem));
			done++;
		}
		if (stop_requested(q))
			break;
		if (r < 0) {
			log_guest_error("virtio queue %u: %s; device needs reset", idx,
					vq->fault ? vq->fault : "malformed ring");
			irq->needs_reset(irq);
			break;
		}
		if (!vq_enable_notify(vq))
			break;
	}
	if (done && vq_should_notify(vq))
		irq->queue(irq, idx);
	return done;
}
