/* The virtio worker's service loop under a guest that never lets the ring
 * run dry: a reset (vworker_stop, as blk, rng and console do it) must not
 * wait for the guest to stop. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/vq_builder.h"
#include "virtio/worker.h"

#define QSIZE	     16
#define REQUEST_NS   1000000ull	   /* each request keeps the device 1 ms */
#define GUEST_MAX_NS 3000000000ull /* the guest gives up after 3 s */
#define PROMPT_NS    500000000ull  /* a reset is prompt within 0.5 s */

static struct vqb b;
static struct virtio_queue q;
static struct vq_elem elem;
static struct vworker w;
static bool guest_stop;
static unsigned served;

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint32_t slow_request(void *dev, struct vq_elem *e)
{
	uint64_t end = now_ns() + REQUEST_NS;

	while (now_ns() < end)
		;
	__atomic_add_fetch(&served, 1, __ATOMIC_RELAXED);
	return 0;
}

static void irq_nop(struct virtio_irq *irq)
{
}

static void irq_q(struct virtio_irq *irq, unsigned queue)
{
}

static struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};

static void kicked(void *dev, unsigned idx)
{
	virtio_queue_service(&q, idx, &irq, &elem, slow_request, dev);
}

static const struct vworker_ops ops = {.queue_kicked = kicked};

/* A vCPU that hands every used chain straight back: the ring stays full
 * (a thousand times faster than the device drains it) until the test stops
 * it or GUEST_MAX_NS passes. */
static void *guest(void *arg)
{
	uint64_t end = now_ns() + GUEST_MAX_NS, one = 1;
	uint16_t id;
	uint32_t len;

	while (!__atomic_load_n(&guest_stop, __ATOMIC_ACQUIRE) && now_ns() < end) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!vqb_get_used(&b, &id, &len))
			continue;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		vqb_publish(&b, id);
		/* As a driver does: the device may have gone to sleep. */
		if (write(q.kick_fd, &one, 8) != 8)
			break;
	}
	return NULL;
}

/* Issue 13, finding 3: the stop flag was read only between batches, and a
 * batch lasts while the ring has requests, so this reset waited for the
 * guest (3 s here; for ever in a VM). */
Test(virtio_worker, reset_is_prompt_while_the_guest_keeps_the_ring_full, .timeout = 20)
{
	uint64_t one = 1, t0, took;
	pthread_t vcpu;

	vqb_init(&b, 1 << 20, QSIZE);
	q.kick_fd = eventfd(0, EFD_NONBLOCK);
	cr_assert_eq(vqb_vq_init(&b, &q.vq, false), 0);
	for (unsigned i = 0; i < QSIZE; i++) {
		struct vqb_buf buf = vqb_buf_in(&b, 64);

		vqb_add_chain(&b, &buf, 1);
	}
	cr_assert_eq(vworker_start(&w, &q, 1, NULL, 0, &ops, NULL), 0);
	cr_assert_eq(pthread_create(&vcpu, NULL, guest, NULL), 0);
	cr_assert_eq(write(q.kick_fd, &one, 8), 8);
	t0 = now_ns();
	/* Wait until the guest has refilled the ring at least once. */
	while (__atomic_load_n(&served, __ATOMIC_RELAXED) < 2 * QSIZE &&
	       now_ns() - t0 < 10 * PROMPT_NS)
		usleep(1000);
	cr_assert_geq(served, 2 * QSIZE, "the device served only %u requests", served);

	t0 = now_ns();
	vworker_stop(&w);
	took = now_ns() - t0;

	__atomic_store_n(&guest_stop, true, __ATOMIC_RELEASE);
	pthread_join(vcpu, NULL);
	cr_expect_lt(took, PROMPT_NS, "reset took %llu ms while the ring was kept full",
		     (unsigned long long)(took / 1000000));
	close(q.kick_fd);
	vqb_free(&b);
}
