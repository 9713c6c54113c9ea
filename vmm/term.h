/* The host terminal: raw mode while the VM runs (restored on every exit
 * path, including fatal signals), and the Ctrl-A escape for quitting. */
#ifndef LKVM_TERM_H
#define LKVM_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Puts stdin in raw mode if it is a TTY; returns whether it did. */
bool term_raw_enable(void);
void term_raw_restore(void);

/* Ctrl-A escape decoder: filters in[0..len) into out (same size or larger);
 * sets *quit on Ctrl-A x. Returns the bytes to pass to the guest. */
struct term_escape {
	bool pending; /* last byte was Ctrl-A */
};
size_t term_escape_filter(struct term_escape *e, const uint8_t *in, size_t len, uint8_t *out,
			  bool *quit);

#endif
