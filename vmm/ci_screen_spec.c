#include "vmm/ci_screen_spec.h"

#include <stdio.h>
#include <string.h>

#define MAX_TOKENS 16

struct tok {
	const char *s;
	size_t len;
};

/* Whole-token unsigned decimal in [0, max]. */
static int number(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* key=VALUE: true with the value's token if t starts with key. */
static bool keyed(const struct tok *t, const char *key, struct tok *value)
{
	size_t k = strlen(key);

	if (t->len < k || strncmp(t->s, key, k))
		return false;
	*value = (struct tok){t->s + k, t->len - k};
	return true;
}

/* Split s at every ',' into at most MAX_TOKENS non-empty tokens; -1 if a
 * token is empty or there are too many. */
static int split(const char *s, struct tok *t, unsigned *n)
{
	*n = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (len == 0 || *n == MAX_TOKENS)
			return -1;
		t[(*n)++] = (struct tok){s, len};
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int options(const struct tok *t, unsigned n, struct ci_screen_spec *s)
{
	bool tol = false, rect = false, out = false;
	struct tok v;

	for (unsigned i = 0; i < n; i++) {
		/* tol=N, or a bare N (the short form REF.png,N). */
		bool is_tol = keyed(&t[i], "tol=", &v);

		if (!is_tol && t[i].s[0] >= '0' && t[i].s[0] <= '9') {
			v = t[i];
			is_tol = true;
		}
		if (!tol && is_tol) {
			if (number(v.s, v.len, CI_SCREEN_MAX_TOL, &s->tolerance))
				return -1;
			tol = true;
		} else if (!rect && keyed(&t[i], "rect=", &v)) {
			uint32_t r[4];

			/* rect=X,Y,W,H: its value spans this token and the next three. */
			if (i + 3 >= n || number(v.s, v.len, 16384, &r[0]))
				return -1;
			for (unsigned k = 1; k < 4; k++)
				if (number(t[i + k].s, t[i + k].len, 16384, &r[k]))
					return -1;
			if (r[2] == 0 || r[3] == 0)
				return -1;
			s->rect = (struct ci_screen_rect){r[0], r[1], r[2], r[3]};
			s->has_rect = rect = true;
			i += 3;
		} else if (!out && keyed(&t[i], "output=", &v)) {
			if (number(v.s, v.len, CI_SCREEN_MAX_OUTPUTS - 1, &s->output))
				return -1;
			out = true;
		} else {
			return -1;
		}
	}
	return 0;
}

int ci_screen_spec_parse(const char *arg, struct ci_screen_spec *s, char *err, size_t errlen)
{
	const char *comma = strchr(arg, ',');
	size_t plen = comma ? (size_t)(comma - arg) : strlen(arg);
	struct tok t[MAX_TOKENS];
	unsigned n = 0;

	memset(s, 0, sizeof(*s));
	if (plen == 0 || plen >= sizeof(s->path)) {
		snprintf(err, errlen, "--expect-screen: '%s' names no reference file", arg);
		return -1;
	}
	memcpy(s->path, arg, plen);
	if (comma && (split(comma + 1, t, &n) || options(t, n, s))) {
		snprintf(err, errlen,
			 "--expect-screen: '%s' is not REF.png[,tol=N][,rect=X,Y,W,H][,output=N] "
			 "(tol 0-%d, W and H above 0, output 0-%d)",
			 arg, CI_SCREEN_MAX_TOL, CI_SCREEN_MAX_OUTPUTS - 1);
		return -1;
	}
	return 0;
}
