/* blk_durable (only when asked): writes 4 KiB blocks round the first
 * probe.dur_blocks blocks (default 512) of the first virtio-blk disk in
 * batches of probe.dur_batch blocks (default 32, as 32 KiB requests all in
 * flight), FLUSHes after each batch and, once the FLUSH completed, prints
 *   PROBE: info dur_flushed=GEN:FIRST:COUNT:ok
 * (blocks FIRST..FIRST+COUNT-1 hold generation GEN; the ":ok" lets the host
 * tell a whole line from one cut by a kill). Each pass over the blocks is the
 * next generation (from 1). It runs until the host kills the VMM, or for
 * probe.dur_max batches (0 = no limit) and then passes.
 *
 * Every 512-byte sector names itself, so the host can check the image file
 * after a SIGKILL without trusting anything but these lines
 * (tests/nested/blk-durable-check.py):
 *   u32[0] 0x42525544 ("DURB"), u32[1] its sector number, u32[2] GEN,
 *   u32[3] probe.blk_seed, u32[4..127] xorshift32 from
 *   x = sector * 0x9e3779b1 ^ GEN * 0x85ebca6b ^ seed (x = 1 if that is 0),
 *   each word the state after one step (x ^= x << 13; x ^= x >> 17; x ^= x << 5). */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/report.h"
#include "lib/time.h"
#include "lib/virtio_blk.h"
#include "tests/tests.h"

#define DUR_MAGIC	0x42525544u
#define BLOCK		4096u
#define SECTS_PER_BLOCK (BLOCK / SECTOR_SIZE)
#define REQ_BLOCKS	8u /* one request: 32 KiB */
#define MAX_BATCH	64u
#define DUR_TIMEOUT_MS	30000

static void fill_sector(uint32_t *w, uint32_t sector, uint32_t gen, uint32_t seed)
{
	uint32_t x = sector * 0x9e3779b1u ^ gen * 0x85ebca6bu ^ seed;

	if (!x)
		x = 1;
	w[0] = DUR_MAGIC;
	w[1] = sector;
	w[2] = gen;
	w[3] = seed;
	for (unsigned i = 4; i < SECTOR_SIZE / 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		w[i] = x;
	}
}

static uint64_t param(struct test_ctx *ctx, const char *key, uint64_t dflt, bool *bad)
{
	uint64_t v = dflt;
	bool b = false;

	if (!cmdline_u64(ctx->cmdline, key, &v, &b) && b)
		*bad = true;
	return v;
}

/* One batch: its requests all in flight; each must complete OK. */
static enum test_result write_batch(struct test_ctx *ctx, struct vblk *b, uint8_t *buf,
				    uint32_t first, uint32_t count)
{
	unsigned n = 0;

	for (uint32_t done = 0; done < count; done += REQ_BLOCKS, n++) {
		uint32_t blocks = count - done < REQ_BLOCKS ? count - done : REQ_BLOCKS;
		uint16_t head;

		if (!vblk_submit(b, VIRTIO_BLK_T_OUT, (uint64_t)(first + done) * SECTS_PER_BLOCK,
				 buf + (uint64_t)done * BLOCK, blocks * BLOCK, &head)) {
			return test_fail(ctx, "queue full at block %u", first + done);
		}
	}
	virtq_notify(&b->q);
	while (n--) {
		uint16_t head;
		uint8_t st;

		if (!vblk_complete(b, &head, &st, deadline_ms(DUR_TIMEOUT_MS)))
			return test_fail(ctx, "write of blocks %u+%u: no completion", first, count);
		if (st != VIRTIO_BLK_S_OK)
			return test_fail(ctx, "write of blocks %u+%u: status %u", first, count, st);
	}
	return TEST_PASS;
}

enum test_result test_blk_durable(struct test_ctx *ctx)
{
	static struct vblk b;
	bool bad = false;
	uint32_t seed = (uint32_t)param(ctx, "probe.blk_seed", 1, &bad);
	uint64_t want_blocks = param(ctx, "probe.dur_blocks", 512, &bad);
	uint64_t batch = param(ctx, "probe.dur_batch", 32, &bad);
	uint64_t max = param(ctx, "probe.dur_max", 0, &bad);
	int r;

	if (bad)
		return test_fail(ctx, "a probe.blk_seed/dur_* value is not a number");
	if (batch == 0 || batch > MAX_BATCH || want_blocks == 0 || want_blocks > (1u << 24))
		return test_fail(ctx, "probe.dur_batch must be 1..%u, probe.dur_blocks 1..2^24",
				 MAX_BATCH);
	r = vblk_open(&b, ctx->why, sizeof(ctx->why));
	if (r > 0)
		return test_skip(ctx, "no virtio-blk device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	if (b.read_only)
		return test_skip(ctx, "the disk is read-only");
	if (!(b.v.features & VIRTIO_BLK_F_FLUSH))
		return test_fail(ctx, "the device does not offer VIRTIO_BLK_F_FLUSH");
	uint64_t nblocks = b.capacity / SECTS_PER_BLOCK;
	if (nblocks > want_blocks)
		nblocks = want_blocks;
	if (nblocks < batch)
		return test_skip(ctx, "disk of %lu sectors is too small", b.capacity);
	uint8_t *buf = page_alloc(MAX_BATCH * BLOCK);
	if (!buf)
		return test_fail(ctx, "out of memory");
	report_info("dur_start", "seed=%u:blocks=%lu:batch=%lu", seed, nblocks, batch);

	uint32_t gen = 1, pos = 0;
	for (uint64_t i = 0; !max || i < max; i++) {
		uint32_t count =
		    nblocks - pos < batch ? (uint32_t)(nblocks - pos) : (uint32_t)batch;

		for (uint32_t k = 0; k < count * SECTS_PER_BLOCK; k++)
			fill_sector((uint32_t *)(buf + (uint64_t)k * SECTOR_SIZE),
				    pos * SECTS_PER_BLOCK + k, gen, seed);
		if (write_batch(ctx, &b, buf, pos, count) != TEST_PASS)
			return TEST_FAIL;
		int st = vblk_request(&b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
		if (st != VIRTIO_BLK_S_OK)
			return test_fail(ctx, "flush after blocks %u+%u: status %d", pos, count,
					 st);
		report_info("dur_flushed", "%u:%u:%u:ok", gen, pos, count);
		pos += count;
		if (pos == nblocks) {
			pos = 0;
			gen++;
		}
	}
	vblk_close(&b);
	return TEST_PASS;
}
