/* The request -> reply path (gpu_handle_request) and the device's virtio
 * face: fences echoed even on errors, replies capped to the buffer, display
 * info, EDID, capsets, config space and display events. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gpu/edid.h"
#include "gpu/gpu_priv.h"
#include "tests/unit/test_gpu_util.h"

static struct fake_display fd;
static struct gpu *g;
static uint8_t ram[1 << 16];
static struct guest_mem gm;
static uint8_t req[4096], resp[2048];

static int config_irqs;
static void irq_config(struct virtio_irq *irq)
{
	config_irqs++;
}

static void setup(void)
{
	struct gpu_config cfg = {.outputs = 2,
				 .width = 1280,
				 .height = 800,
				 .display = &fd.d,
				 .mem = &gm,
				 .max_resources = 16,
				 .mem_limit = 1 << 24};
	char err[128];

	fake_display_init(&fd, 2);
	guest_mem_init_flat(&gm, 0x1000, ram, sizeof(ram));
	g = gpu_create(&cfg, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	config_irqs = 0;
}

static void teardown(void)
{
	gpu_destroy(g);
}

TestSuite(gpu_ctrl, .init = setup, .fini = teardown);

static size_t handle(size_t len)
{
	memset(resp, 0xaa, sizeof(resp));
	return gpu_handle_request(g, req, len, resp, sizeof(resp), NULL);
}

Test(gpu_ctrl, short_header_gets_no_reply)
{
	req_hdr(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0);
	cr_assert_eq(handle(0), 0);
	cr_assert_eq(handle(23), 0);
	cr_assert_eq(resp[0], 0xaa);
}

Test(gpu_ctrl, unknown_command_unspec_with_fence_echoed)
{
	req_hdr(req, 0x4242, VIRTIO_GPU_FLAG_FENCE, 77);
	w32(req, 16, 3);
	cr_assert_eq(handle(24), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
	cr_assert_eq(r32(resp, 4) & VIRTIO_GPU_FLAG_FENCE, VIRTIO_GPU_FLAG_FENCE);
	cr_assert_eq(r64(resp, 8), 77);
	cr_assert_eq(r32(resp, 16), 3);
}

Test(gpu_ctrl, error_reply_keeps_fence)
{
	size_t n = req_create_2d(req, 0, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8);

	w32(req, 4, VIRTIO_GPU_FLAG_FENCE);
	w64(req, 8, 0xdeadbeefcafeull);
	cr_assert_eq(handle(n), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	cr_assert_eq(r32(resp, 4), VIRTIO_GPU_FLAG_FENCE);
	cr_assert_eq(r64(resp, 8), 0xdeadbeefcafeull);
}

Test(gpu_ctrl, short_command_with_fence_keeps_fence)
{
	req_hdr(req, VIRTIO_GPU_CMD_RESOURCE_FLUSH, VIRTIO_GPU_FLAG_FENCE, 5);
	cr_assert_eq(handle(30), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
	cr_assert_eq(r64(resp, 8), 5);
}

Test(gpu_ctrl, unfenced_ok_has_clean_header)
{
	size_t n = req_create_2d(req, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8);

	w64(req, 8, 99); /* fence id without the flag is not echoed */
	cr_assert_eq(handle(n), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_OK_NODATA);
	cr_assert_eq(r32(resp, 4), 0);
	cr_assert_eq(r64(resp, 8), 0);
}

Test(gpu_ctrl, display_info_lists_outputs)
{
	req_hdr(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0);
	cr_assert_eq(handle(24), 408);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	for (int i = 0; i < 16; i++) {
		const uint8_t *m = resp + 24 + 24 * i;

		cr_assert_eq(r32(m, 8), i < 2 ? 1280 : 0);
		cr_assert_eq(r32(m, 12), i < 2 ? 800 : 0);
		cr_assert_eq(r32(m, 16), i < 2 ? 1 : 0);
	}
}

Test(gpu_ctrl, reply_never_longer_than_buffer)
{
	req_hdr(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0);
	memset(resp, 0xaa, sizeof(resp));
	cr_assert_eq(gpu_handle_request(g, req, 24, resp, 30, NULL), 30);
	cr_assert_eq(resp[30], 0xaa);
	cr_assert_eq(gpu_handle_request(g, req, 24, resp, 0, NULL), 0);
	cr_assert_eq(gpu_handle_request(g, req, 24, resp, 10, NULL), 10);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
}

Test(gpu_ctrl, edid_for_each_output_and_bad_scanout)
{
	req_hdr(req, VIRTIO_GPU_CMD_GET_EDID, 0, 0);
	w32(req, 24, 1);
	cr_assert_eq(handle(32), 1056);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_OK_EDID);
	cr_assert_eq(r32(resp, 24), 128);
	uint8_t s = 0;
	for (int i = 0; i < 128; i++)
		s += resp[32 + i];
	cr_assert_eq(s, 0);
	cr_assert_eq(resp[32 + 54 + 2], 1280 & 0xff);
	w32(req, 24, 2);
	cr_assert_eq(handle(32), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
}

Test(gpu_ctrl, capsets_out_of_range)
{
	req_hdr(req, VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0, 0);
	w32(req, 24, 0);
	cr_assert_eq(handle(32), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	req_hdr(req, VIRTIO_GPU_CMD_GET_CAPSET, 0, 0);
	cr_assert_eq(handle(32), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}

Test(gpu_ctrl, three_d_commands_unspec)
{
	req_hdr(req, VIRTIO_GPU_CMD_CTX_CREATE, VIRTIO_GPU_FLAG_FENCE, 1);
	cr_assert_eq(handle(200), 24);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
	cr_assert_eq(r64(resp, 8), 1);
}

Test(gpu_ctrl, features_config_and_display_event)
{
	const struct virtio_dev_ops *ops = &gpu_virtio_ops;
	uint64_t f = ops->features(g);
	uint32_t v[4];
	struct virtio_irq irq = {.config = irq_config};

	cr_assert_eq(ops->device_id, 16);
	cr_assert_eq(ops->num_queues, 2);
	cr_assert(f & (1ull << VIRTIO_F_VERSION_1));
	cr_assert(f & (1ull << VIRTIO_GPU_F_EDID));
	cr_assert_not(f & (1ull << VIRTIO_GPU_F_VIRGL));
	/* The 2D device offers guest blobs (bit 3, virtio 1.2 5.7.3). */
	cr_assert(f & (1ull << 3));
	ops->config_read(g, 0, v, 16);
	cr_assert_eq(v[0], 0);
	cr_assert_eq(v[2], 2);
	cr_assert_eq(v[3], 0);
	/* A window resize: event bit set, new size in display info. */
	g->irq = &irq;
	g->attached = true;
	fd.d.ev.resize(fd.d.ev.opaque, 1, 800, 600);
	g->attached = false;
	cr_assert_eq(config_irqs, 1);
	ops->config_read(g, 0, v, 4);
	cr_assert_eq(v[0], VIRTIO_GPU_EVENT_DISPLAY);
	req_hdr(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0);
	handle(24);
	cr_assert_eq(r32(resp, 24 + 24 + 8), 800);
	cr_assert_eq(r32(resp, 24 + 24 + 12), 600);
	/* Same size again: no event. Clearing acknowledges. */
	fd.d.ev.resize(fd.d.ev.opaque, 1, 800, 600);
	cr_assert_eq(config_irqs, 1);
	uint32_t one = VIRTIO_GPU_EVENT_DISPLAY;
	ops->config_write(g, 4, &one, 4);
	ops->config_read(g, 0, v, 4);
	cr_assert_eq(v[0], 0);
	/* Read-only fields ignore writes; out-of-range reads are zero. */
	ops->config_write(g, 8, &one, 4);
	ops->config_read(g, 8, v, 4);
	cr_assert_eq(v[0], 2);
	v[0] = 0x55;
	ops->config_read(g, 14, v, 4);
	cr_assert_eq(v[0], 0);
	/* Bogus outputs from a display are ignored. */
	fd.d.ev.resize(fd.d.ev.opaque, 7, 100, 100);
	fd.d.ev.resize(fd.d.ev.opaque, 0, 0, 100);
	ops->config_read(g, 0, v, 4);
	cr_assert_eq(v[0], 0);
}

/* ---- a 3D backend's capsets, through a fake that offers two ---- */

static pid_t fake3d_tid;

static uint64_t fake3d_features(void *be)
{
	return 1ull << VIRTIO_GPU_F_VIRGL;
}

static unsigned fake3d_capsets(void *be, struct gpu_capset *out, unsigned max)
{
	const struct gpu_capset cs[] = {{1, 1, 308}, {2, 2, 1376}};

	cr_assert_geq(max, 2);
	memcpy(out, cs, sizeof(cs));
	return 2;
}

/* Payload: byte i is (id * 16 + version + i), just past it zero. */
static enum gpu_err fake3d_get_capset(void *be, uint32_t id, uint32_t version, void *buf,
				      size_t cap)
{
	uint8_t *p = buf;

	for (size_t i = 0; i + 1 < cap; i++)
		p[i] = (uint8_t)(id * 16 + version + i);
	return GPU_OK;
}

static void fake3d_destroy(void *be)
{
}

static const struct gpu_backend_ops fake3d_ops = {
    .name = "fake3d",
    .destroy = fake3d_destroy,
    .features = fake3d_features,
    .capsets = fake3d_capsets,
    .get_capset = fake3d_get_capset,
};

static int fake3d_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
			 size_t errlen)
{
	fake3d_tid = gettid();
	out->ops = &fake3d_ops;
	out->be = NULL;
	return 0;
}

static void setup_3d(void)
{
	struct gpu_config cfg = {.outputs = 1,
				 .width = 640,
				 .height = 480,
				 .display = &fd.d,
				 .mem = &gm,
				 .backend_create = fake3d_create};

	fake_display_init(&fd, 1);
	guest_mem_init_flat(&gm, 0x1000, ram, sizeof(ram));
	fake3d_tid = 0;
	g = gpu_create(&cfg, NULL, 0);
	cr_assert_not_null(g);
}

TestSuite(gpu_ctrl_3d, .init = setup_3d, .fini = teardown);

/* Linux reads num_capsets (and the VIRGL bit) before DRIVER_OK: a 3D
 * backend's capsets must be there as soon as the device exists, and the
 * backend must have been made on the worker, not the caller's thread. */
Test(gpu_ctrl_3d, capsets_visible_before_driver_ok)
{
	uint32_t v[4];

	cr_assert_neq(fake3d_tid, 0);
	cr_assert_neq(fake3d_tid, gettid(), "backend created on the caller's thread");
	cr_assert(gpu_virtio_ops.features(g) & (1ull << VIRTIO_GPU_F_VIRGL));
	gpu_virtio_ops.config_read(g, 0, v, 16);
	cr_assert_eq(v[3], 2, "num_capsets before activate");
}

Test(gpu_ctrl_3d, capset_info_and_capset_replies)
{
	static uint8_t big[2048];

	req_hdr(req, VIRTIO_GPU_CMD_GET_CAPSET_INFO, VIRTIO_GPU_FLAG_FENCE, 9);
	w32(req, 24, 1);
	cr_assert_eq(handle(32), 40); /* virtio 1.2, 5.7.6.8: resp_capset_info */
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	cr_assert_eq(r64(resp, 8), 9, "fence echoed on a data reply");
	cr_assert_eq(r32(resp, 24), 2);
	cr_assert_eq(r32(resp, 28), 2);
	cr_assert_eq(r32(resp, 32), 1376);
	w32(req, 24, 2);
	handle(32);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);

	req_hdr(req, VIRTIO_GPU_CMD_GET_CAPSET, 0, 0);
	w32(req, 24, 2);
	w32(req, 28, 2);
	memset(big, 0xaa, sizeof(big));
	cr_assert_eq(gpu_handle_request(g, req, 32, big, sizeof(big), NULL), 24 + 1376);
	cr_assert_eq(r32(big, 0), VIRTIO_GPU_RESP_OK_CAPSET);
	for (size_t i = 0; i + 1 < 1376; i++)
		cr_assert_eq(big[24 + i], (uint8_t)(2 * 16 + 2 + i), "byte %zu", i);
	cr_assert_eq(big[24 + 1375], 0, "the reply is zero-filled past what the backend wrote");
	/* A version above max_version, an unknown id. */
	w32(req, 28, 3);
	handle(32);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	w32(req, 24, 4);
	w32(req, 28, 0);
	handle(32);
	cr_assert_eq(r32(resp, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}

/* A backend that cannot start (no EGL, say): gpu_create says why and
 * returns NULL, with nothing left behind and no crash on the way out. */
static int failing_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
			  size_t errlen)
{
	snprintf(err, errlen, "gpu test: no renderer here");
	return -ENODEV;
}

Test(gpu_ctrl_fail, backend_that_cannot_start)
{
	struct fake_display d;
	struct gpu_config cfg = {.outputs = 1,
				 .width = 640,
				 .height = 480,
				 .display = &d.d,
				 .backend_create = failing_create};
	char err[128] = "";

	fake_display_init(&d, 1);
	cr_assert_null(gpu_create(&cfg, err, sizeof(err)));
	cr_assert_str_eq(err, "gpu test: no renderer here");
	cr_assert_null(d.d.ev.opaque, "display events still point at the freed device");
}
