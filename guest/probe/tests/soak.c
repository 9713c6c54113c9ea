/* soak (only when asked; `make soak`, scripts/soak.sh): for probe.soak_secs
 * seconds (default 600, timed with the calibrated TSC) a random mix, from
 * probe.soak_seed, of valid and hostile operations on every device there is:
 *   blk      write a random extent (1-16 sectors) and read it back, or FLUSH
 *   blk_bad  read past the end (IOERR), a length that is not whole sectors
 *            (IOERR), an unknown request type (UNSUPP)
 *   gpu      a 2D resource of random size: create, attach backing, transfer,
 *            flush, unref, each OK_NODATA
 *   gpu_bad  a missing resource, format 999, a 65536-pixel-wide create, a
 *            scanout id out of range: each must get an error response
 *   con      a line out through virtio-console's transmit queue
 *   inp      a virtio-input config query with a random select/subsel: the
 *            size read back must be 0..128
 * Every probe.soak_interval seconds (default 30) one line (through
 * virtio-console when there is one, else COM1)
 *   PROBE: info soak=I:ops=N:blk=..:blk_bad=..:gpu=..:gpu_bad=..:con=..:inp=..:wrong=W
 * with the operations of that interval (W: wrong answers so far; the first
 * is kept and named in the FAIL). PASS if no answer was wrong. */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/io.h"
#include "lib/pci.h"
#include "lib/pci_setup.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "lib/virtio_blk.h"
#include "lib/virtio_gpu.h"
#include "lib/virtio_pci.h"
#include "lib/virtq.h"
#include "tests/tests.h"

#define VIRTIO_ID_INPUT 18
#define MAX_SECTS	16
#define GPU_MAX_DIM	128
#define RES_BASE	0x50000
#define CON_LINE_MAX	256

enum { OP_BLK, OP_BLK_BAD, OP_GPU, OP_GPU_BAD, OP_CON, OP_INP, NR_OPS };
static const char *const op_names[NR_OPS] = {"blk", "blk_bad", "gpu", "gpu_bad", "con", "inp"};

struct soak {
	struct test_ctx *ctx;
	uint64_t rng;
	struct vblk blk;
	bool has_blk;
	uint64_t blk_sects; /* sectors the valid writes may use */
	uint8_t *wbuf, *rbuf;
	struct vgpu gpu;
	bool has_gpu;
	uint8_t *backing;
	uint32_t next_res;
	struct virtio_pci_dev con;
	struct virtq con_rx, con_tx;
	bool has_con;
	char *con_line;
	struct virtio_pci_dev inp;
	bool has_inp;
	uint64_t ops[NR_OPS];
	uint64_t wrong;
	char first_wrong[160];
};

static uint64_t rnd(struct soak *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

#define WRONG(s, ...)                                                                              \
	do {                                                                                       \
		if (!(s)->wrong++)                                                                 \
			fmt_snprintf((s)->first_wrong, sizeof((s)->first_wrong), __VA_ARGS__);     \
	} while (0)

static void op_blk(struct soak *s)
{
	uint32_t n = 1 + rnd(s) % MAX_SECTS;
	uint64_t sector = rnd(s) % (s->blk_sects - n);
	uint32_t len = n * SECTOR_SIZE;
	int st;

	if (rnd(s) % 4 == 0) {
		st = vblk_request(&s->blk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
		if (st != VIRTIO_BLK_S_OK)
			WRONG(s, "blk flush: status %d", st);
		return;
	}
	for (uint32_t i = 0; i < len; i++)
		s->wbuf[i] = (uint8_t)rnd(s);
	st = vblk_request(&s->blk, VIRTIO_BLK_T_OUT, sector, s->wbuf, len);
	if (st != VIRTIO_BLK_S_OK) {
		WRONG(s, "blk write %lu+%u: status %d", sector, n, st);
		return;
	}
	st = vblk_request(&s->blk, VIRTIO_BLK_T_IN, sector, s->rbuf, len);
	if (st != VIRTIO_BLK_S_OK || memcmp(s->wbuf, s->rbuf, len))
		WRONG(s, "blk read back %lu+%u: status %d or data differs", sector, n, st);
}

static void op_blk_bad(struct soak *s)
{
	int st, want;

	switch (rnd(s) % 3) {
	case 0:
		st = vblk_request(&s->blk, VIRTIO_BLK_T_IN, s->blk.capacity, s->rbuf, SECTOR_SIZE);
		want = VIRTIO_BLK_S_IOERR;
		break;
	case 1:
		st = vblk_request(&s->blk, VIRTIO_BLK_T_IN, 0, s->rbuf, 100);
		want = VIRTIO_BLK_S_IOERR;
		break;
	default:
		st = vblk_request(&s->blk, 0x77, 0, s->rbuf, SECTOR_SIZE);
		want = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (st != want)
		WRONG(s, "blk hostile: status %d, want %d", st, want);
}

#define GPU_OK(s, what, got)                                                                       \
	do {                                                                                       \
		uint32_t got_ = (got);                                                             \
		if (got_ != VGPU_RESP_OK_NODATA) {                                                 \
			WRONG(s, "gpu %s: response 0x%x", what, got_);                             \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static void op_gpu(struct soak *s)
{
	uint32_t w = 1 + rnd(s) % GPU_MAX_DIM, h = 1 + rnd(s) % GPU_MAX_DIM;
	uint32_t id = RES_BASE + s->next_res++ % 0x10000;
	struct vgpu_rect r = {0, 0, w, h};
	struct vgpu_mem_entry e = {(uint64_t)(uintptr_t)s->backing, w * h * 4, 0};

	for (uint32_t i = 0; i < w * h * 4; i += 64)
		s->backing[i] = (uint8_t)rnd(s);
	GPU_OK(s, "create", vgpu_create_2d(&s->gpu, id, VGPU_FORMAT_B8G8R8X8, w, h));
	GPU_OK(s, "attach", vgpu_attach(&s->gpu, id, &e, 1));
	GPU_OK(s, "transfer", vgpu_transfer(&s->gpu, id, r, 0));
	GPU_OK(s, "flush", vgpu_flush(&s->gpu, id, r));
	GPU_OK(s, "unref", vgpu_unref(&s->gpu, id));
}

static void op_gpu_bad(struct soak *s)
{
	struct vgpu_rect r = {0, 0, 8, 8};
	uint32_t got;
	const char *what;

	switch (rnd(s) % 4) {
	case 0:
		what = "transfer to a missing resource";
		got = vgpu_transfer(&s->gpu, 0xdead0000, r, 0);
		break;
	case 1:
		what = "create with format 999";
		got = vgpu_create_2d(&s->gpu, 0xdead0001, 999, 8, 8);
		break;
	case 2:
		what = "create 65536 pixels wide";
		got = vgpu_create_2d(&s->gpu, 0xdead0002, VGPU_FORMAT_B8G8R8X8, 65536, 65536);
		if (got == VGPU_RESP_OK_NODATA)
			vgpu_unref(&s->gpu, 0xdead0002);
		break;
	default:
		what = "set_scanout of scanout 99";
		got = vgpu_set_scanout(&s->gpu, 99, 0, r);
		break;
	}
	if (got < VGPU_RESP_ERR_UNSPEC || got > VGPU_RESP_ERR_UNSPEC + 0xff)
		WRONG(s, "gpu %s: response 0x%x, want an error", what, got);
}

/* n bytes of s->con_line out through virtio-console, back before return. */
static void con_write(struct soak *s, uint32_t n)
{
	struct virtq_buf b = {s->con_line, n, false};
	uint16_t head, done;
	uint32_t len;

	if (!virtq_add(&s->con_tx, &b, 1, &head)) {
		WRONG(s, "console: transmit queue full");
		return;
	}
	virtq_notify(&s->con_tx);
	if (!virtq_wait_used(&s->con_tx, &done, &len, deadline_ms(10000)) || done != head)
		WRONG(s, "console: transmit buffer not used");
}

static void op_con(struct soak *s)
{
	con_write(s, (uint32_t)fmt_snprintf(s->con_line, CON_LINE_MAX, "soak console line %lu\n",
					    s->ops[OP_CON]));
}

static void op_inp(struct soak *s)
{
	uint8_t sel = (uint8_t)(rnd(s) % 0x20), sub = (uint8_t)rnd(s), size;

	mmio_write8(s->inp.device_cfg + 0, sel);
	mmio_write8(s->inp.device_cfg + 1, sub);
	size = virtio_pci_cfg8(&s->inp, 2);
	if (size > 128)
		WRONG(s, "input config sel %u sub %u: size %u", sel, sub, size);
}

/* Open whatever is there; false only on a device that fails to start. */
static bool open_devices(struct test_ctx *ctx, struct soak *s)
{
	const struct pci_access *pci = pci_access_default();
	struct pci_fn fns[32];
	unsigned nf = pci ? pci_enumerate(pci, fns, 32) : 0;
	int r;

	r = vblk_open(&s->blk, ctx->why, sizeof(ctx->why));
	if (r < 0)
		return false;
	s->has_blk = r == 0 && !s->blk.read_only && s->blk.capacity > 2 * MAX_SECTS;
	if (s->has_blk) {
		s->blk_sects = s->blk.capacity < 65536 ? s->blk.capacity : 65536;
		s->wbuf = page_alloc(MAX_SECTS * SECTOR_SIZE);
		s->rbuf = page_alloc(MAX_SECTS * SECTOR_SIZE);
	}
	r = vgpu_open(&s->gpu, ctx->why, sizeof(ctx->why));
	if (r < 0)
		return false;
	s->has_gpu = r == 0;
	if (s->has_gpu)
		s->backing = page_alloc(GPU_MAX_DIM * GPU_MAX_DIM * 4);
	for (unsigned i = 0; i < nf; i++) {
		if (fns[i].vendor != VIRTIO_VENDOR)
			continue;
		if (!s->has_con && fns[i].device == VIRTIO_MODERN_DEVICE(VIRTIO_ID_CONSOLE)) {
			if (virtio_pci_open(&s->con, pci, fns[i].dev, fns[i].fn, ctx->why,
					    sizeof(ctx->why)) ||
			    virtio_pci_init(&s->con, 0, ctx->why, sizeof(ctx->why)) ||
			    virtq_setup(&s->con, &s->con_rx, 0, 8, VPCI_NO_VECTOR, ctx->why,
					sizeof(ctx->why)) ||
			    virtq_setup(&s->con, &s->con_tx, 1, 8, VPCI_NO_VECTOR, ctx->why,
					sizeof(ctx->why)))
				return false;
			virtio_pci_driver_ok(&s->con);
			s->con_line = page_alloc(CON_LINE_MAX);
			s->has_con = true;
		}
		if (!s->has_inp && fns[i].device == VIRTIO_MODERN_DEVICE(VIRTIO_ID_INPUT)) {
			if (virtio_pci_open(&s->inp, pci, fns[i].dev, fns[i].fn, ctx->why,
					    sizeof(ctx->why)))
				return false;
			s->has_inp = true;
		}
	}
	return true;
}

static bool op_available(const struct soak *s, unsigned op)
{
	switch (op) {
	case OP_BLK:
	case OP_BLK_BAD:
		return s->has_blk;
	case OP_GPU:
	case OP_GPU_BAD:
		return s->has_gpu;
	case OP_CON:
		return s->has_con;
	default:
		return s->has_inp;
	}
}

static void report_interval(struct soak *s, unsigned idx, const uint64_t *before)
{
	char line[256];
	size_t n = 0;
	uint64_t total = 0;

	for (unsigned op = 0; op < NR_OPS; op++)
		total += s->ops[op] - before[op];
	n += fmt_snprintf(line + n, sizeof(line) - n, "%u:ops=%lu", idx, total);
	for (unsigned op = 0; op < NR_OPS; op++)
		n += fmt_snprintf(line + n, sizeof(line) - n, ":%s=%lu", op_names[op],
				  s->ops[op] - before[op]);
	fmt_snprintf(line + n, sizeof(line) - n, ":wrong=%lu", s->wrong);
	/* lkvm-gpu drains the UART and virtio-console into its stdout on
	 * separate paths, so a UART line can be cut by the console lines; with
	 * a console, the progress goes the way they go. */
	if (s->has_con)
		con_write(s, (uint32_t)fmt_snprintf(s->con_line, CON_LINE_MAX,
						    "PROBE: info soak=%s\n", line));
	else
		report_info("soak", "%s", line);
}

enum test_result test_soak(struct test_ctx *ctx)
{
	static struct soak s;
	uint64_t secs = 600, interval = 30, seed = 1, hz;
	bool bad = false, b = false;

	if (!cmdline_u64(ctx->cmdline, "probe.soak_secs", &secs, &b) && b)
		bad = true;
	if (!cmdline_u64(ctx->cmdline, "probe.soak_interval", &interval, &b) && b)
		bad = true;
	if (!cmdline_u64(ctx->cmdline, "probe.soak_seed", &seed, &b) && b)
		bad = true;
	if (bad || interval == 0 || secs > 7 * 86400)
		return test_fail(ctx, "probe.soak_secs/interval/seed: bad value");
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.rng = seed * 0x9e3779b97f4a7c15ull | 1;
	if (!open_devices(ctx, &s))
		return TEST_FAIL;
	if ((s.has_blk && (!s.wbuf || !s.rbuf)) || (s.has_gpu && !s.backing))
		return test_fail(ctx, "out of memory");
	hz = tsc_hz();
	if (!hz)
		return test_fail(ctx, "cannot calibrate the TSC (%s)", tsc_source());
	report_info("soak_devices", "blk=%u:gpu=%u:con=%u:inp=%u:tsc_hz=%lu", s.has_blk, s.has_gpu,
		    s.has_con, s.has_inp, hz);
	if (!s.has_blk && !s.has_gpu && !s.has_con && !s.has_inp)
		return test_skip(ctx, "no virtio-blk, -gpu, -console or -input device");

	uint64_t start = rdtsc(), end = start + secs * hz, next = start + interval * hz;
	uint64_t before[NR_OPS] = {0};
	unsigned idx = 0;
	for (uint64_t now = start; now < end; now = rdtsc()) {
		unsigned op = (unsigned)(rnd(&s) % NR_OPS);

		if (op_available(&s, op)) {
			switch (op) {
			case OP_BLK:
				op_blk(&s);
				break;
			case OP_BLK_BAD:
				op_blk_bad(&s);
				break;
			case OP_GPU:
				op_gpu(&s);
				break;
			case OP_GPU_BAD:
				op_gpu_bad(&s);
				break;
			case OP_CON:
				op_con(&s);
				break;
			default:
				op_inp(&s);
				break;
			}
			s.ops[op]++;
		}
		if (now >= next) {
			report_interval(&s, ++idx, before);
			memcpy(before, s.ops, sizeof(before));
			next += interval * hz;
		}
	}
	if (s.wrong)
		return test_fail(ctx, "%lu wrong answers, the first: %s", s.wrong, s.first_wrong);
	return TEST_PASS;
}
