/* virtio-console, one port (hvc0 in Linux): receiveq 0, transmitq 1.
 *
 * The terminal stays with the main thread: it hands input bytes over with
 * virtio_console_feed() (buffered until the guest posts receive buffers),
 * and guest output goes into a tx_ring the main thread drains to stdout.
 * The worker never writes to stdout itself: when the ring has no room it
 * keeps the transmit buffer it is sending (not returned to the guest, no
 * further ones taken) until the ring's room callback wakes it, which is
 * flow control towards the guest; its driver waits for the buffer back.
 */
#ifndef LKVM_VIRTIO_CONSOLE_H
#define LKVM_VIRTIO_CONSOLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "util/byte_sink.h"
#include "util/tx_ring.h"
#include "virtio/virtio_dev.h"
#include "virtio/worker.h"

#define VIRTIO_ID_CONSOLE_DEV 3
#define CONSOLE_IN_BUF	      4096

struct virtio_console {
	pthread_mutex_t lock; /* input ring */
	uint8_t in[CONSOLE_IN_BUF];
	size_t in_head, in_len;
	int input_fd;	      /* eventfd: input arrived (worker extra fd 0) */
	int room_fd;	      /* eventfd: out has room again (worker extra fd 1) */
	struct tx_ring *out;  /* NULL: output discarded */
	struct byte_sink tap; /* sees the output too (worker thread) */
	const struct guest_mem *mem;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	struct vworker worker;
	struct vq_elem *elem;	 /* receive side */
	struct vq_elem *tx_elem; /* the transmit chain being sent */
	bool tx_held;		 /* tx_elem popped; tx_off of its tx_len bytes sent */
	uint64_t tx_off, tx_len;
};

extern const struct virtio_dev_ops virtio_console_ops;

struct virtio_console *virtio_console_create(void);
void virtio_console_destroy(struct virtio_console *c);
/* Set before the guest starts: where output goes (NULL: discarded); the
 * console becomes out's room callback. */
void virtio_console_set_output(struct virtio_console *c, struct tx_ring *out);
/* Set before the guest starts: a second listener to the output. */
void virtio_console_set_tap(struct virtio_console *c, struct byte_sink tap);
/* Queue input for the guest (any thread). Returns bytes accepted: input
 * beyond CONSOLE_IN_BUF pending bytes is dropped, like a full UART FIFO. */
size_t virtio_console_feed(struct virtio_console *c, const void *buf, size_t len);

/* Worker entry points (tests call them directly). */
void virtio_console_fill_rx(struct virtio_console *c);
/* Send the transmit queue's buffers into out as far as it has room. */
void virtio_console_tx(struct virtio_console *c);

#endif
