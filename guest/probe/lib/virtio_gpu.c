#include "lib/virtio_gpu.h"
#include "lib/alloc.h"
#include "lib/fmt.h"
#include "lib/pci_setup.h"
#include "lib/string.h"
#include "lib/time.h"

#define GPU_CFG_NUM_SCANOUTS 8
#define CMD_TIMEOUT_MS	     5000
#define PAGE		     4096

_Static_assert(sizeof(struct vgpu_hdr) == 24, "ctrl header is 24 bytes");
_Static_assert(sizeof(struct vgpu_display_info) == 408, "display info response");
_Static_assert(sizeof(struct vgpu_edid) == 1056, "EDID response");
_Static_assert(sizeof(struct vgpu_mem_entry) == 16, "mem entry");

int vgpu_open(struct vgpu *g, char *err, size_t errlen)
{
	const struct pci_access *pci = pci_access_default();
	uint8_t dev, fn;

	*g = (struct vgpu){0};
	if (!pci || !virtio_pci_find(pci, VIRTIO_ID_GPU, &dev, &fn))
		return 1;
	if (virtio_pci_open(&g->v, pci, dev, fn, err, errlen) ||
	    virtio_pci_init(&g->v, VIRTIO_GPU_F_EDID, err, errlen) ||
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
	g->num_scanouts = virtio_pci_cfg32(&g->v, GPU_CFG_NUM_SCANOUTS);
	virtio_pci_driver_ok(&g->v);
	return 0;
}

void vgpu_close(struct vgpu *g)
{
	virtio_pci_reset(&g->v);
}

uint32_t vgpu_cmd2(struct vgpu *g, const void *req, size_t len, const void *tail, size_t tail_len,
		   size_t resp_len, uint32_t *got)
{
	struct virtq_buf bufs[3];
	unsigned n = 0;
	uint16_t head, done;

	*got = 0;
	if (len > PAGE || resp_len > PAGE)
		return 0;
	memcpy(g->req, req, len);
	memset(g->resp, 0, resp_len);
	bufs[n++] = (struct virtq_buf){g->req, (uint32_t)len, false};
	if (tail && tail_len)
		bufs[n++] = (struct virtq_buf){(void *)tail, (uint32_t)tail_len, false};
	bufs[n++] = (struct virtq_buf){g->resp, (uint32_t)resp_len, true};
	if (!virtq_add(&g->ctrl, bufs, n, &head))
		return 0;
	virtq_notify(&g->ctrl);
	if (!virtq_wait_used(&g->ctrl, &done, got, deadline_ms(CMD_TIMEOUT_MS)) || done != head)
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
	return virtq_wait_used(&g->cursor, &done, &got, deadline_ms(CMD_TIMEOUT_MS)) &&
	       done == head;
}

static uint32_t nodata(struct vgpu *g, const void *req, size_t len)
{
	uint32_t got;

	return vgpu_cmd(g, req, len, sizeof(struct vgpu_hdr), &got);
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
