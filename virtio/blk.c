/* virtio-blk: requests are served synchronously on the device's worker
 * thread with preadv/pwritev straight into guest memory. */
#include "virtio/blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/log.h"

#define SECTOR	       512ULL
#define HDR_SIZE       16
#define RANGE_SIZE     16
#define MAX_RANGES     16
#define MAX_REQ_BYTES  (32u << 20) /* cap on one request's data */
#define MAX_ZERO_SECTS (1u << 22)  /* 2 GiB per discard / write-zeroes range */
/* Longest spin on the ring between requests (see vworker_set_poll). */
#define BLK_POLL_MAX_NS 200000

struct blk_hdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

struct blk_range {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

_Static_assert(sizeof(struct blk_hdr) == HDR_SIZE, "virtio-blk header is 16 bytes");
_Static_assert(sizeof(struct blk_range) == RANGE_SIZE, "discard range is 16 bytes");

/* iovecs for len bytes of one direction from byte off. Returns the count,
 * or -1 if the chain is shorter or a segment left guest RAM. */
static int build_iov(const struct guest_mem *mem, struct iovec *iov, const struct vq_elem *e,
		     bool in, uint64_t off, uint64_t len)
{
	unsigned first = in ? e->n_out : 0, end = in ? e->n_out + e->n_in : e->n_out;
	int n = 0;

	for (unsigned i = first; i < end && len; i++) {
		const struct vq_seg *s = &e->segs[i];
		uint64_t chunk;
		void *p;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		chunk = s->len - off < len ? s->len - off : len;
		p = guest_mem_ptr(mem, s->gpa + off, chunk);
		if (!p)
			return -1;
		iov[n].iov_base = p;
		iov[n].iov_len = chunk;
		n++;
		len -= chunk;
		off = 0;
	}
	return len ? -1 : n;
}

/* Full transfer or failure: loops over short reads/writes. */
static bool rw_all(int fd, struct iovec *iov, int n, uint64_t pos, bool write)
{
	while (n > 0) {
		ssize_t r = write ? pwritev(fd, iov, n, pos) : preadv(fd, iov, n, pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		pos += r;
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= r;
		}
	}
	return true;
}

static bool in_disk(const struct virtio_blk *b, uint64_t sector, uint64_t nsect)
{
	return sector <= b->sectors && nsect <= b->sectors - sector;
}

static uint8_t do_rw(struct virtio_blk *b, struct vq_elem *e, uint64_t sector, uint64_t len,
		     bool write)
{
	int n;

	if (write && b->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (len % SECTOR || len > MAX_REQ_BYTES || !in_disk(b, sector, len / SECTOR))
		return VIRTIO_BLK_S_IOERR;
	n = build_iov(b->mem, b->iov, e, !write, write ? HDR_SIZE : 0, len);
	if (n < 0)
		return VIRTIO_BLK_S_IOERR;
	if (!rw_all(b->fd, b->iov, n, sector * SECTOR, write))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static bool write_zeros(int fd, uint64_t pos, uint64_t len)
{
	static const uint8_t zeros[65536];

	while (len) {
		size_t chunk = len < sizeof(zeros) ? len : sizeof(zeros);
		ssize_t r = pwrite(fd, zeros, chunk, pos);

		if (r <= 0)
			return false;
		pos += r;
		len -= r;
	}
	return true;
}

/* Discard and write-zeroes both punch holes: a hole reads back as zeros
 * and frees the host blocks. */
static uint8_t do_ranges(struct virtio_blk *b, struct vq_elem *e, uint64_t len, bool zeroes)
{
	struct blk_range r;
	uint64_t n = len / RANGE_SIZE;

	if (b->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (len % RANGE_SIZE || n == 0 || n > MAX_RANGES)
		return VIRTIO_BLK_S_IOERR;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pos, bytes;

		if (vq_elem_read(b->mem, e, HDR_SIZE + i * RANGE_SIZE, &r, sizeof(r)) != sizeof(r))
			return VIRTIO_BLK_S_IOERR;
		/* Discard allows no flags; write-zeroes only "unmap". */
		if (r.flags & ~(zeroes ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0))
			return VIRTIO_BLK_S_UNSUPP;
		if (r.num_sectors > MAX_ZERO_SECTS || !in_disk(b, r.sector, r.num_sectors))
			return VIRTIO_BLK_S_IOERR;
		pos = r.sector * SECTOR;
		bytes = (uint64_t)r.num_sectors * SECTOR;
		if (!bytes)
			continue;
		if (!fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, pos, bytes))
			continue;
		if (!zeroes)
			continue; /* discard is a hint: failing to free is fine */
		if (!fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, pos, bytes))
			continue;
		if (!write_zeros(b->fd, pos, bytes))
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

uint32_t virtio_blk_request(void *dev, struct vq_elem *e)
{
	struct virtio_blk *b = dev;
	struct blk_hdr h;
	uint64_t data_in, data_out;
	uint32_t written = 0;
	uint8_t status;

	/* Without a writable status byte there is no way to answer. */
	if (e->in_len < 1) {
		log_guest_error("virtio-blk: request without status byte");
		return 0;
	}
	data_in = e->in_len - 1;
	if (vq_elem_read(b->mem, e, 0, &h, sizeof(h)) != sizeof(h)) {
		status = VIRTIO_BLK_S_IOERR;
		goto reply;
	}
	data_out = e->out_len - HDR_SIZE;
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		status = do_rw(b, e, h.sector, data_in, false);
		if (status == VIRTIO_BLK_S_OK)
			written = data_in;
		break;
	case VIRTIO_BLK_T_OUT:
		status = do_rw(b, e, h.sector, data_out, true);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = fsync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = vq_elem_write(b->mem, e, 0, b->id,
					data_in < sizeof(b->id) ? data_in : sizeof(b->id));
		status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
		status = do_ranges(b, e, data_out, false);
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = do_ranges(b, e, data_out, true);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
reply:
	/* The status byte is the chain's last writable byte. */
	vq_elem_write(b->mem, e, data_in, &status, 1);
	return written + 1;
}

/* virtio_dev_ops ---------------------------------------------------------- */

static uint64_t blk_features(void *dev)
{
	struct virtio_blk *b = dev;
	uint64_t f = 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
		     1ULL << VIRTIO_BLK_F_FLUSH;

	if (b->read_only)
		f |= 1ULL << VIRTIO_BLK_F_RO;
	else
		f |= 1ULL << VIRTIO_BLK_F_DISCARD | 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
	return f;
}

static void blk_config_read(void *dev, uint32_t off, void *data, uint32_t len)
{
	struct virtio_blk *b = dev;

	/* The transport bounds off + len by config_size. */
	memcpy(data, b->config + off, len);
}

static void blk_config_write(void *dev, uint32_t off, const void *data, uint32_t len)
{
	/* Nothing in our config is writable (no CONFIG_WCE). */
}

static void blk_queue_kicked(void *dev, unsigned idx)
{
	struct virtio_blk *b = dev;

	virtio_queue_service(&b->queues[0], 0, b->irq, b->elem, virtio_blk_request, b);
}

static const struct vworker_ops blk_worker_ops = {.queue_kicked = blk_queue_kicked};

static int blk_activate(void *dev, uint64_t features, const struct guest_mem *mem,
			struct virtio_queue *queues, struct virtio_irq *irq)
{
	struct virtio_blk *b = dev;

	b->mem = mem;
	b->queues = queues;
	b->irq = irq;
	vworker_set_poll(&b->worker, BLK_POLL_MAX_NS);
	return vworker_start(&b->worker, queues, 1, NULL, 0, &blk_worker_ops, b);
}

static void blk_reset(void *dev)
{
	struct virtio_blk *b = dev;

	vworker_stop(&b->worker);
	b->queues = NULL;
}

const struct virtio_dev_ops virtio_blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK_DEV,
    .config_size = offsetof(struct virtio_blk_config, max_secure_erase_sectors),
    .num_queues = 1,
    .queue_max_size = 256,
    .pci_class = 0x018000, /* mass storage, other */
    .features = blk_features,
    .config_read = blk_config_read,
    .config_write = blk_config_write,
    .activate = blk_activate,
    .reset = blk_reset,
};

_Static_assert(offsetof(struct virtio_blk_config, max_secure_erase_sectors) <=
		   sizeof(((struct virtio_blk *)0)->config),
	       "config buffer holds the fields we expose");

static void fill_config(struct virtio_blk *b)
{
	struct virtio_blk_config c;

	memset(&c, 0, sizeof(c));
	c.capacity = b->sectors;
	c.seg_max = VQ_MAX_SEGS - 2; /* header and status take two */
	c.blk_size = SECTOR;
	c.num_queues = 1;
	c.max_discard_sectors = MAX_ZERO_SECTS;
	c.max_discard_seg = MAX_RANGES;
	c.discard_sector_alignment = 8; /* 4 KiB, the host's hole granularity */
	c.max_write_zeroes_sectors = MAX_ZERO_SECTS;
	c.max_write_zeroes_seg = MAX_RANGES;
	c.write_zeroes_may_unmap = 1;
	memcpy(b->config, &c, sizeof(b->config));
}

struct virtio_blk *virtio_blk_create(const struct virtio_blk_params *p, char *err, size_t errlen)
{
	const char *path = p->path;
	bool ro = p->read_only;
	struct virtio_blk *b = calloc(1, sizeof(*b));
	struct stat st;
	uint64_t size;
	char id[32];

	if (!b)
		return NULL;
	b->elem = malloc(sizeof(*b->elem));
	b->fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (!b->elem || b->fd < 0) {
		snprintf(err, errlen, "disk %s: cannot open%s: %s", path, ro ? " read-only" : "",
			 strerror(errno));
		goto fail;
	}
	if (fstat(b->fd, &st)) {
		snprintf(err, errlen, "disk %s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(b->fd, BLKGETSIZE64, &size)) {
			snprintf(err, errlen, "disk %s: size: %s", path, strerror(errno));
			goto fail;
		}
	} else if (S_ISREG(st.st_mode)) {
		size = st.st_size;
	} else {
		snprintf(err, errlen, "disk %s: not a regular file or block device", path);
		goto fail;
	}
	b->read_only = ro;
	b->sectors = size / SECTOR; /* a trailing partial sector is not exposed */
	snprintf(id, sizeof(id), "lkvm-blk%u", p->index);
	memcpy(b->id, id, strlen(id) < sizeof(b->id) ? strlen(id) : sizeof(b->id));
	fill_config(b);
	return b;
fail:
	virtio_blk_destroy(b);
	return NULL;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
	vworker_stop(&b->worker);
	if (b->fd >= 0)
		close(b->fd);
	free(b->elem);
	free(b);
}
