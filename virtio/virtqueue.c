/* Split virtqueue, device side. See virtqueue.h for the contract.
 *
 * Memory ordering (the driver runs concurrently on another CPU):
 * - We read avail->idx, then an acquire fence, and only then ring entries
 *   and descriptors: the driver wrote those before its release of idx.
 * - We write used ring entries, then a release fence, then used->idx: the
 *   driver must never see an index that covers an unwritten entry.
 * - Publishing avail_event / used->idx and then reading the driver's
 *   flags or indices needs a full fence (store->load), else both sides may
 *   decide the other will do the notifying and the queue stalls.
 */
#include "virtio/virtqueue.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#define DESC_F_NEXT	     1
#define DESC_F_WRITE	     2
#define DESC_F_INDIRECT	     4
#define USED_F_NO_NOTIFY     1
#define AVAIL_F_NO_INTERRUPT 1

#define DESC_SIZE      16
#define USED_ELEM_SIZE 8

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Shared ring fields are read and written with single atomic accesses so
 * the compiler cannot tear or repeat them. */
static uint16_t load16(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static void store16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

static void store32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

/* Layout offsets inside the avail and used rings. */
static uint8_t *avail_flags(struct virtqueue *vq)
{
	return vq->avail_host;
}

static uint8_t *avail_idx(struct virtqueue *vq)
{
	return vq->avail_host + 2;
}

static uint8_t *avail_ring(struct virtqueue *vq, uint16_t i)
{
	return vq->avail_host + 4 + 2 * (uint32_t)i;
}

static uint8_t *used_flags(struct virtqueue *vq)
{
	return vq->used_host;
}

static uint8_t *used_idx(struct virtqueue *vq)
{
	return vq->used_host + 2;
}

static uint8_t *used_ring(struct virtqueue *vq, uint16_t i)
{
	return vq->used_host + 4 + USED_ELEM_SIZE * (uint32_t)i;
}

/* used_event lives after the avail ring, avail_event after the used ring. */
static uint8_t *used_event(struct virtqueue *vq)
{
	return avail_ring(vq, vq->size);
}

static uint8_t *avail_event(struct virtqueue *vq)
{
	return used_ring(vq, vq->size);
}

int vq_init(struct virtqueue *vq, const struct guest_mem *mem, uint16_t size, uint64_t desc_gpa,
	    uint64_t avail_gpa, uint64_t used_gpa, bool event_idx)
{
	uint64_t desc_len = (uint64_t)DESC_SIZE * size;
	uint64_t avail_len = 6 + 2 * (uint64_t)size;
	uint64_t used_len = 6 + (uint64_t)USED_ELEM_SIZE * size;
	uint8_t *d, *a, *u;

	memset(vq, 0, sizeof(*vq));
	if (size == 0 || size > VQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	/* Alignments required by the spec (2.7); they also make our 16/32-bit
	 * atomic accesses naturally aligned. */
	if ((desc_gpa & 15) || (avail_gpa & 1) || (used_gpa & 3))
		return -EINVAL;
	d = guest_mem_ptr(mem, desc_gpa, desc_len);
	a = guest_mem_ptr(mem, avail_gpa, avail_len);
	u = guest_mem_ptr(mem, used_gpa, used_len);
	if (!d || !a || !u)
		return -EINVAL;
	vq->mem = mem;
	vq->size = size;
	vq->desc_gpa = desc_gpa;
	vq->avail_gpa = avail_gpa;
	vq->used_gpa = used_gpa;
	vq->event_idx = event_idx;
	vq->desc_host = d;
	vq->avail_host = a;
	vq->used_host = u;
	return 0;
}

static int vq_fail(struct virtqueue *vq, const char *why)
{
	vq->broken = true;
	vq->fault = why;
	return -EIO;
}

/* Snapshot one descriptor: each field is read exactly once. */
static void read_desc(const uint8_t *table, uint32_t i, struct desc *d)
{
	struct desc raw;

	memcpy(&raw, table + (uint64_t)i * DESC_SIZE, sizeof(raw));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

/* Record one segment; enforces ordering, chain length and RAM bounds.
 * NULL, or what is wrong. */
static const char *add_seg(struct vq_elem *e, const struct guest_mem *mem, const struct desc *d,
			   unsigned *steps)
{
	bool writable = d->flags & DESC_F_WRITE;
	uint16_t n;

	if (++*steps > VQ_MAX_SEGS)
		return "chain longer than " VQ_MAX_SEGS_STR " descriptors";
	if (!writable && e->n_in)
		return "readable descriptor after a writable one";
	/* Empty segments carry nothing; skip them (still counted above). */
	if (d->len == 0)
		return NULL;
	if (!guest_mem_ptr(mem, d->addr, d->len))
		return "buffer outside guest RAM";
	n = e->n_out + e->n_in;
	e->segs[n].gpa = d->addr;
	e->segs[n].len = d->len;
	if (writable) {
		e->n_in++;
		e->in_len += d->len;
	} else {
		e->n_out++;
		e->out_len += d->len;
	}
	return NULL;
}

/* Walk an indirect table. It ends the chain; nested tables are refused.
 * NULL, or what is wrong. */
static const char *walk_indirect(struct virtqueue *vq, struct vq_elem *e, const struct desc *ind,
				 unsigned *steps)
{
	const uint8_t *table;
	uint32_t n, i = 0, visited = 0;
	const char *why;
	struct desc d;

	if (ind->flags & DESC_F_NEXT)
		return "indirect descriptor with NEXT"; /* the spec forbids both */
	if (ind->len == 0 || ind->len % DESC_SIZE)
		return "indirect table length not a multiple of 16";
	n = ind->len / DESC_SIZE;
	if (n > VQ_MAX_SEGS)
		return "indirect table longer than " VQ_MAX_SEGS_STR " entries";
	table = guest_mem_ptr(vq->mem, ind->addr, ind->len);
	if (!table)
		return "indirect table outside guest RAM";
	for (;;) {
		/* n entries can be visited at most once each: more is a loop. */
		if (++visited > n)
			return "loop in an indirect table";
		read_desc(table, i, &d);
		if (d.flags & DESC_F_INDIRECT)
			return "nested indirect table";
		why = add_seg(e, vq->mem, &d, steps);
		if (why)
			return why;
		if (!(d.flags & DESC_F_NEXT))
			return NULL;
		if (d.next >= n)
			return "indirect next index past the table";
		i = d.next;
	}
}

int vq_pop(struct virtqueue *vq, struct vq_elem *elem)
{
	uint16_t avail, pending, head, i;
	unsigned steps = 0, visited = 0;
	const char *why;
	struct desc d;

	if (vq->broken || !vq->size)
		return -EIO;
	avail = load16(avail_idx(vq));
	pending = (uint16_t)(avail - vq->last_avail);
	if (pending == 0)
		return 0;
	if (pending > vq->size)
		return vq_fail(vq, "avail index moved by more than the queue size");
	/* Ring entry and descriptors were written before avail->idx. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head = load16(avail_ring(vq, vq->last_avail & (vq->size - 1)));
	if (head >= vq->size)
		return vq_fail(vq, "head index out of range");

	elem->head = head;
	elem->n_out = elem->n_in = 0;
	elem->out_len = elem->in_len = 0;
	i = head;
	for (;;) {
		if (++visited > vq->size)
			return vq_fail(vq, "loop in the descriptor chain");
		read_desc(vq->desc_host, i, &d);
		if (d.flags & DESC_F_INDIRECT) {
			why = walk_indirect(vq, elem, &d, &steps);
			if (why)
				return vq_fail(vq, why);
			break;
		}
		why = add_seg(elem, vq->mem, &d, &steps);
		if (why)
			return vq_fail(vq, why);
		if (!(d.flags & DESC_F_NEXT))
			break;
		if (d.next >= vq->size)
			return vq_fail(vq, "next index out of range");
		i = d.next;
	}
	vq->last_avail++;
	return 1;
}

bool vq_avail_pending(const struct virtqueue *vq)
{
	if (!vq->size || vq->broken)
		return false;
	return load16(vq->avail_host + 2) != vq->last_avail; /* avail->idx */
}

void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	uint8_t *slot;

	if (!vq->size || head >= vq->size)
		return;
	slot = used_ring(vq, vq->used_idx & (vq->size - 1));
	store32(slot, head);
	store32(slot + 4, len);
	vq->used_idx++;
	/* The entry must be visible before the index that covers it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store16(used_idx(vq), vq->used_idx);
}

bool vq_should_notify(struct virtqueue *vq)
{
	uint16_t old, new, event;
	bool valid;

	if (!vq->size)
		return false;
	/* used->idx store above must be ordered before reading the driver's
	 * suppression fields. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(load16(avail_flags(vq)) & AVAIL_F_NO_INTERRUPT);
	old = vq->signalled_used;
	valid = vq->signalled_valid;
	new = vq->used_idx;
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	event = load16(used_event(vq));
	/* Notify iff used_event lies in [old, new): the driver asked to hear
	 * about the entry at used_event, and it was published since last time. */
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

void vq_disable_notify(struct virtqueue *vq)
{
	if (!vq->size || vq->event_idx)
		return;
	store16(used_flags(vq), USED_F_NO_NOTIFY);
}

bool vq_enable_notify(struct virtqueue *vq)
{
	if (!vq->size)
		return false;
	if (vq->event_idx)
		store16(avail_event(vq), vq->last_avail);
	else
		store16(used_flags(vq), 0);
	/* Our store must be visible before we re-read avail->idx; otherwise a
	 * buffer added in between could see notifications still off while we
	 * see no new buffer. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16(avail_idx(vq)) != vq->last_avail;
}

/* Walk the segments of one direction, skipping off bytes, calling copy on
 * each host piece. Returns the bytes handled. */
static size_t elem_copy(const struct guest_mem *mem, const struct vq_elem *e, bool in, uint64_t off,
			uint8_t *buf, size_t len, bool to_guest)
{
	unsigned first = in ? e->n_out : 0;
	unsigned end = in ? e->n_out + e->n_in : e->n_out;
	size_t done = 0;

	for (unsigned i = first; i < end && done < len; i++) {
		const struct vq_seg *s = &e->segs[i];
		uint64_t chunk;
		uint8_t *p;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		chunk = s->len - off;
		if (chunk > len - done)
			chunk = len - done;
		p = guest_mem_ptr(mem, s->gpa + off, chunk);
		if (!p)
			break;
		if (to_guest)
			memcpy(p, buf + done, chunk);
		else
			memcpy(buf + done, p, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

size_t vq_elem_read(const struct guest_mem *mem, const struct vq_elem *e, uint64_t off, void *dst,
		    size_t len)
{
	return elem_copy(mem, e, false, off, dst, len, false);
}

size_t vq_elem_write(const struct guest_mem *mem, const struct vq_elem *e, uint64_t off,
		     const void *src, size_t len)
{
	return elem_copy(mem, e, true, off, (uint8_t *)src, len, true);
}
