/* A virtio-gpu 2D driver for the probe (virtio 1.2, 5.7), written from the
 * spec independently of lkvm-gpu's gpu/protocol.h so that each checks the
 * other. Commands are synchronous: one request and one response buffer on the
 * control queue, polled in RAM; cursor commands have no response. */
#ifndef PROBE_LIB_VIRTIO_GPU_H
#define PROBE_LIB_VIRTIO_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/virtio_pci.h"
#include "lib/virtq.h"

#define VIRTIO_GPU_F_VIRGL (1ull << 0)
#define VIRTIO_GPU_F_EDID  (1ull << 1)

enum {
	VGPU_CMD_GET_DISPLAY_INFO = 0x0100,
	VGPU_CMD_RESOURCE_CREATE_2D,
	VGPU_CMD_RESOURCE_UNREF,
	VGPU_CMD_SET_SCANOUT,
	VGPU_CMD_RESOURCE_FLUSH,
	VGPU_CMD_TRANSFER_TO_HOST_2D,
	VGPU_CMD_RESOURCE_ATTACH_BACKING,
	VGPU_CMD_RESOURCE_DETACH_BACKING,
	VGPU_CMD_GET_CAPSET_INFO,
	VGPU_CMD_GET_CAPSET,
	VGPU_CMD_GET_EDID,
	VGPU_CMD_CTX_CREATE = 0x0200,
	VGPU_CMD_CTX_DESTROY,
	VGPU_CMD_CTX_ATTACH_RESOURCE,
	VGPU_CMD_CTX_DETACH_RESOURCE,
	VGPU_CMD_RESOURCE_CREATE_3D,
	VGPU_CMD_TRANSFER_TO_HOST_3D,
	VGPU_CMD_TRANSFER_FROM_HOST_3D,
	VGPU_CMD_SUBMIT_3D,
	VGPU_CMD_UPDATE_CURSOR = 0x0300,
	VGPU_CMD_MOVE_CURSOR,
	VGPU_RESP_OK_NODATA = 0x1100,
	VGPU_RESP_OK_DISPLAY_INFO,
	VGPU_RESP_OK_CAPSET_INFO,
	VGPU_RESP_OK_CAPSET,
	VGPU_RESP_OK_EDID,
	VGPU_RESP_ERR_UNSPEC = 0x1200,
	VGPU_RESP_ERR_OUT_OF_MEMORY,
	VGPU_RESP_ERR_INVALID_SCANOUT_ID,
	VGPU_RESP_ERR_INVALID_RESOURCE_ID,
	VGPU_RESP_ERR_INVALID_CONTEXT_ID,
	VGPU_RESP_ERR_INVALID_PARAMETER,
};

/* How long a command may take before the probe calls it lost. Long on
 * purpose: a 3D submit compiles shaders in the host's llvmpipe, which inside
 * the nested runner (QEMU TCG) on a busy host took over 5 s. A device that
 * never answers still fails, just later. */
#define VGPU_CMD_TIMEOUT_MS 60000
#define VGPU_FLAG_FENCE	  1
#define VGPU_MAX_SCANOUTS 16
#define VGPU_CURSOR_DIM	  64

enum {
	VGPU_FORMAT_B8G8R8A8 = 1,
	VGPU_FORMAT_B8G8R8X8 = 2,
	VGPU_FORMAT_A8R8G8B8 = 3,
	VGPU_FORMAT_X8R8G8B8 = 4,
	VGPU_FORMAT_R8G8B8A8 = 67,
	VGPU_FORMAT_X8B8G8R8 = 68,
	VGPU_FORMAT_A8B8G8R8 = 121,
	VGPU_FORMAT_R8G8B8X8 = 134,
};

struct vgpu_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint8_t padding[3];
};

struct vgpu_rect {
	uint32_t x, y, width, height;
};

struct vgpu_display_info {
	struct vgpu_hdr hdr;
	struct {
		struct vgpu_rect r;
		uint32_t enabled;
		uint32_t flags;
	} pmodes[VGPU_MAX_SCANOUTS];
};

struct vgpu_edid {
	struct vgpu_hdr hdr;
	uint32_t size;
	uint32_t padding;
	uint8_t edid[1024];
};

struct vgpu_mem_entry {
	uint64_t addr;
	uint32_t length;
	uint32_t padding;
};

/* 3D (VIRTIO_GPU_F_VIRGL) requests and replies. */
enum { VGPU_CAPSET_VIRGL = 1, VGPU_CAPSET_VIRGL2 = 2 };

struct vgpu_capset_info {
	struct vgpu_hdr hdr;
	uint32_t capset_id, max_version, max_size, padding;
};

struct vgpu_box {
	uint32_t x, y, z, w, h, d;
};

struct vgpu_create_3d {
	struct vgpu_hdr hdr;
	uint32_t id, target, format, bind;
	uint32_t width, height, depth, array_size;
	uint32_t last_level, nr_samples, flags, padding;
};

struct vgpu_transfer_3d {
	struct vgpu_hdr hdr;
	struct vgpu_box box;
	uint64_t offset;
	uint32_t id, level, stride, layer_stride;
};

struct vgpu_submit_3d {
	struct vgpu_hdr hdr;
	uint32_t size, padding;
};

struct vgpu_ctx_create {
	struct vgpu_hdr hdr;
	uint32_t nlen, context_init;
	char debug_name[64];
};

struct vgpu_ctx_resource {
	struct vgpu_hdr hdr;
	uint32_t id, padding;
};

struct vgpu {
	struct virtio_pci_dev v;
	struct virtq ctrl, cursor;
	void *req, *resp; /* one page each: commands are copied here */
	uint32_t num_scanouts;
	uint32_t num_capsets; /* read only by vgpu_open_3d */
	bool edid;
	bool virgl; /* VIRTIO_GPU_F_VIRGL negotiated */
};

/* 1 if there is no virtio-gpu, 0 ready, -1 with err. vgpu_open_3d also
 * negotiates VIRTIO_GPU_F_VIRGL when offered (g->virgl says whether it was)
 * and reads num_capsets. */
int vgpu_open(struct vgpu *g, char *err, size_t errlen);
int vgpu_open_3d(struct vgpu *g, char *err, size_t errlen);
/* The same, negotiating whichever of features the device offers (they
 * are in g->v.features afterwards). */
int vgpu_open_features(struct vgpu *g, uint64_t features, char *err, size_t errlen);
void vgpu_close(struct vgpu *g);

/* Send req (len bytes, at most a page) and wait for a response of up to
 * resp_len bytes into g->resp. Returns the response type; VGPU_NO_RESPONSE
 * if the device returned the buffers with less than a header written; 0 on
 * timeout (or a full queue). *got = bytes written. */
#define VGPU_NO_RESPONSE 0xffffffffu
uint32_t vgpu_cmd(struct vgpu *g, const void *req, size_t len, size_t resp_len, uint32_t *got);

/* Same, with the request split into two readable buffers (attach backing:
 * the header, then the entries, which may be large and live elsewhere). */
uint32_t vgpu_cmd2(struct vgpu *g, const void *req, size_t len, const void *tail, size_t tail_len,
		   size_t resp_len, uint32_t *got);

/* Commands in flight: the caller owns req (len bytes) and resp (resp_len
 * bytes, device-writable) until the chain comes back; vgpu_post makes the
 * chain [req, tail, resp] available and notifies, storing its head.
 * vgpu_reap takes the next used chain (any command) before the TSC
 * deadline. Do not mix with vgpu_cmd while posted commands are out. */
bool vgpu_post(struct vgpu *g, const void *req, size_t len, const void *tail, size_t tail_len,
	       void *resp, size_t resp_len, uint16_t *head);
bool vgpu_reap(struct vgpu *g, uint16_t *head, uint32_t *got, uint64_t deadline);

/* A cursor-queue command (no response). False on timeout. */
bool vgpu_cursor_cmd(struct vgpu *g, const void *req, size_t len);

/* Convenience wrappers returning the response type. */
uint32_t vgpu_display_info(struct vgpu *g); /* the answer in g->resp */
uint32_t vgpu_create_2d(struct vgpu *g, uint32_t id, uint32_t format, uint32_t w, uint32_t h);
uint32_t vgpu_attach(struct vgpu *g, uint32_t id, const struct vgpu_mem_entry *e, uint32_t n);
uint32_t vgpu_transfer(struct vgpu *g, uint32_t id, struct vgpu_rect r, uint64_t offset);
uint32_t vgpu_set_scanout(struct vgpu *g, uint32_t scanout, uint32_t id, struct vgpu_rect r);
uint32_t vgpu_flush(struct vgpu *g, uint32_t id, struct vgpu_rect r);
uint32_t vgpu_unref(struct vgpu *g, uint32_t id);

/* 3D wrappers (response type). A fence_id of 0 sends the command unfenced;
 * otherwise the response's header must echo it (checked by the caller in
 * g->resp). */
uint32_t vgpu_capset_info(struct vgpu *g, uint32_t index, struct vgpu_capset_info *out);
uint32_t vgpu_get_capset(struct vgpu *g, uint32_t id, uint32_t version, size_t resp_len,
			 uint32_t *got);
uint32_t vgpu_ctx_create(struct vgpu *g, uint32_t ctx, const char *name);
uint32_t vgpu_ctx_destroy(struct vgpu *g, uint32_t ctx);
uint32_t vgpu_ctx_resource(struct vgpu *g, uint32_t type, uint32_t ctx, uint32_t id);
uint32_t vgpu_create_3d(struct vgpu *g, const struct vgpu_create_3d *c);
uint32_t vgpu_transfer_3d(struct vgpu *g, uint32_t type, uint32_t ctx, uint32_t id,
			  struct vgpu_box box, uint32_t level, uint64_t offset, uint32_t stride,
			  uint64_t fence_id);
uint32_t vgpu_submit_3d(struct vgpu *g, uint32_t ctx, const void *stream, uint32_t bytes,
			uint64_t fence_id);

#endif
