/* Where scanouts are shown. One interface, several backends (headless,
 * Wayland). A display knows nothing of virtio: it receives frames as
 * pixman-described pixels and reports what the user does through events.
 *
 * Threading: every op runs on the GPU worker thread (the display's fd is
 * in the worker's epoll set; screenshots are posted to the worker, which
 * makes the frames current first). A display never calls back into the GPU.
 */
#ifndef LKVM_DISPLAY_H
#define LKVM_DISPLAY_H

#include <pixman.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISPLAY_MAX_OUTPUTS 16
#define DISPLAY_CURSOR_DIM  64

/* What a frame is made of. Today every backend hands over CPU pixels; a
 * GPU buffer (dmabuf: fd, fourcc, modifier, offset, stride) is the planned
 * second kind, for backends that can export one and displays that can show
 * one without a copy. A display skips kinds it cannot show. */
enum display_frame_kind {
	DISPLAY_FRAME_PIXELS,
	DISPLAY_FRAME_DMABUF,
};

/* A scanout's picture. For PIXELS, data points at its top-left pixel. */
struct display_frame {
	enum display_frame_kind kind;
	pixman_format_code_t format;
	uint32_t width, height;
	uint32_t stride;
	const void *data;
	struct {
		int fd;
		uint32_t fourcc;
		uint64_t modifier;
		uint32_t offset;
	} dmabuf; /* DMABUF only (stride above) */
};

struct display_rect {
	uint32_t x, y, w, h;
};

/* What the user does with keyboard and pointer, in Linux evdev codes
 * (linux/input-event-codes.h). Each call is one complete input frame (the
 * receiver ends it with SYN_REPORT). Called on the thread that calls
 * dispatch (the GPU worker); a receiver must not block. Any member may be
 * NULL (no input wanted): callers check. */
#define DISPLAY_INPUT_ABS_MAX 32767
/* The tablet value for a position pos256 (in 1/256 pixel) on an axis of
 * size pixels: the smallest value a guest maps back to that pixel the way
 * libinput does (pixel = value * size / 32768), clamped to the range. Both
 * window displays use it, so a pixel means the same on each. */
uint32_t display_input_abs(uint64_t pos256, uint32_t size);
struct display_input {
	void *opaque;
	/* A keyboard key (KEY_*) went down or up. */
	void (*key)(void *opaque, uint16_t code, bool down);
	/* The pointer is at (x, y) of output's frame, both scaled to
	 * 0..DISPLAY_INPUT_ABS_MAX (the absolute tablet). */
	void (*pointer_abs)(void *opaque, unsigned output, uint32_t x, uint32_t y);
	/* Relative motion while the pointer is grabbed (the relative mouse). */
	void (*pointer_rel)(void *opaque, int32_t dx, int32_t dy);
	/* A pointer button (BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, ...). */
	void (*button)(void *opaque, uint16_t code, bool down);
	/* Discrete wheel steps: dy > 0 away from the user (REL_WHEEL),
	 * dx > 0 to the right (REL_HWHEEL). */
	void (*wheel)(void *opaque, int32_t dy, int32_t dx);
	/* The user grabbed (true) or released the pointer: while grabbed,
	 * buttons and wheel belong to the relative mouse, else to the
	 * tablet. */
	void (*grab)(void *opaque, bool grabbed);
};

/* What the display tells the VMM. Called on the thread that calls
 * dispatch. */
struct display_events {
	void *opaque;
	/* The user resized output's window: the guest should use w x h. */
	void (*resize)(void *opaque, unsigned output, uint32_t w, uint32_t h);
	/* The user closed a window: shut the VM down. */
	void (*close)(void *opaque);
	/* Keyboard and pointer (members NULL: the VM has no input devices). */
	struct display_input input;
};

struct display;

struct display_ops {
	const char *name;
	/* present only notes where the frame is and reads nothing: the GPU
	 * need not make pixels current for it, only before a screenshot
	 * (headless: no copy per frame). */
	bool lazy_present;
	/* Show damage (in frame coordinates, inside the frame) of frame on
	 * output. The frame size may change from one call to the next. The
	 * pixels are current inside damage (unless lazy_present) and stay
	 * valid until the next present or disable of the output, so a backend
	 * may keep reading them later. */
	void (*present)(struct display *d, unsigned output, const struct display_frame *f,
			const struct display_rect *damage);
	/* The guest turned the output off, or the frame's pixels are about to
	 * be freed: stop reading them before returning. */
	void (*disable)(struct display *d, unsigned output);
	/* Host bytes the display keeps of its own for an output whose frame
	 * is w x h (headless: the copy taken at disable; Wayland: its shm
	 * buffers), until the output is presented a frame of another size.
	 * NULL: none. The GPU charges them to its memory cap (--gpu-mem)
	 * before it presents a frame of that size, so a guest cannot multiply
	 * its memory by the number of outputs. */
	uint64_t (*frame_bytes)(const struct display *d, uint32_t w, uint32_t h);
	/* 64x64 premultiplied PIXMAN_a8r8g8b8 pixels, or NULL to hide. The
	 * image's (hot_x, hot_y) sits at the pointer position. */
	void (*set_cursor)(struct display *d, unsigned output, const uint32_t *argb, int hot_x,
			   int hot_y);
	void (*move_cursor)(struct display *d, unsigned output, int x, int y);
	/* An fd for the worker's epoll set (-1: none) and its handler, called
	 * when the fd is readable. dispatch returns < 0 when the fd is dead
	 * (compositor gone): the worker stops watching it. */
	int (*get_fd)(struct display *d);
	int (*dispatch)(struct display *d);
	/* Write output's latest frame (cursor composed) as PNG: 0 or -errno. */
	int (*screenshot)(struct display *d, unsigned output, const char *path);
	void (*destroy)(struct display *d);
	/* Optional: events are now hooked up; report what happened before
	 * (a compositor's first configure arrives during open). */
	void (*events_ready)(struct display *d);
};

struct display {
	const struct display_ops *ops;
	unsigned nr_outputs;
	uint32_t width, height; /* preferred size of each output */
	struct display_events ev;
};

struct display_config {
	unsigned outputs;
	uint32_t width, height;
	const char *title; /* window title (the VM's name) */
};

/* Open the first backend of a comma-separated list ("wayland,headless")
 * that works. NULL with one line in err if none does. */
struct display *display_open(const char *modes, const struct display_config *cfg, char *err,
			     size_t errlen);

/* Whether display_open() knows the mode name ("headless", "wayland"). */
bool display_mode_known(const char *name);
/* The known mode names, comma-separated ("headless, wayland"), for help and
 * error text; truncated to len. */
void display_mode_names(char *buf, size_t len);

/* Per-backend constructors: NULL with one line in err on failure. */
/* For backends: calloc a backend struct of size bytes whose first member is
 * struct display, filled from cfg with ops. NULL with err ("NAME: ...") if
 * the output count is out of range or memory runs out. */
struct display *display_alloc(size_t size, const struct display_ops *ops,
			      const struct display_config *cfg, const char *name, char *err,
			      size_t errlen);

struct display *display_headless_open(const struct display_config *cfg, char *err, size_t errlen);
struct display *display_wayland_open(const struct display_config *cfg, char *err, size_t errlen);
/* X11 (xcb): MIT-SHM, or PutImage when LKVM_X11_NO_SHM=1 or the server
 * cannot share memory with us (display/x11_priv.h). */
struct display *display_x11_open(const struct display_config *cfg, char *err, size_t errlen);

/* Write every output's frame: path for output 0, "<stem>-<i>.png" for
 * output i > 0. 0 or the first -errno. */
int display_screenshot_all(struct display *d, const char *path);

/* The window size the user last asked for on one output (a window
 * backend keeps one per output): reported to the VMM's resize event once,
 * and kept pending while no events are hooked up. */
struct display_size_ask {
	uint32_t w, h;
	bool pending;
};
/* output's window is now w x h (0: ignored): tell the VMM if it is new. */
void display_size_asked(struct display *d, unsigned output, struct display_size_ask *a, uint32_t w,
			uint32_t h);
/* Events are hooked up now: report a size asked before. */
void display_size_flush(struct display *d, unsigned output, struct display_size_ask *a);

/* Hook up the VMM's event callbacks (then events_ready, if any). */
void display_set_events(struct display *d, const struct display_events *ev);

static inline void display_destroy(struct display *d)
{
	if (d)
		d->ops->destroy(d);
}

#endif
