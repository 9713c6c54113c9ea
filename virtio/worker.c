#include "virtio/worker.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm/log.h"

#define STOP_TAG UINT32_MAX

static void *worker_loop(void *arg)
{
	struct vworker *w = arg;
	struct epoll_event ev[8];

	for (;;) {
		int n = epoll_wait(w->epfd, ev, 8, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("virtio worker: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			uint32_t tag = ev[i].data.u64 >> 32;
			int fd = (int)(uint32_t)ev[i].data.u64;
			uint64_t v;

			if (tag == STOP_TAG)
				return NULL;
			/* Drain the doorbell before servicing, so a kick that
			 * lands during service wakes us again. */
			if (tag < VWORKER_EXTRA_BASE && read(fd, &v, sizeof(v)) < 0 &&
			    errno != EAGAIN)
				log_error("virtio worker: kick read: %s", strerror(errno));
			w->handle(w->dev, tag);
		}
	}
}

static int watch(struct vworker *w, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)tag << 32 | (uint32_t)fd};

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int vworker_start(struct vworker *w, struct virtio_queue *queues, unsigned nq, const int *extra_fds,
		  unsigned n_extra, void (*handle)(void *dev, unsigned idx), void *dev)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->handle = handle;
	w->dev = dev;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->epfd < 0 || w->stop_fd < 0) {
		r = -errno;
		goto fail;
	}
	r = watch(w, w->stop_fd, STOP_TAG);
	for (unsigned i = 0; !r && i < nq; i++)
		if (queues[i].vq.size && queues[i].kick_fd >= 0)
			r = watch(w, queues[i].kick_fd, i);
	for (unsigned i = 0; !r && i < n_extra; i++)
		r = watch(w, extra_fds[i], VWORKER_EXTRA_BASE + i);
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

void vworker_stop(struct vworker *w)
{
	uint64_t one = 1;

	if (!w->running)
		return;
	if (write(w->stop_fd, &one, sizeof(one)) < 0)
		log_error("virtio worker: stop: %s", strerror(errno));
	pthread_join(w->thread, NULL);
	close(w->epfd);
	close(w->stop_fd);
	w->running = false;
}

unsigned virtio_queue_service(struct virtio_queue *q, unsigned idx, struct virtio_irq *irq,
			      struct vq_elem *elem, vq_request_fn fn, void *dev)
{
	struct virtqueue *vq = &q->vq;
	unsigned done = 0;
	int r;

	/* A broken ring was reported once; ignore it until reset. */
	if (!vq->size || vq->broken)
		return 0;
	for (;;) {
		vq_disable_notify(vq);
		while ((r = vq_pop(vq, elem)) > 0) {
			vq_push(vq, elem->head, fn(dev, elem));
			done++;
		}
		if (r < 0) {
			log_guest_error("virtio queue %u: malformed ring, device needs reset", idx);
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
