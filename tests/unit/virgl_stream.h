/* A tiny virgl command-stream encoder for tests: just what a clear needs.
 * Facts from virglrenderer's src/virgl_protocol.h: a command is a header
 * dword (cmd | object type << 8 | payload dwords << 16) and its payload;
 * CREATE_OBJECT's payload starts with the new object's handle. */
#ifndef TESTS_VIRGL_STREAM_H
#define TESTS_VIRGL_STREAM_H

#include <stdint.h>
#include <string.h>

enum {
	VS_CCMD_CREATE_OBJECT = 1,
	VS_CCMD_SET_FRAMEBUFFER_STATE = 5,
	VS_CCMD_CLEAR = 7,
	VS_OBJECT_SURFACE = 8,
	VS_PIPE_CLEAR_COLOR0 = 1u << 2, /* Gallium's PIPE_CLEAR_COLOR0 */
};

struct vstream {
	uint32_t d[256];
	unsigned n;
};

static inline void vs_hdr(struct vstream *s, uint32_t cmd, uint32_t obj, uint32_t len)
{
	s->d[s->n++] = cmd | obj << 8 | len << 16;
}

/* A surface over level 0, layer 0 of a texture resource. */
static inline void vs_create_surface(struct vstream *s, uint32_t handle, uint32_t res,
				     uint32_t format)
{
	vs_hdr(s, VS_CCMD_CREATE_OBJECT, VS_OBJECT_SURFACE, 5);
	s->d[s->n++] = handle;
	s->d[s->n++] = res;
	s->d[s->n++] = format;
	s->d[s->n++] = 0; /* level */
	s->d[s->n++] = 0; /* first layer | last layer << 16 */
}

static inline void vs_set_framebuffer(struct vstream *s, uint32_t cbuf)
{
	vs_hdr(s, VS_CCMD_SET_FRAMEBUFFER_STATE, 0, 3);
	s->d[s->n++] = 1; /* nr_cbufs */
	s->d[s->n++] = 0; /* no depth surface */
	s->d[s->n++] = cbuf;
}

static inline void vs_clear_color(struct vstream *s, float r, float g, float b, float a)
{
	const float c[4] = {r, g, b, a};
	const double depth = 0.0;

	vs_hdr(s, VS_CCMD_CLEAR, 0, 8);
	s->d[s->n++] = VS_PIPE_CLEAR_COLOR0;
	memcpy(&s->d[s->n], c, sizeof(c));
	s->n += 4;
	memcpy(&s->d[s->n], &depth, sizeof(depth));
	s->n += 2;
	s->d[s->n++] = 0; /* stencil */
}

#endif
