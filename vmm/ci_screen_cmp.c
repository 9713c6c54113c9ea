#include "vmm/ci_screen_cmp.h"

#include <stdio.h>
#include <string.h>

static struct ci_screen_rect region(const struct ci_screen_spec *spec, uint32_t w, uint32_t h)
{
	return spec->has_rect ? spec->rect : (struct ci_screen_rect){0, 0, w, h};
}

int ci_screen_check_size(const struct ci_screen_spec *spec, uint32_t ref_w, uint32_t ref_h,
			 uint32_t out_w, uint32_t out_h, char *err, size_t errlen)
{
	struct ci_screen_rect r = region(spec, out_w, out_h);

	if ((uint64_t)r.x + r.w > out_w || (uint64_t)r.y + r.h > out_h) {
		snprintf(err, errlen,
			 "--expect-screen %s: rect=%u,%u,%u,%u is not inside output %u (%ux%u)",
			 spec->path, r.x, r.y, r.w, r.h, spec->output, out_w, out_h);
		return -1;
	}
	if ((ref_w == out_w && ref_h == out_h) || (spec->has_rect && ref_w == r.w && ref_h == r.h))
		return 0;
	if (spec->has_rect)
		snprintf(err, errlen,
			 "--expect-screen %s: the reference is %ux%u, neither the output's "
			 "%ux%u nor the rectangle's %ux%u",
			 spec->path, ref_w, ref_h, out_w, out_h, r.w, r.h);
	else
		snprintf(err, errlen,
			 "--expect-screen %s: the reference is %ux%u, output %u is %ux%u "
			 "(--resolution)",
			 spec->path, ref_w, ref_h, spec->output, out_w, out_h);
	return -1;
}

static unsigned channel_delta(uint32_t a, uint32_t b, unsigned shift)
{
	int d = (int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff);

	return (unsigned)(d < 0 ? -d : d);
}

static unsigned pixel_delta(uint32_t a, uint32_t b)
{
	unsigned r = channel_delta(a, b, 16), g = channel_delta(a, b, 8),
		 bl = channel_delta(a, b, 0);
	unsigned m = r > g ? r : g;

	return m > bl ? m : bl;
}

/* A matching pixel in the diff image: the frame's, a quarter as bright. */
static uint32_t dim(uint32_t p)
{
	return (p >> 2) & 0x3f3f3fu;
}

bool ci_screen_compare(const struct ci_screen_spec *spec, const uint32_t *frame, uint32_t fw,
		       uint32_t fh, const uint32_t *ref, uint32_t ref_w, uint32_t ref_h,
		       uint32_t *diff, struct ci_screen_cmp *out)
{
	struct ci_screen_rect r = region(spec, fw, fh);
	/* A crop is laid at the region's top-left; a full-size reference
	 * shares the frame's coordinates. */
	bool crop = !(ref_w == fw && ref_h == fh);
	uint32_t ox = crop ? r.x : 0, oy = crop ? r.y : 0;

	memset(out, 0, sizeof(*out));
	if (diff)
		for (size_t i = 0; i < (size_t)fw * fh; i++)
			diff[i] = CI_DIFF_OUTSIDE;
	for (uint32_t y = r.y; y < r.y + r.h; y++) {
		const uint32_t *f = frame + (size_t)y * fw;
		const uint32_t *q = ref + (size_t)(y - oy) * ref_w;

		for (uint32_t x = r.x; x < r.x + r.w; x++) {
			/* Most pixels are equal: no channel arithmetic for them. */
			unsigned d =
			    (f[x] ^ q[x - ox]) & 0xffffffu ? pixel_delta(f[x], q[x - ox]) : 0;
			bool bad = d > spec->tolerance;

			if (d > out->max_delta)
				out->max_delta = d;
			if (bad && out->mismatched++ == 0) {
				out->first_x = x;
				out->first_y = y;
			}
			if (diff)
				diff[(size_t)y * fw + x] = bad ? CI_DIFF_MISMATCH : dim(f[x]);
		}
	}
	out->compared = (uint64_t)r.w * r.h;
	return out->mismatched == 0;
}
