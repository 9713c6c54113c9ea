/* Hostile driver: malformed descriptor chains and queue set-ups thrown at
 * the first virtio-blk device. The VMM must survive each one (this test
 * keeps running), must never report success for an impossible request, and
 * the device must work again after a reset (a real read, compared with a
 * reference read). Outcomes are reported as `PROBE: info hostile_<case>=`
 * "needs_reset", "status=N" (the request's status byte) or "ignored". */
#include "lib/alloc.h"
#include "lib/io.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "lib/virtio_blk.h"
#include "tests/tests.h"

#define OBSERVE_MS  20
#define CHECK_BYTES 4096
#define FAR_AWAY    0x7f0000000000ull /* far beyond any RAM */

static struct vblk b;
static uint8_t *reference, *buf;

static void desc_set(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	b.q.desc[i] = (struct virtq_desc){addr, len, flags, next};
}

/* Make `head` available and notify, bypassing the free list (the queue is
 * thrown away after each case). */
static void publish(uint16_t head)
{
	b.q.avail->ring[b.q.avail_idx % b.q.size] = head;
	b.q.avail_idx++;
	__atomic_store_n(&b.q.avail->idx, b.q.avail_idx, __ATOMIC_RELEASE);
	virtq_notify(&b.q);
}

/* A read request header in reqs[0]; its status byte preset to 0xff. */
static uint64_t header(void)
{
	b.reqs[0] = (struct vblk_req){.type = VIRTIO_BLK_T_IN, .status = 0xff};
	return phys_addr(&b.reqs[0]);
}

static uint64_t status_byte(void)
{
	return phys_addr(&b.reqs[0].status);
}

static void attack_loop(void)
{
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, phys_addr(buf), 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
	publish(0);
}

static void attack_self_loop(void)
{
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 0);
	publish(0);
}

static void attack_addr_outside_ram(void)
{
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, FAR_AWAY, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc_set(2, status_byte(), 1, VIRTQ_DESC_F_WRITE, 0);
	publish(0);
}

static void attack_len_overflow(void)
{
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, phys_addr(buf), 0xffffffff, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc_set(2, status_byte(), 1, VIRTQ_DESC_F_WRITE, 0);
	publish(0);
}

static void attack_addr_wraps(void)
{
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, 0xfffffffffffff000ull, 0x2000, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc_set(2, status_byte(), 1, VIRTQ_DESC_F_WRITE, 0);
	publish(0);
}

static void attack_header_outside_ram(void)
{
	desc_set(0, FAR_AWAY, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, status_byte(), 1, VIRTQ_DESC_F_WRITE, 0);
	publish(0);
}

/* Device-writable status before the device-readable data: out of order. */
static void attack_readable_after_writable(void)
{
	b.reqs[0] = (struct vblk_req){.type = VIRTIO_BLK_T_OUT, .status = 0xff};
	desc_set(0, phys_addr(&b.reqs[0]), 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, status_byte(), 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc_set(2, phys_addr(buf), 512, 0, 0);
	publish(0);
}

static void attack_next_out_of_range(void)
{
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 0xfff0);
	publish(0);
}

static void attack_head_out_of_range(void)
{
	header();
	publish(0xffff);
}

static void attack_avail_idx_jump(void)
{
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, status_byte(), 1, VIRTQ_DESC_F_WRITE, 0);
	b.q.avail->ring[0] = 0;
	b.q.avail_idx = (uint16_t)(b.q.size + 7);
	__atomic_store_n(&b.q.avail->idx, b.q.avail_idx, __ATOMIC_RELEASE);
	virtq_notify(&b.q);
}

/* A chain longer than the queue, without a loop: every descriptor, each
 * pointing at the next, the last at an index past the end. */
static void attack_chain_too_long(void)
{
	for (uint16_t i = 0; i < b.q.size; i++)
		desc_set(i, phys_addr(buf), 8, VIRTQ_DESC_F_NEXT | (i ? VIRTQ_DESC_F_WRITE : 0),
			 (uint16_t)(i + 1));
	b.q.desc[0].addr = header();
	publish(0);
}

/* Indirect tables (VIRTIO_F_INDIRECT_DESC): the table lives in `buf`. */
static struct virtq_desc *table(void)
{
	return (struct virtq_desc *)(buf + 2048);
}

static void attack_indirect_nested(void)
{
	struct virtq_desc *t = table();
	t[0] = (struct virtq_desc){header(), 16, VIRTQ_DESC_F_NEXT, 1};
	t[1] = (struct virtq_desc){phys_addr(t), 48, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2};
	t[2] = (struct virtq_desc){status_byte(), 1, VIRTQ_DESC_F_WRITE, 0};
	desc_set(0, phys_addr(t), 48, VIRTQ_DESC_F_INDIRECT, 0);
	publish(0);
}

static void attack_indirect_zero_len(void)
{
	header();
	desc_set(0, phys_addr(table()), 0, VIRTQ_DESC_F_INDIRECT, 0);
	publish(0);
}

static void attack_indirect_odd_len(void)
{
	struct virtq_desc *t = table();
	t[0] = (struct virtq_desc){header(), 16, VIRTQ_DESC_F_NEXT, 1};
	t[1] = (struct virtq_desc){status_byte(), 1, VIRTQ_DESC_F_WRITE, 0};
	desc_set(0, phys_addr(t), 24, VIRTQ_DESC_F_INDIRECT, 0);
	publish(0);
}

static void attack_indirect_outside_ram(void)
{
	header();
	desc_set(0, FAR_AWAY, 64, VIRTQ_DESC_F_INDIRECT, 0);
	publish(0);
}

static void attack_notify_bad_queue(void)
{
	/* Queue 77 does not exist; then the last dword of the notify area. */
	mmio_write16(b.v.notify + 77ull * b.v.notify_mult, 77);
	mmio_write16(b.v.notify, 0xffff);
}

/* Queue set-ups a device must refuse or survive: the queue is reprogrammed
 * from scratch (after a reset) with `size` entries and ring addresses, one
 * request is made available, then DRIVER_OK and a notify. */
static void raw_queue(uint16_t size, uint64_t desc, uint64_t driver, uint64_t device)
{
	uint64_t c = b.v.common;

	virtio_pci_reset(&b.v);
	char err[96];
	if (virtio_pci_init(&b.v, 0, err, sizeof(err)))
		return; /* observe() will see nothing happen */
	mmio_write16(c + VPCI_Q_SELECT, 0);
	mmio_write16(c + VPCI_Q_SIZE, size);
	mmio_write32(c + VPCI_Q_DESC, (uint32_t)desc);
	mmio_write32(c + VPCI_Q_DESC + 4, (uint32_t)(desc >> 32));
	mmio_write32(c + VPCI_Q_DRIVER, (uint32_t)driver);
	mmio_write32(c + VPCI_Q_DRIVER + 4, (uint32_t)(driver >> 32));
	mmio_write32(c + VPCI_Q_DEVICE, (uint32_t)device);
	mmio_write32(c + VPCI_Q_DEVICE + 4, (uint32_t)(device >> 32));
	mmio_write16(c + VPCI_Q_MSIX, VPCI_NO_VECTOR);
	mmio_write16(c + VPCI_Q_ENABLE, 1);
	virtio_pci_driver_ok(&b.v);
	mmio_write16(b.q.notify_addr, 0);
}

/* The rings of b.q, holding one valid request (header + status). The
 * device is reset first: a device may take buffers from a live ring
 * without a notify (polling), and this request is meant only for the
 * queue set-up that follows. */
static void one_request(void)
{
	virtio_pci_reset(&b.v);
	desc_set(0, header(), 16, VIRTQ_DESC_F_NEXT, 1);
	desc_set(1, status_byte(), 1, VIRTQ_DESC_F_WRITE, 0);
	b.q.avail->ring[0] = 0;
	__atomic_store_n(&b.q.avail->idx, b.q.avail_idx + 1, __ATOMIC_RELEASE);
}

static void attack_queue_size_3(void)
{
	one_request();
	raw_queue(3, phys_addr(b.q.desc), phys_addr(b.q.avail), phys_addr(b.q.used));
}

static void attack_queue_size_0(void)
{
	one_request();
	raw_queue(0, phys_addr(b.q.desc), phys_addr(b.q.avail), phys_addr(b.q.used));
}

static void attack_queue_size_huge(void)
{
	one_request();
	raw_queue(0x8000, phys_addr(b.q.desc), phys_addr(b.q.avail), phys_addr(b.q.used));
}

static void attack_rings_outside_ram(void)
{
	raw_queue(8, FAR_AWAY, FAR_AWAY + 0x1000, FAR_AWAY + 0x2000);
}

static void attack_rings_misaligned(void)
{
	one_request();
	raw_queue(8, phys_addr(b.q.desc) + 1, phys_addr(b.q.avail) + 1, phys_addr(b.q.used) + 1);
}

struct hostile_case {
	const char *name;
	void (*attack)(void);
	bool needs_indirect;
};

static const struct hostile_case cases[] = {
    {"loop", attack_loop, false},
    {"self_loop", attack_self_loop, false},
    {"addr_outside_ram", attack_addr_outside_ram, false},
    {"len_overflow", attack_len_overflow, false},
    {"addr_wraps", attack_addr_wraps, false},
    {"header_outside_ram", attack_header_outside_ram, false},
    {"readable_after_writable", attack_readable_after_writable, false},
    {"next_out_of_range", attack_next_out_of_range, false},
    {"head_out_of_range", attack_head_out_of_range, false},
    {"avail_idx_jump", attack_avail_idx_jump, false},
    {"chain_too_long", attack_chain_too_long, false},
    {"indirect_nested", attack_indirect_nested, true},
    {"indirect_zero_len", attack_indirect_zero_len, true},
    {"indirect_odd_len", attack_indirect_odd_len, true},
    {"indirect_outside_ram", attack_indirect_outside_ram, true},
    {"notify_bad_queue", attack_notify_bad_queue, false},
    {"queue_size_3", attack_queue_size_3, false},
    {"queue_size_0", attack_queue_size_0, false},
    {"queue_size_huge", attack_queue_size_huge, false},
    {"rings_outside_ram", attack_rings_outside_ram, false},
    {"rings_misaligned", attack_rings_misaligned, false},
};

/* What the device did within OBSERVE_MS; false if it claimed success. */
static bool observe(const char *name)
{
	uint64_t deadline = deadline_ms(OBSERVE_MS);
	bool used = false;

	while (!deadline_passed(deadline))
		if ((used = __atomic_load_n(&b.q.used->idx, __ATOMIC_ACQUIRE) != b.q.last_used))
			break;
	uint8_t st = virtio_pci_status(&b.v);
	uint8_t req = b.reqs[0].status;
	char key[48];
	fmt_snprintf(key, sizeof(key), "hostile_%s", name);
	if (st & VIRTIO_STATUS_NEEDS_RESET)
		report_info(key, "needs_reset%s", used ? "+used" : "");
	else if (used)
		report_info(key, "status=%u", req);
	else
		report_info(key, "ignored");
	return !(used && req == VIRTIO_BLK_S_OK);
}

/* Reset, set up from scratch, and read sector 0 like a well-behaved driver. */
static enum test_result healthy(struct test_ctx *ctx, const char *after, uint64_t extra,
				size_t mark)
{
	vblk_close(&b);
	alloc_release(mark);
	if (vblk_open_features(&b, extra, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	memset(buf, 0, CHECK_BYTES);
	uint16_t used_before = b.q.used->idx;
	int st = vblk_request(&b, VIRTIO_BLK_T_IN, 0, buf, CHECK_BYTES);
	if (st != VIRTIO_BLK_S_OK)
		return test_fail(ctx, "after %s and a reset, a read gives status %d", after, st);
	unsigned first = 0, differ = 0;
	for (unsigned i = 0; i < CHECK_BYTES; i++)
		if (buf[i] != reference[i] && !differ++)
			first = i;
	if (differ)
		return test_fail(ctx,
				 "after %s and a reset, sector 0 reads differently: %u bytes from "
				 "offset %u (0x%02x, want 0x%02x); used idx %u -> %u, elem id %u "
				 "len %u",
				 after, differ, first, buf[first], reference[first], used_before,
				 b.q.used->idx, b.q.used->ring[0].id, b.q.used->ring[0].len);
	return TEST_PASS;
}

enum test_result test_virtio_hostile(struct test_ctx *ctx)
{
	int r = vblk_open_features(&b, VIRTIO_F_INDIRECT_DESC, ctx->why, sizeof(ctx->why));

	if (r > 0)
		return test_skip(ctx, "no virtio-blk device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	reference = page_alloc(CHECK_BYTES);
	buf = page_alloc(CHECK_BYTES);
	size_t mark = alloc_mark(); /* queues above this line are rebuilt per case */
	if (!reference || !buf)
		return test_fail(ctx, "out of memory");
	if (b.capacity * SECTOR_SIZE < CHECK_BYTES)
		return test_skip(ctx, "disk smaller than %u bytes", CHECK_BYTES);
	int st = vblk_request(&b, VIRTIO_BLK_T_IN, 0, reference, CHECK_BYTES);
	if (st != VIRTIO_BLK_S_OK)
		return test_fail(ctx, "reference read: status %d", st);
	bool indirect = (b.v.features & VIRTIO_F_INDIRECT_DESC) != 0;
	report_info("hostile_indirect", "%s", indirect ? "yes" : "no");

	unsigned ran = 0;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hostile_case *c = &cases[i];
		if (c->needs_indirect && !indirect)
			continue;
		enum test_result h =
		    healthy(ctx, "the previous case", VIRTIO_F_INDIRECT_DESC, mark);
		if (h != TEST_PASS)
			return h;
		c->attack();
		if (!observe(c->name))
			return test_fail(ctx, "%s: the device reported success", c->name);
		h = healthy(ctx, c->name, VIRTIO_F_INDIRECT_DESC, mark);
		if (h != TEST_PASS)
			return h;
		ran++;
	}
	report_info("hostile_cases", "%u", ran);
	vblk_close(&b);
	return TEST_PASS;
}
