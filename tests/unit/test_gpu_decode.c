/* The decoder against the virtio 1.2 spec (§5.7.6, Device Operation:
 * request header, controlq, cursorq). Every expected number below is
 * written from the spec's text and struct layouts, not from
 * gpu/protocol.h: a wrong constant or struct there must fail here. */
#include <criterion/criterion.h>

#include "gpu/decode.h"
#include "gpu/error.h"
#include "tests/unit/test_gpu_util.h"

/* enum virtio_gpu_ctrl_type and the header flags, from the spec. */
enum {
	SPEC_CMD_GET_DISPLAY_INFO = 0x0100,
	SPEC_CMD_RESOURCE_CREATE_2D = 0x0101,
	SPEC_CMD_RESOURCE_UNREF = 0x0102,
	SPEC_CMD_SET_SCANOUT = 0x0103,
	SPEC_CMD_RESOURCE_FLUSH = 0x0104,
	SPEC_CMD_TRANSFER_TO_HOST_2D = 0x0105,
	SPEC_CMD_RESOURCE_ATTACH_BACKING = 0x0106,
	SPEC_CMD_RESOURCE_DETACH_BACKING = 0x0107,
	SPEC_CMD_GET_CAPSET_INFO = 0x0108,
	SPEC_CMD_GET_CAPSET = 0x0109,
	SPEC_CMD_GET_EDID = 0x010a,
	SPEC_CMD_RESOURCE_CREATE_BLOB = 0x010c,
	SPEC_CMD_CTX_CREATE = 0x0200,
	SPEC_CMD_CTX_DESTROY = 0x0201,
	SPEC_CMD_CTX_ATTACH_RESOURCE = 0x0202,
	SPEC_CMD_CTX_DETACH_RESOURCE = 0x0203,
	SPEC_CMD_RESOURCE_CREATE_3D = 0x0204,
	SPEC_CMD_TRANSFER_TO_HOST_3D = 0x0205,
	SPEC_CMD_TRANSFER_FROM_HOST_3D = 0x0206,
	SPEC_CMD_SUBMIT_3D = 0x0207,
	SPEC_CMD_RESOURCE_MAP_BLOB = 0x0208,
	SPEC_CMD_UPDATE_CURSOR = 0x0300,
	SPEC_CMD_MOVE_CURSOR = 0x0301,

	SPEC_RESP_OK_NODATA = 0x1100,
	SPEC_RESP_ERR_UNSPEC = 0x1200,
	SPEC_RESP_ERR_OUT_OF_MEMORY = 0x1201,
	SPEC_RESP_ERR_INVALID_SCANOUT_ID = 0x1202,
	SPEC_RESP_ERR_INVALID_RESOURCE_ID = 0x1203,
	SPEC_RESP_ERR_INVALID_CONTEXT_ID = 0x1204,
	SPEC_RESP_ERR_INVALID_PARAMETER = 0x1205,

	SPEC_FLAG_FENCE = 1 << 0,
};

/* The size in bytes of each 2D, 3D and cursor request's fixed part, added up
 * from the spec's struct layouts (le32 4, le64 8, u8 1). The header is
 * type, flags, fence_id (le64), ctx_id, ring_idx, padding[3]: 24; a
 * virtio_gpu_rect is x, y, width, height: 16. */
static const struct spec_cmd {
	const char *name;
	uint32_t type;
	size_t size;
} spec_cmds[] = {
    /* the bare header */
    {"GET_DISPLAY_INFO", SPEC_CMD_GET_DISPLAY_INFO, 24},
    /* hdr, resource_id, format, width, height */
    {"RESOURCE_CREATE_2D", SPEC_CMD_RESOURCE_CREATE_2D, 40},
    /* hdr, resource_id, padding */
    {"RESOURCE_UNREF", SPEC_CMD_RESOURCE_UNREF, 32},
    /* hdr, r, scanout_id, resource_id */
    {"SET_SCANOUT", SPEC_CMD_SET_SCANOUT, 48},
    /* hdr, r, resource_id, padding */
    {"RESOURCE_FLUSH", SPEC_CMD_RESOURCE_FLUSH, 48},
    /* hdr, r, offset (le64), resource_id, padding */
    {"TRANSFER_TO_HOST_2D", SPEC_CMD_TRANSFER_TO_HOST_2D, 56},
    /* hdr, resource_id, nr_entries; then nr_entries virtio_gpu_mem_entry
     * of addr (le64), length, padding: 16 each */
    {"RESOURCE_ATTACH_BACKING", SPEC_CMD_RESOURCE_ATTACH_BACKING, 32},
    /* hdr, resource_id, padding */
    {"RESOURCE_DETACH_BACKING", SPEC_CMD_RESOURCE_DETACH_BACKING, 32},
    /* hdr, capset_index, padding */
    {"GET_CAPSET_INFO", SPEC_CMD_GET_CAPSET_INFO, 32},
    /* hdr, capset_id, capset_version */
    {"GET_CAPSET", SPEC_CMD_GET_CAPSET, 32},
    /* hdr, scanout, padding */
    {"GET_EDID", SPEC_CMD_GET_EDID, 32},
    /* hdr, pos (scanout_id, x, y, padding), resource_id, hot_x, hot_y,
     * padding */
    {"UPDATE_CURSOR", SPEC_CMD_UPDATE_CURSOR, 56},
    {"MOVE_CURSOR", SPEC_CMD_MOVE_CURSOR, 56},
    /* 3D (§5.7.6.9). hdr, nlen, context_init, debug_name[64] */
    {"CTX_CREATE", SPEC_CMD_CTX_CREATE, 96},
    {"CTX_DESTROY", SPEC_CMD_CTX_DESTROY, 24},
    /* hdr, resource_id, padding */
    {"CTX_ATTACH_RESOURCE", SPEC_CMD_CTX_ATTACH_RESOURCE, 32},
    {"CTX_DETACH_RESOURCE", SPEC_CMD_CTX_DETACH_RESOURCE, 32},
    /* hdr, resource_id, target, format, bind, width, height, depth,
     * array_size, last_level, nr_samples, flags, padding */
    {"RESOURCE_CREATE_3D", SPEC_CMD_RESOURCE_CREATE_3D, 72},
    /* hdr, box (x, y, z, w, h, d), offset (le64), resource_id, level,
     * stride, layer_stride */
    {"TRANSFER_TO_HOST_3D", SPEC_CMD_TRANSFER_TO_HOST_3D, 72},
    {"TRANSFER_FROM_HOST_3D", SPEC_CMD_TRANSFER_FROM_HOST_3D, 72},
    /* hdr, size, padding; then size bytes of commands (size 0 here) */
    {"SUBMIT_3D", SPEC_CMD_SUBMIT_3D, 32},
};
#define SPEC_MEM_ENTRY_SIZE 16

static uint8_t buf[4096];
static struct gpu_cmd c;

/* The response type the guest gets for len bytes of buf. */
static uint32_t wire(size_t len)
{
	return gpu_err_to_resp(gpu_decode(buf, len, &c));
}

/* The spec names a specific error only for an invalid scanout, resource
 * or context id, an invalid parameter and lack of memory; "on error the
 * device will return one of the VIRTIO_GPU_RESP_ERR_* error codes". A
 * request too short for its struct, or of a type the device does not
 * implement, is none of those: ERR_UNSPEC. Every length from 0 to one byte
 * short is tested, so a struct size off by any amount fails here. */
Test(gpu_decode, every_command_shorter_than_its_spec_struct_is_err_unspec)
{
	for (size_t i = 0; i < sizeof(spec_cmds) / sizeof(spec_cmds[0]); i++) {
		const struct spec_cmd *s = &spec_cmds[i];
		size_t full = s->size;

		memset(buf, 0, sizeof(buf));
		req_hdr(buf, s->type, 0, 0);
		if (s->type == SPEC_CMD_RESOURCE_ATTACH_BACKING) {
			w32(buf, 28, 1); /* nr_entries: one entry follows */
			full += SPEC_MEM_ENTRY_SIZE;
		}
		for (size_t len = 0; len < s->size; len++)
			cr_assert_eq(wire(len), SPEC_RESP_ERR_UNSPEC,
				     "%s (0x%04x), %zu of %zu bytes", s->name, s->type, len,
				     s->size);
		cr_assert_eq(gpu_decode(buf, full, &c), GPU_OK, "%s (0x%04x), %zu bytes", s->name,
			     s->type, full);
		cr_assert_eq(c.hdr.type, s->type);
		cr_assert_eq(wire(full), SPEC_RESP_OK_NODATA);
	}
}

Test(gpu_decode, header_fields_even_on_error)
{
	req_hdr(buf, 0x9999, SPEC_FLAG_FENCE, 0x1122334455667788ull);
	w32(buf, 16, 7);
	buf[20] = 3;
	cr_assert_eq(wire(24), SPEC_RESP_ERR_UNSPEC);
	cr_assert_eq(c.hdr.type, 0x9999);
	cr_assert_eq(c.hdr.flags, SPEC_FLAG_FENCE);
	cr_assert_eq(c.hdr.fence_id, 0x1122334455667788ull);
	cr_assert_eq(c.hdr.ctx_id, 7);
	cr_assert_eq(c.hdr.ring_idx, 3);
}

/* Outside the commands we decode (blob commands need a feature this
 * device does not offer), and response types sent as requests. */
Test(gpu_decode, unknown_blob_and_response_types_are_err_unspec)
{
	uint32_t types[] = {0,
			    0x00ff,
			    0x010e,
			    SPEC_CMD_RESOURCE_MAP_BLOB,
			    0x0302,
			    SPEC_RESP_OK_NODATA,
			    SPEC_RESP_ERR_UNSPEC,
			    0xffffffff};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(buf, 0, 256);
		req_hdr(buf, types[i], 0, 0);
		cr_assert_eq(wire(24), SPEC_RESP_ERR_UNSPEC, "type 0x%x, header only", types[i]);
		cr_assert_eq(wire(256), SPEC_RESP_ERR_UNSPEC, "type 0x%x", types[i]);
	}
}

Test(gpu_decode, create_2d_fields)
{
	size_t n = req_create_2d(buf, 5, 67 /* R8G8B8A8_UNORM */, 640, 480);

	cr_assert_eq(gpu_decode(buf, n, &c), GPU_OK);
	cr_assert_eq(c.u.create_2d.resource_id, 5);
	cr_assert_eq(c.u.create_2d.format, 67);
	cr_assert_eq(c.u.create_2d.width, 640);
	cr_assert_eq(c.u.create_2d.height, 480);
}

Test(gpu_decode, set_scanout_fields_and_wrapping_rect)
{
	size_t n = req_set_scanout(buf, 2, 9, 1, 2, 3, 4);

	cr_assert_eq(gpu_decode(buf, n, &c), GPU_OK);
	cr_assert_eq(c.u.set_scanout.scanout_id, 2);
	cr_assert_eq(c.u.set_scanout.resource_id, 9);
	cr_assert_eq(c.u.set_scanout.r.x, 1);
	cr_assert_eq(c.u.set_scanout.r.h, 4);
	req_set_scanout(buf, 0, 9, 0xffffffff, 0, 2, 1);
	cr_assert_eq(gpu_decode(buf, n, &c), GPU_E_BAD_RECT);
	req_set_scanout(buf, 0, 9, 0, 0x80000000, 1, 0x80000000);
	cr_assert_eq(gpu_decode(buf, n, &c), GPU_E_BAD_RECT);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_RECT), SPEC_RESP_ERR_INVALID_PARAMETER);
}

Test(gpu_decode, flush_wrapping_rect)
{
	size_t n = req_flush(buf, 1, 10, 10, 0xfffffff6, 1);

	cr_assert_eq(gpu_decode(buf, n, &c), GPU_E_BAD_RECT);
	req_flush(buf, 1, 10, 10, 0xfffffff5, 1);
	cr_assert_eq(gpu_decode(buf, n, &c), GPU_OK);
}

Test(gpu_decode, transfer_fields_and_huge_offset_decodes)
{
	size_t n = req_transfer(buf, 3, 4, 5, 6, 7, 0xfffffffffffffff0ull);

	/* Not the decoder's business: the backend checks it against the backing. */
	cr_assert_eq(gpu_decode(buf, n, &c), GPU_OK);
	cr_assert_eq(c.u.transfer.offset, 0xfffffffffffffff0ull);
	cr_assert_eq(c.u.transfer.resource_id, 3);
	cr_assert_eq(c.u.transfer.r.w, 6);
	req_transfer(buf, 3, 0xfffffff0, 0, 0x20, 1, 0);
	cr_assert_eq(gpu_decode(buf, n, &c), GPU_E_BAD_RECT);
}

Test(gpu_decode, attach_entries)
{
	struct gpu_mem_entry e[3] = {{0x1000, 4096}, {0xfffffffffffff000ull, 1}, {0x5000, 7}};
	size_t n = req_attach(buf, 4, e, 3);

	cr_assert_eq(n, 32 + 48);
	cr_assert_eq(gpu_decode(buf, n, &c), GPU_OK);
	cr_assert_eq(c.u.attach.resource_id, 4);
	cr_assert_eq(c.u.attach.nr_entries, 3);
	for (int i = 0; i < 3; i++) {
		struct gpu_mem_entry g = gpu_cmd_attach_entry(&c, i);

		cr_assert_eq(g.addr, e[i].addr);
		cr_assert_eq(g.len, e[i].len);
	}
}

Test(gpu_decode, attach_entries_past_request_rejected)
{
	struct gpu_mem_entry e[2] = {{0x1000, 4096}, {0x2000, 4096}};
	size_t n = req_attach(buf, 4, e, 2);

	cr_assert_eq(gpu_decode(buf, n - 1, &c), GPU_E_BAD_ENTRIES);
	w32(buf, 28, 3);
	cr_assert_eq(gpu_decode(buf, n, &c), GPU_E_BAD_ENTRIES);
}

Test(gpu_decode, attach_zero_and_absurd_nr_entries)
{
	static uint8_t big[GPU_MAX_REQUEST_BYTES + 64];

	req_attach(big, 4, NULL, 0);
	cr_assert_eq(gpu_decode(big, sizeof(big), &c), GPU_E_BAD_ENTRIES);
	w32(big, 28, 0xffffffff);
	cr_assert_eq(gpu_decode(big, sizeof(big), &c), GPU_E_BAD_ENTRIES);
	w32(big, 28, GPU_MAX_BACKING_ENTRIES + 1);
	cr_assert_eq(gpu_decode(big, sizeof(big), &c), GPU_E_BAD_ENTRIES);
	w32(big, 28, GPU_MAX_BACKING_ENTRIES);
	cr_assert_eq(gpu_decode(big, sizeof(big), &c), GPU_OK);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_ENTRIES), SPEC_RESP_ERR_INVALID_PARAMETER);
}

Test(gpu_decode, cursor_fields)
{
	size_t n = req_cursor(buf, SPEC_CMD_UPDATE_CURSOR, 1, 100, 200, 7, 3, 4);

	cr_assert_eq(gpu_decode(buf, n, &c), GPU_OK);
	cr_assert_eq(c.u.cursor.scanout_id, 1);
	cr_assert_eq(c.u.cursor.x, 100);
	cr_assert_eq(c.u.cursor.y, 200);
	cr_assert_eq(c.u.cursor.resource_id, 7);
	cr_assert_eq(c.u.cursor.hot_x, 3);
	cr_assert_eq(c.u.cursor.hot_y, 4);
}

Test(gpu_decode, edid_and_capset_fields)
{
	req_hdr(buf, SPEC_CMD_GET_EDID, 0, 0);
	w32(buf, 24, 5);
	cr_assert_eq(gpu_decode(buf, 32, &c), GPU_OK);
	cr_assert_eq(c.u.get_edid.scanout_id, 5);
	req_hdr(buf, SPEC_CMD_GET_CAPSET_INFO, 0, 0);
	w32(buf, 24, 9);
	cr_assert_eq(gpu_decode(buf, 32, &c), GPU_OK);
	cr_assert_eq(c.u.capset_info.index, 9);
}

Test(gpu_decode, error_codes_map_to_most_specific_wire_code)
{
	cr_assert_eq(gpu_err_to_resp(GPU_OK), SPEC_RESP_OK_NODATA);
	cr_assert_eq(gpu_err_to_resp(GPU_E_RES_ID_ZERO), SPEC_RESP_ERR_INVALID_RESOURCE_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_RES_EXISTS), SPEC_RESP_ERR_INVALID_RESOURCE_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_RES_UNKNOWN), SPEC_RESP_ERR_INVALID_RESOURCE_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_SCANOUT), SPEC_RESP_ERR_INVALID_SCANOUT_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_CONTEXT), SPEC_RESP_ERR_INVALID_CONTEXT_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_NO_MEM), SPEC_RESP_ERR_OUT_OF_MEMORY);
	cr_assert_eq(gpu_err_to_resp(GPU_E_TOO_MANY), SPEC_RESP_ERR_OUT_OF_MEMORY);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_OFFSET), SPEC_RESP_ERR_INVALID_PARAMETER);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_BACKING), SPEC_RESP_ERR_INVALID_PARAMETER);
	for (int e = 0; e < GPU_E_COUNT; e++)
		cr_assert_str_neq(gpu_err_name(e), "?");
}
