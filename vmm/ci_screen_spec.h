/* One --expect-screen argument: REF.png[,tol=N|,N][,rect=X,Y,W,H][,output=N]
 * (README, "Running in CI"). Parsing is pure: the file is read later. */
#ifndef LKVM_VMM_CI_SCREEN_SPEC_H
#define LKVM_VMM_CI_SCREEN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CI_MAX_SCREENS	      16
#define CI_SCREEN_MAX_TOL     255
#define CI_SCREEN_MAX_OUTPUTS 16

struct ci_screen_rect {
	uint32_t x, y, w, h;
};

struct ci_screen_spec {
	char path[4096];    /* the reference PNG: the argument up to its first ',' */
	unsigned tolerance; /* per channel, 0 (exact) to 255 */
	bool has_rect;	    /* else the whole output */
	struct ci_screen_rect rect;
	unsigned output;
};

/* 0, or -1 with one line in err naming the argument. */
int ci_screen_spec_parse(const char *arg, struct ci_screen_spec *s, char *err, size_t errlen);

#endif
