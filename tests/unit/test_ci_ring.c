/* util/byte_ring: bounded, never blocks the producer, one wake-up per
 * drain, and bytes arrive in order across threads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "util/byte_ring.h"

Test(byte_ring, wraps_and_keeps_order)
{
	struct byte_ring r;
	char out[16];

	cr_assert_eq(byte_ring_init(&r, 8), 0);
	for (int round = 0; round < 5; round++) {
		const char *in = &"abcdefghijklmnop"[round]; /* other bytes every round */

		memset(out, 0, sizeof(out));
		byte_ring_push(&r, in, 6);
		cr_expect_eq(byte_ring_pop(&r, out, sizeof(out)), 6);
		cr_expect_arr_eq(out, in, 6, "round %d", round);
	}
	cr_expect_eq(byte_ring_dropped(&r), 0);
	byte_ring_destroy(&r);
}

Test(byte_ring, a_full_ring_drops_and_counts_instead_of_blocking)
{
	struct byte_ring r;
	char out[16];

	cr_assert_eq(byte_ring_init(&r, 5), 0); /* rounded up to 8 */
	byte_ring_push(&r, "0123456789", 10);
	cr_expect_eq(byte_ring_dropped(&r), 2);
	byte_ring_push(&r, "x", 1);
	cr_expect_eq(byte_ring_dropped(&r), 3);
	cr_expect_eq(byte_ring_pop(&r, out, sizeof(out)), 8);
	cr_expect_arr_eq(out, "01234567", 8);
	byte_ring_destroy(&r);
}

Test(byte_ring, one_wake_up_until_the_consumer_rearms)
{
	struct byte_ring r;
	char out[8];

	cr_assert_eq(byte_ring_init(&r, 64), 0);
	cr_expect(byte_ring_push(&r, "a", 1), "the first byte must wake the consumer");
	cr_expect_not(byte_ring_push(&r, "b", 1), "a wake-up is already on its way");
	byte_ring_rearm(&r);
	cr_expect_eq(byte_ring_pop(&r, out, sizeof(out)), 2);
	cr_expect(byte_ring_push(&r, "c", 1), "after a rearm the next byte wakes again");
	byte_ring_destroy(&r);
}

#define STREAM (4u << 20)

static void *producer(void *arg)
{
	struct byte_ring *r = arg;
	uint8_t chunk[97];

	for (unsigned sent = 0; sent < STREAM;) {
		unsigned n = STREAM - sent < sizeof(chunk) ? STREAM - sent : sizeof(chunk);

		for (unsigned i = 0; i < n; i++)
			chunk[i] = (uint8_t)((sent + i) % 251);
		byte_ring_push(r, chunk, n);
		sent += n;
	}
	return NULL;
}

/* With room for the whole stream nothing drops, so every byte must arrive
 * in order while the producer runs on another thread. */
Test(byte_ring, bytes_cross_threads_in_order, .timeout = 30)
{
	struct byte_ring r;
	pthread_t t;
	uint8_t buf[1000];
	unsigned got = 0, bad = 0;

	cr_assert_eq(byte_ring_init(&r, STREAM), 0);
	pthread_create(&t, NULL, producer, &r);
	while (got < STREAM) {
		size_t n = byte_ring_pop(&r, buf, sizeof(buf));

		for (size_t i = 0; i < n; i++)
			bad += buf[i] != (uint8_t)((got + i) % 251);
		got += n;
	}
	pthread_join(t, NULL);
	cr_expect_eq(bad, 0);
	cr_expect_eq(byte_ring_dropped(&r), 0);
	byte_ring_destroy(&r);
}
