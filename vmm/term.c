#include "vmm/term.h"

#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

static struct termios saved;
static bool raw_active;

void term_raw_restore(void)
{
	if (raw_active) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw_active = false;
	}
}

bool term_raw_enable(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return false;
	t = saved;
	cfmakeraw(&t);
	/* Keep output post-processing so host log lines still start at column 0. */
	t.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return false;
	raw_active = true;
	atexit(term_raw_restore);
	return true;
}

size_t term_escape_filter(struct term_escape *e, const uint8_t *in, size_t len, uint8_t *out,
			  bool *quit)
{
	size_t n = 0;

	*quit = false;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (e->pending) {
			e->pending = false;
			if (c == 'x' || c == 'X') {
				*quit = true;
				return n;
			}
			if (c == CTRL_A) {
				out[n++] = CTRL_A;
				continue;
			}
			/* Unknown escape: pass both bytes through. */
			out[n++] = CTRL_A;
			out[n++] = c;
			continue;
		}
		if (c == CTRL_A) {
			e->pending = true;
			continue;
		}
		out[n++] = c;
	}
	return n;
}
