/* libFuzzer: virtio-blk requests against a fuzzer-made guest and image.
 *
 * Input: 8 header bytes (queue size exponent, event-idx/read-only flags,
 * the image size in sectors and a trailing partial sector, a ring salt),
 * then a program of 16-byte steps; the rest of the input fills a small
 * guest RAM. Each step either lays out one request chain as a driver
 * would (type, sector near the disk's edges or far past them, 1-3 out and
 * 0-3 in segments of chosen lengths, some crossing RAM's end, the header
 * and a discard range written into the out bytes) and serves the queue,
 * or serves the ring as the raw RAM bytes have it. The image is a memfd
 * opened by path as --disk opens a file (virtio_blk_create). Every guest
 * write must stay inside RAM, every file access inside the image, and
 * each request ends with one status byte (ASan and the checks below).
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio/blk.h"

#define RAM_GPA	   0x10000ULL
#define RAM_SIZE   0x10000ULL
#define DATA_OFF   0x3000ULL /* buffers live above the rings */
#define MAX_SECTS  64
#define STEP_BYTES 16

static void irq_q(struct virtio_irq *irq, unsigned q)
{
}
static void irq_nop(struct virtio_irq *irq)
{
}
static struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};

static int img_fd = -1;

/* One segment as the harness lays it out. */
struct seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* Bytes at logical offset off of the chain's out segments, as a driver
 * writes its header and ranges (segments that left RAM are skipped). */
static void out_write(uint8_t *ram, const struct seg *s, unsigned n, uint64_t off, const void *src,
		      uint64_t len)
{
	const uint8_t *p = src;

	for (unsigned i = 0; i < n && len; i++) {
		if (s[i].write)
			break;
		if (off >= s[i].len) {
			off -= s[i].len;
			continue;
		}
		for (uint64_t k = off; k < s[i].len && len; k++, len--, p++)
			if (s[i].gpa + k >= RAM_GPA && s[i].gpa + k < RAM_GPA + RAM_SIZE)
				ram[s[i].gpa + k - RAM_GPA] = *p;
		off = 0;
	}
}

static uint64_t pick_sector(const uint8_t *s, uint64_t sectors)
{
	uint16_t v = (uint16_t)(s[2] | s[3] << 8);

	switch (s[4] % 6) {
	case 0:
		return v % (MAX_SECTS + 2);
	case 1:
		return sectors - v % 3; /* the last sectors, the end, past it */
	case 2:
		return UINT64_MAX - v % 4; /* sector * 512 wraps */
	case 3:
		return (UINT64_MAX >> 9) - v % 4 + 1;
	case 4:
		return (uint64_t)v << 40;
	default:
		return sectors + v;
	}
}

static uint32_t seg_len(uint8_t b)
{
	/* Whole sectors, odd sizes, or nothing. */
	return b & 0x80 ? (b & 0xf) * 512u : b & 0x7f;
}

/* Lay out one request chain at the next avail slot. */
static void post(struct virtqueue *vq, uint8_t *ram, const uint8_t *s, uint64_t sectors)
{
	static const uint32_t types[] = {VIRTIO_BLK_T_IN,	   VIRTIO_BLK_T_OUT,
					 VIRTIO_BLK_T_FLUSH,	   VIRTIO_BLK_T_GET_ID,
					 VIRTIO_BLK_T_DISCARD,	   VIRTIO_BLK_T_WRITE_ZEROES,
					 VIRTIO_BLK_T_SECURE_ERASE};
	uint32_t type = s[1] < 224 ? types[s[1] % 7] : s[1];
	struct {
		uint32_t type, ioprio;
		uint64_t sector;
	} hdr = {type, 0, pick_sector(s, sectors)};
	struct {
		uint64_t sector;
		uint32_t num, flags;
	} range = {s[2] % (MAX_SECTS + 4), s[3] % 8 ? s[3] % 40 : 1u << 23, s[15] % 4 ? 0 : s[15]};
	unsigned n_out = 1 + s[5] % 3, n_in = s[5] / 4 % 4, n = n_out + n_in;
	struct seg seg[6];
	uint64_t addr = RAM_GPA + DATA_OFF + (uint64_t)(s[12] | s[13] << 8) % (RAM_SIZE - DATA_OFF);
	uint8_t *desc = ram + (vq->desc_gpa - RAM_GPA), *avail = ram + (vq->avail_gpa - RAM_GPA);
	uint16_t idx = (uint16_t)(avail[2] | avail[3] << 8), head = (uint16_t)(s[14] % vq->size);

	for (unsigned i = 0; i < n; i++) {
		seg[i].write = i >= n_out;
		seg[i].len = seg_len(s[6 + i]);
		if (i == 0 && s[6] < 0x40)
			seg[i].len = 16; /* the usual header alone */
		if (i == n - 1 && seg[i].write && s[6 + i] < 0x40)
			seg[i].len = 1; /* the usual status byte alone */
		seg[i].gpa = addr;
		addr += seg[i].len;
		if (addr >= RAM_GPA + RAM_SIZE)
			addr = RAM_GPA + DATA_OFF;
	}
	if (s[15] & 0x80) /* one segment runs off RAM's end */
		seg[s[15] % n].gpa = RAM_GPA + RAM_SIZE - s[15] % 8;
	out_write(ram, seg, n, 0, &hdr, sizeof(hdr));
	if (type == VIRTIO_BLK_T_DISCARD || type == VIRTIO_BLK_T_WRITE_ZEROES)
		out_write(ram, seg, n, sizeof(hdr) + (s[3] & 0x10 ? sizeof(range) : 0), &range,
			  sizeof(range));
	for (unsigned i = 0; i < n; i++) {
		uint16_t d = (uint16_t)((head + i) % vq->size);
		uint16_t flags = (uint16_t)((i + 1 < n ? VRING_DESC_F_NEXT : 0) |
					    (seg[i].write ? VRING_DESC_F_WRITE : 0));
		uint16_t next = (uint16_t)((d + 1) % vq->size);

		memcpy(desc + 16 * d, &seg[i].gpa, 8);
		memcpy(desc + 16 * d + 8, &seg[i].len, 4);
		memcpy(desc + 16 * d + 12, &flags, 2);
		memcpy(desc + 16 * d + 14, &next, 2);
	}
	avail[4 + 2 * (idx % vq->size)] = (uint8_t)head;
	avail[5 + 2 * (idx % vq->size)] = (uint8_t)(head >> 8);
	idx++;
	avail[2] = (uint8_t)idx;
	avail[3] = (uint8_t)(idx >> 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_blk_params p = {.index = 0};
	struct virtio_queue q;
	struct guest_mem mem;
	struct virtio_blk *b;
	uint8_t *ram;
	const uint8_t *prog;
	size_t nprog;
	uint64_t img_len;
	char path[64], err[256];
	struct stat st;

	if (size < 8)
		return 0;
	if (img_fd < 0)
		img_fd = memfd_create("fuzz-blk", MFD_CLOEXEC);
	if (img_fd < 0)
		abort();
	img_len = (uint64_t)(data[2] % (MAX_SECTS + 1)) * 512 + (data[3] & 1 ? data[3] : 0);
	if (ftruncate(img_fd, 0) || ftruncate(img_fd, (off_t)img_len))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", img_fd);
	p.path = path;
	p.read_only = data[1] & 2;
	b = virtio_blk_create(&p, err, sizeof(err));
	if (!b)
		abort(); /* the image is there: opening it must work */
	if (b->sectors != img_len / 512)
		abort(); /* a trailing partial sector is not part of the disk */
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		abort();
	prog = data + 8;
	nprog = (size - 8) / 2 / STEP_BYTES * STEP_BYTES;
	memcpy(ram, data + 8 + nprog, size - 8 - nprog < RAM_SIZE ? size - 8 - nprog : RAM_SIZE);
	guest_mem_init_flat(&mem, RAM_GPA, ram, RAM_SIZE);

	/* The rings as the transport sets them up; no worker thread: the
	 * harness serves the queue as the worker would on a kick. */
	uint16_t qsize = (uint16_t)(1u << (data[0] % 9));
	uint64_t desc = RAM_GPA, avail = desc + 16ULL * qsize;
	uint64_t used = (avail + 6 + 2ULL * qsize + 3 + (data[4] & 4)) & ~3ULL;

	memset(&q, 0, sizeof(q));
	q.kick_fd = -1;
	if (vq_init(&q.vq, &mem, qsize, desc, avail, used, data[1] & 1) == 0) {
		b->mem = &mem;
		b->queues = &q;
		b->irq = &irq;
		for (size_t i = 0; i + STEP_BYTES <= nprog && i < STEP_BYTES * 64;
		     i += STEP_BYTES) {
			const uint8_t *s = prog + i;

			if (s[0] % 4)
				post(&q.vq, ram, s, b->sectors);
			virtio_queue_service(&q, 0, &irq, b->elem, virtio_blk_request, b);
		}
	}
	/* Discard and write-zeroes keep the size; nothing writes past it. */
	if (fstat(img_fd, &st) || (uint64_t)st.st_size != img_len)
		abort();
	virtio_blk_destroy(b);
	free(ram);
	return 0;
}
