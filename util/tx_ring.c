#include "util/tx_ring.h"

#include <string.h>

#include "util/eventfd.h"

int tx_ring_init(struct tx_ring *t, size_t size, int wake_fd)
{
	int r;

	memset(t, 0, sizeof(*t));
	r = byte_ring_init(&t->ring, size);
	t->wake_fd = wake_fd;
	return r;
}

void tx_ring_destroy(struct tx_ring *t)
{
	byte_ring_destroy(&t->ring);
}

void tx_ring_set_room_cb(struct tx_ring *t, tx_room_fn room, void *ctx)
{
	t->room = room;
	t->room_ctx = ctx;
}

/* The producer stores want then reads head; the consumer stores head then
 * reads want. With a full fence between each pair at least one of them
 * sees the other's store: either the producer finds the room, or the
 * consumer finds the request and answers it. */
bool tx_ring_room(struct tx_ring *t, size_t n)
{
	if (n > t->ring.size)
		n = t->ring.size;
	if (byte_ring_space(&t->ring) >= n)
		return true;
	atomic_store(&t->want, n);
	atomic_thread_fence(memory_order_seq_cst);
	if (byte_ring_space(&t->ring) < n)
		return false;
	/* Freed meanwhile: withdraw the request unless it was answered. */
	atomic_compare_exchange_strong(&t->want, &n, 0);
	return true;
}

size_t tx_ring_push(struct tx_ring *t, const void *buf, size_t len)
{
	size_t space = byte_ring_space(&t->ring), n = len < space ? len : space;

	if (byte_ring_push(&t->ring, buf, len) && t->wake_fd >= 0)
		efd_signal(t->wake_fd, "console output");
	return n;
}

void tx_ring_rearm(struct tx_ring *t)
{
	byte_ring_rearm(&t->ring);
}

size_t tx_ring_pop(struct tx_ring *t, void *out, size_t max)
{
	size_t n = byte_ring_pop(&t->ring, out, max), want;

	atomic_thread_fence(memory_order_seq_cst);
	want = atomic_load(&t->want);
	if (want && byte_ring_space(&t->ring) >= want &&
	    atomic_compare_exchange_strong(&t->want, &want, 0) && t->room)
		t->room(t->room_ctx);
	return n;
}

unsigned long long tx_ring_dropped(struct tx_ring *t)
{
	return byte_ring_dropped(&t->ring);
}
