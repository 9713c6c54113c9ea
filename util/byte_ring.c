#include "util/byte_ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int byte_ring_init(struct byte_ring *r, size_t size)
{
	size_t s = 1;

	while (s < size)
		s <<= 1;
	memset(r, 0, sizeof(*r));
	r->buf = malloc(s);
	if (!r->buf)
		return -ENOMEM;
	r->size = s;
	return 0;
}

void byte_ring_destroy(struct byte_ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Copy len bytes between the ring at index pos (wrapping) and flat memory. */
static void copy_in(struct byte_ring *r, size_t pos, const uint8_t *src, size_t len)
{
	size_t at = pos & (r->size - 1), first = r->size - at < len ? r->size - at : len;

	memcpy(r->buf + at, src, first);
	memcpy(r->buf, src + first, len - first);
}

static void copy_out(struct byte_ring *r, size_t pos, uint8_t *dst, size_t len)
{
	size_t at = pos & (r->size - 1), first = r->size - at < len ? r->size - at : len;

	memcpy(dst, r->buf + at, first);
	memcpy(dst + first, r->buf, len - first);
}

bool byte_ring_push(struct byte_ring *r, const void *buf, size_t len)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t room = r->size - (tail - head);
	size_t n = len < room ? len : room;

	if (n < len)
		atomic_fetch_add_explicit(&r->dropped, len - n, memory_order_relaxed);
	if (n == 0)
		return false;
	copy_in(r, tail, buf, n);
	/* Sequentially consistent with the consumer's rearm: either it sees
	 * this tail when it drains, or we see its cleared flag and wake it. */
	atomic_store(&r->tail, tail + n);
	return !atomic_exchange(&r->wake_pending, true);
}

void byte_ring_rearm(struct byte_ring *r)
{
	atomic_store(&r->wake_pending, false);
}

size_t byte_ring_pop(struct byte_ring *r, void *out, size_t max)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load(&r->tail);
	size_t n = tail - head < max ? tail - head : max;

	copy_out(r, head, out, n);
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

unsigned long long byte_ring_dropped(struct byte_ring *r)
{
	return atomic_load_explicit(&r->dropped, memory_order_relaxed);
}
