/* Wayland: the guest's cursor as the host pointer's image over the
 * output's window (wayland_priv.h). */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display/wayland_priv.h"

void wayland_apply_cursor(struct wayland *w)
{
	struct wl_out *o = w->pointer_focus;

	if (!w->pointer || !o)
		return;
	if (o->cursor_visible && o->cursor_surface) {
		/* The guest's cursor at the window's scale, so it keeps its size
		 * against the guest's screen; the hotspot is in surface units. */
		int32_t s = wayland_buffer_scale_for(o->buffer_scale, DISPLAY_CURSOR_DIM,
						     DISPLAY_CURSOR_DIM);

		if (s != (o->cursor_scale ? o->cursor_scale : 1) && w->compositor_version >= 3) {
			wl_surface_set_buffer_scale(o->cursor_surface, s);
			wl_surface_commit(o->cursor_surface);
		}
		o->cursor_scale = s;
		wl_pointer_set_cursor(w->pointer, w->pointer_serial, o->cursor_surface,
				      o->hot_x / o->cursor_scale, o->hot_y / o->cursor_scale);
	} else
		wl_pointer_set_cursor(w->pointer, w->pointer_serial, NULL, 0, 0);
	wl_display_flush(w->dpy);
}

static int make_cursor_buffer(struct wl_out *o)
{
	size_t size = DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM * 4;
	struct wl_shm_pool *pool;
	int fd = wayland_shm_fd(size);

	if (fd < 0)
		return -1;
	o->cursor_px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (o->cursor_px == MAP_FAILED) {
		o->cursor_px = NULL;
		close(fd);
		return -1;
	}
	pool = wl_shm_create_pool(o->w->shm, fd, size);
	close(fd);
	o->cursor_buf = wl_shm_pool_create_buffer(pool, 0, DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM,
						  DISPLAY_CURSOR_DIM * 4, WL_SHM_FORMAT_ARGB8888);
	wl_shm_pool_destroy(pool);
	o->cursor_surface = wl_compositor_create_surface(o->w->compositor);
	return 0;
}

/* The guest's cursor becomes the host pointer's image over its window. */
void wayland_set_cursor(struct display *d, unsigned i, const uint32_t *argb, int hot_x, int hot_y)
{
	struct wayland *w = to_wl(d);
	struct wl_out *o;

	if (i >= d->nr_outputs || w->dead)
		return;
	o = &w->out[i];
	pthread_mutex_lock(&w->lock);
	o->cursor_visible = argb != NULL;
	o->hot_x = hot_x;
	o->hot_y = hot_y;
	if (argb)
		memcpy(o->cursor_copy, argb, sizeof(o->cursor_copy));
	pthread_mutex_unlock(&w->lock);
	if (argb) {
		if (!o->cursor_surface && make_cursor_buffer(o))
			return;
		memcpy(o->cursor_px, argb, DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM * 4);
		wl_surface_attach(o->cursor_surface, o->cursor_buf, 0, 0);
		wl_surface_damage_buffer(o->cursor_surface, 0, 0, DISPLAY_CURSOR_DIM,
					 DISPLAY_CURSOR_DIM);
		wl_surface_commit(o->cursor_surface);
	}
	if (w->pointer_focus == o)
		wayland_apply_cursor(w);
	wl_display_flush(w->dpy);
}

/* The host pointer is the cursor: the user moves it, not the guest. The
 * position only places the cursor in screenshots. */
void wayland_move_cursor(struct display *d, unsigned i, int x, int y)
{
	struct wayland *w = to_wl(d);

	if (i >= d->nr_outputs)
		return;
	pthread_mutex_lock(&w->lock);
	w->out[i].cur_x = x;
	w->out[i].cur_y = y;
	pthread_mutex_unlock(&w->lock);
}
