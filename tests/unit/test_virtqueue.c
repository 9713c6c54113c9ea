/* Split virtqueue: chain shapes, used ring, notification suppression. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/vq_builder.h"
#include "virtio/virtqueue.h"

#define F_NEXT	   1
#define F_WRITE	   2
#define F_INDIRECT 4

static struct vqb b;
static struct virtqueue vq;
static struct vq_elem *elem;

static void setup(void)
{
	vqb_init(&b, 1 << 20, 16);
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	elem = calloc(1, sizeof(*elem));
}

static void teardown(void)
{
	free(elem);
	vqb_free(&b);
}

TestSuite(virtqueue, .init = setup, .fini = teardown);

Test(virtqueue, init_rejects_bad_sizes_and_placement)
{
	struct virtqueue q;

	cr_expect_eq(vq_init(&q, &b.gm, 0, b.desc_gpa, b.avail_gpa, b.used_gpa, false), -EINVAL);
	cr_expect_eq(vq_init(&q, &b.gm, 12, b.desc_gpa, b.avail_gpa, b.used_gpa, false), -EINVAL);
	cr_expect_eq(vq_init(&q, &b.gm, 16, b.desc_gpa + 8, b.avail_gpa, b.used_gpa, false),
		     -EINVAL);
	cr_expect_eq(vq_init(&q, &b.gm, 16, b.desc_gpa, b.avail_gpa + 1, b.used_gpa, false),
		     -EINVAL);
	cr_expect_eq(vq_init(&q, &b.gm, 16, b.desc_gpa, b.avail_gpa, b.used_gpa + 2, false),
		     -EINVAL);
	/* Rings outside RAM, or running off its end. */
	cr_expect_eq(vq_init(&q, &b.gm, 16, 0, b.avail_gpa, b.used_gpa, false), -EINVAL);
	cr_expect_eq(
	    vq_init(&q, &b.gm, 16, b.desc_gpa, b.avail_gpa, VQB_GPA_BASE + b.mem_size - 64, false),
	    -EINVAL);
	cr_expect_eq(vq_init(&q, &b.gm, 32768, VQB_GPA_BASE + b.mem_size - 4096, b.avail_gpa,
			     b.used_gpa, false),
		     -EINVAL);
	cr_expect_eq(vq_init(&q, &b.gm, 16, b.desc_gpa, b.avail_gpa, b.used_gpa, false), 0);
}

Test(virtqueue, empty_queue_pops_nothing)
{
	cr_expect_eq(vq_pop(&vq, elem), 0);
	cr_expect_not(vq.broken);
}

Test(virtqueue, single_readable_buffer)
{
	struct vqb_buf buf = vqb_buf_out(&b, "hello", 5);
	char out[8] = {0};
	uint16_t head = vqb_add_chain(&b, &buf, 1);

	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(elem->head, head);
	cr_expect_eq(elem->n_out, 1);
	cr_expect_eq(elem->n_in, 0);
	cr_expect_eq(elem->out_len, 5);
	cr_expect_eq(vq_elem_read(&b.gm, elem, 0, out, sizeof(out)), 5);
	cr_expect_str_eq(out, "hello");
	cr_expect_eq(vq_pop(&vq, elem), 0);
}

Test(virtqueue, out_and_in_segments_gather_and_scatter)
{
	struct vqb_buf bufs[4] = {
	    vqb_buf_out(&b, "abc", 3),
	    vqb_buf_out(&b, "defgh", 5),
	    vqb_buf_in(&b, 4),
	    vqb_buf_in(&b, 6),
	};
	char got[16] = {0};

	vqb_add_chain(&b, bufs, 4);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(elem->n_out, 2);
	cr_expect_eq(elem->n_in, 2);
	cr_expect_eq(elem->out_len, 8);
	cr_expect_eq(elem->in_len, 10);
	/* Reads cross segment boundaries and honour the offset. */
	cr_expect_eq(vq_elem_read(&b.gm, elem, 2, got, 4), 4);
	cr_expect_arr_eq(got, "cdef", 4);
	cr_expect_eq(vq_elem_read(&b.gm, elem, 6, got, 16), 2);
	cr_expect_arr_eq(got, "gh", 2);
	cr_expect_eq(vq_elem_read(&b.gm, elem, 100, got, 16), 0);
	/* Writes go to writable segments only, split across both. */
	cr_expect_eq(vq_elem_write(&b.gm, elem, 1, "0123456789", 10), 9);
	cr_expect_arr_eq(vqb_host(&b, bufs[2].gpa),
			 "\0"
			 "012",
			 4);
	cr_expect_arr_eq(vqb_host(&b, bufs[3].gpa), "345678", 6);
	cr_expect_arr_eq(vqb_host(&b, bufs[0].gpa), "abc", 3);
}

Test(virtqueue, indirect_chain)
{
	struct vqb_buf bufs[3] = {
	    vqb_buf_out(&b, "hdr!", 4),
	    vqb_buf_in(&b, 512),
	    vqb_buf_in(&b, 1),
	};
	uint16_t head = vqb_add_indirect(&b, bufs, 3);

	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(elem->head, head);
	cr_expect_eq(elem->n_out, 1);
	cr_expect_eq(elem->n_in, 2);
	cr_expect_eq(elem->in_len, 513);
	cr_expect_eq(elem->segs[1].gpa, bufs[1].gpa);
}

Test(virtqueue, direct_descriptors_then_indirect_table)
{
	struct vqb_buf ind = vqb_buf_in(&b, 8);
	uint64_t table = vqb_alloc(&b, 16);
	struct vqb_buf first = vqb_buf_out(&b, "x", 1);

	vqb_set_table_desc(&b, table, 0, ind.gpa, 8, F_WRITE, 0);
	vqb_set_desc(&b, 0, first.gpa, 1, F_NEXT, 1);
	vqb_set_desc(&b, 1, table, 16, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(elem->n_out, 1);
	cr_expect_eq(elem->n_in, 1);
}

Test(virtqueue, zero_length_segments_are_skipped)
{
	struct vqb_buf bufs[3] = {vqb_buf_out(&b, "a", 1), {.gpa = 0, .len = 0}, vqb_buf_in(&b, 2)};

	vqb_add_chain(&b, bufs, 3);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(elem->n_out + elem->n_in, 2);
}

Test(virtqueue, chain_using_every_descriptor)
{
	struct vqb_buf bufs[16];

	for (int i = 0; i < 16; i++)
		bufs[i] = i < 8 ? vqb_buf_out(&b, NULL, 1) : vqb_buf_in(&b, 1);
	vqb_add_chain(&b, bufs, 16);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(elem->n_out, 8);
	cr_expect_eq(elem->n_in, 8);
}

static void expect_broken(void)
{
	cr_expect_eq(vq_pop(&vq, elem), -EIO);
	cr_expect(vq.broken);
	/* It stays broken until the transport resets the queue. */
	cr_expect_eq(vq_pop(&vq, elem), -EIO);
}

Test(virtqueue, self_loop_is_refused)
{
	uint64_t d = vqb_alloc(&b, 4);

	vqb_set_desc(&b, 0, d, 4, F_NEXT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, two_descriptor_loop_is_refused)
{
	uint64_t d = vqb_alloc(&b, 4);

	vqb_set_desc(&b, 0, d, 4, F_NEXT, 1);
	vqb_set_desc(&b, 1, d, 4, F_NEXT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, next_out_of_range_is_refused)
{
	uint64_t d = vqb_alloc(&b, 4);

	vqb_set_desc(&b, 0, d, 4, F_NEXT, 16);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, head_out_of_range_is_refused)
{
	vqb_publish(&b, 16);
	expect_broken();
}

Test(virtqueue, avail_idx_jumping_past_size_is_refused)
{
	uint64_t d = vqb_alloc(&b, 4);

	vqb_set_desc(&b, 0, d, 4, 0, 0);
	vqb_set_avail_idx(&b, 17);
	expect_broken();
}

Test(virtqueue, avail_idx_of_exactly_size_is_fine)
{
	uint64_t d = vqb_alloc(&b, 4);

	for (int i = 0; i < 16; i++)
		vqb_set_desc(&b, i, d, 4, 0, 0);
	vqb_set_avail_idx(&b, 16); /* ring entries all 0: head 0 sixteen times */
	for (int i = 0; i < 16; i++)
		cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(vq_pop(&vq, elem), 0);
}

Test(virtqueue, address_outside_ram_is_refused)
{
	vqb_set_desc(&b, 0, 0x1000, 16, 0, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, length_running_past_ram_end_is_refused)
{
	vqb_set_desc(&b, 0, VQB_GPA_BASE + b.mem_size - 8, 9, F_WRITE, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, address_plus_length_overflowing_is_refused)
{
	vqb_set_desc(&b, 0, UINT64_MAX - 4, 0xffffffff, 0, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, huge_lengths_in_ram_range_are_refused)
{
	vqb_set_desc(&b, 0, VQB_GPA_BASE + 4096, 0xffffffff, 0, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, readable_after_writable_is_refused)
{
	struct vqb_buf bufs[2] = {vqb_buf_in(&b, 4), vqb_buf_out(&b, "ab", 2)};

	vqb_add_chain(&b, bufs, 2);
	expect_broken();
}

Test(virtqueue, readable_after_writable_in_indirect_is_refused)
{
	struct vqb_buf bufs[2] = {vqb_buf_in(&b, 4), vqb_buf_out(&b, "ab", 2)};

	vqb_add_indirect(&b, bufs, 2);
	expect_broken();
}

Test(virtqueue, nested_indirect_is_refused)
{
	uint64_t inner = vqb_alloc(&b, 16), outer = vqb_alloc(&b, 16);
	uint64_t d = vqb_alloc(&b, 4);

	vqb_set_table_desc(&b, inner, 0, d, 4, 0, 0);
	vqb_set_table_desc(&b, outer, 0, inner, 16, F_INDIRECT, 0);
	vqb_set_desc(&b, 0, outer, 16, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, zero_length_indirect_table_is_refused)
{
	vqb_set_desc(&b, 0, vqb_alloc(&b, 16), 0, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, indirect_length_not_multiple_of_16_is_refused)
{
	vqb_set_desc(&b, 0, vqb_alloc(&b, 32), 24, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, indirect_with_next_is_refused)
{
	uint64_t t = vqb_alloc(&b, 16);

	vqb_set_table_desc(&b, t, 0, vqb_alloc(&b, 4), 4, 0, 0);
	vqb_set_desc(&b, 0, t, 16, F_INDIRECT | F_NEXT, 1);
	vqb_set_desc(&b, 1, vqb_alloc(&b, 4), 4, 0, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, indirect_table_outside_ram_is_refused)
{
	vqb_set_desc(&b, 0, VQB_GPA_BASE + b.mem_size - 16, 32, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, indirect_table_loop_is_refused)
{
	uint64_t t = vqb_alloc(&b, 32), d = vqb_alloc(&b, 4);

	vqb_set_table_desc(&b, t, 0, d, 4, F_NEXT, 1);
	vqb_set_table_desc(&b, t, 1, d, 4, F_NEXT, 0);
	vqb_set_desc(&b, 0, t, 32, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, indirect_next_out_of_table_is_refused)
{
	uint64_t t = vqb_alloc(&b, 32), d = vqb_alloc(&b, 4);

	vqb_set_table_desc(&b, t, 0, d, 4, F_NEXT, 2);
	vqb_set_table_desc(&b, t, 1, d, 4, 0, 0);
	vqb_set_desc(&b, 0, t, 32, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, over_long_indirect_table_is_refused)
{
	unsigned n = VQ_MAX_SEGS + 1;
	uint64_t t = vqb_alloc(&b, 16 * n), d = vqb_alloc(&b, 4);

	for (unsigned i = 0; i < n; i++)
		vqb_set_table_desc(&b, t, i, d, 4, i + 1 < n ? F_NEXT : 0, i + 1);
	vqb_set_desc(&b, 0, t, 16 * n, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	expect_broken();
}

Test(virtqueue, longest_accepted_chain)
{
	unsigned n = VQ_MAX_SEGS;
	uint64_t t = vqb_alloc(&b, 16 * n), d = vqb_alloc(&b, 4);

	for (unsigned i = 0; i < n; i++)
		vqb_set_table_desc(&b, t, i, d, 4, i + 1 < n ? F_NEXT : 0, i + 1);
	vqb_set_desc(&b, 0, t, 16 * n, F_INDIRECT, 0);
	vqb_publish(&b, 0);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(elem->n_out, VQ_MAX_SEGS);
	cr_expect_eq(elem->out_len, 4 * VQ_MAX_SEGS);
}

Test(virtqueue, over_long_direct_chain_is_refused)
{
	struct vqb big;
	struct virtqueue q;
	uint64_t d;

	vqb_init(&big, 1 << 20, 2048);
	cr_assert_eq(vqb_vq_init(&big, &q, false), 0);
	d = vqb_alloc(&big, 4);
	for (unsigned i = 0; i <= VQ_MAX_SEGS; i++)
		vqb_set_desc(&big, i, d, 4, i < VQ_MAX_SEGS ? F_NEXT : 0, i + 1);
	vqb_publish(&big, 0);
	cr_expect_eq(vq_pop(&q, elem), -EIO);
	cr_expect(q.broken);
	vqb_free(&big);
}

Test(virtqueue, used_ring_entries_and_wraparound)
{
	uint64_t d = vqb_alloc(&b, 4);
	uint16_t id;
	uint32_t len;

	vqb_set_desc(&b, 3, d, 4, F_WRITE, 0);
	/* Three laps of the ring, and past the 16-bit index wrap. */
	vq.last_avail = vq.used_idx = 65530;
	b.avail_idx = b.used_seen = 65530;
	for (unsigned i = 0; i < 48; i++) {
		vqb_publish(&b, 3);
		cr_assert_eq(vq_pop(&vq, elem), 1);
		cr_assert_eq(elem->head, 3);
		vq_push(&vq, elem->head, i);
		cr_assert(vqb_get_used(&b, &id, &len));
		cr_assert_eq(id, 3);
		cr_assert_eq(len, i);
	}
	cr_expect_eq(vqb_used_idx(&b), (uint16_t)(65530 + 48));
	cr_expect_not(vqb_get_used(&b, &id, &len));
}

Test(virtqueue, push_of_bogus_head_is_ignored)
{
	vq_push(&vq, 16, 1);
	cr_expect_eq(vqb_used_idx(&b), 0);
}

Test(virtqueue, no_interrupt_flag_suppresses_notify)
{
	vq_push(&vq, 0, 0);
	cr_expect(vq_should_notify(&vq));
	vqb_set_avail_flags(&b, 1);
	vq_push(&vq, 0, 0);
	cr_expect_not(vq_should_notify(&vq));
}

Test(virtqueue, disable_and_enable_notify_without_event_idx)
{
	vq_disable_notify(&vq);
	cr_expect_eq(vqb_used_flags(&b), 1);
	cr_expect_not(vq_enable_notify(&vq));
	cr_expect_eq(vqb_used_flags(&b), 0);
	vqb_publish(&b, 0);
	cr_expect(vq_enable_notify(&vq));
}

Test(virtqueue, event_idx_used_event)
{
	struct virtqueue q;

	cr_assert_eq(vqb_vq_init(&b, &q, true), 0);
	/* The first check always notifies: we know nothing of the driver. */
	vq_push(&q, 0, 0);
	cr_expect(vq_should_notify(&q));
	/* Driver wants to hear when entry 3 is used (used_idx passes 3). */
	vqb_set_used_event(&b, 3);
	vq_push(&q, 0, 0); /* used_idx 2: entry 1 */
	cr_expect_not(vq_should_notify(&q));
	vq_push(&q, 0, 0); /* used_idx 3: entry 2 */
	cr_expect_not(vq_should_notify(&q));
	vq_push(&q, 0, 0); /* used_idx 4: entry 3 crossed */
	cr_expect(vq_should_notify(&q));
	vq_push(&q, 0, 0);
	cr_expect_not(vq_should_notify(&q));
	/* A batch that jumps over used_event still notifies once. */
	vqb_set_used_event(&b, 6);
	vq_push(&q, 0, 0);
	vq_push(&q, 0, 0);
	vq_push(&q, 0, 0);
	cr_expect(vq_should_notify(&q));
	/* Avail flags are ignored under EVENT_IDX. */
	vqb_set_avail_flags(&b, 1);
	vqb_set_used_event(&b, q.used_idx);
	vq_push(&q, 0, 0);
	cr_expect(vq_should_notify(&q));
}

Test(virtqueue, event_idx_enable_notify_publishes_avail_event)
{
	struct virtqueue q;
	uint64_t d = vqb_alloc(&b, 4);

	cr_assert_eq(vqb_vq_init(&b, &q, true), 0);
	vqb_set_desc(&b, 0, d, 4, 0, 0);
	vqb_publish(&b, 0);
	vqb_publish(&b, 0);
	cr_expect(vq_enable_notify(&q)); /* two pending */
	cr_expect_eq(vqb_avail_event(&b), 0);
	cr_assert_eq(vq_pop(&q, elem), 1);
	cr_assert_eq(vq_pop(&q, elem), 1);
	cr_expect_not(vq_enable_notify(&q));
	cr_expect_eq(vqb_avail_event(&b), 2);
	/* disable is a no-op with event idx: no flag written. */
	vq_disable_notify(&q);
	cr_expect_eq(vqb_used_flags(&b), 0);
}

Test(virtqueue, uninitialised_queue_is_inert)
{
	struct virtqueue q;

	memset(&q, 0, sizeof(q));
	cr_expect_eq(vq_pop(&q, elem), -EIO);
	vq_push(&q, 0, 0);
	cr_expect_not(vq_should_notify(&q));
	cr_expect_not(vq_enable_notify(&q));
}
