#include "lib/virtio_blk.h"
#include "lib/alloc.h"
#include "lib/fmt.h"
#include "lib/lapic.h"
#include "lib/pci_setup.h"
#include "lib/time.h"

#define BLK_CFG_CAPACITY   0
#define BLK_CFG_SEG_MAX	   12
#define BLK_CFG_BLK_SIZE   20
#define REQUEST_TIMEOUT_MS 5000

int vblk_open(struct vblk *b, char *err, size_t errlen)
{
	return vblk_open_features(b, 0, err, errlen);
}

int vblk_open_features(struct vblk *b, uint64_t extra, char *err, size_t errlen)
{
	uint8_t dev, fn;
	const uint64_t wanted = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE |
				VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_DISCARD |
				VIRTIO_BLK_F_WRITE_ZEROES | extra;

	const struct pci_access *pci = pci_access_default();

	*b = (struct vblk){0};
	if (!pci || !virtio_pci_find(pci, VIRTIO_ID_BLOCK, &dev, &fn))
		return 1;
	if (virtio_pci_open(&b->v, pci, dev, fn, err, errlen) ||
	    virtio_pci_init(&b->v, wanted, err, errlen))
		return -1;
	b->capacity = virtio_pci_cfg64(&b->v, BLK_CFG_CAPACITY);
	b->read_only = (b->v.features & VIRTIO_BLK_F_RO) != 0;
	b->blk_size = b->v.features & VIRTIO_BLK_F_BLK_SIZE
			  ? virtio_pci_cfg32(&b->v, BLK_CFG_BLK_SIZE)
			  : SECTOR_SIZE;
	b->seg_max =
	    b->v.features & VIRTIO_BLK_F_SEG_MAX ? virtio_pci_cfg32(&b->v, BLK_CFG_SEG_MAX) : 1;
	char no_msix[96];
	b->has_msix = msix_open(&b->msix, pci, dev, fn, no_msix, sizeof(no_msix)) == 0;
	if (b->has_msix) {
		lapic_enable();
		msix_route(&b->msix, 0, VBLK_MSIX_VECTOR, (uint8_t)lapic_id());
		msix_enable(&b->msix, true);
	}
	if (virtq_setup(&b->v, &b->q, 0, VBLK_QUEUE_MAX, b->has_msix ? 0 : VPCI_NO_VECTOR, err,
			errlen))
		return -1;
	b->reqs = page_alloc(sizeof(struct vblk_req) * b->q.size);
	if (!b->reqs) {
		fmt_snprintf(err, errlen, "out of memory for request headers");
		return -1;
	}
	virtio_pci_driver_ok(&b->v);
	return 0;
}

void vblk_close(struct vblk *b)
{
	virtio_pci_reset(&b->v);
	if (b->has_msix)
		msix_enable(&b->msix, false);
}

bool vblk_submit(struct vblk *b, uint32_t type, uint64_t sector, void *data, uint32_t len,
		 uint16_t *head)
{
	struct virtq_buf bufs[3];
	unsigned n = 0;
	/* The head descriptor is the queue's next free one: claim its slot. */
	struct vblk_req *r = &b->reqs[b->q.free_head];

	r->type = type;
	r->reserved = 0;
	r->sector = sector;
	r->status = 0xff;
	bufs[n++] = (struct virtq_buf){r, 16, false};
	if (data && len)
		bufs[n++] = (struct virtq_buf){
		    data, len, type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID};
	bufs[n++] = (struct virtq_buf){&r->status, 1, true};
	return virtq_add(&b->q, bufs, n, head);
}

bool vblk_complete(struct vblk *b, uint16_t *head, uint8_t *status, uint64_t deadline)
{
	uint32_t len;

	if (!virtq_wait_used(&b->q, head, &len, deadline))
		return false;
	*status = b->reqs[*head].status;
	return true;
}

int vblk_request(struct vblk *b, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	uint16_t head, done;
	uint8_t status;

	if (!vblk_submit(b, type, sector, data, len, &head))
		return -1;
	virtq_notify(&b->q);
	if (!vblk_complete(b, &done, &status, deadline_ms(REQUEST_TIMEOUT_MS)) || done != head)
		return -1;
	return status;
}
