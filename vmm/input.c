#include "vmm/input.h"

#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static void send(struct vm_input *in, enum vinput_kind k, const struct vinput_event *ev, unsigned n)
{
	/* A full queue drops the frame: input is not worth blocking the
	 * display for, and the guest that posts no buffers sees nothing. */
	if (n)
		virtio_input_send(in->dev[k], ev, n);
}

static void key(void *opaque, uint16_t code, bool down)
{
	struct vinput_event ev = {EV_KEY, code, down};

	send(opaque, VINPUT_KEYBOARD, &ev, 1);
}

static void pointer_abs(void *opaque, unsigned output, uint32_t x, uint32_t y)
{
	struct vinput_event ev[2] = {
	    {EV_ABS, ABS_X, (int32_t)(x > VINPUT_ABS_MAX ? VINPUT_ABS_MAX : x)},
	    {EV_ABS, ABS_Y, (int32_t)(y > VINPUT_ABS_MAX ? VINPUT_ABS_MAX : y)},
	};

	send(opaque, VINPUT_TABLET, ev, 2);
}

/* Axes that did not move are left out; a frame with none is not sent. */
static unsigned rel_pair(struct vinput_event *ev, uint16_t code_a, int32_t a, uint16_t code_b,
			 int32_t b)
{
	unsigned n = 0;

	if (a)
		ev[n++] = (struct vinput_event){EV_REL, code_a, a};
	if (b)
		ev[n++] = (struct vinput_event){EV_REL, code_b, b};
	return n;
}

static void pointer_rel(void *opaque, int32_t dx, int32_t dy)
{
	struct vinput_event ev[2];

	send(opaque, VINPUT_MOUSE, ev, rel_pair(ev, REL_X, dx, REL_Y, dy));
}

static enum vinput_kind pointer(struct vm_input *in)
{
	return __atomic_load_n(&in->grabbed, __ATOMIC_RELAXED) ? VINPUT_MOUSE : VINPUT_TABLET;
}

static void button(void *opaque, uint16_t code, bool down)
{
	struct vm_input *in = opaque;
	struct vinput_event ev = {EV_KEY, code, down};
	enum vinput_kind k = pointer(in);

	if (code >= BTN_LEFT && code <= BTN_MIDDLE) {
		uint8_t bit = (uint8_t)(1u << (code - BTN_LEFT));

		in->held[k] = down ? in->held[k] | bit : in->held[k] & (uint8_t)~bit;
	}
	send(in, k, &ev, 1);
}

static void wheel(void *opaque, int32_t dy, int32_t dx)
{
	struct vinput_event ev[2];

	send(opaque, pointer(opaque), ev, rel_pair(ev, REL_WHEEL, dy, REL_HWHEEL, dx));
}

/* Buttons held on the device losing the pointer are released there. */
static void grab(void *opaque, bool grabbed)
{
	struct vm_input *in = opaque;
	enum vinput_kind old = pointer(in);

	__atomic_store_n(&in->grabbed, grabbed, __ATOMIC_RELAXED);
	if (pointer(in) == old)
		return;
	for (unsigned b = 0; b < 3; b++) {
		struct vinput_event ev = {EV_KEY, (uint16_t)(BTN_LEFT + b), 0};

		if (in->held[old] & (1u << b))
			send(in, old, &ev, 1);
	}
	in->held[old] = 0;
}

struct display_input vm_input_display(struct vm_input *in)
{
	return (struct display_input){
	    .opaque = in,
	    .key = key,
	    .pointer_abs = pointer_abs,
	    .pointer_rel = pointer_rel,
	    .button = button,
	    .wheel = wheel,
	    .grab = grab,
	};
}

struct vm_input *vm_input_create(const struct run_options *o)
{
	struct vm_input *in = calloc(1, sizeof(*in));
	char err[512];

	if (!in) {
		log_error("input: out of memory");
		return NULL;
	}
	for (unsigned k = 0; k < 3; k++) {
		in->dev[k] = virtio_input_create(k);
		if (!in->dev[k]) {
			log_error("virtio-input: cannot create the %s", vinput_kind_name(k));
			vm_input_destroy(in);
			return NULL;
		}
	}
	if (typist_init(&in->typist, o->types, o->nr_types, err, sizeof(err))) {
		log_error("%s", err);
		vm_input_destroy(in);
		return NULL;
	}
	return in;
}

void vm_input_destroy(struct vm_input *in)
{
	if (!in)
		return;
	for (unsigned k = 0; k < 3; k++)
		virtio_input_destroy(in->dev[k]);
	typist_destroy(&in->typist);
	free(in);
}

int vm_input_service(struct vm_input *in)
{
	return in ? typist_service(&in->typist, in->dev[VINPUT_KEYBOARD]) : -1;
}

void vm_input_console_line(struct vm_input *in, const char *line)
{
	if (in)
		typist_console_line(&in->typist, line, true);
}

/* An unfinished line is offered again only when it grew or a line was
 * completed since (so a prompt is matched once per byte read, not per
 * main loop turn). */
void vm_input_console_partial(struct vm_input *in, const struct ci_match *m)
{
	if (!in)
		return;
	for (unsigned s = 0; s < CI_NR_SOURCES; s++) {
		const struct ci_line *l = &m->pending[s];

		if (!l->len || (l->len == in->partial_len[s] && m->lines == in->lines_seen))
			continue;
		in->partial_len[s] = l->len;
		memcpy(in->partial, l->buf, l->len);
		in->partial[l->len] = 0;
		typist_console_line(&in->typist, in->partial, false);
	}
	in->lines_seen = m->lines;
}

int vm_input_type(void *in, const char *text, char *err, size_t errlen)
{
	return typist_add(&((struct vm_input *)in)->typist, text, err, errlen);
}
