/* A small virgl command-stream encoder (the SUBMIT_3D payload that
 * virglrenderer's vrend decodes), written from the protocol's layout:
 * every command is a header dword (command | object type << 8 | length
 * in dwords << 16) followed by `length` dwords. Enough for a clear and one
 * flat-coloured triangle: surfaces, framebuffer and viewport state, blend /
 * depth-stencil-alpha / rasterizer objects, TGSI text shaders, vertex
 * elements, vertex buffers, inline writes and draw_vbo.
 *
 * The encoder writes into a caller's dword buffer; running out of room sets
 * `overflow` (and stops writing) instead of failing each call. */
#ifndef PROBE_LIB_VIRGL_ENC_H
#define PROBE_LIB_VIRGL_ENC_H

#include <stdbool.h>
#include <stdint.h>

/* Commands (virgl_context_cmd) and objects (virgl_object_type). */
enum {
	VIRGL_CCMD_NOP = 0,
	VIRGL_CCMD_CREATE_OBJECT = 1,
	VIRGL_CCMD_BIND_OBJECT = 2,
	VIRGL_CCMD_DESTROY_OBJECT = 3,
	VIRGL_CCMD_SET_VIEWPORT_STATE = 4,
	VIRGL_CCMD_SET_FRAMEBUFFER_STATE = 5,
	VIRGL_CCMD_SET_VERTEX_BUFFERS = 6,
	VIRGL_CCMD_CLEAR = 7,
	VIRGL_CCMD_DRAW_VBO = 8,
	VIRGL_CCMD_RESOURCE_INLINE_WRITE = 9,
	VIRGL_CCMD_BIND_SHADER = 31,
};

enum {
	VIRGL_OBJECT_BLEND = 1,
	VIRGL_OBJECT_RASTERIZER = 2,
	VIRGL_OBJECT_DSA = 3,
	VIRGL_OBJECT_SHADER = 4,
	VIRGL_OBJECT_VERTEX_ELEMENTS = 5,
	VIRGL_OBJECT_SURFACE = 8,
};

/* Gallium values the stream carries. */
#define VIRGL_SHADER_VERTEX   0
#define VIRGL_SHADER_FRAGMENT 1
#define VIRGL_PRIM_TRIANGLES  4
#define VIRGL_CLEAR_COLOR0    (1u << 2)
#define VIRGL_TARGET_BUFFER   0
#define VIRGL_TARGET_2D	      2

/* virgl_formats (a few). */
#define VIRGL_FORMAT_B8G8R8A8_UNORM	1
#define VIRGL_FORMAT_B8G8R8X8_UNORM	2
#define VIRGL_FORMAT_R32G32B32A32_FLOAT 31
#define VIRGL_FORMAT_R8_UNORM		64
#define VIRGL_FORMAT_R8G8B8A8_UNORM	67

/* Bind flags for RESOURCE_CREATE_3D. */
#define VIRGL_BIND_RENDER_TARGET (1u << 1)
#define VIRGL_BIND_SAMPLER_VIEW	 (1u << 3)
#define VIRGL_BIND_VERTEX_BUFFER (1u << 4)
#define VIRGL_BIND_SCANOUT	 (1u << 18)

struct virgl_enc {
	uint32_t *buf;
	uint32_t len, cap; /* dwords */
	bool overflow;
};

struct virgl_vertex_element {
	uint32_t src_offset, instance_divisor, vb_index, format;
};

struct virgl_vertex_buffer {
	uint32_t stride, offset, res;
};

void venc_init(struct virgl_enc *e, uint32_t *buf, uint32_t cap_dwords);
static inline uint32_t venc_bytes(const struct virgl_enc *e)
{
	return e->len * 4;
}

void venc_nop(struct virgl_enc *e);
/* A surface over level 0, layer 0 of a texture resource. */
void venc_create_surface(struct virgl_enc *e, uint32_t handle, uint32_t res, uint32_t format);
void venc_set_framebuffer(struct virgl_enc *e, uint32_t cbuf_surface, uint32_t zsurf);
/* Viewport 0 covering w x h window pixels (depth range 0..1). */
void venc_set_viewport(struct virgl_enc *e, uint32_t w, uint32_t h);
/* Clear colour buffer 0 to rgba (floats). */
void venc_clear_color(struct virgl_enc *e, const float rgba[4]);
/* Blending off, all channels written. */
void venc_create_blend_opaque(struct virgl_enc *e, uint32_t handle);
/* No depth, stencil or alpha test. */
void venc_create_dsa_off(struct virgl_enc *e, uint32_t handle);
/* Filled triangles, no culling, GL pixel centres, depth clip on. */
void venc_create_rasterizer_fill(struct virgl_enc *e, uint32_t handle);
void venc_bind_object(struct virgl_enc *e, uint32_t type, uint32_t handle);
void venc_destroy_object(struct virgl_enc *e, uint32_t handle);
/* A shader from TGSI text (NUL included in the stream, padded to dwords);
 * one command, so the text must fit in ~256 KiB. */
void venc_create_shader(struct virgl_enc *e, uint32_t handle, uint32_t type, const char *tgsi);
void venc_bind_shader(struct virgl_enc *e, uint32_t handle, uint32_t type);
void venc_create_vertex_elements(struct virgl_enc *e, uint32_t handle, unsigned n,
				 const struct virgl_vertex_element *ve);
void venc_set_vertex_buffers(struct virgl_enc *e, unsigned n, const struct virgl_vertex_buffer *vb);
/* Write `bytes` (a multiple of 4) at x..x+bytes of a buffer resource. */
void venc_inline_write_buffer(struct virgl_enc *e, uint32_t res, uint32_t x, const void *data,
			      uint32_t bytes);
void venc_draw_arrays(struct virgl_enc *e, uint32_t mode, uint32_t start, uint32_t count);

/* Raw access for hostile streams: one header dword. */
static inline uint32_t venc_header(uint32_t cmd, uint32_t obj, uint32_t len)
{
	return cmd | obj << 8 | len << 16;
}

#endif
