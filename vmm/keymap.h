/* Text to type -> key presses and releases (evdev codes) on a US keyboard,
 * for --type, --type-after and `lkvm-gpu type`.
 *
 * Printable ASCII is typed as itself (Shift added for capitals and the
 * shifted symbols), '\n' as Enter and '\t' as Tab. Special keys and
 * chords are spelled in angle brackets, modifiers first:
 *   <ret> <enter> <tab> <esc> <bs> <del> <ins> <space> <up> <down> <left>
 *   <right> <home> <end> <pgup> <pgdn> <f1>..<f12> <sysrq> <lt> (a '<')
 *   <ctrl-c> <alt-f4> <shift-tab> <ctrl-alt-del> <super-l> ...
 * with the modifiers ctrl, alt, shift, super and altgr; the key of a chord
 * is a name above or one printable character. Pure: no I/O.
 */
#ifndef LKVM_VMM_KEYMAP_H
#define LKVM_VMM_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYMAP_MAX_TEXT 4000 /* bytes of one text (fits a control request) */

struct key_action {
	uint16_t code; /* KEY_* */
	bool down;
};

/* The key actions typing text needs, in order, in a malloc'ed array
 * (*out, *n). 0, or -1 with one line in err naming the bad spelling. */
int keymap_parse(const char *text, struct key_action **out, size_t *n, char *err, size_t errlen);

/* The special key names, space separated (for error messages and help). */
const char *keymap_key_names(void);

#endif
