#include "gpu/transfer.h"

#include "gpu/copy.h"
#include "gpu/format.h"
#include "gpu/res_2d.h"

/* Copy rectangle rc of the backing, whose first pixel is at offset, to
 * the same place in r. Whole rows go as one gather. */
static bool copy_rect(struct gpu_resource *r, const struct gpu_rect *rc, uint64_t offset)
{
	uint64_t row = (uint64_t)rc->w * GPU_FORMAT_BPP;
	uint8_t *dst = gpu_2d_res(r)->pixels + (uint64_t)rc->y * gpu_2d_res(r)->stride +
		       (uint64_t)rc->x * GPU_FORMAT_BPP;
	bool stream = (uint64_t)rc->h * row >= GPU_STREAM_MIN, ok = true;

	if (rc->x == 0 && rc->w == r->width) {
		ok = gpu_backing_read(&r->backing, offset, dst,
				      (uint64_t)rc->h * gpu_2d_res(r)->stride, stream);
	} else {
		for (uint32_t y = 0; y < rc->h && ok; y++)
			ok = gpu_backing_read(
			    &r->backing, offset + (uint64_t)y * gpu_2d_res(r)->stride,
			    dst + (uint64_t)y * gpu_2d_res(r)->stride, row, stream);
	}
	if (stream)
		gpu_copy_stream_done();
	return ok;
}

/* Where rc's first pixel sits in a backing laid out like the resource. */
static uint64_t natural_offset(const struct gpu_resource *r, const struct gpu_rect *rc)
{
	return (uint64_t)rc->y * gpu_2d_res(r)->stride + (uint64_t)rc->x * GPU_FORMAT_BPP;
}

bool gpu_transfer(struct gpu_resource *r, const struct gpu_rect *rc, uint64_t offset)
{
	if (offset == natural_offset(r, rc)) {
		pixman_region32_union_rect(&gpu_2d_res(r)->pending, &gpu_2d_res(r)->pending, rc->x,
					   rc->y, rc->w, rc->h);
		if (pixman_region32_n_rects(&gpu_2d_res(r)->pending) > GPU_PENDING_MAX_RECTS)
			gpu_transfer_apply(r);
		return true;
	}
	/* These bytes win over whatever was pending under them. */
	pixman_region32_t here;

	pixman_region32_init_rect(&here, rc->x, rc->y, rc->w, rc->h);
	pixman_region32_subtract(&gpu_2d_res(r)->pending, &gpu_2d_res(r)->pending, &here);
	pixman_region32_fini(&here);
	return copy_rect(r, rc, offset);
}

void gpu_transfer_apply(struct gpu_resource *r)
{
	int n;
	pixman_box32_t *box = pixman_region32_rectangles(&gpu_2d_res(r)->pending, &n);

	for (int i = 0; i < n; i++) {
		struct gpu_rect rc = {box[i].x1, box[i].y1, box[i].x2 - box[i].x1,
				      box[i].y2 - box[i].y1};

		/* The backing was in range when each transfer was checked, and
		 * only a detach (which applies first) changes it. */
		copy_rect(r, &rc, natural_offset(r, &rc));
	}
	pixman_region32_clear(&gpu_2d_res(r)->pending);
}
