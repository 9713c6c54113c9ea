/* A bounded single-producer, single-consumer byte ring that never blocks
 * the producer: what does not fit is dropped and counted. It carries guest
 * console output from the thread that emits it (a vCPU holding the UART
 * lock, the virtio-console worker) to the main thread, so the producer's
 * cost is a copy and two atomics however slow the consumer is.
 *
 * A producer wakes the consumer through an eventfd at most once per drain:
 * byte_ring_push() returns true when the caller should signal it, and the
 * consumer calls byte_ring_rearm() before draining. */
#ifndef LKVM_BYTE_RING_H
#define LKVM_BYTE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byte_ring {
	uint8_t *buf;
	size_t size;			    /* a power of two */
	_Atomic size_t head;		    /* consumer: next byte to read */
	_Atomic size_t tail;		    /* producer: next byte to write */
	_Atomic unsigned long long dropped; /* bytes that did not fit */
	atomic_bool wake_pending;	    /* a wake-up is on its way */
};

/* size is rounded up to a power of two. 0, or -ENOMEM. */
int byte_ring_init(struct byte_ring *r, size_t size);
void byte_ring_destroy(struct byte_ring *r);
/* Producer: copy what fits, count the rest as dropped. Returns true if the
 * consumer must be woken. */
bool byte_ring_push(struct byte_ring *r, const void *buf, size_t len);
/* Consumer: forget the pending wake-up, before draining. */
void byte_ring_rearm(struct byte_ring *r);
/* Consumer: up to max bytes into out; returns how many. */
size_t byte_ring_pop(struct byte_ring *r, void *out, size_t max);
unsigned long long byte_ring_dropped(struct byte_ring *r);

#endif
