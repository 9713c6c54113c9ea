/* Helpers for the GPU unit tests: wire-format request builders and a fake
 * display that records what it was asked to do. */
#ifndef TESTS_GPU_UTIL_H
#define TESTS_GPU_UTIL_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "display/display.h"
#include "gpu/decode.h"
#include "gpu/gpu_priv.h"
#include "gpu/protocol.h"

static inline void w32(uint8_t *p, size_t off, uint32_t v)
{
	v = htole32(v);
	memcpy(p + off, &v, 4);
}

static inline void w64(uint8_t *p, size_t off, uint64_t v)
{
	v = htole64(v);
	memcpy(p + off, &v, 8);
}

static inline uint32_t r32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return le32toh(v);
}

static inline uint64_t r64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return le64toh(v);
}

/* Request builders: each writes into buf and returns the length. */
static inline size_t req_hdr(uint8_t *b, uint32_t type, uint32_t flags, uint64_t fence)
{
	memset(b, 0, 24);
	w32(b, 0, type);
	w32(b, 4, flags);
	w64(b, 8, fence);
	return 24;
}

static inline size_t req_create_2d(uint8_t *b, uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
	req_hdr(b, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0, 0);
	w32(b, 24, id);
	w32(b, 28, fmt);
	w32(b, 32, w);
	w32(b, 36, h);
	return 40;
}

static inline size_t req_res(uint8_t *b, uint32_t type, uint32_t id)
{
	req_hdr(b, type, 0, 0);
	w32(b, 24, id);
	w32(b, 28, 0);
	return 32;
}

static inline void put_rect(uint8_t *b, size_t off, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	w32(b, off, x);
	w32(b, off + 4, y);
	w32(b, off + 8, w);
	w32(b, off + 12, h);
}

static inline size_t req_set_scanout(uint8_t *b, uint32_t sid, uint32_t id, uint32_t x, uint32_t y,
				     uint32_t w, uint32_t h)
{
	req_hdr(b, VIRTIO_GPU_CMD_SET_SCANOUT, 0, 0);
	put_rect(b, 24, x, y, w, h);
	w32(b, 40, sid);
	w32(b, 44, id);
	return 48;
}

static inline size_t req_flush(uint8_t *b, uint32_t id, uint32_t x, uint32_t y, uint32_t w,
			       uint32_t h)
{
	req_hdr(b, VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0, 0);
	put_rect(b, 24, x, y, w, h);
	w32(b, 40, id);
	w32(b, 44, 0);
	return 48;
}

static inline size_t req_transfer(uint8_t *b, uint32_t id, uint32_t x, uint32_t y, uint32_t w,
				  uint32_t h, uint64_t offset)
{
	req_hdr(b, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0, 0);
	put_rect(b, 24, x, y, w, h);
	w64(b, 40, offset);
	w32(b, 48, id);
	w32(b, 52, 0);
	return 56;
}

/* entries: n (addr, len) pairs. */
static inline size_t req_attach(uint8_t *b, uint32_t id, const struct gpu_mem_entry *e, uint32_t n)
{
	req_hdr(b, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0);
	w32(b, 24, id);
	w32(b, 28, n);
	for (uint32_t i = 0; i < n; i++) {
		w64(b, 32 + 16 * i, e[i].addr);
		w32(b, 40 + 16 * i, e[i].len);
		w32(b, 44 + 16 * i, 0);
	}
	return 32 + 16 * (size_t)n;
}

static inline size_t req_cursor(uint8_t *b, uint32_t type, uint32_t sid, uint32_t x, uint32_t y,
				uint32_t id, uint32_t hx, uint32_t hy)
{
	req_hdr(b, type, 0, 0);
	w32(b, 24, sid);
	w32(b, 28, x);
	w32(b, 32, y);
	w32(b, 36, 0);
	w32(b, 40, id);
	w32(b, 44, hx);
	w32(b, 48, hy);
	w32(b, 52, 0);
	return 56;
}

/* Decode the n request bytes at req and dispatch them on g (no queue
 * attached): the internal error, the reply discarded. */
static inline enum gpu_err gpu_run_request(struct gpu *g, const uint8_t *req, size_t n)
{
	static uint8_t out[GPU_MAX_REPLY_BYTES];
	struct gpu_reply reply = {.buf = out, .cap = sizeof(out)};
	struct gpu_cmd c;
	enum gpu_err err = gpu_decode(req, n, &c);

	return err ? err : gpu_dispatch(g, &c, &reply);
}

/* A display that records calls. */
#define FAKE_LOG 64
struct fake_display {
	struct display d;
	struct display_frame frame[DISPLAY_MAX_OUTPUTS];
	struct display_rect damage[DISPLAY_MAX_OUTPUTS];
	int presents[DISPLAY_MAX_OUTPUTS], disables[DISPLAY_MAX_OUTPUTS];
	uint32_t cursor[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
	int cursor_set, cursor_hidden, hot_x, hot_y, cur_x, cur_y, moves;
	char log[FAKE_LOG]; /* one letter a call: P present, D disable, C set, M move */
	unsigned nlog;
};

static inline void fake_note(struct fake_display *f, char c)
{
	if (f->nlog < FAKE_LOG - 1)
		f->log[f->nlog++] = c;
}

static inline void fake_present(struct display *d, unsigned o, const struct display_frame *fr,
				const struct display_rect *dmg)
{
	struct fake_display *f = (struct fake_display *)d;

	f->frame[o] = *fr;
	f->damage[o] = *dmg;
	f->presents[o]++;
	fake_note(f, 'P');
}

static inline void fake_disable(struct display *d, unsigned o)
{
	struct fake_display *f = (struct fake_display *)d;

	f->disables[o]++;
	fake_note(f, 'D');
}

static inline void fake_set_cursor(struct display *d, unsigned o, const uint32_t *argb, int hx,
				   int hy)
{
	struct fake_display *f = (struct fake_display *)d;

	if (argb) {
		memcpy(f->cursor, argb, sizeof(f->cursor));
		f->cursor_set++;
	} else {
		f->cursor_hidden++;
	}
	f->hot_x = hx;
	f->hot_y = hy;
	fake_note(f, 'C');
}

static inline void fake_move_cursor(struct display *d, unsigned o, int x, int y)
{
	struct fake_display *f = (struct fake_display *)d;

	f->cur_x = x;
	f->cur_y = y;
	f->moves++;
	fake_note(f, 'M');
}

static inline int fake_get_fd(struct display *d)
{
	return -1;
}

static inline void fake_nop(struct display *d)
{
}

static inline int fake_dispatch(struct display *d)
{
	return 0;
}

/* Both fakes record the same calls; they differ only in laziness. */
#define FAKE_DISPLAY_CALLS                                                                   \
	.present = fake_present, .disable = fake_disable, .set_cursor = fake_set_cursor,     \
	.move_cursor = fake_move_cursor, .get_fd = fake_get_fd, .dispatch = fake_dispatch,   \
	.destroy = fake_nop

static const struct display_ops fake_display_ops = {.name = "fake", FAKE_DISPLAY_CALLS};

/* The same, lazy like headless: the GPU makes pixels current only before
 * a read (gpu_scanouts_sync), not at present. */
static const struct display_ops fake_lazy_display_ops = {
    .name = "fake-lazy", .lazy_present = true, FAKE_DISPLAY_CALLS};

static inline void fake_display_init(struct fake_display *f, unsigned outputs)
{
	memset(f, 0, sizeof(*f));
	f->d.ops = &fake_display_ops;
	f->d.nr_outputs = outputs;
	f->d.width = 1280;
	f->d.height = 800;
}

#endif
