/* Split virtqueue, device side (virtio 1.x, 2.7).
 *
 * vq_pop() walks one descriptor chain (direct or one level of indirect),
 * checks every address and length against guest memory and copies the
 * segment list into a struct vq_elem, so the device works on a snapshot and
 * never re-reads guest-writable descriptors. Loops, over-long chains, nested
 * indirect tables, zero-length tables, out-of-range addresses and readable
 * segments after writable ones are refused: the queue is marked broken and
 * the device should set DEVICE_NEEDS_RESET.
 *
 * Pure code over struct guest_mem: no I/O, no threads.
 */
#ifndef LKVM_VIRTQUEUE_H
#define LKVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm/guest_mem.h"

#define VQ_MAX_SIZE	32768
#define VQ_MAX_SEGS	1024 /* longest chain we accept, direct or indirect */
#define VQ_MAX_SEGS_STR "1024"

struct vq_seg {
	uint64_t gpa;
	uint32_t len;
};

struct vq_elem {
	uint16_t head;	      /* id returned in the used ring */
	uint16_t n_out, n_in; /* readable segments come first, then writable */
	uint64_t out_len;     /* sum of readable segment lengths */
	uint64_t in_len;      /* sum of writable segment lengths */
	struct vq_seg segs[VQ_MAX_SEGS];
};

struct virtqueue {
	const struct guest_mem *mem;
	uint16_t size; /* power of two, 1..VQ_MAX_SIZE */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx;		 /* VIRTIO_F_EVENT_IDX negotiated */
	bool broken;		 /* guest violated the protocol; stop processing */
	const char *fault;	 /* what it did (static string), once broken */
	uint16_t last_avail;	 /* next avail entry to consume */
	uint16_t used_idx;	 /* our shadow of used->idx */
	uint16_t signalled_used; /* used_idx when we last interrupted */
	bool signalled_valid;
	/* Host views of the three rings, resolved and bounds-checked once by
	 * vq_init (guest RAM regions never move while the VM lives). */
	uint8_t *desc_host, *avail_host, *used_host;
};

/* Set up a queue; validates that rings lie in guest memory. -EINVAL if not. */
int vq_init(struct virtqueue *vq, const struct guest_mem *mem, uint16_t size, uint64_t desc_gpa,
	    uint64_t avail_gpa, uint64_t used_gpa, bool event_idx);

/* 1: *elem filled; 0: nothing available; -EIO: guest broke the protocol
 * (vq->broken set). */
int vq_pop(struct virtqueue *vq, struct vq_elem *elem);

/* Has the driver made buffers available that vq_pop has not taken yet?
 * A cheap read of avail->idx, for polling. */
bool vq_avail_pending(const struct virtqueue *vq);

/* Return a chain with len bytes written. */
void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len);

/* After pushes: does the driver want an interrupt (flags / used_event)? */
bool vq_should_notify(struct virtqueue *vq);

/* Ask the driver not to kick while the device is already draining the
 * queue (clears nothing with EVENT_IDX: there avail_event simply lags). */
void vq_disable_notify(struct virtqueue *vq);

/* With EVENT_IDX: publish avail_event so the driver kicks on the next
 * buffer; without it: clear VRING_USED_F_NO_NOTIFY. Returns true if more
 * buffers arrived meanwhile (re-check). The pattern: disable; pop until 0;
 * if (vq_enable_notify()) loop. */
bool vq_enable_notify(struct virtqueue *vq);

/* Gather from readable segments / scatter into writable ones, starting at
 * byte offset off of that direction. Return bytes copied (short if the
 * chain is shorter). Segments are revalidated against guest memory. */
size_t vq_elem_read(const struct guest_mem *mem, const struct vq_elem *e, uint64_t off, void *dst,
		    size_t len);
size_t vq_elem_write(const struct guest_mem *mem, const struct vq_elem *e, uint64_t off,
		     const void *src, size_t len);

#endif
