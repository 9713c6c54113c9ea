/* virtio-console, one port (hvc0 in Linux): receiveq 0, transmitq 1.
 *
 * The terminal stays with the main thread: it hands input bytes over with
 * virtio_console_feed() (buffered until the guest posts receive buffers),
 * and guest output goes to a sink (lkvm-gpu: a ring the main thread
 * drains to stdout, vmm/console_out.h; none: discarded). The sink copies
 * or drops and never waits, so a transmit buffer is always returned at
 * once and a reader that does not read never holds the worker (nor the
 * guest's hvc driver, which spins until its buffer comes back).
 */
#ifndef LKVM_VIRTIO_CONSOLE_H
#define LKVM_VIRTIO_CONSOLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "util/byte_sink.h"
#include "virtio/virtio_dev.h"
#include "virtio/worker.h"

#define VIRTIO_ID_CONSOLE_DEV 3
#define CONSOLE_IN_BUF	      4096

struct virtio_console {
	pthread_mutex_t lock; /* input ring */
	uint8_t in[CONSOLE_IN_BUF];
	size_t in_head, in_len;
	int input_fd;	      /* eventfd: input arrived */
	struct byte_sink out; /* the output (worker thread) */
	struct byte_sink tap; /* sees the output too (worker thread) */
	const struct guest_mem *mem;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	struct vworker worker;
	struct vq_elem *elem;
};

extern const struct virtio_dev_ops virtio_console_ops;

struct virtio_console *virtio_console_create(void);
void virtio_console_destroy(struct virtio_console *c);
/* Set before the guest starts: where output goes (none: discarded). */
void virtio_console_set_output(struct virtio_console *c, struct byte_sink out);
/* Set before the guest starts: a second listener to the output. */
void virtio_console_set_tap(struct virtio_console *c, struct byte_sink tap);
/* Queue input for the guest (any thread). Returns bytes accepted: input
 * beyond CONSOLE_IN_BUF pending bytes is dropped, like a full UART FIFO. */
size_t virtio_console_feed(struct virtio_console *c, const void *buf, size_t len);

/* Worker entry points (tests call them directly). */
void virtio_console_fill_rx(struct virtio_console *c);
uint32_t virtio_console_tx_request(void *dev, struct vq_elem *elem);

#endif
