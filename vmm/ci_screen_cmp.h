/* Comparing a frame with a reference image (--expect-screen), pure: no
 * I/O, no threads. Pixels are 0x00RRGGBB words (the top byte is ignored),
 * stride = width. A pixel matches when each of its red, green and blue
 * channels is within the tolerance of the reference's.
 *
 * The compared region is a rectangle of the frame (the whole frame if
 * none). The reference is either the frame's size (the region is compared
 * with the same region of it) or the region's size (a crop of the screen,
 * laid at the region's top-left). */
#ifndef LKVM_VMM_CI_SCREEN_CMP_H
#define LKVM_VMM_CI_SCREEN_CMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/ci_screen_spec.h"

/* The diff image's colours (README): a mismatching pixel is red; a
 * matching one is the frame's pixel at a quarter of its brightness (so no
 * matching pixel is ever this red); outside the region, black. */
#define CI_DIFF_MISMATCH 0xff0000u
#define CI_DIFF_OUTSIDE	 0x000000u

struct ci_screen_cmp {
	uint64_t compared, mismatched;
	unsigned max_delta;	   /* the largest channel difference seen (0-255) */
	uint32_t first_x, first_y; /* the first mismatch in row order */
};

/* Whether a reference of ref_w x ref_h fits spec on an output of out_w x
 * out_h: the rectangle inside the output, the reference the output's or
 * the rectangle's size. 0, or -1 with one line in err. */
int ci_screen_check_size(const struct ci_screen_spec *spec, uint32_t ref_w, uint32_t ref_h,
			 uint32_t out_w, uint32_t out_h, char *err, size_t errlen);

/* Compare frame (fw x fh) with ref as spec says (sizes already checked
 * with ci_screen_check_size for fw x fh). diff: NULL, or fw * fh words to
 * fill with the diff image. True when every compared pixel matches. */
bool ci_screen_compare(const struct ci_screen_spec *spec, const uint32_t *frame, uint32_t fw,
		       uint32_t fh, const uint32_t *ref, uint32_t ref_w, uint32_t ref_h,
		       uint32_t *diff, struct ci_screen_cmp *out);

#endif
