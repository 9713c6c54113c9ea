#include <criterion/criterion.h>

#include "gpu/decode.h"
#include "gpu/error.h"
#include "gpu/protocol.h"
#include "tests/unit/test_gpu_util.h"

static uint8_t buf[4096];
static struct gpu_cmd c;

Test(gpu_decode, empty_and_short_header_are_short)
{
	cr_assert_eq(gpu_decode(buf, 0, &c), GPU_E_SHORT);
	req_hdr(buf, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0);
	cr_assert_eq(gpu_decode(buf, 23, &c), GPU_E_SHORT);
	cr_assert_eq(gpu_decode(buf, 24, &c), GPU_OK);
}

Test(gpu_decode, header_fields_even_on_error)
{
	req_hdr(buf, 0x9999, VIRTIO_GPU_FLAG_FENCE, 0x1122334455667788ull);
	w32(buf, 16, 7);
	buf[20] = 3;
	cr_assert_eq(gpu_decode(buf, 24, &c), GPU_E_UNKNOWN_CMD);
	cr_assert_eq(c.hdr.type, 0x9999);
	cr_assert_eq(c.hdr.flags, VIRTIO_GPU_FLAG_FENCE);
	cr_assert_eq(c.hdr.fence_id, 0x1122334455667788ull);
	cr_assert_eq(c.hdr.ctx_id, 7);
	cr_assert_eq(c.hdr.ring_idx, 3);
	cr_assert_eq(gpu_err_to_resp(GPU_E_UNKNOWN_CMD), VIRTIO_GPU_RESP_ERR_UNSPEC);
}

Test(gpu_decode, unknown_and_blob_types_are_unknown)
{
	uint32_t types[] = {0,
			    0xff,
			    0x10e,
			    VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB,
			    VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB,
			    0x302,
			    VIRTIO_GPU_RESP_OK_NODATA,
			    0xffffffff};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(buf, 0, 256);
		req_hdr(buf, types[i], 0, 0);
		cr_assert_eq(gpu_decode(buf, 256, &c), GPU_E_UNKNOWN_CMD, "type 0x%x", types[i]);
	}
}

Test(gpu_decode, create_2d_fields)
{
	size_t n = req_create_2d(buf, 5, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 640, 480);

	cr_assert_eq(gpu_decode(buf, n, &c), GPU_OK);
	cr_assert_eq(c.u.create_2d.resource_id, 5);
	cr_assert_eq(c.u.create_2d.format, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM);
	cr_assert_eq(c.u.create_2d.width, 640);
	cr_assert_eq(c.u.create_2d.height, 480);
}

Test(gpu_decode, every_command_one_byte_short_is_short)
{
	struct {
		uint32_t type;
		size_t len;
	} cmds[] = {
	    {VIRTIO_GPU_CMD_GET_EDID, 32},
	    {VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 40},
	    {VIRTIO_GPU_CMD_RESOURCE_UNREF, 32},
	    {VIRTIO_GPU_CMD_SET_SCANOUT, 48},
	    {VIRTIO_GPU_CMD_RESOURCE_FLUSH, 48},
	    {VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 56},
	    {VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 32},
	    {VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 32},
	    {VIRTIO_GPU_CMD_GET_CAPSET_INFO, 32},
	    {VIRTIO_GPU_CMD_GET_CAPSET, 32},
	    {VIRTIO_GPU_CMD_UPDATE_CURSOR, 56},
	    {VIRTIO_GPU_CMD_MOVE_CURSOR, 56},
	    /* virtio 1.2, 5.7.6.9: 24-byte header + fields. */
	    {VIRTIO_GPU_CMD_CTX_CREATE, 96},
	    {VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, 32},
	    {VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, 32},
	    {VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 72},
	    {VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, 72},
	    {VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, 72},
	    {VIRTIO_GPU_CMD_SUBMIT_3D, 32},
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(buf, 0, sizeof(buf));
		req_hdr(buf, cmds[i].type, 0, 0);
		w32(buf, 24, 1);
		w32(buf, 28, 1); /* nr_entries 1 for attach */
		if (cmds[i].type == VIRTIO_GPU_CMD_SUBMIT_3D)
			w32(buf, 24, 0); /* no stream after the struct */
		cr_assert_eq(gpu_decode(buf, cmds[i].len - 1, &c), GPU_E_SHORT, "type 0x%x",
			     cmds[i].type);
		cr_assert_eq(gpu_err_to_resp(GPU_E_SHORT), VIRTIO_GPU_RESP_ERR_UNSPEC);
		if (cmds[i].type != VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING)
			cr_assert_eq(gpu_decode(buf, cmds[i].len, &c), GPU_OK, "type 0x%x",
				     cmds[i].type);
	}
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
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_RECT), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
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
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_ENTRIES), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}

Test(gpu_decode, cursor_fields)
{
	size_t n = req_cursor(buf, VIRTIO_GPU_CMD_UPDATE_CURSOR, 1, 100, 200, 7, 3, 4);

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
	req_hdr(buf, VIRTIO_GPU_CMD_GET_EDID, 0, 0);
	w32(buf, 24, 5);
	cr_assert_eq(gpu_decode(buf, 32, &c), GPU_OK);
	cr_assert_eq(c.u.get_edid.scanout_id, 5);
	req_hdr(buf, VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0, 0);
	w32(buf, 24, 9);
	cr_assert_eq(gpu_decode(buf, 32, &c), GPU_OK);
	cr_assert_eq(c.u.capset_info.index, 9);
}

Test(gpu_decode, error_codes_map_to_most_specific_wire_code)
{
	cr_assert_eq(gpu_err_to_resp(GPU_OK), VIRTIO_GPU_RESP_OK_NODATA);
	cr_assert_eq(gpu_err_to_resp(GPU_E_RES_ID_ZERO), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_RES_EXISTS), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_RES_UNKNOWN), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_SCANOUT), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_CONTEXT), VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
	cr_assert_eq(gpu_err_to_resp(GPU_E_NO_MEM), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	cr_assert_eq(gpu_err_to_resp(GPU_E_TOO_MANY), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_OFFSET), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	cr_assert_eq(gpu_err_to_resp(GPU_E_BAD_BACKING), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	for (int e = 0; e < GPU_E_COUNT; e++)
		cr_assert_str_neq(gpu_err_name(e), "?");
}
