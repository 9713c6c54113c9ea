/* virtio-rng and virtio-console request handling over fake guest memory. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/vq_builder.h"
#include "virtio/console.h"
#include "virtio/rng.h"

static struct vqb b;
static struct vq_elem *elem;

static void setup(void)
{
	vqb_init(&b, 1 << 20, 16);
	elem = calloc(1, sizeof(*elem));
}

static void teardown(void)
{
	free(elem);
	vqb_free(&b);
}

TestSuite(rng, .init = setup, .fini = teardown);
TestSuite(console, .init = setup, .fini = teardown);

Test(rng, fills_every_writable_byte)
{
	struct virtio_rng *r = virtio_rng_create();
	struct virtqueue vq;
	struct vqb_buf bufs[2] = {vqb_buf_in(&b, 100), vqb_buf_in(&b, 4000)};
	uint8_t *p0 = vqb_host(&b, bufs[0].gpa), *p1 = vqb_host(&b, bufs[1].gpa);
	unsigned zeros = 0;

	r->mem = &b.gm;
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	vqb_add_chain(&b, bufs, 2);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(virtio_rng_request(r, elem), 4100);
	/* Random bytes: a 4100-byte run with more than 100 zeros would be a
	 * one-in-astronomical event (expected count is 16). */
	for (unsigned i = 0; i < 100; i++)
		zeros += !p0[i];
	for (unsigned i = 0; i < 4000; i++)
		zeros += !p1[i];
	cr_expect_lt(zeros, 100);
	virtio_rng_destroy(r);
}

Test(rng, readable_only_request_gets_nothing)
{
	struct virtio_rng *r = virtio_rng_create();
	struct virtqueue vq;
	struct vqb_buf buf = vqb_buf_out(&b, "x", 1);

	r->mem = &b.gm;
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	vqb_add_chain(&b, &buf, 1);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(virtio_rng_request(r, elem), 0);
	virtio_rng_destroy(r);
}

Test(rng, huge_request_is_capped)
{
	struct virtio_rng *r = virtio_rng_create();
	struct virtqueue vq;
	struct vqb_buf buf = vqb_buf_in(&b, 200000);

	r->mem = &b.gm;
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	vqb_add_chain(&b, &buf, 1);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(virtio_rng_request(r, elem), 65536);
	virtio_rng_destroy(r);
}

static char out_buf[256];
static size_t out_len;
static void capture(void *ctx, const void *buf, size_t len)
{
	memcpy(out_buf + out_len, buf, len);
	out_len += len;
}

static unsigned q_irqs[2], resets;
static void irq_q(struct virtio_irq *irq, unsigned q)
{
	q_irqs[q]++;
}
static void irq_cfg(struct virtio_irq *irq)
{
}
static void irq_reset(struct virtio_irq *irq)
{
	resets++;
}

Test(console, tx_goes_to_the_output_callback)
{
	struct virtio_console *c = virtio_console_create();
	struct virtqueue vq;
	struct vqb_buf bufs[2] = {vqb_buf_out(&b, "hello ", 6), vqb_buf_out(&b, "world", 5)};

	out_len = 0;
	virtio_console_set_output(c, (struct byte_sink){.write = capture});
	c->mem = &b.gm;
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	vqb_add_chain(&b, bufs, 2);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	cr_expect_eq(virtio_console_tx_request(c, elem), 0);
	cr_expect_eq(out_len, 11);
	cr_expect_arr_eq(out_buf, "hello world", 11);
	virtio_console_destroy(c);
}

Test(console, input_waits_for_buffers_then_fills_them)
{
	struct virtio_console *c = virtio_console_create();
	struct virtio_queue qs[2] = {{.kick_fd = -1}, {.kick_fd = -1}};
	struct virtio_irq irq = {.queue = irq_q, .config = irq_cfg, .needs_reset = irq_reset};
	struct vqb_buf small = vqb_buf_in(&b, 4), big = vqb_buf_in(&b, 64);
	uint16_t id;
	uint32_t len;

	memset(q_irqs, 0, sizeof(q_irqs));
	c->mem = &b.gm;
	c->queues = qs;
	c->irq = &irq;
	cr_assert_eq(vqb_vq_init(&b, &qs[0].vq, false), 0);
	cr_expect_eq(virtio_console_feed(c, "typed early", 11), 11);
	virtio_console_fill_rx(c); /* no buffers yet: nothing happens */
	cr_expect_eq(q_irqs[0], 0);
	vqb_add_chain(&b, &small, 1);
	vqb_add_chain(&b, &big, 1);
	virtio_console_fill_rx(c);
	cr_expect_eq(q_irqs[0], 1);
	cr_assert(vqb_get_used(&b, &id, &len));
	cr_expect_eq(len, 4);
	cr_expect_arr_eq(vqb_host(&b, small.gpa), "type", 4);
	cr_assert(vqb_get_used(&b, &id, &len));
	cr_expect_eq(len, 7);
	cr_expect_arr_eq(vqb_host(&b, big.gpa), "d early", 7);
	cr_expect_eq(c->in_len, 0);
	c->queues = NULL;
	virtio_console_destroy(c);
}

Test(console, input_overflow_is_dropped)
{
	struct virtio_console *c = virtio_console_create();
	static char lots[CONSOLE_IN_BUF + 100];

	cr_expect_eq(virtio_console_feed(c, lots, sizeof(lots)), CONSOLE_IN_BUF);
	cr_expect_eq(virtio_console_feed(c, "x", 1), 0);
	virtio_console_destroy(c);
}

Test(console, broken_rx_ring_asks_for_reset)
{
	struct virtio_console *c = virtio_console_create();
	struct virtio_queue qs[2] = {{.kick_fd = -1}, {.kick_fd = -1}};
	struct virtio_irq irq = {.queue = irq_q, .config = irq_cfg, .needs_reset = irq_reset};

	resets = 0;
	c->mem = &b.gm;
	c->queues = qs;
	c->irq = &irq;
	cr_assert_eq(vqb_vq_init(&b, &qs[0].vq, false), 0);
	vqb_publish(&b, 99); /* head out of range */
	virtio_console_feed(c, "a", 1);
	virtio_console_fill_rx(c);
	cr_expect_eq(resets, 1);
	c->queues = NULL;
	virtio_console_destroy(c);
}
