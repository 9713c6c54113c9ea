/* X11: one top-level window per output, titled with the VM's name. Expose
 * repaints from the picture we keep; a ConfigureNotify with a new size
 * becomes the VMM's resize event (the guest decides whether to follow; until
 * it does the frame is shown unscaled at the top-left, black around it);
 * WM_DELETE_WINDOW becomes the close event (x11_priv.h). */
#include <stdio.h>
#include <string.h>

#include "display/x11_priv.h"

struct x11_out *x11_out_of_window(struct x11 *x, xcb_window_t w)
{
	for (unsigned i = 0; i < x->d.nr_outputs; i++)
		if (x->out[i].win == w)
			return &x->out[i];
	return NULL;
}

void x11_window_set_title(struct x11_out *o, const char *suffix)
{
	struct x11 *x = o->x;
	char title[256];
	int n;

	if (x->d.nr_outputs > 1)
		n = snprintf(title, sizeof(title), "%s (output %u)%s", x->title, o->idx, suffix);
	else
		n = snprintf(title, sizeof(title), "%s%s", x->title, suffix);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(title))
		n = sizeof(title) - 1;
	xcb_change_property(x->c, XCB_PROP_MODE_REPLACE, o->win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING,
			    8, n, title);
	if (x->net_wm_name && x->utf8_string)
		xcb_change_property(x->c, XCB_PROP_MODE_REPLACE, o->win, x->net_wm_name,
				    x->utf8_string, 8, n, title);
}

int x11_window_create(struct x11 *x, unsigned i)
{
	struct x11_out *o = &x->out[i];
	static const char wm_class[] = "lkvm-gpu\0lkvm-gpu";
	uint32_t values[] = {
	    x->screen->black_pixel,
	    XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_STRUCTURE_NOTIFY | XCB_EVENT_MASK_KEY_PRESS |
		XCB_EVENT_MASK_KEY_RELEASE | XCB_EVENT_MASK_BUTTON_PRESS |
		XCB_EVENT_MASK_BUTTON_RELEASE | XCB_EVENT_MASK_POINTER_MOTION |
		XCB_EVENT_MASK_ENTER_WINDOW | XCB_EVENT_MASK_FOCUS_CHANGE,
	};

	o->x = x;
	o->idx = i;
	o->win_w = o->ask.w = x->d.width;
	o->win_h = o->ask.h = x->d.height;
	for (int b = 0; b < X11_NBUF; b++)
		pixman_region32_init(&o->bufs[b].stale);
	o->win = xcb_generate_id(x->c);
	if (xcb_request_check(x->c, xcb_create_window_checked(
					x->c, XCB_COPY_FROM_PARENT, o->win, x->screen->root, 0, 0,
					(uint16_t)x->d.width, (uint16_t)x->d.height, 0,
					XCB_WINDOW_CLASS_INPUT_OUTPUT, x->screen->root_visual,
					XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, values))) {
		o->win = 0;
		return -1;
	}
	x11_window_set_title(o, "");
	xcb_change_property(x->c, XCB_PROP_MODE_REPLACE, o->win, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING,
			    8, sizeof(wm_class), wm_class);
	if (x->wm_protocols && x->wm_delete_window)
		xcb_change_property(x->c, XCB_PROP_MODE_REPLACE, o->win, x->wm_protocols,
				    XCB_ATOM_ATOM, 32, 1, &x->wm_delete_window);
	/* With RENDER the guest's cursor is the window's cursor: none until
	 * the guest sets one. */
	if (x->argb_format && x->blank_cursor)
		xcb_change_window_attributes(x->c, o->win, XCB_CW_CURSOR, &x->blank_cursor);
	xcb_map_window(x->c, o->win);
	return 0;
}

static void configured(struct x11 *x, struct x11_out *o, uint32_t w, uint32_t h)
{
	struct display *d = &x->d;

	o->win_w = w;
	o->win_h = h;
	display_size_asked(d, o->idx, &o->ask, w, h);
}

void x11_events_ready(struct display *d)
{
	struct x11 *x = to_x11(d);

	for (unsigned i = 0; i < d->nr_outputs; i++)
		display_size_flush(d, i, &x->out[i].ask);
}

bool x11_window_event(struct x11 *x, const xcb_generic_event_t *ev)
{
	struct display *d = &x->d;
	struct x11_out *o;

	switch (ev->response_type & 0x7f) {
	case XCB_EXPOSE: {
		const xcb_expose_event_t *e = (const xcb_expose_event_t *)ev;

		o = x11_out_of_window(x, e->window);
		if (o)
			x11_repaint(o, &(struct display_rect){e->x, e->y, e->width, e->height});
		return true;
	}
	case XCB_CONFIGURE_NOTIFY: {
		const xcb_configure_notify_event_t *e = (const xcb_configure_notify_event_t *)ev;

		o = x11_out_of_window(x, e->window);
		if (o)
			configured(x, o, e->width, e->height);
		return true;
	}
	case XCB_CLIENT_MESSAGE: {
		const xcb_client_message_event_t *e = (const xcb_client_message_event_t *)ev;

		if (x11_out_of_window(x, e->window) && e->format == 32 &&
		    e->type == x->wm_protocols && e->data.data32[0] == x->wm_delete_window &&
		    x->wm_delete_window && d->ev.close)
			d->ev.close(d->ev.opaque);
		return true;
	}
	case XCB_MAP_NOTIFY:
	case XCB_UNMAP_NOTIFY:
	case XCB_REPARENT_NOTIFY:
	case XCB_DESTROY_NOTIFY:
	case XCB_GRAVITY_NOTIFY:
	case XCB_MAPPING_NOTIFY:
		return true;
	}
	return false;
}
