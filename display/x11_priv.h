/* The X11 display's private parts: one window per output on an xcb
 * connection, drawn through MIT-SHM when the server shares memory with us
 * and through core PutImage otherwise.
 *
 * SHM path: two shared segments per output (NBUF x w x h x 4 bytes). A
 * buffer is written only while no ShmPutImage of it is pending: every put
 * of a buffer asks for a ShmCompletion event and the buffer stays busy
 * until the last one arrives (or, at disable with a frame still waiting,
 * until a round trip proves every put done). As on Wayland, each buffer keeps the region
 * it still lacks of the frame, so a freed buffer catches up with exactly
 * what changed since it was last drawn.
 * PutImage path (no MIT-SHM, remote X, BadAccess on attach, or forced with
 * LKVM_X11_NO_SHM=1): one private copy of the picture per output (w x h x
 * 4 bytes), sent in full-width bands of rows that each fit the server's
 * maximum request length.
 * The picture kept either way also repaints Expose.
 *
 * Every op runs on the GPU worker (open runs before it starts); the mutex
 * only guards what a screenshot reads.
 *
 * The files, one idea each:
 *   x11.c            connection, extensions, dispatch, X errors, ops, teardown
 *   x11_window.c     an output's window: title, WM_DELETE_WINDOW, Expose,
 *                    ConfigureNotify -> resize
 *   x11_shm.c        MIT-SHM buffers and their completion events
 *   x11_putimage.c   the PutImage fallback in bands
 *   x11_present.c    present/disable/frame_bytes over either path
 *   x11_input.c      keymap check, keys, pointer, buttons, wheel, focus
 *   x11_grab.c       the Ctrl+Alt+G keyboard/pointer grab (relative motion)
 *   x11_cursor.c     the guest's cursor as the window's cursor (RENDER)
 *   x11_screenshot.c the guest's screen as PNG
 */
#ifndef LKVM_DISPLAY_X11_PRIV_H
#define LKVM_DISPLAY_X11_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <xcb/xcb.h>
#include <xcb/shm.h>

#include "display/display.h"

#define X11_NBUF 2
/* X coordinates and sizes are 16-bit; a window is at most 32767 wide. */
#define X11_MAX_DIM 32767
/* The environment variable that forces the PutImage path (tests, bench). */
#define X11_NO_SHM_ENV "LKVM_X11_NO_SHM"

struct x11_buf {
	xcb_shm_seg_t seg; /* 0: none */
	void *addr;	   /* mapped memfd, w x h x 4 */
	size_t size;
	pixman_image_t *img;
	unsigned pending;	    /* ShmPutImages not yet completed */
	unsigned stale_completions; /* of puts known done (x11_shm_flush) */
	pixman_region32_t stale;    /* what this buffer lacks of the frame */
};

struct x11_out {
	struct x11 *x;
	unsigned idx;
	xcb_window_t win;
	uint32_t width, height;	     /* the picture's size (0: none yet) */
	uint32_t win_w, win_h;	     /* the window's size */
	struct display_size_ask ask; /* the size last asked of the VMM */
	bool want_draw;

	/* SHM: the buffers and the one last put. */
	struct x11_buf bufs[X11_NBUF];
	struct x11_buf *shown;
	/* PutImage: the picture as last sent. */
	pixman_image_t *copy;
	struct display_frame live; /* data NULL: none */

	xcb_cursor_t cursor; /* 0: the blank cursor */
	bool cursor_visible;
	int hot_x, hot_y, cur_x, cur_y;
	uint32_t cursor_copy[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
};

struct x11 {
	struct display d;
	xcb_connection_t *c;
	xcb_screen_t *screen;
	bool dead;
	bool shm;	   /* MIT-SHM in use (false: PutImage bands) */
	uint8_t shm_event; /* first MIT-SHM event code */
	uint8_t shm_major; /* its requests' major opcode (errors) */
	uint64_t max_request_bytes;
	xcb_gcontext_t gc;
	xcb_atom_t wm_protocols, wm_delete_window, net_wm_name, utf8_string;
	char title[128];
	unsigned long x_errors; /* X errors seen (logged at powers of two) */

	/* Input. */
	bool evdev_keys; /* X keycode = evdev code + 8 */
	bool detectable_repeat;
	uint8_t keys_down[32]; /* X keycodes the guest holds down */
	struct x11_out *pointer_out;
	bool grabbed;
	xcb_cursor_t blank_cursor;
	/* RENDER's a8r8g8b8 picture format (0: no RENDER, no guest cursor). */
	uint32_t argb_format;

	pthread_mutex_t lock;
	struct x11_out out[DISPLAY_MAX_OUTPUTS];
};

static inline struct x11 *to_x11(struct display *d)
{
	return (struct x11 *)d;
}

/* x11.c */
/* Log an X error: the first and then at powers of two. */
void x11_note_error(struct x11 *x, const xcb_generic_error_t *e);

/* x11_window.c */
int x11_window_create(struct x11 *x, unsigned i);
void x11_window_set_title(struct x11_out *o, const char *suffix);
struct x11_out *x11_out_of_window(struct x11 *x, xcb_window_t w);
/* Handle a window event; false if ev is not one of them. */
bool x11_window_event(struct x11 *x, const xcb_generic_event_t *ev);
void x11_events_ready(struct display *d);

/* x11_shm.c */
bool x11_shm_usable(struct x11 *x); /* the extension is there and not forced off */
int x11_shm_alloc(struct x11_out *o, uint32_t w, uint32_t h);
void x11_shm_free(struct x11_out *o);
void x11_shm_draw(struct x11_out *o);
void x11_shm_repaint(struct x11_out *o, const struct display_rect *r);
/* Draw a frame that waits for a free buffer now (the frame is about to go
 * away): after a round trip every put is done, so every buffer is free. */
void x11_shm_flush(struct x11_out *o);
bool x11_shm_event(struct x11 *x, const xcb_generic_event_t *ev);
/* An attach or put failed: every output moves to the PutImage path. */
void x11_shm_failed(struct x11 *x);

/* x11_putimage.c */
/* Rows of a full-width band of a w-pixel-wide image that fit one request
 * of at most max_request_bytes (0: not even one row). */
uint32_t x11_band_rows(uint64_t max_request_bytes, uint32_t w);
int x11_put_alloc(struct x11_out *o, uint32_t w, uint32_t h);
void x11_put_free(struct x11_out *o);
void x11_put_draw(struct x11_out *o, const struct display_rect *r);
void x11_put_repaint(struct x11_out *o, const struct display_rect *r);

/* x11_present.c */
uint64_t x11_frame_bytes(const struct display *d, uint32_t w, uint32_t h);
void x11_present(struct display *d, unsigned i, const struct display_frame *f,
		 const struct display_rect *dmg);
void x11_disable(struct display *d, unsigned i);
void x11_repaint(struct x11_out *o, const struct display_rect *r);

/* x11_input.c */
void x11_input_init(struct x11 *x);
/* The keymap check without XKB's keycodes name (logs one line if not). */
bool x11_pageup_at_112(struct x11 *x);
bool x11_input_event(struct x11 *x, const xcb_generic_event_t *ev);
void x11_release_keys(struct x11 *x);
/* (x, y) of o's window scaled to the tablet range over o's frame. */
void x11_pointer_scale(const struct x11_out *o, int x, int y, uint32_t *ax, uint32_t *ay);

/* x11_grab.c */
void x11_grab_toggle(struct x11 *x, struct x11_out *o);
void x11_grab_release(struct x11 *x);
/* Relative motion while grabbed: true if the event was consumed. */
bool x11_grab_motion(struct x11 *x, struct x11_out *o, int ex, int ey);

/* x11_cursor.c */
void x11_cursor_init(struct x11 *x);
void x11_set_cursor(struct display *d, unsigned i, const uint32_t *argb, int hot_x, int hot_y);
void x11_move_cursor(struct display *d, unsigned i, int x, int y);

/* x11_screenshot.c */
int x11_screenshot(struct display *d, unsigned i, const char *path);

#endif
