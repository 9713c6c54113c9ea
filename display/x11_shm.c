/* X11 MIT-SHM: each output's two buffers are memfd segments handed to the
 * server with ShmAttachFd (MIT-SHM 1.2: no SysV segment to leak when we
 * die). A buffer is rewritten only once every ShmPutImage of it has
 * completed (x11_priv.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display/frame.h"
#include "display/x11_priv.h"
#include "util/log.h"

/* Attach a w x h x 4 memfd to seg: its mapping, or NULL. */
static void *attach(struct x11 *x, xcb_shm_seg_t seg, uint64_t size, bool checked)
{
	int fd = memfd_create("lkvm-gpu-x11", MFD_CLOEXEC);
	void *p;

	if (fd < 0)
		return NULL;
	if (size > SIZE_MAX || ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	/* xcb sends and closes fd. */
	if (checked) {
		xcb_generic_error_t *e =
		    xcb_request_check(x->c, xcb_shm_attach_fd_checked(x->c, seg, fd, 0));

		if (e) {
			free(e);
			munmap(p, (size_t)size);
			return NULL;
		}
	} else {
		xcb_shm_attach_fd(x->c, seg, fd, 0);
	}
	return p;
}

bool x11_shm_usable(struct x11 *x)
{
	const char *no = getenv(X11_NO_SHM_ENV);
	const xcb_query_extension_reply_t *ext;
	xcb_shm_query_version_reply_t *v;
	xcb_shm_seg_t seg;
	void *p;
	bool ok;

	if (no && *no && strcmp(no, "0")) {
		log_info("x11: %s set: PutImage instead of MIT-SHM", X11_NO_SHM_ENV);
		return false;
	}
	ext = xcb_get_extension_data(x->c, &xcb_shm_id);
	if (!ext || !ext->present) {
		log_info("x11: no MIT-SHM on this server: PutImage");
		return false;
	}
	x->shm_event = ext->first_event;
	x->shm_major = ext->major_opcode;
	v = xcb_shm_query_version_reply(x->c, xcb_shm_query_version(x->c), NULL);
	ok = v && (v->major_version > 1 || (v->major_version == 1 && v->minor_version >= 2));
	free(v);
	if (!ok) {
		log_info("x11: MIT-SHM older than 1.2 (no fd passing): PutImage");
		return false;
	}
	/* A remote server (TCP) cannot take our fd: find out now, with a
	 * page, rather than with the first frame. */
	seg = xcb_generate_id(x->c);
	p = attach(x, seg, 4096, true);
	if (!p) {
		log_info("x11: the server cannot attach our shared memory (remote X?): PutImage");
		return false;
	}
	xcb_shm_detach(x->c, seg);
	munmap(p, 4096);
	return true;
}

void x11_shm_free(struct x11_out *o)
{
	struct x11 *x = o->x;

	for (int i = 0; i < X11_NBUF; i++) {
		struct x11_buf *b = &o->bufs[i];

		if (b->seg && x->c && !x->dead)
			xcb_shm_detach(x->c, b->seg);
		if (b->img)
			pixman_image_unref(b->img);
		if (b->addr)
			munmap(b->addr, b->size);
		pixman_region32_fini(&b->stale);
		memset(b, 0, sizeof(*b));
		pixman_region32_init(&b->stale);
	}
	o->shown = NULL;
}

int x11_shm_alloc(struct x11_out *o, uint32_t w, uint32_t h)
{
	struct x11 *x = o->x;
	uint64_t one = (uint64_t)w * h * 4; /* w, h <= X11_MAX_DIM: no overflow */

	for (int i = 0; i < X11_NBUF; i++) {
		struct x11_buf *b = &o->bufs[i];

		b->seg = xcb_generate_id(x->c);
		b->addr = attach(x, b->seg, one, false);
		if (!b->addr) {
			b->seg = 0;
			x11_shm_free(o);
			o->width = o->height = 0;
			return -ENOMEM;
		}
		b->size = (size_t)one;
		b->img = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)w, (int)h, b->addr,
						  (int)(w * 4));
		pixman_region32_init_rect(&b->stale, 0, 0, w, h);
	}
	o->width = w;
	o->height = h;
	return 0;
}

/* One ShmPutImage of r of b; its completion frees b for writing. */
static void put(struct x11_out *o, struct x11_buf *b, const struct display_rect *r)
{
	struct x11 *x = o->x;

	xcb_shm_put_image(x->c, o->win, x->gc, (uint16_t)o->width, (uint16_t)o->height,
			  (uint16_t)r->x, (uint16_t)r->y, (uint16_t)r->w, (uint16_t)r->h,
			  (int16_t)r->x, (int16_t)r->y, 24, XCB_IMAGE_FORMAT_Z_PIXMAP, 1, b->seg,
			  0);
	b->pending++;
}

/* Bring a free buffer up to date with the live frame and put it. */
void x11_shm_draw(struct x11_out *o)
{
	struct x11_buf *b = NULL;
	pixman_box32_t *box;
	int n;

	o->want_draw = true;
	if (!o->live.data || !o->bufs[0].addr)
		return;
	for (int i = 0; i < X11_NBUF; i++)
		if (!o->bufs[i].pending) {
			b = &o->bufs[i];
			break;
		}
	if (!b)
		return; /* a completion draws */
	box = pixman_region32_rectangles(&b->stale, &n);
	for (int i = 0; i < n; i++) {
		struct display_rect r = {box[i].x1, box[i].y1, box[i].x2 - box[i].x1,
					 box[i].y2 - box[i].y1};

		display_frame_blit(&o->live, &r, b->img);
		put(o, b, &r);
	}
	pixman_region32_clear(&b->stale);
	o->shown = b;
	o->want_draw = false;
	xcb_flush(o->x->c);
}

/* Expose: put r again from the buffer last shown. */
void x11_shm_repaint(struct x11_out *o, const struct display_rect *r)
{
	if (!o->shown)
		return;
	put(o, o->shown, r);
}

void x11_shm_flush(struct x11_out *o)
{
	struct x11 *x = o->x;

	if (!o->want_draw || !o->live.data || !o->bufs[0].addr)
		return;
	/* The reply comes after the server has done every earlier request:
	 * no put still reads a buffer. Their completions, already on their
	 * way, are counted off as they arrive. The events read meanwhile
	 * wait in xcb's queue until the next dispatch, which the
	 * completion of the draw below brings. */
	free(xcb_get_input_focus_reply(x->c, xcb_get_input_focus(x->c), NULL));
	for (int i = 0; i < X11_NBUF; i++) {
		o->bufs[i].stale_completions += o->bufs[i].pending;
		o->bufs[i].pending = 0;
	}
	x11_shm_draw(o);
}

bool x11_shm_event(struct x11 *x, const xcb_generic_event_t *ev)
{
	const xcb_shm_completion_event_t *e = (const xcb_shm_completion_event_t *)ev;

	if (!x->shm || (ev->response_type & 0x7f) != x->shm_event + XCB_SHM_COMPLETION)
		return false;
	for (unsigned i = 0; i < x->d.nr_outputs; i++) {
		struct x11_out *o = &x->out[i];

		for (int k = 0; k < X11_NBUF; k++) {
			struct x11_buf *b = &o->bufs[k];

			if (b->seg != e->shmseg || !b->seg)
				continue;
			if (b->stale_completions)
				b->stale_completions--;
			else if (b->pending)
				b->pending--;
			pthread_mutex_lock(&x->lock);
			if (o->want_draw)
				x11_shm_draw(o);
			pthread_mutex_unlock(&x->lock);
			return true;
		}
	}
	return true;
}
