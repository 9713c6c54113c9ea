/* util/byte_ring: bounded, never blocks the producer, one wake-up per
 * drain, and bytes arrive in order across threads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "util/byte_ring.h"
#include "util/tx_ring.h"

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

/* util/tx_ring: a producer short of room is called back once, by the
 * consumer's pop that frees enough. */
static unsigned room_calls;
static void on_room(void *ctx)
{
	room_calls++;
}

Test(tx_ring, room_request_is_answered_once_by_the_pop_that_frees_it)
{
	struct tx_ring t;
	char buf[64];

	room_calls = 0;
	cr_assert_eq(tx_ring_init(&t, 32, -1), 0);
	tx_ring_set_room_cb(&t, on_room, NULL);
	cr_expect(tx_ring_room(&t, 16));
	cr_expect_eq(tx_ring_push(&t, buf, 30), 30);
	cr_expect_not(tx_ring_room(&t, 16), "2 bytes free");
	cr_expect_eq(tx_ring_pop(&t, buf, 8), 8);
	cr_expect_eq(room_calls, 0, "10 free: not yet");
	cr_expect_eq(tx_ring_pop(&t, buf, 8), 8);
	cr_expect_eq(room_calls, 1);
	cr_expect_eq(tx_ring_pop(&t, buf, 8), 8);
	cr_expect_eq(room_calls, 1, "answered once");
	cr_expect_eq(tx_ring_push(&t, buf, 64), 32 - 6, "what does not fit is dropped");
	cr_expect_eq(tx_ring_dropped(&t), 64 - 26);
	cr_expect(!tx_ring_room(&t, 1000) && tx_ring_pop(&t, buf, 64) == 32 && room_calls == 2,
		  "a request above the size waits for an empty ring");
	tx_ring_destroy(&t);
}
