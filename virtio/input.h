/* virtio-input (virtio 1.2, 5.8): a keyboard, an absolute tablet or a
 * relative mouse, in evdev terms. eventq 0 carries 8-byte events to the
 * guest, statusq 1 carries the guest's LED state back.
 *
 * The host sends whole frames (events, then SYN_REPORT appended here) from
 * any thread. A frame goes into the guest's buffers whole or not at all:
 * when the guest has posted too few, it waits in a small per-device queue
 * (VINPUT_QUEUE_FRAMES) that drains as buffers arrive, and when that is
 * full it is dropped whole. A guest that never posts buffers costs the
 * host nothing more. Reset forgets the queue and the buffers held.
 */
#ifndef LKVM_VIRTIO_INPUT_H
#define LKVM_VIRTIO_INPUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/virtio_dev.h"
#include "virtio/worker.h"

#define VIRTIO_ID_INPUT_DEV 18

/* Config space selectors (5.8.5). */
#define VINPUT_CFG_UNSET     0x00
#define VINPUT_CFG_ID_NAME   0x01
#define VINPUT_CFG_ID_SERIAL 0x02
#define VINPUT_CFG_ID_DEVIDS 0x03
#define VINPUT_CFG_PROP_BITS 0x10
#define VINPUT_CFG_EV_BITS   0x11
#define VINPUT_CFG_ABS_INFO  0x12
#define VINPUT_CONFIG_SIZE   136 /* select, subsel, size, reserved[5], u[128] */
#define VINPUT_BUS_VIRTUAL   0x06
#define VINPUT_VENDOR	     0x1af4
#define VINPUT_EVENT_SIZE    8
#define VINPUT_ABS_MAX	     32767
#define VINPUT_FRAME_MAX     8 /* events in one frame, SYN_REPORT included */
#define VINPUT_QUEUE_FRAMES  4 /* frames waiting for guest buffers, per device */
#define VINPUT_QUEUE_SIZE    64
#define VINPUT_STATUS_QSIZE  16

enum vinput_kind {
	VINPUT_KEYBOARD, /* PC keys, EV_REP, LEDs */
	VINPUT_TABLET,	 /* ABS_X/ABS_Y 0..32767, 3 buttons, wheels */
	VINPUT_MOUSE,	 /* REL_X/REL_Y, 3 buttons, wheels */
};

struct vinput_event {
	uint16_t type, code;
	int32_t value;
};

struct vinput_frame {
	unsigned n; /* SYN_REPORT included */
	struct vinput_event ev[VINPUT_FRAME_MAX];
};

/* A buffer the guest posted on eventq, held until an event fills it: its
 * head and the writable bytes that take one event. */
struct vinput_buf {
	uint16_t head;
	uint8_t nseg;
	struct vq_seg seg[VINPUT_EVENT_SIZE];
};

/* What send() did with a frame. */
enum vinput_sent {
	VINPUT_PLACED = 0,	/* in the guest's buffers */
	VINPUT_QUEUED = 1,	/* waiting for buffers */
	VINPUT_DROPPED = -1,	/* queue full (or the driver is not ready) */
	VINPUT_NOT_READY = -2,	/* the driver has not set DRIVER_OK: dropped */
	VINPUT_UNSUPPORTED = -3 /* an event the device does not advertise */
};

struct virtio_input {
	enum vinput_kind kind;
	pthread_mutex_t lock; /* all below but worker */
	uint8_t select, subsel;
	bool active;
	const struct guest_mem *mem;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	struct vworker worker;
	struct vq_elem *elem;	     /* eventq pops, under lock */
	struct vq_elem *status_elem; /* statusq, worker thread only */
	struct vinput_buf bufs[VINPUT_QUEUE_SIZE];
	unsigned nbufs;
	struct vinput_frame pending[VINPUT_QUEUE_FRAMES];
	unsigned pend_head, pend_len;
	uint8_t leds; /* bit n: LED n on, as the guest last said */
	/* Counters (tests, --debug). */
	uint64_t placed, dropped, bad_bufs, bad_status;
};

extern const struct virtio_dev_ops virtio_input_ops;

struct virtio_input *virtio_input_create(enum vinput_kind kind);
void virtio_input_destroy(struct virtio_input *in);

/* One frame of n events (SYN_REPORT is appended; n + 1 <= VINPUT_FRAME_MAX).
 * Any thread; never blocks on the guest. */
enum vinput_sent virtio_input_send(struct virtio_input *in, const struct vinput_event *ev,
				   unsigned n);
/* Frames waiting for buffers (the typist sends the next one at 0). */
unsigned virtio_input_pending(struct virtio_input *in);
uint8_t virtio_input_leds(struct virtio_input *in);

/* Config space answers (input_config.c): fill the 136 bytes for
 * (select, subsel) of kind. Pure. */
void vinput_config_fill(enum vinput_kind kind, uint8_t select, uint8_t subsel,
			uint8_t cfg[VINPUT_CONFIG_SIZE]);
/* Does kind advertise (type, code)? EV_SYN always. */
bool vinput_supports(enum vinput_kind kind, uint16_t type, uint16_t code);
const char *vinput_kind_name(enum vinput_kind kind);

/* Worker entry points (tests call them directly). */
void virtio_input_event_kicked(struct virtio_input *in);
uint32_t virtio_input_status_request(void *dev, struct vq_elem *elem);

#endif
