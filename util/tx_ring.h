/* A device's console output on its way to the host (stdout), with flow
 * control instead of blocking.
 *
 * The device (the producer: a vCPU under the UART lock, or the
 * virtio-console worker) copies bytes into a bounded byte_ring and never
 * waits; the main thread (the consumer) writes them out when stdout can
 * take them. A producer that needs room it does not have asks for it with
 * tx_ring_room(), holds its transmitter (the UART's LSR THRE clear, the
 * virtio-console TX buffer not returned), and goes back to what it was
 * doing; once the consumer has made that much room it calls the producer's
 * room callback, on the consumer's thread. So the guest waits for a slow
 * reader the way it waits for a UART with hardware flow control, and no
 * device lock is ever held across a write to stdout.
 *
 * Bytes pushed beyond the room (a guest that writes THR without looking at
 * LSR) are dropped and counted, never waited for. */
#ifndef LKVM_TX_RING_H
#define LKVM_TX_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/byte_ring.h"

typedef void (*tx_room_fn)(void *ctx);

struct tx_ring {
	struct byte_ring ring;
	int wake_fd;	     /* eventfd the consumer polls (not owned; may be shared) */
	_Atomic size_t want; /* room the producer waits for; 0: not waiting */
	tx_room_fn room;     /* consumer side calls it once want is free */
	void *room_ctx;
};

/* size rounded up to a power of two; wake_fd signalled when bytes arrive.
 * 0, or -ENOMEM. */
int tx_ring_init(struct tx_ring *t, size_t size, int wake_fd);
void tx_ring_destroy(struct tx_ring *t);
/* The producer's owner, before the producer runs. */
void tx_ring_set_room_cb(struct tx_ring *t, tx_room_fn room, void *ctx);

/* Producer: true if n bytes fit now. Otherwise false, and the room
 * callback runs (on the consumer's thread) once they do; a later true
 * answer may still be followed by one stale callback, which must be
 * harmless. n is capped at the ring's size. */
bool tx_ring_room(struct tx_ring *t, size_t n);
/* Producer: copy what fits, drop (and count) the rest, wake the consumer.
 * Returns bytes copied. */
size_t tx_ring_push(struct tx_ring *t, const void *buf, size_t len);

/* Consumer: forget the pending wake-up, before draining. */
void tx_ring_rearm(struct tx_ring *t);
/* Consumer: up to max bytes into out; calls the room callback if the
 * producer waits for room that is now free. */
size_t tx_ring_pop(struct tx_ring *t, void *out, size_t max);
unsigned long long tx_ring_dropped(struct tx_ring *t);

#endif
