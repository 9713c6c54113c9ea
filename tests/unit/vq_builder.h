/* A driver-side virtqueue builder over fake guest memory, for unit tests.
 *
 * It plays the guest: lays out one split ring in a calloc'ed buffer
 * mapped at VQB_GPA_BASE, writes descriptor chains (direct or indirect) and
 * publishes them in the avail ring, and reads back the used ring. Raw
 * setters let tests write malformed rings on purpose.
 */
#ifndef TESTS_VQ_BUILDER_H
#define TESTS_VQ_BUILDER_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm/guest_mem.h"
#include "virtio/virtqueue.h"

#define VQB_GPA_BASE 0x100000ULL

struct vqb_buf {
	uint64_t gpa;
	uint32_t len;
	bool write; /* device-writable */
};

struct vqb {
	uint8_t *mem;
	uint64_t mem_size;
	struct guest_mem gm;
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t next_desc; /* next free descriptor slot (wraps) */
	uint16_t avail_idx; /* driver's avail->idx shadow */
	uint16_t used_seen; /* used entries consumed by vqb_get_used */
	uint64_t data_gpa;  /* bump allocator for buffers and tables */
};

/* mem_size bytes of guest RAM with a queue of qsize entries at its start. */
void vqb_init(struct vqb *b, uint64_t mem_size, uint16_t qsize);
void vqb_free(struct vqb *b);
/* A queue over the builder's rings. */
int vqb_vq_init(struct vqb *b, struct virtqueue *vq, bool event_idx);

/* Allocate len bytes (16-aligned) of guest memory; returns its gpa. */
uint64_t vqb_alloc(struct vqb *b, uint32_t len);
/* Host pointer of a gpa inside the fake RAM (asserts range). */
void *vqb_host(struct vqb *b, uint64_t gpa);
/* Allocate a buffer, optionally filled with data; returns a vqb_buf. */
struct vqb_buf vqb_buf_out(struct vqb *b, const void *data, uint32_t len);
struct vqb_buf vqb_buf_in(struct vqb *b, uint32_t len);

/* Write a chain of n direct descriptors and publish it; returns the head. */
uint16_t vqb_add_chain(struct vqb *b, const struct vqb_buf *bufs, unsigned n);
/* Write an n-entry indirect table and one descriptor pointing at it;
 * publish it; returns the head. */
uint16_t vqb_add_indirect(struct vqb *b, const struct vqb_buf *bufs, unsigned n);

/* Raw access for malformed cases. */
void vqb_set_desc(struct vqb *b, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		  uint16_t next);
/* Write a descriptor into an arbitrary table at table_gpa. */
void vqb_set_table_desc(struct vqb *b, uint64_t table_gpa, uint16_t i, uint64_t addr, uint32_t len,
			uint16_t flags, uint16_t next);
/* Put head in the next avail slot and bump avail->idx. */
void vqb_publish(struct vqb *b, uint16_t head);
/* Set avail->idx directly (jumps). */
void vqb_set_avail_idx(struct vqb *b, uint16_t idx);
void vqb_set_avail_flags(struct vqb *b, uint16_t flags);
void vqb_set_used_event(struct vqb *b, uint16_t v);
uint16_t vqb_avail_event(struct vqb *b);
uint16_t vqb_used_flags(struct vqb *b);
uint16_t vqb_used_idx(struct vqb *b);

/* Next used entry, if any: true and id/len filled. */
bool vqb_get_used(struct vqb *b, uint16_t *id, uint32_t *len);

#endif
