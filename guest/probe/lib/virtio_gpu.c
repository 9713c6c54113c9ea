#include "lib/virtio_gpu.h"
#include "lib/alloc.h"
#include "lib/fmt.h"
#include "lib/pci_setup.h"
#include "lib/string.h"
#include "lib/time.h"

#define GPU_CFG_NUM_SCANOUTS 8
#define PAGE		     4096

_Static_assert(sizeof(struct vgpu_hdr) == 24, "ctrl header is 24 bytes");
_Static_assert(sizeof(struct vgpu_display_info) == 408, "display info response");
_Static_assert(sizeof(struct vgpu_edid) == 1056, "EDID response");
_Static_assert(sizeof(struct vgpu_mem_entry) == 16, "mem entry");
_Static_assert(sizeof(struct vgpu_capset_info) == 40, "capset info response");
_Static_assert(sizeof(struct vgpu_create_3d) == 72, "resource create 3d");
_Static_assert(sizeof(struct vgpu_transfer_3d) == 72, "transfer 3d");
_Static_assert(sizeof(struct vgpu_submit_3d) == 32, "submit 3d");
_Static_assert(sizeof(struct vgpu_ctx_create) == 96, "ctx create");
_Static_assert(sizeof(struct vgpu_ctx_resource) == 32, "ctx attach/detach");

#define GPU_CFG_NUM_CAPSETS 12

static int open_features(struct vgpu *g, uint64_t features, char *err, size_t errlen)
{
	const struct pci_access *pci = pci_access_default();
	uint8_t dev, fn;

	*g = (struct vgpu){0};
	if (!pci || !virtio_pci_find(pci, VIRTIO_ID_GPU, &dev, &fn))
		return 1;
	if (virtio_pci_open(&g->v, pci, dev, fn, err, errlen) ||
	    virtio_pci_init(&g->v, features, err, errlen) ||
	    virtq_setup(&g->v, &g->ctrl, 0, 64, VPCI_NO_VECTOR, err, errlen) ||
	    virtq_setup(&g->v, &g->cursor, 1, 16, VPCI_NO_VECTOR, err, errlen))
		return -1;
	g->req = page_alloc(PAGE);
	g->resp = page_alloc(PAGE);
	if (!g->req || !g->resp) {
		fmt_snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->edid = (g->v.features & VIRTIO_GPU_F_EDID) != 0;
	g->virgl = (g->v.features & VIRTIO_GPU_F_VIRGL) != 0;
	g->num_scanouts = virtio_pci_cfg32(&g->v, GPU_CFG_NUM_SCANOUTS);
	if (g->virgl)
		g->num_capsets = virtio_pci_cfg32(&g->v, GPU_CFG_NUM_CAPSETS);
	virtio_pci_driver_ok(&g->v);
	return 0;
}

int vgpu_open(struct vgpu *g, char *err, size_t errlen)
{
	return open_features(g, VIRTIO_GPU_F_EDID, err, errlen);
}

int vgpu_open_features(struct vgpu *g, uint64_t features, char *err, size_t errlen)
{
	return open_features(g, features, err, errlen);
}

int vgpu_open_3d(struct vgpu *g, char *err, size_t errlen)
{
	return open_features(g, VIRTIO_GPU_F_EDID | VIRTIO_GPU_F_VIRGL, err, errlen);
}

void vgpu_close(struct vgpu *g)
{
	virtio_pci_reset(&g->v);
}

bool vgpu_post(struct vgpu *g, const void *req, size_t len, const void *tail, size_t tail_len,
	       void *resp, size_t resp_len, uint16_t *head)
{
	struct virtq_buf bufs[3];
	unsigned n = 0;

	memset(resp, 0, resp_len);
	bufs[n++] = (struct virtq_buf){(void *)req, (uint32_t)len, false};
	if (tail && tail_len)
		bufs[n++] = (struct virtq_buf){(void *)tail, (uint32_t)tail_len, false};
	bufs[n++] = (struct virtq_buf){resp, (uint32_t)resp_len, true};
	if (!virtq_add(&g->ctrl, bufs, n, head))
		return false;
	virtq_notify(&g->ctrl);
	return true;
}

bool vgpu_reap(struct vgpu *g, uint16_t *head, uint32_t *got, uint64_t deadline)
{
	return virtq_wait_used(&g->ctrl, head, got, deadline);
}

uint32_t vgpu_cmd2(struct vgpu *g, const void *req, size_t len, const void *tail, size_t tail_len,
		   size_t resp_len, uint32_t *got)
{
	uint16_t head, done;

	*got = 0;
	if (len > PAGE || resp_len > PAGE)
		return 0;
	memcpy(g->req, req, len);
	if (!vgpu_post(g, g->req, len, tail, tail_len, g->resp, resp_len, &head))
		return 0;
	if (!vgpu_reap(g, &done, got, deadline_ms(VGPU_CMD_TIMEOUT_MS)) || done != head)
		return 0;
	if (*got < sizeof(struct vgpu_hdr))
		return VGPU_NO_RESPONSE;
	return ((const struct vgpu_hdr *)g->resp)->type;
}

uint32_t vgpu_cmd(struct vgpu *g, const void *req, size_t len, size_t resp_len, uint32_t *got)
{
	return vgpu_cmd2(g, req, len, NULL, 0, resp_len, got);
}

bool vgpu_cursor_cmd(struct vgpu *g, const void *req, size_t len)
{
	static uint8_t buf[64] __attribute__((aligned(64)));
	struct virtq_buf b = {buf, (uint32_t)len, false};
	uint16_t head, done;
	uint32_t got;

	if (len > sizeof(buf))
		return false;
	memcpy(buf, req, len);
	if (!virtq_add(&g->cursor, &b, 1, &head))
		return false;
	virtq_notify(&g->cursor);
	return virtq_wait_used(&g->cursor, &done, &got, deadline_ms(VGPU_CMD_TIMEOUT_MS)) &&
	       done == head;
}

static uint32_t nodata(struct vgpu *g, const void *req, size_t len)
{
	uint32_t got;

	return vgpu_cmd(g, req, len, sizeof(struct vgpu_hdr), &got);
}

uint32_t vgpu_display_info(struct vgpu *g)
{
	struct vgpu_hdr q = {.type = VGPU_CMD_GET_DISPLAY_INFO};
	uint32_t got;
	return vgpu_cmd(g, &q, sizeof(q), sizeof(struct vgpu_display_info), &got);
}

uint32_t vgpu_create_2d(struct vgpu *g, uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t id, format, width, height;
	} c = {{.type = VGPU_CMD_RESOURCE_CREATE_2D}, id, format, w, h};
	return nodata(g, &c, sizeof(c));
}

uint32_t vgpu_attach(struct vgpu *g, uint32_t id, const struct vgpu_mem_entry *e, uint32_t n)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t id, nr_entries;
	} c = {{.type = VGPU_CMD_RESOURCE_ATTACH_BACKING}, id, n};
	uint32_t got;
	return vgpu_cmd2(g, &c, sizeof(c), e, (size_t)n * sizeof(*e), sizeof(struct vgpu_hdr),
			 &got);
}

uint32_t vgpu_transfer(struct vgpu *g, uint32_t id, struct vgpu_rect r, uint64_t offset)
{
	struct {
		struct vgpu_hdr hdr;
		struct vgpu_rect r;
		uint64_t offset;
		uint32_t id, padding;
	} c = {{.type = VGPU_CMD_TRANSFER_TO_HOST_2D}, r, offset, id, 0};
	return nodata(g, &c, sizeof(c));
}

uint32_t vgpu_set_scanout(struct vgpu *g, uint32_t scanout, uint32_t id, struct vgpu_rect r)
{
	struct {
		struct vgpu_hdr hdr;
		struct vgpu_rect r;
		uint32_t scanout, id;
	} c = {{.type = VGPU_CMD_SET_SCANOUT}, r, scanout, id};
	return nodata(g, &c, sizeof(c));
}

uint32_t vgpu_flush(struct vgpu *g, uint32_t id, struct vgpu_rect r)
{
	struct {
		struct vgpu_hdr hdr;
		struct vgpu_rect r;
		uint32_t id, padding;
	} c = {{.type = VGPU_CMD_RESOURCE_FLUSH}, r, id, 0};
	return nodata(g, &c, sizeof(c));
}

uint32_t vgpu_unref(struct vgpu *g, uint32_t id)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t id, padding;
	} c = {{.type = VGPU_CMD_RESOURCE_UNREF}, id, 0};
	return nodata(g, &c, sizeof(c));
}

uint32_t vgpu_capset_info(struct vgpu *g, uint32_t index, struct vgpu_capset_info *out)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t index, padding;
	} c = {{.type = VGPU_CMD_GET_CAPSET_INFO}, index, 0};
	uint32_t got;
	uint32_t r = vgpu_cmd(g, &c, sizeof(c), sizeof(*out), &got);
	memcpy(out, g->resp, sizeof(*out));
	return r;
}

uint32_t vgpu_get_capset(struct vgpu *g, uint32_t id, uint32_t version, size_t resp_len,
			 uint32_t *got)
{
	struct {
		struct vgpu_hdr hdr;
		uint32_t id, version;
	} c = {{.type = VGPU_CMD_GET_CAPSET}, id, version};
	return vgpu_cmd(g, &c, sizeof(c), resp_len, got);
}

uint32_t vgpu_ctx_create(struct vgpu *g, uint32_t ctx, const char *name)
{
	struct vgpu_ctx_create c = {{.type = VGPU_CMD_CTX_CREATE, .ctx_id = ctx}, 0, 0, {0}};
	c.nlen = (uint32_t)strlcpy(c.debug_name, name, sizeof(c.debug_name));
	if (c.nlen >= sizeof(c.debug_name))
		c.nlen = sizeof(c.debug_name) - 1;
	return nodata(g, &c, sizeof(c));
}

uint32_t vgpu_ctx_destroy(struct vgpu *g, uint32_t ctx)
{
	struct vgpu_hdr h = {.type = VGPU_CMD_CTX_DESTROY, .ctx_id = ctx};
	return nodata(g, &h, sizeof(h));
}

uint32_t vgpu_ctx_resource(struct vgpu *g, uint32_t type, uint32_t ctx, uint32_t id)
{
	struct vgpu_ctx_resource c = {{.type = type, .ctx_id = ctx}, id, 0};
	return nodata(g, &c, sizeof(c));
}

uint32_t vgpu_create_3d(struct vgpu *g, const struct vgpu_create_3d *c)
{
	struct vgpu_create_3d r = *c;
	r.hdr.type = VGPU_CMD_RESOURCE_CREATE_3D;
	return nodata(g, &r, sizeof(r));
}

static void fence(struct vgpu_hdr *h, uint64_t fence_id)
{
	if (fence_id) {
		h->flags |= VGPU_FLAG_FENCE;
		h->fence_id = fence_id;
	}
}

uint32_t vgpu_transfer_3d(struct vgpu *g, uint32_t type, uint32_t ctx, uint32_t id,
			  struct vgpu_box box, uint32_t level, uint64_t offset, uint32_t stride,
			  uint64_t fence_id)
{
	struct vgpu_transfer_3d t = {{.type = type, .ctx_id = ctx}, box, offset, id, level, stride, 0};
	fence(&t.hdr, fence_id);
	return nodata(g, &t, sizeof(t));
}

uint32_t vgpu_submit_3d(struct vgpu *g, uint32_t ctx, const void *stream, uint32_t bytes,
			uint64_t fence_id)
{
	struct vgpu_submit_3d s = {{.type = VGPU_CMD_SUBMIT_3D, .ctx_id = ctx}, bytes, 0};
	uint32_t got;
	fence(&s.hdr, fence_id);
	return vgpu_cmd2(g, &s, sizeof(s), stream, bytes, sizeof(struct vgpu_hdr), &got);
}
