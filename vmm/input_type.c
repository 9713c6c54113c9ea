#include "vmm/input_type.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* While the driver is not ready, or its buffers are all in use. */
#define RETRY_NOT_READY_MS 20
#define RETRY_BUSY_MS	   2

int typist_init(struct typist *t, const struct type_option *steps, unsigned n, char *err,
		size_t errlen)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < n && i < OPT_MAX_TYPES; i++) {
		struct type_step *s = &t->steps[i];

		if (steps[i].after && regcomp(&s->re, steps[i].after, REG_EXTENDED | REG_NOSUB)) {
			snprintf(err, errlen, "--type-after: '%s' does not compile",
				 steps[i].after);
			return -1;
		}
		s->has_re = steps[i].after != NULL;
		t->nr_steps = i + 1;
		if (keymap_parse(steps[i].text, &s->acts, &s->n, err, errlen))
			return -1;
	}
	return 0;
}

void typist_destroy(struct typist *t)
{
	for (unsigned i = 0; i < t->nr_steps; i++) {
		if (t->steps[i].has_re)
			regfree(&t->steps[i].re);
		free(t->steps[i].acts);
	}
	free(t->acts);
	memset(t, 0, sizeof(*t));
}

/* Append n actions to what is left to type. */
static int queue(struct typist *t, const struct key_action *a, size_t n)
{
	size_t left = t->n - t->next;

	if (left + n > TYPIST_MAX_ACTIONS)
		return -1;
	if (t->next) { /* drop what was typed */
		memmove(t->acts, t->acts + t->next, left * sizeof(*a));
		t->n = left;
		t->next = 0;
	}
	if (t->n + n > t->cap) {
		size_t cap = t->n + n < 256 ? 256 : 2 * (t->n + n);
		struct key_action *p = realloc(t->acts, cap * sizeof(*p));

		if (!p)
			return -1;
		t->acts = p;
		t->cap = cap;
	}
	memcpy(t->acts + t->n, a, n * sizeof(*a));
	t->n += n;
	return 0;
}

/* Steps without a pattern go as soon as the one before them went. */
static void run_unconditional(struct typist *t)
{
	while (t->next_step < t->nr_steps && !t->steps[t->next_step].has_re) {
		struct type_step *s = &t->steps[t->next_step++];

		if (queue(t, s->acts, s->n))
			log_error("--type: too much text waiting; dropped");
	}
}

int typist_add(struct typist *t, const char *text, char *err, size_t errlen)
{
	struct key_action *a;
	size_t n;
	int r;

	if (keymap_parse(text, &a, &n, err, errlen))
		return -1;
	r = queue(t, a, n);
	free(a);
	if (r)
		snprintf(err, errlen, "busy: %u key actions are waiting to be typed already",
			 TYPIST_MAX_ACTIONS);
	return r;
}

void typist_console_line(struct typist *t, const char *line, bool complete)
{
	struct type_step *s;

	run_unconditional(t);
	if (t->partial_fired) {
		/* The rest of the line a step fired on is not a new prompt. */
		if (complete)
			t->partial_fired = false;
		return;
	}
	if (t->next_step >= t->nr_steps)
		return;
	s = &t->steps[t->next_step];
	if (regexec(&s->re, line, 0, NULL, 0))
		return;
	log_debug("--type-after: console line matched step %u", t->next_step + 1);
	t->next_step++;
	t->partial_fired = !complete;
	if (queue(t, s->acts, s->n))
		log_error("--type-after: too much text waiting; dropped");
	run_unconditional(t);
}

int typist_service(struct typist *t, struct virtio_input *kbd)
{
	run_unconditional(t);
	while (t->next < t->n) {
		struct vinput_event ev = {EV_KEY, t->acts[t->next].code, t->acts[t->next].down};

		if (!kbd)
			return -1;
		/* One frame at a time in the device's queue: the next press
		 * never overtakes the guest's buffers by more than a frame. */
		if (virtio_input_pending(kbd))
			return RETRY_BUSY_MS;
		switch (virtio_input_send(kbd, &ev, 1)) {
		case VINPUT_PLACED:
			t->next++;
			t->typed++;
			break;
		case VINPUT_QUEUED:
			t->next++;
			t->typed++;
			return RETRY_BUSY_MS;
		case VINPUT_NOT_READY:
			return RETRY_NOT_READY_MS;
		case VINPUT_DROPPED:
			return RETRY_BUSY_MS;
		case VINPUT_UNSUPPORTED:
			t->next++; /* cannot happen: the keymap only uses keyboard keys */
			break;
		}
	}
	return -1;
}
