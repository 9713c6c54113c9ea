/* The typist: text typed into the guest's virtio-input keyboard, one key
 * action (a press or a release, each its own frame) at a time, paced by
 * the guest's buffers. Its text comes from --type (at once), --type-after
 * (once a console line matched, in command-line order) and `lkvm-gpu type`.
 * Runs on the main thread only.
 *
 * Console lines: a completed line is offered once; the unfinished last
 * line of a console (a prompt: "login: ", "/ # ") is offered as it grows,
 * so a step can fire on a prompt that has no newline yet. After a step
 * fired on an unfinished line, the rest of that line cannot fire the next
 * step (its echo of the typed text would otherwise match a pattern like
 * "# ").
 */
#ifndef LKVM_VMM_INPUT_TYPE_H
#define LKVM_VMM_INPUT_TYPE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "virtio/input.h"
#include "vmm/keymap.h"
#include "vmm/options.h"

#define TYPIST_MAX_ACTIONS (1u << 16) /* waiting to be typed: beyond it, `type` is refused */

struct type_step {
	bool has_re;
	regex_t re;
	struct key_action *acts;
	size_t n;
};

struct typist {
	struct type_step steps[OPT_MAX_TYPES];
	unsigned nr_steps, next_step;
	struct key_action *acts; /* what is left to type */
	size_t n, next, cap;
	bool partial_fired;	  /* a step fired on the current unfinished line */
	unsigned long long typed; /* actions placed, for --debug */
};

/* Compile the steps' patterns and spell their texts: -1 with one line in
 * err (the options were checked already, so only memory can fail). */
int typist_init(struct typist *t, const struct type_option *steps, unsigned n, char *err,
		size_t errlen);
void typist_destroy(struct typist *t);
/* Queue text (the control socket): 0, or -1 with one line in err. */
int typist_add(struct typist *t, const char *text, char *err, size_t errlen);
/* A console line; complete false: the unfinished last line so far. */
void typist_console_line(struct typist *t, const char *line, bool complete);
/* Type what the keyboard can take now. Returns ms until it should be
 * called again, -1 when there is nothing to type. */
int typist_service(struct typist *t, struct virtio_input *kbd);

#endif
