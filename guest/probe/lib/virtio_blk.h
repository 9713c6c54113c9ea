/* A virtio-blk driver for the probe: one queue, requests submitted and
 * completed by polling the used ring in RAM; MSI-X if the device has it (the
 * interrupts are only counted). Several requests may be in flight. */
#ifndef PROBE_LIB_VIRTIO_BLK_H
#define PROBE_LIB_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/msix.h"
#include "lib/virtio_pci.h"
#include "lib/virtq.h"

#define VIRTIO_BLK_F_SIZE_MAX	  (1ull << 1)
#define VIRTIO_BLK_F_SEG_MAX	  (1ull << 2)
#define VIRTIO_BLK_F_RO		  (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE	  (1ull << 6)
#define VIRTIO_BLK_F_FLUSH	  (1ull << 9)
#define VIRTIO_BLK_F_DISCARD	  (1ull << 13)
#define VIRTIO_BLK_F_WRITE_ZEROES (1ull << 14)

#define VIRTIO_BLK_T_IN		  0
#define VIRTIO_BLK_T_OUT	  1
#define VIRTIO_BLK_T_FLUSH	  4
#define VIRTIO_BLK_T_GET_ID	  8
#define VIRTIO_BLK_T_DISCARD	  11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define SECTOR_SIZE	    512
#define VBLK_QUEUE_MAX	    128
#define VBLK_MSIX_VECTOR    0x51

struct vblk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
	uint8_t status;
} __attribute__((aligned(32)));

struct vblk {
	struct virtio_pci_dev v;
	struct msix msix;
	bool has_msix;
	struct virtq q;
	struct vblk_req *reqs; /* indexed by the chain's head descriptor */
	uint64_t capacity;     /* 512-byte sectors */
	uint32_t blk_size;
	uint32_t seg_max;
	bool read_only;
};

/* Find the first virtio-blk function, negotiate, set up the queue (MSI-X
 * vector VBLK_MSIX_VECTOR if available), DRIVER_OK. 1 if there is no disk,
 * 0 on success, -1 with err. */
int vblk_open(struct vblk *b, char *err, size_t errlen);
/* The same, also asking for `extra` features (e.g. VIRTIO_F_INDIRECT_DESC). */
int vblk_open_features(struct vblk *b, uint64_t extra, char *err, size_t errlen);
void vblk_close(struct vblk *b);

/* Queue one request (data may be NULL/0 for FLUSH); not notified. */
bool vblk_submit(struct vblk *b, uint32_t type, uint64_t sector, void *data, uint32_t len,
		 uint16_t *head);

/* One completed request: its head and status. False on timeout. */
bool vblk_complete(struct vblk *b, uint16_t *head, uint8_t *status, uint64_t deadline);

/* Submit, notify, wait: the status byte, or -1 on timeout or a full queue. */
int vblk_request(struct vblk *b, uint32_t type, uint64_t sector, void *data, uint32_t len);

#endif
