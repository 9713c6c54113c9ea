/* virtio-blk through the probe's driver.
 *   virtio_blk (default, never writes): capacity, id, the CRC-32 of the
 *     first 64 KiB, and a read past the end must fail with IOERR.
 *   blk_write (only when asked): a 64 KiB pattern from probe.blk_seed at
 *     sector 8, flushed and read back; the host checks the image file. On a
 *     read-only disk the write must fail with IOERR.
 * The host compares the reported CRCs with its own (tests/integration). */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/crc32.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/virtio_blk.h"
#include "tests/tests.h"

#define CHUNK	     65536
#define WRITE_SECTOR 8

static enum test_result open_disk(struct test_ctx *ctx, struct vblk *b)
{
	int r = vblk_open(b, ctx->why, sizeof(ctx->why));

	if (r > 0)
		return test_skip(ctx, "no virtio-blk device on PCI bus 0");
	return r ? TEST_FAIL : TEST_PASS;
}

enum test_result test_virtio_blk(struct test_ctx *ctx)
{
	static struct vblk b;
	size_t mark = alloc_mark();
	enum test_result r = open_disk(ctx, &b);

	if (r != TEST_PASS)
		return r;
	report_info("blk_capacity", "%lu", b.capacity);
	report_info("blk_ro", "%u", b.read_only);
	report_info("blk_msix", "%s", b.has_msix ? "yes" : "no");

	char *id = page_alloc(VIRTIO_BLK_ID_BYTES + 1);
	uint8_t *buf = page_alloc(CHUNK);
	if (!id || !buf)
		return test_fail(ctx, "out of memory");
	int st = vblk_request(&b, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);
	if (st != VIRTIO_BLK_S_OK)
		return test_fail(ctx, "GET_ID status %d", st);
	report_info("blk_id", "%.20s", id);

	uint64_t bytes = b.capacity * SECTOR_SIZE < CHUNK ? b.capacity * SECTOR_SIZE : CHUNK;
	if (bytes) {
		st = vblk_request(&b, VIRTIO_BLK_T_IN, 0, buf, (uint32_t)bytes);
		if (st != VIRTIO_BLK_S_OK)
			return test_fail(ctx, "read of %lu bytes at sector 0: status %d", bytes,
					 st);
		report_info("blk_crc", "0:%lu:%08x", bytes, crc32_update(0, buf, bytes));
	}
	st = vblk_request(&b, VIRTIO_BLK_T_IN, b.capacity, buf, SECTOR_SIZE);
	if (st != VIRTIO_BLK_S_IOERR)
		return test_fail(ctx, "read past the end (sector %lu): status %d, want IOERR",
				 b.capacity, st);
	vblk_close(&b);
	alloc_release(mark);
	return TEST_PASS;
}

/* xorshift32 bytes: a pattern the seed makes unique per run. */
static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

enum test_result test_blk_write(struct test_ctx *ctx)
{
	static struct vblk b;
	size_t mark = alloc_mark();
	uint64_t seed = 1;
	bool bad;
	enum test_result r = open_disk(ctx, &b);

	if (r != TEST_PASS)
		return r;
	if (!cmdline_u64(ctx->cmdline, "probe.blk_seed", &seed, &bad) && bad)
		return test_fail(ctx, "probe.blk_seed is not a number");
	if (b.capacity < WRITE_SECTOR + CHUNK / SECTOR_SIZE)
		return test_skip(ctx, "disk of %lu sectors is too small", b.capacity);
	uint8_t *out = page_alloc(CHUNK), *in = page_alloc(CHUNK);
	if (!out || !in)
		return test_fail(ctx, "out of memory");
	fill_pattern(out, CHUNK, (uint32_t)seed);

	int st = vblk_request(&b, VIRTIO_BLK_T_OUT, WRITE_SECTOR, out, CHUNK);
	if (b.read_only) {
		report_info("blk_write", "%s", st == VIRTIO_BLK_S_IOERR ? "ioerr" : "accepted");
		if (st != VIRTIO_BLK_S_IOERR)
			return test_fail(ctx, "write to a read-only disk: status %d, want IOERR",
					 st);
		vblk_close(&b);
		alloc_release(mark);
		return TEST_PASS;
	}
	if (st != VIRTIO_BLK_S_OK)
		return test_fail(ctx, "write: status %d", st);
	st = vblk_request(&b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
	if (st != VIRTIO_BLK_S_OK)
		return test_fail(ctx, "flush: status %d", st);
	st = vblk_request(&b, VIRTIO_BLK_T_IN, WRITE_SECTOR, in, CHUNK);
	if (st != VIRTIO_BLK_S_OK)
		return test_fail(ctx, "read back: status %d", st);
	if (memcmp(in, out, CHUNK))
		return test_fail(ctx, "read back differs from what was written");
	report_info("blk_write", "%u:%u:%08x", WRITE_SECTOR * SECTOR_SIZE, CHUNK,
		    crc32_update(0, out, CHUNK));
	vblk_close(&b);
	alloc_release(mark);
	return TEST_PASS;
}
