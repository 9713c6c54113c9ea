/* Guest blobs (RESOURCE_CREATE_BLOB with blob_mem GUEST, SET_SCANOUT_BLOB)
 * through the real worker and ctrl queue: the guest's pages scanned out in
 * place when contiguous (the frame points into guest RAM), pixel-exact
 * through a shadow when scattered, every hostile size, stride and offset
 * refused with the spec's error, and the memory cap back where it was
 * after unref. Expected pixels come from the guest memory as the test
 * laid it out (an independent model of the layout), never from the code. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include "gpu/gpu_priv.h"
#include "tests/unit/gpu_queues.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/vq_builder.h"

/* Wire values from virtio 1.2 (5.7.6), not from gpu/protocol.h. */
#define CREATE_BLOB	 0x010c
#define SET_SCANOUT_BLOB 0x010d
#define OK_NODATA	 0x1100
#define ERR_OOM		 0x1201
#define ERR_SCANOUT	 0x1202
#define ERR_RES_ID	 0x1203
#define ERR_PARAM	 0x1205
#define BLOB_MEM_GUEST	 1
#define FMT_B8G8R8X8	 2
#define FMT_B8G8R8A8	 1

#define PAGE 4096u

static struct fake_display fd;
static struct gpu *g;
static struct vqb ctrl, cursor;
static struct virtio_queue queues[2];
static uint8_t req[1 << 16];

static void irq_queue(struct virtio_irq *irq, unsigned q)
{
}

static void irq_nop(struct virtio_irq *irq)
{
}

static struct virtio_irq irq = {irq_queue, irq_nop, irq_nop};

static void start(uint64_t mem_limit)
{
	struct gpu_config cfg = {
	    .outputs = 2, .width = 640, .height = 480, .display = &fd.d, .mem_limit = mem_limit};

	fake_display_init(&fd, 2);
	gpu_queues_init(&ctrl, &cursor, queues, 32u << 20, 64, 1 << 18);
	g = gpu_create(&cfg, NULL, 0);
	cr_assert_not_null(g);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);
}

static void setup(void)
{
	start(0);
}

static void teardown(void)
{
	gpu_destroy(g);
	gpu_queues_free(&ctrl, &cursor, queues);
}

TestSuite(gpu_blob, .init = setup, .fini = teardown);

/* Send n request bytes on the ctrl queue, wait for the reply: its type. */
static uint32_t send(size_t n)
{
	struct vqb_buf bufs[2] = {vqb_buf_out(&ctrl, req, (uint32_t)n), vqb_buf_in(&ctrl, 64)};
	uint64_t one = 1;
	uint16_t id;
	uint32_t len;

	vqb_add_chain(&ctrl, bufs, 2);
	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
	for (int i = 0; i < 4000; i++) {
		if (vqb_get_used(&ctrl, &id, &len)) {
			cr_assert_geq(len, 24);
			return r32(vqb_host(&ctrl, bufs[1].gpa), 0);
		}
		usleep(500);
	}
	cr_assert_fail("no reply");
	return 0;
}

/* Page-aligned guest memory of n pages: its gpa. */
static uint64_t alloc_pages(uint32_t n)
{
	uint64_t gpa = vqb_alloc(&ctrl, (n + 1) * PAGE);

	return (gpa + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static size_t req_create_blob(uint32_t id, uint32_t mem, uint32_t flags, uint64_t size,
			      const struct gpu_mem_entry *e, uint32_t n)
{
	req_hdr(req, CREATE_BLOB, 0, 0);
	w32(req, 24, id);
	w32(req, 28, mem);
	w32(req, 32, flags);
	w32(req, 36, n);
	w64(req, 40, 0);
	w64(req, 48, size);
	for (uint32_t i = 0; i < n; i++) {
		w64(req, 56 + 16 * i, e[i].addr);
		w32(req, 64 + 16 * i, e[i].len);
		w32(req, 68 + 16 * i, 0);
	}
	return 56 + 16 * (size_t)n;
}

struct layout {
	uint32_t w, h, fmt, stride, offset;
};

static size_t req_scanout_blob(uint32_t sid, uint32_t id, const struct layout *l, uint32_t x,
			       uint32_t y, uint32_t rw, uint32_t rh)
{
	req_hdr(req, SET_SCANOUT_BLOB, 0, 0);
	put_rect(req, 24, x, y, rw, rh);
	w32(req, 40, sid);
	w32(req, 44, id);
	w32(req, 48, l->w);
	w32(req, 52, l->h);
	w32(req, 56, l->fmt);
	w32(req, 60, 0);
	for (int i = 0; i < 4; i++) {
		w32(req, 64 + 4 * i, i ? 0 : l->stride);
		w32(req, 80 + 4 * i, i ? 0 : l->offset);
	}
	return 96;
}

/* The blob's linear bytes as the guest sees them: entry list -> gpa. */
static struct gpu_mem_entry ents[256];
static uint32_t nents;

static uint8_t *blob_byte(uint64_t off)
{
	for (uint32_t i = 0; i < nents; i++) {
		if (off < ents[i].len)
			return vqb_host(&ctrl, ents[i].addr + off);
		off -= ents[i].len;
	}
	cr_assert_fail("offset past the blob");
	return NULL;
}

static uint32_t blob_pixel(const struct layout *l, uint32_t x, uint32_t y)
{
	uint32_t v;

	memcpy(&v, blob_byte(l->offset + (uint64_t)y * l->stride + (uint64_t)x * 4), 4);
	return v;
}

static void fill_blob(uint64_t size, uint32_t seed)
{
	for (uint64_t i = 0; i < size; i++)
		*blob_byte(i) = (uint8_t)(i * 7 + seed + (i >> 8));
}

/* Pixel (x, y) of the frame output o shows now. */
static uint32_t frame_pixel(unsigned o, uint32_t x, uint32_t y)
{
	const struct display_frame *f = &fd.frame[o];
	uint32_t v;

	cr_assert_lt(x, f->width);
	cr_assert_lt(y, f->height);
	memcpy(&v, (const uint8_t *)f->data + (uint64_t)y * f->stride + (uint64_t)x * 4, 4);
	return v;
}

static void assert_shows(unsigned o, const struct layout *l, uint32_t rx, uint32_t ry, uint32_t rw,
			 uint32_t rh)
{
	cr_assert_eq(fd.frame[o].width, rw);
	cr_assert_eq(fd.frame[o].height, rh);
	cr_assert_eq(fd.frame[o].format, PIXMAN_x8r8g8b8);
	for (uint32_t y = 0; y < rh; y++)
		for (uint32_t x = 0; x < rw; x++)
			cr_assert_eq(frame_pixel(o, x, y), blob_pixel(l, rx + x, ry + y),
				     "pixel (%u,%u)", x, y);
}

/* One contiguous run of n pages. */
static uint64_t contiguous_blob(uint32_t id, uint32_t pages)
{
	nents = 1;
	ents[0] = (struct gpu_mem_entry){alloc_pages(pages), pages * PAGE};
	cr_assert_eq(send(req_create_blob(id, BLOB_MEM_GUEST, 2, (uint64_t)pages * PAGE, ents, 1)),
		     OK_NODATA);
	return ents[0].addr;
}

/* n pages, each its own entry, in reverse order with a page between
 * them: nothing is contiguous. */
static void scattered_blob(uint32_t id, uint32_t pages)
{
	uint64_t base = alloc_pages(2 * pages);

	nents = pages;
	for (uint32_t i = 0; i < pages; i++)
		ents[i] = (struct gpu_mem_entry){base + 2ull * PAGE * (pages - 1 - i), PAGE};
	cr_assert_eq(
	    send(req_create_blob(id, BLOB_MEM_GUEST, 2, (uint64_t)pages * PAGE, ents, pages)),
	    OK_NODATA);
}

Test(gpu_blob, offered_by_the_2d_device)
{
	cr_assert(gpu_virtio_ops.features(g) & (1ull << 3));
}

Test(gpu_blob, contiguous_pages_are_shown_in_place)
{
	struct layout l = {.w = 60, .h = 40, .fmt = FMT_B8G8R8X8, .stride = 256, .offset = 512};
	uint64_t gpa = contiguous_blob(7, 4);

	fill_blob(4 * PAGE, 1);
	cr_assert_eq(send(req_scanout_blob(0, 7, &l, 8, 4, 32, 16)), OK_NODATA);
	/* No copy: the frame is the guest's own memory, at the rectangle. */
	cr_assert_eq(fd.frame[0].data, vqb_host(&ctrl, gpa + 512 + 4 * 256 + 8 * 4));
	cr_assert_eq(fd.frame[0].stride, 256);
	assert_shows(0, &l, 8, 4, 32, 16);
	/* The guest draws; a flush presents it (nothing to transfer). */
	*blob_byte(512 + 10 * 256 + 20 * 4) ^= 0xff;
	cr_assert_eq(send(req_transfer(req, 7, 0, 0, 60, 40, 0)), OK_NODATA);
	cr_assert_eq(send(req_flush(req, 7, 0, 0, 60, 40)), OK_NODATA);
	assert_shows(0, &l, 8, 4, 32, 16);
}

Test(gpu_blob, scattered_pages_pixel_exact_and_flush_copies_the_damage)
{
	struct layout l = {.w = 100, .h = 50, .fmt = FMT_B8G8R8X8, .stride = 416, .offset = 20};
	uint32_t before, inside;

	scattered_blob(3, 6); /* 24 KiB >= 20 + 49 * 416 + 400 */
	fill_blob(6 * PAGE, 9);
	cr_assert_eq(send(req_scanout_blob(1, 3, &l, 5, 3, 90, 45)), OK_NODATA);
	assert_shows(1, &l, 5, 3, 90, 45);
	/* The guest changes two pixels; only one is in the flushed damage. */
	before = frame_pixel(1, 0, 0);
	*blob_byte(20 + 3 * 416 + 5 * 4) ^= 0x5a;
	*blob_byte(20 + 30 * 416 + 50 * 4) ^= 0xa5;
	inside = blob_pixel(&l, 50, 30);
	cr_assert_eq(send(req_flush(req, 3, 40, 20, 20, 20)), OK_NODATA);
	cr_assert_eq(frame_pixel(1, 45, 27), inside);
	cr_assert_eq(frame_pixel(1, 0, 0), before, "outside the damage: not copied");
	cr_assert_eq(send(req_flush(req, 3, 0, 0, 100, 50)), OK_NODATA);
	assert_shows(1, &l, 5, 3, 90, 45);
}

Test(gpu_blob, last_byte_exactly_at_the_end_of_the_blob)
{
	/* offset + (h-1)*stride + w*4 == size: fits; one more byte does not. */
	struct layout l = {.w = 16, .h = 8, .fmt = FMT_B8G8R8X8, .stride = 64};

	contiguous_blob(2, 1);
	l.offset = PAGE - (7 * 64 + 64);
	cr_assert_eq(send(req_scanout_blob(0, 2, &l, 0, 0, 16, 8)), OK_NODATA);
	l.offset += 4;
	cr_assert_eq(send(req_scanout_blob(0, 2, &l, 0, 0, 16, 8)), ERR_PARAM);
}

Test(gpu_blob, hostile_create)
{
	uint64_t gpa = alloc_pages(2);
	struct gpu_mem_entry e[2] = {{gpa, PAGE}, {gpa + PAGE, PAGE}};
	struct gpu_mem_entry bad;
	size_t n;

	for (uint32_t mem = 0; mem < 6; mem++)
		if (mem != BLOB_MEM_GUEST)
			cr_assert_eq(send(req_create_blob(1, mem, 0, PAGE, e, 1)), ERR_PARAM,
				     "blob_mem %u", mem);
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 8, PAGE, e, 1)), ERR_PARAM);
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, 0, e, 1)), ERR_PARAM);
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, PAGE, e, 0)), ERR_PARAM);
	/* Bigger than its pages, by one byte and by 2^64-1. */
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, 2 * PAGE + 1, e, 2)), ERR_PARAM);
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, UINT64_MAX, e, 2)), ERR_PARAM);
	/* Entries past the request; absurd counts. */
	n = req_create_blob(1, BLOB_MEM_GUEST, 0, PAGE, e, 2);
	cr_assert_eq(send(n - 1), ERR_PARAM);
	w32(req, 36, 65537);
	cr_assert_eq(send(n), ERR_PARAM);
	w32(req, 36, UINT32_MAX);
	cr_assert_eq(send(n), ERR_PARAM);
	/* Pages outside guest RAM, or wrapping 64 bits. */
	bad = (struct gpu_mem_entry){ctrl.mem_size + VQB_GPA_BASE, PAGE};
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, PAGE, &bad, 1)), ERR_PARAM);
	bad = (struct gpu_mem_entry){UINT64_MAX - 100, PAGE};
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, PAGE, &bad, 1)), ERR_PARAM);
	bad = (struct gpu_mem_entry){gpa, 0};
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, PAGE, &bad, 1)), ERR_PARAM);
	/* Ids. */
	cr_assert_eq(send(req_create_blob(0, BLOB_MEM_GUEST, 0, PAGE, e, 1)), ERR_RES_ID);
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, PAGE, e, 1)), OK_NODATA);
	cr_assert_eq(send(req_create_blob(1, BLOB_MEM_GUEST, 0, PAGE, e, 1)), ERR_RES_ID);
	cr_assert_eq(send(req_create_2d(req, 1, FMT_B8G8R8X8, 4, 4)), ERR_RES_ID);
}

Test(gpu_blob, hostile_scanout_layouts)
{
	struct layout ok = {.w = 32, .h = 32, .fmt = FMT_B8G8R8X8, .stride = 128, .offset = 0};
	struct layout l;

	contiguous_blob(5, 1); /* 4 KiB: exactly 32 x 32 x 4 */
	cr_assert_eq(send(req_create_2d(req, 6, FMT_B8G8R8X8, 32, 32)), OK_NODATA);
	cr_assert_eq(send(req_scanout_blob(2, 5, &ok, 0, 0, 32, 32)), ERR_SCANOUT);
	cr_assert_eq(send(req_scanout_blob(16, 5, &ok, 0, 0, 32, 32)), ERR_SCANOUT);
	cr_assert_eq(send(req_scanout_blob(0, 99, &ok, 0, 0, 32, 32)), ERR_RES_ID);
	cr_assert_eq(send(req_scanout_blob(0, 6, &ok, 0, 0, 32, 32)), ERR_PARAM, "not a blob");
	cr_assert_eq(send(req_set_scanout(req, 0, 5, 0, 0, 32, 32)), ERR_PARAM, "plain on blob");
	l = ok, l.fmt = 0;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 32)), ERR_PARAM);
	l = ok, l.fmt = 5;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 32)), ERR_PARAM);
	l = ok, l.w = 0;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 0, 32)), ERR_PARAM);
	l = ok, l.w = 16385, l.h = 1, l.stride = 16385 * 4;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 1, 1)), ERR_PARAM);
	l = ok, l.stride = 124; /* rows would overlap */
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 32)), ERR_PARAM);
	l = ok, l.stride = 130; /* not 4-byte aligned */
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 32)), ERR_PARAM);
	l = ok, l.offset = 2;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 32)), ERR_PARAM);
	/* Sums that wrap 32 bits (and would pass a 32-bit check). */
	l = ok, l.offset = UINT32_MAX - 3;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 32)), ERR_PARAM);
	l = ok, l.h = 2, l.stride = 0x80000000u;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 2)), ERR_PARAM);
	l = ok, l.h = 3, l.stride = 0x80000000u;
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 3)), ERR_PARAM);
	l = ok, l.h = 33; /* one row past the blob */
	cr_assert_eq(send(req_scanout_blob(0, 5, &l, 0, 0, 32, 32)), ERR_PARAM);
	/* Rectangles: empty, outside, wrapping. */
	cr_assert_eq(send(req_scanout_blob(0, 5, &ok, 0, 0, 0, 32)), ERR_PARAM);
	cr_assert_eq(send(req_scanout_blob(0, 5, &ok, 1, 0, 32, 32)), ERR_PARAM);
	cr_assert_eq(send(req_scanout_blob(0, 5, &ok, UINT32_MAX, 0, 2, 1)), ERR_PARAM);
	cr_assert_eq(fd.presents[0], 0);
	cr_assert_eq(send(req_scanout_blob(0, 5, &ok, 0, 0, 32, 32)), OK_NODATA);
	cr_assert_eq(fd.presents[0], 1);
}

Test(gpu_blob, commands_that_do_not_apply_to_blobs)
{
	uint64_t gpa = contiguous_blob(4, 1);
	struct gpu_mem_entry e = {gpa, PAGE};

	cr_assert_eq(send(req_attach(req, 4, &e, 1)), ERR_PARAM);
	cr_assert_eq(send(req_res(req, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 4)), ERR_PARAM);
	/* Transfers: nothing to copy (the pages are the storage); an offset
	 * past the blob is still refused. */
	cr_assert_eq(send(req_transfer(req, 4, 0, 0, 16, 16, 0)), OK_NODATA);
	cr_assert_eq(send(req_transfer(req, 4, 0, 0, 1, 1, PAGE)), ERR_PARAM);
	cr_assert_eq(send(req_transfer(req, 4, 0, 0, 1, 1, UINT64_MAX)), ERR_PARAM);
	cr_assert_eq(send(req_res(req, VIRTIO_GPU_CMD_RESOURCE_UNREF, 4)), OK_NODATA);
	cr_assert_eq(send(req_transfer(req, 4, 0, 0, 1, 1, 0)), ERR_RES_ID);
}

Test(gpu_blob, unref_on_scanout_disables_and_returns_every_byte)
{
	struct layout l = {.w = 64, .h = 64, .fmt = FMT_B8G8R8X8, .stride = 256};
	uint64_t base = g->res.mem_used;

	scattered_blob(8, 16);
	fill_blob(16 * PAGE, 3);
	cr_assert_eq(send(req_scanout_blob(0, 8, &l, 0, 0, 64, 64)), OK_NODATA);
	cr_assert_eq(send(req_scanout_blob(1, 8, &l, 1, 1, 60, 60)), OK_NODATA);
	assert_shows(1, &l, 1, 1, 60, 60);
	cr_assert_gt(g->res.mem_used, base + 64 * 64 * 4, "the shadows are charged");
	cr_assert_eq(send(req_res(req, VIRTIO_GPU_CMD_RESOURCE_UNREF, 8)), OK_NODATA);
	cr_assert_eq(fd.disables[0], 1);
	cr_assert_eq(fd.disables[1], 1);
	cr_assert_eq(g->res.mem_used, base);
	/* A flip between two blobs, then off: nothing left charged. */
	scattered_blob(9, 16);
	contiguous_blob(10, 16);
	cr_assert_eq(send(req_scanout_blob(0, 9, &l, 0, 0, 64, 64)), OK_NODATA);
	cr_assert_eq(send(req_scanout_blob(0, 10, &l, 0, 0, 64, 64)), OK_NODATA);
	cr_assert_eq(send(req_set_scanout(req, 0, 0, 0, 0, 0, 0)), OK_NODATA);
	cr_assert_eq(send(req_res(req, VIRTIO_GPU_CMD_RESOURCE_UNREF, 9)), OK_NODATA);
	cr_assert_eq(send(req_res(req, VIRTIO_GPU_CMD_RESOURCE_UNREF, 10)), OK_NODATA);
	cr_assert_eq(g->res.mem_used, base);
}

Test(gpu_blob, shadow_past_the_memory_cap_is_out_of_memory)
{
	struct layout l = {.w = 512, .h = 512, .fmt = FMT_B8G8R8X8, .stride = 2048};

	teardown();
	start(512 << 10); /* 512 KiB: the 1 MiB shadow cannot fit */
	scattered_blob(1, 256);
	cr_assert_eq(send(req_scanout_blob(0, 1, &l, 0, 0, 512, 512)), ERR_OOM);
	cr_assert_eq(send(req_scanout_blob(0, 1, &l, 0, 0, 128, 128)), OK_NODATA);
}

Test(gpu_blob, cursor_from_a_blob)
{
	uint8_t *px;

	contiguous_blob(11, 4);
	px = blob_byte(0);
	for (uint32_t i = 0; i < 64 * 64; i++) {
		/* B, G, R, A in memory, opaque: ARGB 0xffRRGGBB. */
		px[4 * i] = (uint8_t)i;
		px[4 * i + 1] = (uint8_t)(i >> 4);
		px[4 * i + 2] = 0x33;
		px[4 * i + 3] = 0xff;
	}
	cr_assert_eq(send(req_cursor(req, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 10, 10, 11, 1, 2)),
		     OK_NODATA);
	for (uint32_t i = 0; i < 64 * 64; i++)
		cr_assert_eq(fd.cursor[i], 0xff330000u | ((i >> 4) & 0xff) << 8 | (i & 0xff),
			     "pixel %u", i);
	contiguous_blob(12, 3); /* 12 KiB < 16 KiB */
	cr_assert_eq(send(req_cursor(req, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 10, 10, 12, 1, 2)),
		     ERR_PARAM);
}

/* RESOURCE_ASSIGN_UUID (0x010b): OK_RESOURCE_UUID (0x1105) with 16 bytes,
 * the same for one resource every time, version 4 variant 10 (RFC 9562). */
#define ASSIGN_UUID	 0x010b
#define OK_RESOURCE_UUID 0x1105

static uint32_t assign_uuid(uint32_t id, uint8_t uuid[16], size_t len)
{
	struct vqb_buf bufs[2];
	uint64_t one = 1;
	uint16_t hid;
	uint32_t n;

	req_res(req, ASSIGN_UUID, id);
	bufs[0] = vqb_buf_out(&ctrl, req, (uint32_t)len);
	bufs[1] = vqb_buf_in(&ctrl, 64);
	vqb_add_chain(&ctrl, bufs, 2);
	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
	for (int i = 0; i < 4000; i++) {
		if (vqb_get_used(&ctrl, &hid, &n)) {
			const uint8_t *p = vqb_host(&ctrl, bufs[1].gpa);

			if (r32(p, 0) == OK_RESOURCE_UUID) {
				cr_assert_eq(n, 40);
				memcpy(uuid, p + 24, 16);
			}
			return r32(p, 0);
		}
		usleep(500);
	}
	cr_assert_fail("no reply");
	return 0;
}

Test(gpu_uuid, stable_per_resource_unique_across_and_checked, .init = setup, .fini = teardown)
{
	uint8_t a[16], a2[16], b[16], c[16];

	cr_assert(gpu_virtio_ops.features(g) & (1ull << 2));
	cr_assert_eq(send(req_create_2d(req, 1, FMT_B8G8R8X8, 8, 8)), OK_NODATA);
	contiguous_blob(2, 1);
	cr_assert_eq(assign_uuid(1, a, 32), OK_RESOURCE_UUID);
	cr_assert_eq(assign_uuid(1, a2, 32), OK_RESOURCE_UUID);
	cr_assert_eq(memcmp(a, a2, 16), 0, "same resource, same UUID");
	cr_assert_eq(assign_uuid(2, b, 32), OK_RESOURCE_UUID);
	cr_assert_neq(memcmp(a, b, 16), 0);
	cr_assert_eq(a[6] >> 4, 4, "version 4");
	cr_assert_eq(b[8] >> 6, 2, "variant 10");
	/* A new resource under an old id gets a new UUID. */
	cr_assert_eq(send(req_res(req, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1)), OK_NODATA);
	cr_assert_eq(assign_uuid(1, c, 32), ERR_RES_ID);
	cr_assert_eq(assign_uuid(0, c, 32), ERR_RES_ID);
	cr_assert_eq(send(req_create_2d(req, 1, FMT_B8G8R8X8, 8, 8)), OK_NODATA);
	cr_assert_eq(assign_uuid(1, c, 32), OK_RESOURCE_UUID);
	cr_assert_neq(memcmp(a, c, 16), 0);
	/* Shorter than its struct. */
	cr_assert_eq(assign_uuid(2, c, 28), 0x1200);
}
