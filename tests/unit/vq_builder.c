#include "tests/unit/vq_builder.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define F_NEXT	   1
#define F_WRITE	   2
#define F_INDIRECT 4

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void vqb_init(struct vqb *b, uint64_t mem_size, uint16_t qsize)
{
	memset(b, 0, sizeof(*b));
	b->mem = calloc(1, mem_size);
	assert(b->mem);
	b->mem_size = mem_size;
	guest_mem_init_flat(&b->gm, VQB_GPA_BASE, b->mem, mem_size);
	b->size = qsize;
	b->desc_gpa = VQB_GPA_BASE;
	b->avail_gpa = b->desc_gpa + 16ULL * qsize;
	b->used_gpa = align_up(b->avail_gpa + 6 + 2ULL * qsize, 4);
	b->data_gpa = align_up(b->used_gpa + 6 + 8ULL * qsize, 4096);
	assert(b->data_gpa < VQB_GPA_BASE + mem_size);
}

void vqb_free(struct vqb *b)
{
	free(b->mem);
	b->mem = NULL;
}

int vqb_vq_init(struct vqb *b, struct virtqueue *vq, bool event_idx)
{
	return vq_init(vq, &b->gm, b->size, b->desc_gpa, b->avail_gpa, b->used_gpa, event_idx);
}

uint64_t vqb_alloc(struct vqb *b, uint32_t len)
{
	uint64_t gpa = b->data_gpa;

	b->data_gpa = align_up(gpa + len, 16);
	assert(b->data_gpa <= VQB_GPA_BASE + b->mem_size);
	return gpa;
}

void *vqb_host(struct vqb *b, uint64_t gpa)
{
	assert(gpa >= VQB_GPA_BASE && gpa - VQB_GPA_BASE < b->mem_size);
	return b->mem + (gpa - VQB_GPA_BASE);
}

struct vqb_buf vqb_buf_out(struct vqb *b, const void *data, uint32_t len)
{
	struct vqb_buf buf = {.gpa = vqb_alloc(b, len), .len = len, .write = false};

	if (data && len)
		memcpy(vqb_host(b, buf.gpa), data, len);
	return buf;
}

struct vqb_buf vqb_buf_in(struct vqb *b, uint32_t len)
{
	struct vqb_buf buf = {.gpa = vqb_alloc(b, len), .len = len, .write = true};

	return buf;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

void vqb_set_table_desc(struct vqb *b, uint64_t table_gpa, uint16_t i, uint64_t addr, uint32_t len,
			uint16_t flags, uint16_t next)
{
	uint8_t *d = vqb_host(b, table_gpa + 16ULL * i);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

void vqb_set_desc(struct vqb *b, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		  uint16_t next)
{
	vqb_set_table_desc(b, b->desc_gpa, i, addr, len, flags, next);
}

void vqb_publish(struct vqb *b, uint16_t head)
{
	uint8_t *avail = vqb_host(b, b->avail_gpa);

	put16(avail + 4 + 2 * (b->avail_idx % b->size), head);
	b->avail_idx++;
	put16(avail + 2, b->avail_idx);
}

void vqb_set_avail_idx(struct vqb *b, uint16_t idx)
{
	b->avail_idx = idx;
	put16(vqb_host(b, b->avail_gpa) + 2, idx);
}

void vqb_set_avail_flags(struct vqb *b, uint16_t flags)
{
	put16(vqb_host(b, b->avail_gpa), flags);
}

void vqb_set_used_event(struct vqb *b, uint16_t v)
{
	put16(vqb_host(b, b->avail_gpa) + 4 + 2 * b->size, v);
}

uint16_t vqb_avail_event(struct vqb *b)
{
	return get16(vqb_host(b, b->used_gpa) + 4 + 8 * b->size);
}

uint16_t vqb_used_flags(struct vqb *b)
{
	return get16(vqb_host(b, b->used_gpa));
}

uint16_t vqb_used_idx(struct vqb *b)
{
	return get16(vqb_host(b, b->used_gpa) + 2);
}

uint16_t vqb_add_chain(struct vqb *b, const struct vqb_buf *bufs, unsigned n)
{
	uint16_t head = b->next_desc % b->size;

	assert(n >= 1 && n <= b->size);
	for (unsigned k = 0; k < n; k++) {
		uint16_t i = (head + k) % b->size;
		uint16_t next = (i + 1) % b->size;
		uint16_t flags = (bufs[k].write ? F_WRITE : 0) | (k + 1 < n ? F_NEXT : 0);

		vqb_set_desc(b, i, bufs[k].gpa, bufs[k].len, flags, k + 1 < n ? next : 0);
	}
	b->next_desc = (head + n) % b->size;
	vqb_publish(b, head);
	return head;
}

uint16_t vqb_add_indirect(struct vqb *b, const struct vqb_buf *bufs, unsigned n)
{
	uint64_t table = vqb_alloc(b, 16 * n);
	uint16_t head = b->next_desc % b->size;

	for (unsigned k = 0; k < n; k++) {
		uint16_t flags = (bufs[k].write ? F_WRITE : 0) | (k + 1 < n ? F_NEXT : 0);

		vqb_set_table_desc(b, table, k, bufs[k].gpa, bufs[k].len, flags,
				   k + 1 < n ? k + 1 : 0);
	}
	vqb_set_desc(b, head, table, 16 * n, F_INDIRECT, 0);
	b->next_desc = (head + 1) % b->size;
	vqb_publish(b, head);
	return head;
}

bool vqb_get_used(struct vqb *b, uint16_t *id, uint32_t *len)
{
	const uint8_t *used = vqb_host(b, b->used_gpa);
	const uint8_t *e;
	uint32_t v;

	if (get16(used + 2) == b->used_seen)
		return false;
	e = used + 4 + 8 * (b->used_seen % b->size);
	memcpy(&v, e, 4);
	*id = (uint16_t)v;
	memcpy(len, e + 4, 4);
	b->used_seen++;
	return true;
}
