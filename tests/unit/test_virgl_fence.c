/* The virgl fence queue: guest fences reported oldest first, only once the
 * renderer's sequence number has reached them, across a wrapping counter. */
#include <criterion/criterion.h>

#include "gpu/virgl_fence.h"

static uint64_t got[8];
static uint32_t got_ctx[8];
static unsigned ngot;

static void rec(void *opaque, uint32_t ctx, uint8_t ring, uint64_t id)
{
	got_ctx[ngot] = ctx | (uint32_t)ring << 24;
	got[ngot++] = id;
}

Test(virgl_fence, reported_in_order_up_to_the_renderers_number)
{
	struct gpu_virgl_fences q;

	cr_assert_eq(gpu_virgl_fences_init(&q, 4), 0);
	ngot = 0;
	uint32_t first = gpu_virgl_fences_next(&q);
	cr_assert_eq(first, 1);
	gpu_virgl_fences_push(&q, 1, 0, 500);
	gpu_virgl_fences_push(&q, 2, 5, 7);
	gpu_virgl_fences_push(&q, 1, 0, 501);
	cr_assert_eq(gpu_virgl_fences_retire(&q, 0, rec, NULL), 0, "nothing done yet");
	cr_assert_eq(gpu_virgl_fences_retire(&q, 2, rec, NULL), 2);
	cr_assert_eq(got[0], 500);
	cr_assert_eq(got[1], 7);
	cr_assert_eq(got_ctx[1], 2 | 5u << 24);
	cr_assert_eq(gpu_virgl_fences_retire(&q, 2, rec, NULL), 0, "each once");
	cr_assert_eq(gpu_virgl_fences_retire(&q, 9, rec, NULL), 1);
	cr_assert_eq(got[2], 501);
	gpu_virgl_fences_fini(&q);
}

Test(virgl_fence, full_queue_gives_no_number)
{
	struct gpu_virgl_fences q;

	cr_assert_eq(gpu_virgl_fences_init(&q, 2), 0);
	gpu_virgl_fences_push(&q, 0, 0, 1);
	gpu_virgl_fences_push(&q, 0, 0, 2);
	cr_assert_eq(gpu_virgl_fences_next(&q), 0);
	cr_assert_eq(gpu_virgl_fences_retire(&q, 1, NULL, NULL), 1);
	cr_assert_eq(gpu_virgl_fences_next(&q), 3);
	gpu_virgl_fences_fini(&q);
}

Test(virgl_fence, the_counter_wraps_past_zero)
{
	struct gpu_virgl_fences q;

	cr_assert_eq(gpu_virgl_fences_init(&q, 4), 0);
	ngot = 0;
	q.next_seq = UINT32_MAX - 1;
	gpu_virgl_fences_push(&q, 0, 0, 10); /* seq UINT32_MAX */
	cr_assert_eq(gpu_virgl_fences_next(&q), 1, "0 is skipped");
	gpu_virgl_fences_push(&q, 0, 0, 11); /* seq 1 */
	cr_assert_eq(gpu_virgl_fences_retire(&q, UINT32_MAX - 1, rec, NULL), 0);
	cr_assert_eq(gpu_virgl_fences_retire(&q, UINT32_MAX, rec, NULL), 1);
	cr_assert_eq(gpu_virgl_fences_retire(&q, 1, rec, NULL), 1);
	cr_assert_eq(got[0], 10);
	cr_assert_eq(got[1], 11);
	gpu_virgl_fences_fini(&q);
}

Test(virgl_fence, cleared_fences_are_never_reported)
{
	struct gpu_virgl_fences q;

	cr_assert_eq(gpu_virgl_fences_init(&q, 4), 0);
	ngot = 0;
	gpu_virgl_fences_push(&q, 0, 0, 1);
	gpu_virgl_fences_clear(&q);
	gpu_virgl_fences_push(&q, 0, 0, 2); /* seq 2 */
	cr_assert_eq(gpu_virgl_fences_retire(&q, 1, rec, NULL), 0, "a late signal of seq 1");
	cr_assert_eq(gpu_virgl_fences_retire(&q, 2, rec, NULL), 1);
	cr_assert_eq(got[0], 2);
	gpu_virgl_fences_fini(&q);
}
