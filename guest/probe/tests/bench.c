/* Benchmarks (never in the default set; `make bench` runs them under
 * lkvm-gpu and QEMU on the same image). Times come from the TSC, calibrated
 * against the PIT.
 *   bench_blk: read probe.bench_mib MiB (default 256) from the first disk in
 *     probe.bench_kib KiB requests (default 64) with up to probe.bench_depth
 *     in flight (default 32), polling the used ring (interrupts off).
 *   bench_rtt: probe.bench_n (default 2000) empty requests (GET_ID), each
 *     notify -> MSI-X interrupt -> used entry before the next. */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/report.h"
#include "lib/time.h"
#include "lib/virtio_blk.h"
#include "tests/tests.h"

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define BENCH_TIMEOUT_MS	   60000

static uint64_t option(const char *cmdline, const char *key, uint64_t def, uint64_t max)
{
	uint64_t v;
	bool bad;

	if (!cmdline_u64(cmdline, key, &v, &bad) || v == 0 || v > max)
		return def;
	return v;
}

static void report_rate(const char *key, uint64_t count, uint64_t bytes, uint64_t cycles)
{
	uint64_t hz = tsc_hz();

	report_info("tsc_hz", "%lu:%s", hz, tsc_source());
	if (!hz || !cycles) {
		report_info(key, "%lu:%lu:cycles=%lu", count, bytes, cycles);
		return;
	}
	uint64_t us = cycles / (hz / 1000000);
	uint64_t per_s = count * hz / cycles;
	uint64_t kib_s = bytes ? bytes / 1024 * hz / cycles : 0;
	report_info(key, "%lu:%lu:us=%lu:per_s=%lu:kib_s=%lu", count, bytes, us, per_s, kib_s);
}

enum test_result test_bench_blk(struct test_ctx *ctx)
{
	static struct vblk b;
	size_t mark = alloc_mark();
	int r = vblk_open(&b, ctx->why, sizeof(ctx->why));

	if (r > 0)
		return test_skip(ctx, "no virtio-blk device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	uint64_t total = option(ctx->cmdline, "probe.bench_mib", 256, 1 << 20) << 20;
	uint32_t req = (uint32_t)option(ctx->cmdline, "probe.bench_kib", 64, 1024) << 10;
	unsigned depth = (unsigned)option(ctx->cmdline, "probe.bench_depth", 32, 64);
	uint64_t sectors_per_req = req / SECTOR_SIZE;
	if (depth * 3 > b.q.size)
		depth = b.q.size / 3; /* header, data, status per request */
	if (b.capacity < sectors_per_req)
		return test_skip(ctx, "disk smaller than one request");
	uint8_t *bufs = page_alloc((size_t)req * depth);
	if (!bufs)
		return test_fail(ctx, "no memory for %u x %u bytes", depth, req);

	b.q.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT; /* polling */
	uint64_t nreq = total / req, submitted = 0, completed = 0, sector = 0;
	uint16_t slot_of[VBLK_QUEUE_MAX];
	unsigned free_slots[64], nfree = 0;
	for (unsigned i = 0; i < depth; i++)
		free_slots[nfree++] = i;

	uint64_t t0 = rdtsc(), deadline = deadline_ms(BENCH_TIMEOUT_MS);
	while (completed < nreq) {
		bool queued = false;
		while (nfree && submitted < nreq) {
			unsigned s = free_slots[--nfree];
			uint16_t head;
			if (sector + sectors_per_req > b.capacity)
				sector = 0;
			if (!vblk_submit(&b, VIRTIO_BLK_T_IN, sector, bufs + (size_t)s * req, req,
					 &head))
				return test_fail(ctx, "queue full with %u in flight",
						 depth - nfree);
			slot_of[head] = (uint16_t)s;
			sector += sectors_per_req;
			submitted++;
			queued = true;
		}
		if (queued)
			virtq_notify(&b.q);
		uint16_t head;
		uint8_t status;
		if (!vblk_complete(&b, &head, &status, deadline))
			return test_fail(ctx, "timed out after %lu of %lu requests", completed,
					 nreq);
		if (status != VIRTIO_BLK_S_OK)
			return test_fail(ctx, "request %lu: status %u", completed, status);
		free_slots[nfree++] = slot_of[head];
		completed++;
	}
	uint64_t cycles = rdtsc() - t0;
	report_rate("bench_blk_read", nreq, nreq * req, cycles);
	vblk_close(&b);
	alloc_release(mark);
	return TEST_PASS;
}

enum test_result test_bench_rtt(struct test_ctx *ctx)
{
	static struct vblk b;
	size_t mark = alloc_mark();
	int r = vblk_open(&b, ctx->why, sizeof(ctx->why));

	if (r > 0)
		return test_skip(ctx, "no virtio-blk device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	if (!b.has_msix)
		return test_skip(ctx, "the disk has no MSI-X");
	uint64_t n = option(ctx->cmdline, "probe.bench_n", 2000, 10000000);
	char *id = page_alloc(VIRTIO_BLK_ID_BYTES);
	if (!id)
		return test_fail(ctx, "out of memory");

	volatile uint32_t *irqs = &irq_counts[VBLK_MSIX_VECTOR];
	uint64_t t0 = rdtsc(), deadline = deadline_ms(BENCH_TIMEOUT_MS);
	for (uint64_t i = 0; i < n; i++) {
		uint32_t before = *irqs;
		uint16_t head;
		uint8_t status;
		if (!vblk_submit(&b, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, &head))
			return test_fail(ctx, "queue full");
		virtq_notify(&b.q);
		while (*irqs == before)
			if (deadline_passed(deadline))
				return test_fail(ctx, "no interrupt for request %lu", i);
		if (!vblk_complete(&b, &head, &status, deadline) || status != VIRTIO_BLK_S_OK)
			return test_fail(ctx, "request %lu failed", i);
	}
	report_rate("bench_rtt", n, 0, rdtsc() - t0);
	vblk_close(&b);
	alloc_release(mark);
	return TEST_PASS;
}
