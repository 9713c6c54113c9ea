/* The VM's keyboard, absolute tablet and relative mouse (virtio-input),
 * what the display's input seam (struct display_input) feeds them, and
 * the typist that types --type text and `lkvm-gpu type` into the keyboard.
 *
 * Display input: keys go to the keyboard; absolute pointer motion to the
 * tablet; relative motion to the mouse; buttons and the wheel to the
 * tablet, or to the mouse while the pointer is grabbed; a button still
 * held when the grab changes is released on the device that had it, so
 * none sticks. Events a device does not offer (a BTN_SIDE, say) are
 * dropped. */
#ifndef LKVM_VMM_INPUT_H
#define LKVM_VMM_INPUT_H

#include <stdbool.h>

#include "display/display.h"
#include "virtio/input.h"
#include "vmm/ci_match.h"
#include "vmm/input_type.h"
#include "vmm/options.h"

struct vm_input {
	struct virtio_input *dev[3];   /* indexed by enum vinput_kind */
	bool grabbed;		       /* atomic: written by the display's thread */
	uint8_t held[3];	       /* display thread: buttons down, bit n = BTN_LEFT + n */
	struct typist typist;	       /* main thread */
	unsigned long long lines_seen; /* ci_match lines when the partial line was offered */
	size_t partial_len[CI_NR_SOURCES];
	char partial[CI_LINE_MAX + 1]; /* an unfinished line, NUL-terminated */
};

/* NULL after one log line. */
struct vm_input *vm_input_create(const struct run_options *o);
/* After the devices left the bus and the display is gone. */
void vm_input_destroy(struct vm_input *in);
/* The seam the display calls (on the GPU worker thread). */
struct display_input vm_input_display(struct vm_input *in);

/* Main thread: type what can be typed; ms until the next call (-1: idle). */
int vm_input_service(struct vm_input *in);
/* Main thread: a completed console line; the consoles' unfinished lines
 * after new bytes were judged. */
void vm_input_console_line(struct vm_input *in, const char *line);
void vm_input_console_partial(struct vm_input *in, const struct ci_match *m);
/* `lkvm-gpu type NAME TEXT`: the shape of struct control_typist's add(). */
int vm_input_type(void *in, const char *text, char *err, size_t errlen);

#endif
