/* libFuzzer: the --expect-screen argument parser (vmm/ci_screen_spec.c).
 *
 * Input: the argument's bytes (up to the first NUL). A parse that
 * succeeds must give fields inside the documented ranges (tol 0-255, rect
 * W and H 1-16384 and X, Y 0-16384, output 0-15) and a path that is the
 * argument up to its first ',' (non-empty); writing those fields back in
 * the long form REF,tol=N,rect=X,Y,W,H,output=N and parsing that must
 * give the same spec. A refusal says why in one line (plus any
 * newline the argument itself holds, as it is quoted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/ci_screen_spec.h"

static struct ci_screen_spec s, again;
static char arg[8192], back[8192 + 128];

static unsigned newlines(const char *t)
{
	unsigned n = 0;

	while ((t = strchr(t, '\n')))
		n++, t++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[16384];
	size_t n = size < sizeof(arg) - 1 ? size : sizeof(arg) - 1;
	const char *comma;
	size_t plen;

	memcpy(arg, data, n);
	arg[n] = 0;
	err[0] = 0;
	if (ci_screen_spec_parse(arg, &s, err, sizeof(err))) {
		/* The message quotes the argument: only its own newlines. */
		if (!err[0] || newlines(err) > newlines(arg))
			abort();
		return 0;
	}
	comma = strchr(arg, ',');
	plen = comma ? (size_t)(comma - arg) : strlen(arg);
	if (plen == 0 || strlen(s.path) != plen || memcmp(s.path, arg, plen))
		abort();
	if (s.tolerance > CI_SCREEN_MAX_TOL || s.output >= CI_SCREEN_MAX_OUTPUTS)
		abort();
	if (s.has_rect && (s.rect.w == 0 || s.rect.h == 0 || s.rect.w > 16384 || s.rect.h > 16384 ||
			   s.rect.x > 16384 || s.rect.y > 16384))
		abort();
	if (!s.has_rect && (s.rect.x | s.rect.y | s.rect.w | s.rect.h))
		abort();
	if (s.has_rect)
		snprintf(back, sizeof(back), "%s,tol=%u,rect=%u,%u,%u,%u,output=%u", s.path,
			 s.tolerance, s.rect.x, s.rect.y, s.rect.w, s.rect.h, s.output);
	else
		snprintf(back, sizeof(back), "%s,output=%u,tol=%u", s.path, s.output, s.tolerance);
	if (ci_screen_spec_parse(back, &again, err, sizeof(err)) || memcmp(&s, &again, sizeof(s)))
		abort();
	return 0;
}
