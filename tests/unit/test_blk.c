/* virtio-blk request handling over fake guest memory and a temp file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/stderr_capture.h"
#include "util/log.h"
#include "tests/unit/vq_builder.h"
#include "virtio/blk.h"
#include "virtio/worker.h"

#define DISK_SIZE (1 << 20)

static char path[64];
static struct vqb b;
static struct virtqueue vq;
static struct vq_elem *elem;
static struct virtio_blk *blk;
static char err[256];

static void make_disk(void)
{
	uint8_t *pattern = malloc(DISK_SIZE);
	int fd;

	strcpy(path, "/tmp/lkvm-blk-test-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	for (int i = 0; i < DISK_SIZE; i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 9));
	cr_assert_eq(write(fd, pattern, DISK_SIZE), DISK_SIZE);
	close(fd);
	free(pattern);
}

static void open_disk(bool ro)
{
	blk = virtio_blk_create(&(struct virtio_blk_params){.path = path, .read_only = ro}, err,
				sizeof(err));
	cr_assert_not_null(blk);
	blk->mem = &b.gm;
}

static void setup(void)
{
	make_disk();
	vqb_init(&b, 1 << 20, 16);
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	elem = calloc(1, sizeof(*elem));
	open_disk(false);
}

static void teardown(void)
{
	virtio_blk_destroy(blk);
	unlink(path);
	free(elem);
	vqb_free(&b);
}

TestSuite(blk, .init = setup, .fini = teardown);

static uint8_t file_byte(uint64_t off)
{
	int fd = open(path, O_RDONLY);
	uint8_t v = 0;

	cr_assert_eq(pread(fd, &v, 1, off), 1);
	close(fd);
	return v;
}

static uint8_t expected_orig(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 9));
}

/* Submit header + optional payload segments; returns the status byte and
 * the used length through *used. */
static uint8_t submit(uint32_t type, uint64_t sector, const struct vqb_buf *data, unsigned n,
		      uint32_t *used)
{
	struct blk_hdr {
		uint32_t type, ioprio;
		uint64_t sector;
	} h = {type, 0, sector};
	struct vqb_buf bufs[8];
	unsigned k = 0;
	uint32_t len;

	bufs[k++] = vqb_buf_out(&b, &h, sizeof(h));
	for (unsigned i = 0; i < n; i++)
		bufs[k++] = data[i];
	bufs[k++] = vqb_buf_in(&b, 1);
	*(uint8_t *)vqb_host(&b, bufs[k - 1].gpa) = 0xee;
	vqb_add_chain(&b, bufs, k);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	len = virtio_blk_request(blk, elem);
	if (used)
		*used = len;
	return *(uint8_t *)vqb_host(&b, bufs[k - 1].gpa);
}

Test(blk, write_then_read_byte_for_byte)
{
	uint8_t pat[1536];
	struct vqb_buf w[2], r[2];
	uint32_t used;

	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(0xa5 ^ i);
	/* 1.5 KiB written as two segments that split a sector. */
	w[0] = vqb_buf_out(&b, pat, 700);
	w[1] = vqb_buf_out(&b, pat + 700, 836);
	cr_assert_eq(submit(VIRTIO_BLK_T_OUT, 10, w, 2, &used), VIRTIO_BLK_S_OK);
	cr_expect_eq(used, 1);
	for (unsigned i = 0; i < sizeof(pat); i++)
		cr_assert_eq(file_byte(10 * 512 + i), pat[i], "byte %u", i);
	cr_expect_eq(file_byte(10 * 512 - 1), expected_orig(10 * 512 - 1));
	cr_expect_eq(file_byte(10 * 512 + 1536), expected_orig(10 * 512 + 1536));

	r[0] = vqb_buf_in(&b, 1000);
	r[1] = vqb_buf_in(&b, 536);
	cr_assert_eq(submit(VIRTIO_BLK_T_IN, 10, r, 2, &used), VIRTIO_BLK_S_OK);
	cr_expect_eq(used, 1537);
	cr_expect_arr_eq(vqb_host(&b, r[0].gpa), pat, 1000);
	cr_expect_arr_eq(vqb_host(&b, r[1].gpa), pat + 1000, 536);
}

Test(blk, read_last_sector_and_past_the_end)
{
	struct vqb_buf r = vqb_buf_in(&b, 512);
	uint64_t last = DISK_SIZE / 512 - 1;

	cr_expect_eq(submit(VIRTIO_BLK_T_IN, last, &r, 1, NULL), VIRTIO_BLK_S_OK);
	cr_expect_eq(((uint8_t *)vqb_host(&b, r.gpa))[511], expected_orig(DISK_SIZE - 1));
	r = vqb_buf_in(&b, 1024);
	cr_expect_eq(submit(VIRTIO_BLK_T_IN, last, &r, 1, NULL), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(submit(VIRTIO_BLK_T_IN, UINT64_MAX, &r, 1, NULL), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(submit(VIRTIO_BLK_T_OUT, UINT64_MAX / 512, &r, 0, NULL), VIRTIO_BLK_S_IOERR);
}

Test(blk, unaligned_length_is_ioerr)
{
	struct vqb_buf r = vqb_buf_in(&b, 100);

	cr_expect_eq(submit(VIRTIO_BLK_T_IN, 0, &r, 1, NULL), VIRTIO_BLK_S_IOERR);
	r = vqb_buf_out(&b, NULL, 513);
	cr_expect_eq(submit(VIRTIO_BLK_T_OUT, 0, &r, 1, NULL), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(file_byte(0), expected_orig(0));
}

Test(blk, read_only_disk_refuses_writes)
{
	struct vqb_buf w = vqb_buf_out(&b, NULL, 512), r = vqb_buf_in(&b, 512);
	struct blk_range {
		uint64_t sector;
		uint32_t n, flags;
	} range = {0, 8, 0};
	struct vqb_buf d = vqb_buf_out(&b, &range, sizeof(range));

	virtio_blk_destroy(blk);
	open_disk(true);
	cr_expect(virtio_blk_ops.features(blk) & 1ULL << VIRTIO_BLK_F_RO);
	cr_expect_not(virtio_blk_ops.features(blk) & 1ULL << VIRTIO_BLK_F_DISCARD);
	cr_expect_eq(submit(VIRTIO_BLK_T_OUT, 0, &w, 1, NULL), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(submit(VIRTIO_BLK_T_DISCARD, 0, &d, 1, NULL), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, &d, 1, NULL), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(file_byte(0), expected_orig(0));
	cr_expect_eq(file_byte(1), expected_orig(1));
	cr_expect_eq(submit(VIRTIO_BLK_T_IN, 0, &r, 1, NULL), VIRTIO_BLK_S_OK);
	cr_expect_eq(((uint8_t *)vqb_host(&b, r.gpa))[3], expected_orig(3));
}

Test(blk, flush_and_get_id)
{
	struct vqb_buf id = vqb_buf_in(&b, 20);
	uint32_t used;

	cr_expect_eq(submit(VIRTIO_BLK_T_FLUSH, 0, NULL, 0, &used), VIRTIO_BLK_S_OK);
	cr_expect_eq(used, 1);
	cr_expect_eq(submit(VIRTIO_BLK_T_GET_ID, 0, &id, 1, &used), VIRTIO_BLK_S_OK);
	cr_expect_eq(used, 21); /* 20 id bytes, zero padded, + status */
	cr_expect_arr_eq(vqb_host(&b, id.gpa), "lkvm-blk0", 9);
}

static void check_zero_range(uint64_t from, uint64_t to)
{
	int fd = open(path, O_RDONLY);
	uint8_t *buf = malloc(DISK_SIZE);
	struct stat st;

	cr_assert_eq(pread(fd, buf, DISK_SIZE, 0), DISK_SIZE);
	for (uint64_t i = 0; i < DISK_SIZE; i++)
		cr_assert_eq(buf[i], i >= from && i < to ? 0 : expected_orig(i), "byte %lu",
			     (unsigned long)i);
	fstat(fd, &st);
	cr_expect_eq(st.st_size, DISK_SIZE);
	close(fd);
	free(buf);
}

Test(blk, discard_punches_a_hole)
{
	struct {
		uint64_t sector;
		uint32_t n, flags;
	} range = {16, 16, 0};
	struct vqb_buf d = vqb_buf_out(&b, &range, sizeof(range));

	cr_expect_eq(submit(VIRTIO_BLK_T_DISCARD, 0, &d, 1, NULL), VIRTIO_BLK_S_OK);
	check_zero_range(16 * 512, 32 * 512);
}

Test(blk, write_zeroes_two_ranges)
{
	struct {
		uint64_t sector;
		uint32_t n, flags;
	} ranges[2] = {{1, 1, 0}, {100, 3, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP}};
	struct vqb_buf d = vqb_buf_out(&b, ranges, sizeof(ranges));

	cr_expect_eq(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, &d, 1, NULL), VIRTIO_BLK_S_OK);
	/* Byte-exact: 512..1023 and 100*512..103*512 are zero, rest intact. */
	int fd = open(path, O_RDONLY);
	uint8_t buf[512 * 104];

	cr_assert_eq(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	close(fd);
	for (unsigned i = 0; i < sizeof(buf); i++) {
		bool zero = (i >= 512 && i < 1024) || (i >= 100 * 512 && i < 103 * 512);

		cr_assert_eq(buf[i], zero ? 0 : expected_orig(i), "byte %u", i);
	}
}

Test(blk, bad_discard_payloads)
{
	struct {
		uint64_t sector;
		uint32_t n, flags;
	} range = {0, 8, 1};
	struct vqb_buf d = vqb_buf_out(&b, &range, sizeof(range));
	struct vqb_buf odd = vqb_buf_out(&b, &range, 12);

	cr_expect_eq(submit(VIRTIO_BLK_T_DISCARD, 0, &d, 1, NULL), VIRTIO_BLK_S_UNSUPP);
	cr_expect_eq(submit(VIRTIO_BLK_T_DISCARD, 0, &odd, 1, NULL), VIRTIO_BLK_S_IOERR);
	cr_expect_eq(submit(VIRTIO_BLK_T_DISCARD, 0, NULL, 0, NULL), VIRTIO_BLK_S_IOERR);
	range.flags = 0;
	range.sector = DISK_SIZE / 512 - 4;
	memcpy(vqb_host(&b, d.gpa), &range, sizeof(range));
	cr_expect_eq(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, &d, 1, NULL), VIRTIO_BLK_S_IOERR);
	check_zero_range(0, 0);
}

Test(blk, unknown_type_is_unsupp)
{
	cr_expect_eq(submit(2, 0, NULL, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	cr_expect_eq(submit(0xdeadbeef, 0, NULL, 0, NULL), VIRTIO_BLK_S_UNSUPP);
}

Test(blk, short_header_and_missing_status)
{
	struct vqb_buf bufs[2] = {vqb_buf_out(&b, "abc", 3), vqb_buf_in(&b, 1)};
	uint8_t *st = vqb_host(&b, bufs[1].gpa);

	vqb_add_chain(&b, bufs, 2);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(virtio_blk_request(blk, elem), 1);
	cr_expect_eq(*st, VIRTIO_BLK_S_IOERR);
	/* Only readable segments: nowhere to put a status, nothing happens. */
	vqb_add_chain(&b, bufs, 1);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(virtio_blk_request(blk, elem), 0);
}

Test(blk, missing_image_is_a_clear_error)
{
	cr_expect_null(virtio_blk_create(
	    &(struct virtio_blk_params){.path = "/nonexistent/disk.img", .index = 1}, err,
	    sizeof(err)));
	cr_expect_str_eq(err, "disk /nonexistent/disk.img: cannot open: No such file or directory");
	cr_expect_null(virtio_blk_create(
	    &(struct virtio_blk_params){.path = "/tmp", .read_only = true, .index = 1}, err,
	    sizeof(err)));
	cr_expect_str_eq(err, "disk /tmp: not a regular file or block device");
}

Test(blk, config_space)
{
	uint64_t cap;
	uint32_t blk_size;

	virtio_blk_ops.config_read(blk, 0, &cap, 8);
	virtio_blk_ops.config_read(blk, 20, &blk_size, 4);
	cr_expect_eq(cap, DISK_SIZE / 512);
	cr_expect_eq(blk_size, 512);
}

/* End to end through the worker thread: kick, used ring, interrupt. */
static int irq_fd;
static void irq_q(struct virtio_irq *irq, unsigned q)
{
	uint64_t one = 1;

	cr_assert_eq(write(irq_fd, &one, 8), 8);
}
static void irq_nop(struct virtio_irq *irq)
{
}

Test(blk, worker_serves_kicks_and_interrupts)
{
	struct virtio_queue q = {.kick_fd = eventfd(0, EFD_NONBLOCK)};
	struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};
	struct vqb_buf r = vqb_buf_in(&b, 4096), st = vqb_buf_in(&b, 1);
	struct {
		uint32_t type, ioprio;
		uint64_t sector;
	} h = {VIRTIO_BLK_T_IN, 0, 1};
	struct vqb_buf bufs[3] = {vqb_buf_out(&b, &h, 16), r, st};
	struct pollfd p;
	uint16_t id;
	uint32_t len;
	uint64_t one = 1;

	irq_fd = eventfd(0, 0);
	cr_assert_eq(vqb_vq_init(&b, &q.vq, true), 0);
	cr_assert_eq(virtio_blk_ops.activate(blk, 0, &b.gm, &q, &irq), 0);
	vqb_add_chain(&b, bufs, 3);
	cr_assert_eq(write(q.kick_fd, &one, 8), 8);
	p = (struct pollfd){.fd = irq_fd, .events = POLLIN};
	cr_assert_eq(poll(&p, 1, 5000), 1, "no interrupt within 5 s");
	cr_assert(vqb_get_used(&b, &id, &len));
	cr_expect_eq(len, 4097);
	cr_expect_eq(*(uint8_t *)vqb_host(&b, st.gpa), VIRTIO_BLK_S_OK);
	cr_expect_eq(((uint8_t *)vqb_host(&b, r.gpa))[5], expected_orig(512 + 5));
	virtio_blk_ops.reset(blk);
	close(q.kick_fd);
	close(irq_fd);
}

/* With a polling window open, a request the driver adds without kicking
 * is still served: the worker is spinning on the ring. */
Test(blk, polling_worker_serves_unkicked_requests)
{
	struct virtio_queue q = {.kick_fd = eventfd(0, EFD_NONBLOCK)};
	struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};
	struct {
		uint32_t type, ioprio;
		uint64_t sector;
	} h = {VIRTIO_BLK_T_IN, 0, 1};
	struct pollfd p;
	uint16_t id;
	uint32_t len;
	uint64_t one = 1, v;

	irq_fd = eventfd(0, 0);
	cr_assert_eq(vqb_vq_init(&b, &q.vq, false), 0); /* no used_event to keep up */
	cr_assert_eq(virtio_blk_ops.activate(blk, 0, &b.gm, &q, &irq), 0);
	/* Ordered before the worker reads it by the kick's eventfd. */
	blk->worker.poll.max_ns = blk->worker.poll.ns = 2000000000ull;
	for (unsigned i = 0; i < 3; i++) {
		struct vqb_buf bufs[3] = {vqb_buf_out(&b, &h, 16), vqb_buf_in(&b, 512),
					  vqb_buf_in(&b, 1)};

		vqb_add_chain(&b, bufs, 3);
		if (i == 0)
			cr_assert_eq(write(q.kick_fd, &one, 8), 8);
		p = (struct pollfd){.fd = irq_fd, .events = POLLIN};
		cr_assert_eq(poll(&p, 1, 5000), 1, "request %u not served within 5 s", i);
		cr_assert_eq(read(irq_fd, &v, 8), 8);
		cr_assert(vqb_get_used(&b, &id, &len));
		cr_expect_eq(len, 513);
	}
	virtio_blk_ops.reset(blk); /* must end the spin at once */
	cr_expect_eq(blk->worker.wakeups, 1, "requests 2 and 3 needed no wake-up");
	close(q.kick_fd);
	close(irq_fd);
}

/* Issue 13, finding 6: with --debug each reset of a polling worker printed
 * its statistics, so a guest resetting the disk in a loop flooded stderr.
 * A few lines a second (util/log.h): 20 per second spanned is generous. */
Test(blk, debug_worker_statistics_are_rate_limited)
{
	struct virtio_queue q = {.kick_fd = eventfd(0, EFD_NONBLOCK)};
	struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};
	const unsigned resets = 300;
	unsigned lines;
	long t0;

	cr_assert_eq(vqb_vq_init(&b, &q.vq, false), 0);
	log_debug_enabled = true;
	stderr_capture_begin();
	t0 = monotonic_seconds();
	for (unsigned i = 0; i < resets; i++) {
		cr_assert_eq(virtio_blk_ops.activate(blk, 0, &b.gm, &q, &irq), 0);
		virtio_blk_ops.reset(blk);
	}
	lines = stderr_capture_count("virtio worker:");
	cr_assert_geq(lines, 1, "the first reset is logged");
	cr_assert_leq(lines, 20 * (monotonic_seconds() - t0 + 1), "%u lines for %u resets", lines,
		      resets);
	close(q.kick_fd);
}

/* The adaptive polling policy. */
Test(vpoll, grows_while_kicks_come_soon_and_shrinks_when_late)
{
	struct vpoll p;

	vpoll_init(&p, 64000);
	cr_expect_eq(vpoll_window(&p), 0);
	vpoll_woken(&p, 20000);
	cr_expect_eq(vpoll_window(&p), VPOLL_START_NS);
	vpoll_woken(&p, 20000);
	vpoll_woken(&p, 20000);
	cr_expect_eq(vpoll_window(&p), 4 * VPOLL_START_NS);
	vpoll_woken(&p, 20000);
	vpoll_woken(&p, 20000);
	cr_expect_eq(vpoll_window(&p), 32000, "stops growing once it covers the gap");
	vpoll_woken(&p, 60000);
	cr_expect_eq(vpoll_window(&p), 64000, "capped at max");
	vpoll_woken(&p, 1000000);
	cr_expect_eq(vpoll_window(&p), 32000);
	for (int i = 0; i < 5; i++)
		vpoll_woken(&p, 1000000);
	cr_expect_eq(vpoll_window(&p), 0, "an idle guest costs no polling");
}

Test(vpoll, windows_that_catch_nothing_pause_polling_with_backoff)
{
	struct vpoll p;

	vpoll_init(&p, 64000);
	for (int i = 0; i < 6; i++)
		vpoll_woken(&p, 50000);
	cr_assert_eq(vpoll_window(&p), 64000);
	for (int i = 0; i < VPOLL_MISS_LIMIT - 1; i++)
		vpoll_session_done(&p, false);
	cr_expect_eq(vpoll_window(&p), 64000);
	vpoll_session_done(&p, false);
	cr_expect_eq(vpoll_window(&p), 0, "paused after %d empty windows", VPOLL_MISS_LIMIT);
	for (int i = 0; i < VPOLL_BACKOFF_MIN - 1; i++)
		vpoll_woken(&p, 1000);
	cr_expect_eq(vpoll_window(&p), 0, "still cooling down");
	vpoll_woken(&p, 1000);
	vpoll_woken(&p, 1000);
	cr_expect_eq(vpoll_window(&p), VPOLL_START_NS, "polling again after the cooldown");
	/* Failing again doubles the pause; a catch resets it. */
	for (int i = 0; i < VPOLL_MISS_LIMIT; i++)
		vpoll_session_done(&p, false);
	cr_expect_eq(p.cooldown, 2 * VPOLL_BACKOFF_MIN);
	p.cooldown = 0;
	vpoll_session_done(&p, true);
	cr_expect_eq(p.backoff, VPOLL_BACKOFF_MIN);
	cr_expect_eq(p.miss_streak, 0);
}

Test(vpoll, disabled_without_max)
{
	struct vpoll p;

	vpoll_init(&p, 0);
	vpoll_woken(&p, 10);
	cr_expect_eq(vpoll_window(&p), 0);
}

/* A broken ring says what the guest did (the log line carries it), and
 * vq_avail_pending stops reporting work on it. */
Test(blk, broken_ring_names_the_fault)
{
	struct vqb_buf st = vqb_buf_in(&b, 1);

	vqb_set_desc(&b, 0, st.gpa, 1, 1 /* NEXT */, 1);
	vqb_set_desc(&b, 1, st.gpa, 1, 1 /* NEXT */, 0);
	vqb_publish(&b, 0);
	cr_expect(vq_avail_pending(&vq));
	cr_assert_eq(vq_pop(&vq, elem), -EIO);
	cr_expect_str_eq(vq.fault, "loop in the descriptor chain");
	cr_expect_not(vq_avail_pending(&vq));

	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	cr_expect_null(vq.fault, "a fresh queue has no fault");
	vqb_set_desc(&b, 0, 0xfff00000ull, 64, 0, 0); /* avail[0] names desc 0 */
	cr_assert_eq(vq_pop(&vq, elem), -EIO);
	cr_expect_str_eq(vq.fault, "buffer outside guest RAM");
}
