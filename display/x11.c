/* The X11 display: the xcb connection, the extensions it needs, event
 * dispatch on the GPU worker, X errors, teardown. Windows, buffers, input,
 * cursor and screenshots live in the other x11_*.c files (x11_priv.h).
 *
 * Nothing on the worker waits for a reply: a reply wait reads events into
 * xcb's queue behind the fd's back, and the worker only dispatches when the
 * fd is readable. Replies are fetched during open only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display/x11_priv.h"
#include "util/log.h"

void x11_note_error(struct x11 *x, const xcb_generic_error_t *e)
{
	unsigned long n = ++x->x_errors;

	/* Powers of two: a stream of errors costs a handful of lines. */
	if ((n & (n - 1)) == 0)
		log_warn("x11: X error %u (request %u.%u), %lu so far", e->error_code,
			 e->major_code, e->minor_code, n);
}

static int get_fd(struct display *d)
{
	return xcb_get_file_descriptor(to_x11(d)->c);
}

static void handle(struct x11 *x, xcb_generic_event_t *ev)
{
	if ((ev->response_type & 0x7f) == 0) {
		const xcb_generic_error_t *e = (const xcb_generic_error_t *)ev;

		x11_note_error(x, e);
		/* A segment the server could not attach (or a put of it):
		 * its puts never complete, so drop to the PutImage path. */
		if (x->shm && e->major_code == x->shm_major &&
		    (e->minor_code == XCB_SHM_ATTACH_FD || e->minor_code == XCB_SHM_PUT_IMAGE))
			x11_shm_failed(x);
		return;
	}
	if (x11_shm_event(x, ev) || x11_window_event(x, ev) || x11_input_event(x, ev))
		return;
}

/* Handle every event xcb has read or can read now. */
static int drain(struct x11 *x)
{
	struct display *d = &x->d;
	xcb_generic_event_t *ev;

	if (x->dead)
		return -1;
	while ((ev = xcb_poll_for_event(x->c))) {
		handle(x, ev);
		free(ev);
	}
	if (xcb_connection_has_error(x->c)) {
		/* The server went away: like closing the window (clean
		 * shutdown, as on Wayland). */
		log_warn("x11: connection to the X server lost");
		x->dead = true;
		if (d->ev.close)
			d->ev.close(d->ev.opaque);
		return -1;
	}
	xcb_flush(x->c);
	return 0;
}

static int dispatch(struct display *d)
{
	return drain(to_x11(d));
}

/* Events read during open (first Expose, ConfigureNotify) now have a
 * receiver. */
static void events_ready(struct display *d)
{
	x11_events_ready(d);
	drain(to_x11(d));
}

static void destroy(struct display *d)
{
	struct x11 *x = to_x11(d);

	/* Closing the connection ends a grab: no grab(false) callback from
	 * teardown. */
	if (x->c && !x->dead) {
		for (unsigned i = 0; i < d->nr_outputs; i++) {
			struct x11_out *o = &x->out[i];

			x11_shm_free(o);
			x11_put_free(o);
			if (o->cursor)
				xcb_free_cursor(x->c, o->cursor);
			if (o->win)
				xcb_destroy_window(x->c, o->win);
		}
		if (x->blank_cursor)
			xcb_free_cursor(x->c, x->blank_cursor);
		if (x->gc)
			xcb_free_gc(x->c, x->gc);
		xcb_flush(x->c);
	} else {
		/* No server to tell: free our side (segments, images). */
		for (unsigned i = 0; i < d->nr_outputs; i++) {
			x11_shm_free(&x->out[i]);
			x11_put_free(&x->out[i]);
		}
	}
	if (x->c)
		xcb_disconnect(x->c);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

static const struct display_ops x11_ops = {
    .name = "x11",
    .present = x11_present,
    .disable = x11_disable,
    .frame_bytes = x11_frame_bytes,
    .set_cursor = x11_set_cursor,
    .move_cursor = x11_move_cursor,
    .get_fd = get_fd,
    .dispatch = dispatch,
    .screenshot = x11_screenshot,
    .destroy = destroy,
    .events_ready = events_ready,
};

/* Pixels go to the server as they lie in our x8r8g8b8 images: the root
 * visual must be 24-bit TrueColor with 32 bits per pixel, little-endian. */
static bool visual_is_xrgb(struct x11 *x)
{
	const xcb_setup_t *s = xcb_get_setup(x->c);
	xcb_depth_iterator_t di = xcb_screen_allowed_depths_iterator(x->screen);
	bool bpp32 = false;

	for (xcb_format_iterator_t fi = xcb_setup_pixmap_formats_iterator(s); fi.rem;
	     xcb_format_next(&fi))
		if (fi.data->depth == 24 && fi.data->bits_per_pixel == 32)
			bpp32 = true;
	if (!bpp32 || s->image_byte_order != XCB_IMAGE_ORDER_LSB_FIRST ||
	    x->screen->root_depth != 24)
		return false;
	for (; di.rem; xcb_depth_next(&di))
		for (xcb_visualtype_iterator_t vi = xcb_depth_visuals_iterator(di.data); vi.rem;
		     xcb_visualtype_next(&vi))
			if (vi.data->visual_id == x->screen->root_visual)
				return vi.data->_class == XCB_VISUAL_CLASS_TRUE_COLOR &&
				       vi.data->red_mask == 0xff0000 &&
				       vi.data->green_mask == 0xff00 && vi.data->blue_mask == 0xff;
	return false;
}

static xcb_atom_t intern(struct x11 *x, const char *name)
{
	/* only_if_exists = 0: on a fresh server without a window manager
	 * WM_PROTOCOLS may not exist yet. */
	xcb_intern_atom_reply_t *r =
	    xcb_intern_atom_reply(x->c, xcb_intern_atom(x->c, 0, strlen(name), name), NULL);
	xcb_atom_t a = r ? r->atom : XCB_ATOM_NONE;

	free(r);
	return a;
}

struct display *display_x11_open(const struct display_config *cfg, char *err, size_t errlen)
{
	struct x11 *x = (struct x11 *)display_alloc(sizeof(*x), &x11_ops, cfg, "x11", err, errlen);
	const char *env = getenv("DISPLAY");
	int screen_nr;

	if (!x)
		return NULL;
	pthread_mutex_init(&x->lock, NULL);
	snprintf(x->title, sizeof(x->title), "%s", cfg->title ? cfg->title : "lkvm-gpu");
	if (!env || !*env) {
		snprintf(err, errlen, "x11: DISPLAY is not set");
		goto fail;
	}
	if (cfg->width == 0 || cfg->height == 0 || cfg->width > X11_MAX_DIM ||
	    cfg->height > X11_MAX_DIM) {
		snprintf(err, errlen, "x11: a %ux%u window is outside X's 1..%u", cfg->width,
			 cfg->height, X11_MAX_DIM);
		goto fail;
	}
	x->c = xcb_connect(NULL, &screen_nr);
	if (xcb_connection_has_error(x->c)) {
		snprintf(err, errlen, "x11: cannot connect to the X server (DISPLAY=%s)", env);
		goto fail;
	}
	for (xcb_screen_iterator_t si = xcb_setup_roots_iterator(xcb_get_setup(x->c)); si.rem;
	     xcb_screen_next(&si), screen_nr--)
		if (screen_nr == 0)
			x->screen = si.data;
	if (!x->screen || !visual_is_xrgb(x)) {
		snprintf(
		    err, errlen,
		    "x11: the screen's visual is not 24-bit TrueColor xRGB (32 bpp, LSB first)");
		goto fail;
	}
	/* Requests are sized in 4-byte units; BIG-REQUESTS is used when
	 * the server has it. */
	x->max_request_bytes = (uint64_t)xcb_get_maximum_request_length(x->c) * 4;
	x->gc = xcb_generate_id(x->c);
	xcb_create_gc(x->c, x->gc, x->screen->root, XCB_GC_GRAPHICS_EXPOSURES, (uint32_t[]){0});
	x->wm_protocols = intern(x, "WM_PROTOCOLS");
	x->wm_delete_window = intern(x, "WM_DELETE_WINDOW");
	x->net_wm_name = intern(x, "_NET_WM_NAME");
	x->utf8_string = intern(x, "UTF8_STRING");
	x->shm = x11_shm_usable(x);
	x11_cursor_init(x);
	x11_input_init(x);
	for (unsigned i = 0; i < cfg->outputs; i++)
		if (x11_window_create(x, i)) {
			snprintf(err, errlen, "x11: cannot create a window");
			goto fail;
		}
	xcb_flush(x->c);
	if (xcb_connection_has_error(x->c)) {
		snprintf(err, errlen, "x11: connection lost during setup");
		goto fail;
	}
	log_debug("x11: %s, %s keycodes, max request %llu bytes",
		  x->shm ? "MIT-SHM" : "PutImage (no MIT-SHM)",
		  x->evdev_keys ? "evdev" : "non-evdev", (unsigned long long)x->max_request_bytes);
	return &x->d;
fail:
	x->dead = !x->c || xcb_connection_has_error(x->c);
	destroy(&x->d);
	return NULL;
}
