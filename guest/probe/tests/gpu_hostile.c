/* Hostile virtio-gpu commands: each must get an error response (the one the
 * spec implies where it implies one, any error otherwise) and the device
 * must keep working: after every case a well-formed transfer + flush has to
 * succeed. Cursor commands have no response; there only survival counts.
 * Responses are reported as `PROBE: info gpu_hostile_<case>=0x12NN`. */
#include "lib/alloc.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/virtio_gpu.h"
#include "tests/tests.h"

#define ANY_ERROR 0
#define SURVIVE	  1 /* any answer, or none for a request too short to answer */
#define GOOD_ID	  1
#define SCAN_ID	  5
#define DIM	  64
#define FAR_AWAY  0x7f0000000000ull

static struct vgpu g;
static uint8_t *backing;

struct create_2d {
	struct vgpu_hdr hdr;
	uint32_t id, format, width, height;
};

struct transfer_2d {
	struct vgpu_hdr hdr;
	struct vgpu_rect r;
	uint64_t offset;
	uint32_t id, padding;
};

struct attach_hdr {
	struct vgpu_hdr hdr;
	uint32_t id, nr_entries;
};

static uint32_t raw(const void *req, size_t len)
{
	uint32_t got;

	return vgpu_cmd(&g, req, len, sizeof(struct vgpu_hdr), &got);
}

static uint32_t h_short_create(void)
{
	struct create_2d c = {
	    {.type = VGPU_CMD_RESOURCE_CREATE_2D}, 40, VGPU_FORMAT_B8G8R8X8, 8, 8};
	return raw(&c, sizeof(c) - 6);
}

static uint32_t h_short_header(void)
{
	struct vgpu_hdr h = {.type = VGPU_CMD_GET_DISPLAY_INFO};
	return raw(&h, 10);
}

static uint32_t h_unknown_type(void)
{
	struct vgpu_hdr h = {.type = 0x0999};
	return raw(&h, sizeof(h));
}

static uint32_t h_create_zero_size(void)
{
	return vgpu_create_2d(&g, 41, VGPU_FORMAT_B8G8R8X8, 0, 8);
}

static uint32_t h_create_huge(void)
{
	return vgpu_create_2d(&g, 42, VGPU_FORMAT_B8G8R8X8, 65536, 65536);
}

static uint32_t h_create_bad_format(void)
{
	return vgpu_create_2d(&g, 43, 9999, 8, 8);
}

static uint32_t h_rect_overflow(void)
{
	return vgpu_transfer(&g, GOOD_ID, (struct vgpu_rect){0xfffffff0u, 0, 0x20, 1}, 0);
}

static uint32_t h_rect_outside(void)
{
	return vgpu_transfer(&g, GOOD_ID, (struct vgpu_rect){DIM - 8, 0, 16, 1}, 0);
}

static uint32_t h_offset_past_backing(void)
{
	return vgpu_transfer(&g, GOOD_ID, (struct vgpu_rect){0, 0, DIM, DIM},
			     0xffffffffffff0000ull);
}

static uint32_t h_transfer_missing(void)
{
	return vgpu_transfer(&g, 4242, (struct vgpu_rect){0, 0, 1, 1}, 0);
}

static uint32_t h_transfer_no_backing(void)
{
	if (vgpu_create_2d(&g, 44, VGPU_FORMAT_B8G8R8X8, 8, 8) != VGPU_RESP_OK_NODATA)
		return VGPU_RESP_OK_NODATA; /* set-up failed: not an error, the case fails */
	uint32_t r = vgpu_transfer(&g, 44, (struct vgpu_rect){0, 0, 8, 8}, 0);
	vgpu_unref(&g, 44);
	return r;
}

static uint32_t h_absurd_nr_entries(void)
{
	struct attach_hdr a = {{.type = VGPU_CMD_RESOURCE_ATTACH_BACKING}, 45, 0x10000000};
	struct vgpu_mem_entry e = {phys_addr(backing), 4096, 0};
	uint32_t got;

	if (vgpu_create_2d(&g, 45, VGPU_FORMAT_B8G8R8X8, 8, 8) != VGPU_RESP_OK_NODATA)
		return VGPU_RESP_OK_NODATA;
	uint32_t r = vgpu_cmd2(&g, &a, sizeof(a), &e, sizeof(e), sizeof(struct vgpu_hdr), &got);
	vgpu_unref(&g, 45);
	return r;
}

static uint32_t h_backing_outside_ram(void)
{
	struct vgpu_mem_entry e = {FAR_AWAY, 8 * 8 * 4, 0};

	if (vgpu_create_2d(&g, 46, VGPU_FORMAT_B8G8R8X8, 8, 8) != VGPU_RESP_OK_NODATA)
		return VGPU_RESP_OK_NODATA;
	uint32_t r = vgpu_attach(&g, 46, &e, 1);
	vgpu_unref(&g, 46);
	return r;
}

static uint32_t h_backing_len_wraps(void)
{
	struct vgpu_mem_entry e = {0xfffffffffffff000ull, 0x2000, 0};

	if (vgpu_create_2d(&g, 47, VGPU_FORMAT_B8G8R8X8, 8, 8) != VGPU_RESP_OK_NODATA)
		return VGPU_RESP_OK_NODATA;
	uint32_t r = vgpu_attach(&g, 47, &e, 1);
	vgpu_unref(&g, 47);
	return r;
}

static uint32_t h_attach_missing(void)
{
	struct vgpu_mem_entry e = {phys_addr(backing), 4096, 0};
	return vgpu_attach(&g, 4243, &e, 1);
}

static uint32_t h_scanout_rect_outside(void)
{
	return vgpu_set_scanout(&g, 0, GOOD_ID, (struct vgpu_rect){0, 0, DIM * 2, DIM});
}

static uint32_t h_scanout_bad_id(void)
{
	return vgpu_set_scanout(&g, 77, GOOD_ID, (struct vgpu_rect){0, 0, DIM, DIM});
}

static uint32_t h_flush_missing(void)
{
	return vgpu_flush(&g, 4244, (struct vgpu_rect){0, 0, 1, 1});
}

static uint32_t h_unref_missing(void)
{
	return vgpu_unref(&g, 4245);
}

static uint32_t h_capset_out_of_range(void)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t index, padding;
	} c = {{.type = VGPU_CMD_GET_CAPSET_INFO}, 99, 0};
	uint32_t got;
	return vgpu_cmd(&g, &c, sizeof(c), 64, &got);
}

static uint32_t h_edid_bad_scanout(void)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t scanout, padding;
	} e = {{.type = VGPU_CMD_GET_EDID}, 99, 0};
	uint32_t got;
	return vgpu_cmd(&g, &e, sizeof(e), sizeof(struct vgpu_edid), &got);
}

/* No spec error for this: the resource goes, the scanout must let go of it
 * safely. Any response is accepted; survival is what is tested. A failed
 * set-up returns 0, which fails the case as "no answer". */
static uint32_t h_unref_scanned_out(void)
{
	struct vgpu_mem_entry e = {phys_addr(backing), DIM * DIM * 4, 0};
	struct vgpu_rect r = {0, 0, DIM, DIM};

	if (vgpu_create_2d(&g, SCAN_ID, VGPU_FORMAT_B8G8R8X8, DIM, DIM) != VGPU_RESP_OK_NODATA ||
	    vgpu_attach(&g, SCAN_ID, &e, 1) != VGPU_RESP_OK_NODATA ||
	    vgpu_transfer(&g, SCAN_ID, r, 0) != VGPU_RESP_OK_NODATA ||
	    vgpu_set_scanout(&g, 0, SCAN_ID, r) != VGPU_RESP_OK_NODATA ||
	    vgpu_flush(&g, SCAN_ID, r) != VGPU_RESP_OK_NODATA)
		return 0;
	return vgpu_unref(&g, SCAN_ID);
}

struct cursor_cmd {
	struct vgpu_hdr hdr;
	uint32_t scanout, x, y, padding;
	uint32_t id, hot_x, hot_y, padding2;
};

static uint32_t h_cursor_missing(void)
{
	struct cursor_cmd c = {{.type = VGPU_CMD_UPDATE_CURSOR}, 0, 10, 10, 0, 4246, 0, 0, 0};
	return vgpu_cursor_cmd(&g, &c, sizeof(c)) ? VGPU_NO_RESPONSE : 0;
}

static uint32_t h_cursor_wrong_size(void)
{
	struct cursor_cmd c = {{.type = VGPU_CMD_UPDATE_CURSOR}, 0, 10, 10, 0, GOOD_ID, 99, 99, 0};
	return vgpu_cursor_cmd(&g, &c, sizeof(c)) ? VGPU_NO_RESPONSE : 0;
}

static uint32_t h_cursor_short(void)
{
	struct cursor_cmd c = {{.type = VGPU_CMD_MOVE_CURSOR}, 0, 10, 10, 0, 0, 0, 0, 0};
	return vgpu_cursor_cmd(&g, &c, 20) ? VGPU_NO_RESPONSE : 0;
}

struct hostile_case {
	const char *name;
	uint32_t (*run)(void);
	uint32_t want; /* ANY_ERROR: any 0x12xx; SURVIVE; or the exact response */
};

static const struct hostile_case cases[] = {
    {"short_create", h_short_create, ANY_ERROR},
    {"short_header", h_short_header, SURVIVE},
    {"unknown_type", h_unknown_type, VGPU_RESP_ERR_UNSPEC},
    {"create_zero_size", h_create_zero_size, ANY_ERROR},
    {"create_huge", h_create_huge, ANY_ERROR},
    {"create_bad_format", h_create_bad_format, VGPU_RESP_ERR_INVALID_PARAMETER},
    {"rect_overflow", h_rect_overflow, VGPU_RESP_ERR_INVALID_PARAMETER},
    {"rect_outside", h_rect_outside, VGPU_RESP_ERR_INVALID_PARAMETER},
    {"offset_past_backing", h_offset_past_backing, ANY_ERROR},
    {"transfer_missing", h_transfer_missing, VGPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"transfer_no_backing", h_transfer_no_backing, ANY_ERROR},
    {"absurd_nr_entries", h_absurd_nr_entries, ANY_ERROR},
    {"backing_outside_ram", h_backing_outside_ram, ANY_ERROR},
    {"backing_len_wraps", h_backing_len_wraps, ANY_ERROR},
    {"attach_missing", h_attach_missing, VGPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"scanout_rect_outside", h_scanout_rect_outside, VGPU_RESP_ERR_INVALID_PARAMETER},
    {"scanout_bad_id", h_scanout_bad_id, VGPU_RESP_ERR_INVALID_SCANOUT_ID},
    {"flush_missing", h_flush_missing, VGPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"unref_missing", h_unref_missing, VGPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"capset_out_of_range", h_capset_out_of_range, VGPU_RESP_ERR_INVALID_PARAMETER},
    {"edid_bad_scanout", h_edid_bad_scanout, VGPU_RESP_ERR_INVALID_SCANOUT_ID},
    {"unref_scanned_out", h_unref_scanned_out, SURVIVE},
    {"cursor_missing", h_cursor_missing, SURVIVE},
    {"cursor_wrong_size", h_cursor_wrong_size, SURVIVE},
    {"cursor_short", h_cursor_short, SURVIVE},
};

static bool still_works(void)
{
	struct vgpu_rect r = {0, 0, DIM, DIM};

	return vgpu_transfer(&g, GOOD_ID, r, 0) == VGPU_RESP_OK_NODATA &&
	       vgpu_flush(&g, GOOD_ID, r) == VGPU_RESP_OK_NODATA;
}

enum test_result test_gpu_hostile(struct test_ctx *ctx)
{
	int r = vgpu_open(&g, ctx->why, sizeof(ctx->why));

	if (r > 0)
		return test_skip(ctx, "no virtio-gpu device on PCI bus 0");
	if (r)
		return TEST_FAIL;
	backing = page_alloc(DIM * DIM * 4);
	struct vgpu_mem_entry e = {phys_addr(backing), DIM * DIM * 4, 0};
	if (!backing ||
	    vgpu_create_2d(&g, GOOD_ID, VGPU_FORMAT_B8G8R8X8, DIM, DIM) != VGPU_RESP_OK_NODATA ||
	    vgpu_attach(&g, GOOD_ID, &e, 1) != VGPU_RESP_OK_NODATA || !still_works())
		return test_fail(ctx, "could not set up a good resource");

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hostile_case *c = &cases[i];
		uint32_t resp = c->run();
		char key[48];
		fmt_snprintf(key, sizeof(key), "gpu_hostile_%s", c->name);
		report_info(key, "0x%x", resp);
		bool is_error = resp >= VGPU_RESP_ERR_UNSPEC && resp <= 0x12ff;
		if (resp == 0)
			return test_fail(ctx, "%s: no answer within the timeout", c->name);
		if (c->want == ANY_ERROR && !is_error)
			return test_fail(ctx, "%s: response 0x%x, want an error", c->name, resp);
		if (c->want > SURVIVE && resp != c->want)
			return test_fail(ctx, "%s: response 0x%x, want 0x%x", c->name, resp,
					 c->want);
		if (!still_works())
			return test_fail(ctx, "after %s the device stopped working", c->name);
	}
	report_info("gpu_hostile_cases", "%u", (unsigned)(sizeof(cases) / sizeof(cases[0])));
	vgpu_close(&g);
	return TEST_PASS;
}
