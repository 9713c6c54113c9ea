/* The Wayland display's private parts: one xdg-shell toplevel per output,
 * drawn from two wl_shm buffers per output. Only damaged rectangles are
 * copied: every buffer keeps the region it still lacks, and a present adds
 * its damage to both, so a buffer the compositor just released catches up
 * with exactly what changed since it was last drawn.
 *
 * All Wayland calls happen on the GPU worker thread (after open, which
 * runs before the worker starts). The mutex only guards what a screenshot
 * from another thread reads.
 *
 * The files, one idea each:
 *   wayland.c            connection, registry, dispatch, the ops table, teardown
 *   wayland_window.c     an output's xdg-shell toplevel and its configure/close
 *   wayland_buffers.c    the shm buffer pair, damage tracking, drawing, present
 *   wayland_cursor.c     the guest's cursor as the host pointer's image
 *   wayland_input.c      the seat: keyboard and pointer to display_input
 *   wayland_grab.c       the hotkeys: pointer grab (Ctrl+Alt+G), fullscreen
 *                        (Ctrl+Alt+F), and the title that shows the grab
 *   wayland_scale.c      HiDPI: the host outputs' scales and each window's
 *                        buffer scale (a guest pixel stays a screen pixel)
 *   wayland_screenshot.c the guest's screen as PNG
 *
 * Only the files that call xdg-shell functions include the generated
 * protocol header; here its objects are opaque.
 */
#ifndef LKVM_DISPLAY_WAYLAND_PRIV_H
#define LKVM_DISPLAY_WAYLAND_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <wayland-client.h>

#include "display/display.h"

struct xdg_surface;
struct xdg_toplevel;
struct xdg_wm_base;
struct zwp_pointer_constraints_v1;
struct zwp_locked_pointer_v1;
struct zwp_relative_pointer_manager_v1;
struct zwp_relative_pointer_v1;
struct zwp_keyboard_shortcuts_inhibit_manager_v1;
struct zwp_keyboard_shortcuts_inhibitor_v1;

/* evdev codes the display itself looks at (linux/input-event-codes.h). */
#define WL_KEY_MAX 0x300 /* KEY_MAX + 1 */

#define NBUF 2

/* Host outputs followed for their scale, and the largest scale believed. */
#define WL_MAX_HOUTS 16
#define WL_SCALE_MAX 8

struct wl_host_output {
	struct wl_output *out;
	uint32_t name;		/* the registry's, for global_remove */
	int32_t scale, pending; /* pending until wl_output.done */
};

struct wl_buf {
	struct wl_buffer *wb;
	pixman_image_t *img;	 /* over the shm mapping */
	bool busy;		 /* the compositor holds it */
	pixman_region32_t stale; /* what this buffer lacks of the frame */
};

/* Wheel motion not yet a whole step. */
struct wayland_wheel {
	int32_t v120_rest;
	wl_fixed_t cont_rest;
};

struct wl_out {
	struct wayland *w;
	unsigned idx;
	struct wl_surface *surface;
	struct xdg_surface *xsurface;
	struct xdg_toplevel *toplevel;
	bool configured, want_draw;
	bool fullscreen;	     /* as the compositor last configured it */
	int32_t buffer_scale;	     /* what wl_surface.set_buffer_scale was told */
	uint32_t on_houts;	     /* host outputs (hout[] bits) the surface is on */
	char title[192];	     /* as last set (tests read it) */
	uint32_t width, height;	     /* buffer size */
	struct display_size_ask ask; /* the size last asked of the VMM */
	void *map;
	size_t map_size;
	struct wl_buf bufs[NBUF];
	struct wl_buf *shown;	   /* last committed buffer */
	struct display_frame live; /* data NULL: none */

	struct wl_surface *cursor_surface;
	struct wl_buffer *cursor_buf;
	uint32_t *cursor_px; /* shm: the compositor may read it any time */
	bool cursor_visible;
	int32_t cursor_scale; /* the cursor surface's buffer scale (0: never set) */
	int hot_x, hot_y;
	/* The guest's cursor as it last set it, for screenshots: the window
	 * has no cursor in it, but a screenshot shows the guest's screen
	 * (display.h), the same as headless. */
	uint32_t cursor_copy[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
	int cur_x, cur_y;
};

struct wayland {
	struct display d;
	struct wl_display *dpy;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	uint32_t compositor_version;
	struct wl_host_output hout[WL_MAX_HOUTS];
	unsigned nr_houts;
	struct wl_shm *shm;
	struct xdg_wm_base *wm;
	struct wl_seat *seat;
	struct wl_pointer *pointer;
	uint32_t pointer_version;
	struct wl_out *pointer_focus;
	uint32_t pointer_serial;
	struct wl_keyboard *keyboard;
	struct wl_out *kbd_focus;

	/* Keys the guest holds down (released at focus loss), and keys whose
	 * press was a hotkey's: their release is the display's too. */
	uint8_t held[WL_KEY_MAX / 8];
	uint8_t swallowed[WL_KEY_MAX / 8];

	/* The pointer frame being gathered (wl_pointer.frame ends it). */
	struct {
		bool moved;
		uint32_t x, y; /* 0..DISPLAY_INPUT_ABS_MAX */
		unsigned output;
		int32_t v120[2];	 /* wheel, 1/120 steps, per wl axis */
		bool discrete[2];	 /* a discrete value came for this axis */
		wl_fixed_t cont[2];	 /* continuous axis, for fallback steps */
		wl_fixed_t rel_x, rel_y; /* unaccelerated deltas (grabbed) */
	} pf;
	struct wayland_wheel wheel[2]; /* per wl axis */
	wl_fixed_t rel_rest_x, rel_rest_y;

	/* The grab (wayland_grab.c). */
	struct zwp_pointer_constraints_v1 *constraints;
	struct zwp_relative_pointer_manager_v1 *relative;
	struct zwp_keyboard_shortcuts_inhibit_manager_v1 *inhibit_mgr;
	struct zwp_locked_pointer_v1 *locked;
	struct zwp_relative_pointer_v1 *rel_pointer;
	struct zwp_keyboard_shortcuts_inhibitor_v1 *inhibitor;
	struct wl_out *grab_out;
	bool grabbed;
	bool dead;
	char title[128];
	pthread_mutex_t lock;
	struct wl_out out[DISPLAY_MAX_OUTPUTS];
};

static inline struct wayland *to_wl(struct display *d)
{
	return (struct wayland *)d;
}

/* wayland_window.c */
void wayland_window_create(struct wayland *w, unsigned i);
void wayland_events_ready(struct display *d);

/* wayland_buffers.c */
/* The shm pool of an output's NBUF buffers of w x h XRGB8888, in the
 * protocol's int32 terms; -EOVERFLOW when wl_shm cannot describe it. */
struct wl_shm_layout {
	int32_t stride, pool; /* bytes per row; the pool (NBUF buffers) */
	uint64_t one;	      /* bytes per buffer */
};
int wayland_shm_layout(uint32_t w, uint32_t h, struct wl_shm_layout *out);
uint64_t wayland_frame_bytes(const struct display *d, uint32_t w, uint32_t h);
int wayland_shm_fd(size_t size); /* anonymous shared memory, or -1 */
void wayland_buffers_free(struct wl_out *o);
void wayland_draw(struct wl_out *o);
void wayland_show_blank(struct wl_out *o);
void wayland_present(struct display *d, unsigned i, const struct display_frame *f,
		     const struct display_rect *dmg);
void wayland_disable(struct display *d, unsigned i);

/* wayland_cursor.c */
void wayland_apply_cursor(struct wayland *w); /* the focused output's image */
void wayland_set_cursor(struct display *d, unsigned i, const uint32_t *argb, int hot_x, int hot_y);
void wayland_move_cursor(struct display *d, unsigned i, int x, int y);

/* wayland_input.c */
extern const struct wl_seat_listener wayland_seat_listener; /* data: struct wayland */
/* A surface coordinate (wl_fixed) on an output whose buffer has scale and
 * size frame pixels, as the tablet's 0..DISPLAY_INPUT_ABS_MAX: the frame
 * pixel p = pos * scale (clamped into the frame) becomes
 * ceil(p * 32768 / size), so that a guest mapping back as libinput does
 * (floor(abs * size / 32768)) lands on the same pixel. */
uint32_t wayland_abs_axis(wl_fixed_t pos, int32_t scale, uint32_t size);
/* Whole wheel steps (signed, Wayland's direction) from one frame's axis
 * values: a discrete value (axis_value120, or axis_discrete * 120) wins
 * over the continuous one, which counts one step per 10 units (as a
 * libinput wheel click); the remainder waits in acc for the next frame. */
int32_t wayland_wheel_steps(struct wayland_wheel *acc, bool discrete, int32_t v120,
			    wl_fixed_t cont);
void wayland_release_keys(struct wayland *w); /* every held key up */
void wayland_input_destroy(struct wayland *w);

/* wayland_grab.c */
/* A key event (held[] not yet updated for it): true if it belongs to a
 * hotkey and the guest must not see it. */
bool wayland_hotkey(struct wayland *w, uint32_t key, bool down);
void wayland_grab_start(struct wayland *w);
void wayland_grab_stop(struct wayland *w);
void wayland_toggle_fullscreen(struct wayland *w);
void wayland_set_title(struct wl_out *o); /* the VM's name, and the grab */
void wayland_grab_destroy(struct wayland *w);

/* wayland_scale.c */
extern const struct wl_surface_listener wayland_surface_listener; /* data: struct wl_out */
void wayland_scale_bind(struct wayland *w, struct wl_registry *r, uint32_t name, uint32_t version);
void wayland_scale_unbind(struct wayland *w, uint32_t name);
/* A window's set of host outputs once output i is gone and the last one,
 * last, has moved into its place. */
uint32_t wayland_houts_drop(uint32_t set, unsigned i, unsigned last);
void wayland_scale_destroy(struct wayland *w);
/* The buffer scale a width x height frame gets where want is asked: want,
 * unless the size is not a multiple of it (the protocol forbids that) or
 * want is out of 1..WL_SCALE_MAX: then 1. */
int32_t wayland_buffer_scale_for(int32_t want, uint32_t width, uint32_t height);
void wayland_scale_apply(struct wl_out *o); /* before a buffer's commit */
/* A length the compositor gave in surface units, in frame pixels. */
uint32_t wayland_scale_size(const struct wl_out *o, int32_t surface_units);

/* wayland_screenshot.c */
int wayland_screenshot(struct display *d, unsigned i, const char *path);

#endif
