#include "lib/virgl_enc.h"
#include "lib/string.h"

#define MAX_CMD_DWORDS 0xffffu /* the length field is 16 bits */

static uint32_t fbits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

void venc_init(struct virgl_enc *e, uint32_t *buf, uint32_t cap_dwords)
{
	*e = (struct virgl_enc){.buf = buf, .cap = cap_dwords};
}

/* Start a command of `len` payload dwords; NULL (and overflow) if it does
 * not fit. The caller fills the payload. */
static uint32_t *begin(struct virgl_enc *e, uint32_t cmd, uint32_t obj, uint32_t len)
{
	if (e->overflow || len > MAX_CMD_DWORDS || e->cap - e->len < len + 1) {
		e->overflow = true;
		return NULL;
	}
	uint32_t *p = &e->buf[e->len];
	p[0] = venc_header(cmd, obj, len);
	e->len += len + 1;
	return p + 1;
}

void venc_nop(struct virgl_enc *e)
{
	begin(e, VIRGL_CCMD_NOP, 0, 0);
}

void venc_create_surface(struct virgl_enc *e, uint32_t handle, uint32_t res, uint32_t format)
{
	uint32_t *p = begin(e, VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_SURFACE, 5);
	if (!p)
		return;
	p[0] = handle;
	p[1] = res;
	p[2] = format;
	p[3] = 0; /* level */
	p[4] = 0; /* first layer | last layer << 16 */
}

void venc_set_framebuffer(struct virgl_enc *e, uint32_t cbuf_surface, uint32_t zsurf)
{
	uint32_t *p = begin(e, VIRGL_CCMD_SET_FRAMEBUFFER_STATE, 0, 3);
	if (!p)
		return;
	p[0] = 1; /* nr_cbufs */
	p[1] = zsurf;
	p[2] = cbuf_surface;
}

void venc_set_viewport(struct virgl_enc *e, uint32_t w, uint32_t h)
{
	uint32_t *p = begin(e, VIRGL_CCMD_SET_VIEWPORT_STATE, 0, 7);
	if (!p)
		return;
	p[0] = 0; /* start slot */
	p[1] = fbits((float)w / 2);
	p[2] = fbits((float)h / 2);
	p[3] = fbits(0.5f);
	p[4] = fbits((float)w / 2);
	p[5] = fbits((float)h / 2);
	p[6] = fbits(0.5f);
}

void venc_clear_color(struct virgl_enc *e, const float rgba[4])
{
	uint32_t *p = begin(e, VIRGL_CCMD_CLEAR, 0, 8);
	if (!p)
		return;
	p[0] = VIRGL_CLEAR_COLOR0;
	for (int i = 0; i < 4; i++)
		p[1 + i] = fbits(rgba[i]);
	p[5] = 0; /* depth: a double, 0.0 */
	p[6] = 0;
	p[7] = 0; /* stencil */
}

void venc_create_blend_opaque(struct virgl_enc *e, uint32_t handle)
{
	uint32_t *p = begin(e, VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_BLEND, 11);
	if (!p)
		return;
	memset(p, 0, 11 * 4);
	p[0] = handle;
	/* p[1] S0 (independent blend, logic op, dither...) and p[2] S1 (logic
	 * op func) stay 0; render target 0: blending off, colormask RGBA. */
	p[3] = 0xfu << 27;
}

void venc_create_dsa_off(struct virgl_enc *e, uint32_t handle)
{
	uint32_t *p = begin(e, VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_DSA, 5);
	if (!p)
		return;
	memset(p, 0, 5 * 4);
	p[0] = handle; /* S0/S1/S2 zero: depth, stencil and alpha tests off */
}

void venc_create_rasterizer_fill(struct virgl_enc *e, uint32_t handle)
{
	uint32_t *p = begin(e, VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_RASTERIZER, 9);
	if (!p)
		return;
	memset(p, 0, 9 * 4);
	p[0] = handle;
	/* S0: depth_clip (bit 1), front_ccw (15), half_pixel_center (29); cull
	 * face none and fill modes FILL are 0. */
	p[1] = 1u << 1 | 1u << 15 | 1u << 29;
	p[2] = fbits(1.0f); /* point size */
	p[5] = fbits(1.0f); /* line width */
}

void venc_bind_object(struct virgl_enc *e, uint32_t type, uint32_t handle)
{
	uint32_t *p = begin(e, VIRGL_CCMD_BIND_OBJECT, type, 1);
	if (p)
		p[0] = handle;
}

void venc_destroy_object(struct virgl_enc *e, uint32_t handle)
{
	uint32_t *p = begin(e, VIRGL_CCMD_DESTROY_OBJECT, 0, 1);
	if (p)
		p[0] = handle;
}

void venc_create_shader(struct virgl_enc *e, uint32_t handle, uint32_t type, const char *tgsi)
{
	uint32_t text = (uint32_t)strlen(tgsi) + 1, text_dw = (text + 3) / 4;
	uint32_t *p = begin(e, VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_SHADER, 5 + text_dw);
	if (!p)
		return;
	p[0] = handle;
	p[1] = type;
	p[2] = text;	    /* offset field of the first chunk: the whole length */
	p[3] = 64 + text; /* token budget for the text translator: generous */
	p[4] = 0;	    /* no stream-output */
	p[5 + text_dw - 1] = 0;
	memcpy(&p[5], tgsi, text);
}

void venc_bind_shader(struct virgl_enc *e, uint32_t handle, uint32_t type)
{
	uint32_t *p = begin(e, VIRGL_CCMD_BIND_SHADER, 0, 2);
	if (!p)
		return;
	p[0] = handle;
	p[1] = type;
}

void venc_create_vertex_elements(struct virgl_enc *e, uint32_t handle, unsigned n,
				 const struct virgl_vertex_element *ve)
{
	uint32_t *p = begin(e, VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_VERTEX_ELEMENTS, 1 + 4 * n);
	if (!p)
		return;
	p[0] = handle;
	for (unsigned i = 0; i < n; i++) {
		p[1 + 4 * i] = ve[i].src_offset;
		p[2 + 4 * i] = ve[i].instance_divisor;
		p[3 + 4 * i] = ve[i].vb_index;
		p[4 + 4 * i] = ve[i].format;
	}
}

void venc_set_vertex_buffers(struct virgl_enc *e, unsigned n, const struct virgl_vertex_buffer *vb)
{
	uint32_t *p = begin(e, VIRGL_CCMD_SET_VERTEX_BUFFERS, 0, 3 * n);
	if (!p)
		return;
	for (unsigned i = 0; i < n; i++) {
		p[3 * i] = vb[i].stride;
		p[3 * i + 1] = vb[i].offset;
		p[3 * i + 2] = vb[i].res;
	}
}

void venc_inline_write_buffer(struct virgl_enc *e, uint32_t res, uint32_t x, const void *data,
			      uint32_t bytes)
{
	uint32_t *p = begin(e, VIRGL_CCMD_RESOURCE_INLINE_WRITE, 0, 11 + bytes / 4);
	if (!p)
		return;
	p[0] = res;
	p[1] = 0; /* level */
	p[2] = 0; /* usage */
	p[3] = 0; /* stride */
	p[4] = 0; /* layer stride */
	p[5] = x; /* box x, y, z, w, h, d */
	p[6] = 0;
	p[7] = 0;
	p[8] = bytes;
	p[9] = 1;
	p[10] = 1;
	memcpy(&p[11], data, bytes / 4 * 4);
}

void venc_draw_arrays(struct virgl_enc *e, uint32_t mode, uint32_t start, uint32_t count)
{
	uint32_t *p = begin(e, VIRGL_CCMD_DRAW_VBO, 0, 12);
	if (!p)
		return;
	memset(p, 0, 12 * 4);
	p[0] = start;
	p[1] = count;
	p[2] = mode;
	p[3] = 0;	  /* indexed */
	p[4] = 1;	  /* instance count */
	p[9] = 0;	  /* min index */
	p[10] = count - 1; /* max index */
	/* p[11]: count from stream output: none */
}
