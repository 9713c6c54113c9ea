#include "lib/virtq.h"
#include "lib/alloc.h"
#include "lib/fmt.h"
#include "lib/io.h"
#include "lib/time.h"

int virtq_setup(struct virtio_pci_dev *v, struct virtq *q, uint16_t index, uint16_t max_size,
		uint16_t msix_vector, char *err, size_t errlen)
{
	uint64_t c = v->common;

	mmio_write16(c + VPCI_Q_SELECT, index);
	uint16_t dev_size = mmio_read16(c + VPCI_Q_SIZE);
	if (dev_size == 0) {
		fmt_snprintf(err, errlen, "queue %u does not exist (size 0)", index);
		return -1;
	}
	uint16_t size = dev_size < max_size ? dev_size : max_size;
	if (size & (size - 1)) {
		fmt_snprintf(err, errlen, "queue %u size %u is not a power of 2", index, size);
		return -1;
	}
	*q = (struct virtq){.index = index, .size = size, .num_free = size};
	q->desc = page_alloc(sizeof(struct virtq_desc) * size);
	q->avail = page_alloc(sizeof(struct virtq_avail) + 2u * size + 2);
	q->used = page_alloc(sizeof(struct virtq_used) + sizeof(struct virtq_used_elem) * size + 2);
	if (!q->desc || !q->avail || !q->used) {
		fmt_snprintf(err, errlen, "out of ring memory for queue %u", index);
		return -1;
	}
	for (uint16_t i = 0; i + 1 < size; i++)
		q->desc[i].next = i + 1;

	mmio_write16(c + VPCI_Q_SIZE, size);
	mmio_write32(c + VPCI_Q_DESC, (uint32_t)phys_addr(q->desc));
	mmio_write32(c + VPCI_Q_DESC + 4, (uint32_t)(phys_addr(q->desc) >> 32));
	mmio_write32(c + VPCI_Q_DRIVER, (uint32_t)phys_addr(q->avail));
	mmio_write32(c + VPCI_Q_DRIVER + 4, (uint32_t)(phys_addr(q->avail) >> 32));
	mmio_write32(c + VPCI_Q_DEVICE, (uint32_t)phys_addr(q->used));
	mmio_write32(c + VPCI_Q_DEVICE + 4, (uint32_t)(phys_addr(q->used) >> 32));
	mmio_write16(c + VPCI_Q_MSIX, msix_vector);
	if (msix_vector != VPCI_NO_VECTOR && mmio_read16(c + VPCI_Q_MSIX) != msix_vector) {
		fmt_snprintf(err, errlen, "queue %u refused MSI-X vector %u", index, msix_vector);
		return -1;
	}
	uint16_t notify_off = mmio_read16(c + VPCI_Q_NOTIFY_OFF);
	q->notify_addr = v->notify + (uint64_t)notify_off * v->notify_mult;
	mmio_write16(c + VPCI_Q_ENABLE, 1);
	return 0;
}

bool virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, uint16_t *head)
{
	if (n == 0 || n > q->num_free)
		return false;
	uint16_t first = q->free_head, d = first;
	for (unsigned i = 0; i < n; i++) {
		struct virtq_desc *desc = &q->desc[d];
		desc->addr = phys_addr(bufs[i].addr);
		desc->len = bufs[i].len;
		desc->flags = (uint16_t)((bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
					 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		if (i + 1 < n)
			d = desc->next;
	}
	q->free_head = q->desc[d].next;
	q->num_free = (uint16_t)(q->num_free - n);
	q->avail->ring[q->avail_idx % q->size] = first;
	q->avail_idx++;
	/* The ring entry and descriptors must be visible before the index. */
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	*head = first;
	return true;
}

void virtq_notify(struct virtq *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mmio_write16(q->notify_addr, q->index);
}

bool virtq_get_used(struct virtq *q, uint16_t *head, uint32_t *len)
{
	if (__atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) == q->last_used)
		return false;
	struct virtq_used_elem e = q->used->ring[q->last_used % q->size];
	q->last_used++;
	if (e.id >= q->size)
		return false; /* a device bug: do not follow it into the table */
	/* Return the chain to the free list. */
	uint16_t d = (uint16_t)e.id, n = 1;
	while ((q->desc[d].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
		d = q->desc[d].next;
		n++;
	}
	q->desc[d].next = q->free_head;
	q->free_head = (uint16_t)e.id;
	q->num_free = (uint16_t)(q->num_free + n);
	*head = (uint16_t)e.id;
	*len = e.len;
	return true;
}

bool virtq_wait_used(struct virtq *q, uint16_t *head, uint32_t *len, uint64_t deadline)
{
	while (!virtq_get_used(q, head, len)) {
		if (deadline_passed(deadline))
			return false;
		cpu_relax();
	}
	return true;
}
