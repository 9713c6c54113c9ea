/* Split virtqueues, driver side (virtio 1.2, 2.7): rings in probe RAM, one
 * register write to notify. Single-threaded: one CPU owns a queue. */
#ifndef PROBE_LIB_VIRTQ_H
#define PROBE_LIB_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/virtio_pci.h"

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* size entries, then used_event */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* size entries, then avail_event */
};

struct virtq {
	uint16_t index, size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t avail_idx; /* next free avail slot (free-running) */
	uint16_t last_used; /* next used entry to consume */
	uint16_t free_head, num_free;
	uint64_t notify_addr;
};

struct virtq_buf {
	void *addr;
	uint32_t len;
	bool device_writes; /* VIRTQ_DESC_F_WRITE */
};

/* Set up queue `index` with at most max_size entries (a power of two), its
 * MSI-X vector (VPCI_NO_VECTOR for none) and enable it. 0, or -1 with err. */
int virtq_setup(struct virtio_pci_dev *v, struct virtq *q, uint16_t index, uint16_t max_size,
		uint16_t msix_vector, char *err, size_t errlen);

/* Chain bufs into descriptors and make the chain available (not notified).
 * False if there are not enough free descriptors. */
bool virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, uint16_t *head);

void virtq_notify(struct virtq *q);

/* Take one used entry if there is one; its chain's descriptors are freed. */
bool virtq_get_used(struct virtq *q, uint16_t *head, uint32_t *len);

/* Poll (in RAM) for a used entry until the TSC deadline. */
bool virtq_wait_used(struct virtq *q, uint16_t *head, uint32_t *len, uint64_t deadline);

#endif
