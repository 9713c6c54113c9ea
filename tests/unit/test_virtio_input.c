/* virtio-input: config space answers (virtio 1.2, 5.8.5, with the values
 * written out here from the spec and linux/input-event-codes.h), whole
 * frames, the bounded queue, hostile buffers and the status queue. */
#include <criterion/criterion.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/unit/vq_builder.h"
#include "virtio/input.h"

/* Config through the device ops, as the transport does: select, subsel,
 * then the 136 bytes. */
static void cfg_query(struct virtio_input *in, uint8_t sel, uint8_t sub, uint8_t out[136])
{
	uint8_t w[2] = {sel, sub};

	virtio_input_ops.config_write(in, 0, w, 2);
	virtio_input_ops.config_read(in, 0, out, 136);
}

static bool bit(const uint8_t *bm, unsigned n)
{
	return bm[n / 8] & (1u << (n % 8));
}

TestSuite(vinput_config);

Test(vinput_config, names_answer_subsel_zero_only)
{
	struct virtio_input *in = virtio_input_create(VINPUT_KEYBOARD);
	uint8_t c[136];

	cfg_query(in, 0x01, 0, c);
	cr_expect_eq(c[0], 0x01);
	cr_expect_eq(c[2], strlen("lkvm-gpu keyboard"));
	cr_expect_arr_eq(c + 8, "lkvm-gpu keyboard", 17);
	cfg_query(in, 0x01, 1, c);
	cr_expect_eq(c[2], 0);
	cfg_query(in, 0x02, 0, c);
	cr_expect_gt(c[2], 0);
	virtio_input_destroy(in);
}

Test(vinput_config, devids_say_bus_virtual)
{
	struct virtio_input *in = virtio_input_create(VINPUT_TABLET);
	uint8_t c[136];

	cfg_query(in, 0x03, 0, c);
	cr_expect_eq(c[2], 8);		   /* struct virtio_input_devids: 4 x le16 */
	cr_expect_eq(c[8] | c[9] << 8, 6); /* BUS_VIRTUAL in linux/input.h */
	cfg_query(in, 0x03, 7, c);
	cr_expect_eq(c[2], 0);
	virtio_input_destroy(in);
}

Test(vinput_config, keyboard_has_the_keys_udev_wants_rep_and_three_leds)
{
	struct virtio_input *in = virtio_input_create(VINPUT_KEYBOARD);
	uint8_t c[136];

	cfg_query(in, 0x11, 1 /* EV_KEY */, c);
	/* udev's input_id calls it a keyboard when keys 1..31 are all there. */
	for (unsigned k = 1; k <= 31; k++)
		cr_expect(bit(c + 8, k), "key %u", k);
	cr_expect(!bit(c + 8, 0));			  /* KEY_RESERVED */
	cr_expect(!bit(c + 8, 84));			  /* no key has code 84 */
	cr_expect(bit(c + 8, 28) && bit(c + 8, 57));	  /* enter, space */
	cr_expect(bit(c + 8, 103) && bit(c + 8, 108));	  /* up, down */
	cr_expect(bit(c + 8, 125));			  /* left meta */
	cr_expect(bit(c + 8, 194) && !bit(c + 8, 0x110)); /* F24, no mouse button */
	cr_expect_eq(c[2], 194 / 8 + 1);
	cfg_query(in, 0x11, 0x14 /* EV_REP */, c);
	cr_expect_gt(c[2], 0);
	cfg_query(in, 0x11, 0x11 /* EV_LED */, c);
	cr_expect_eq(c[2], 1);
	cr_expect_eq(c[8], 0x07); /* num, caps, scroll */
	cfg_query(in, 0x11, 0x02 /* EV_REL */, c);
	cr_expect_eq(c[2], 0);
	cfg_query(in, 0x11, 0x03 /* EV_ABS */, c);
	cr_expect_eq(c[2], 0);
	cfg_query(in, 0x12, 0, c);
	cr_expect_eq(c[2], 0);
	virtio_input_destroy(in);
}

Test(vinput_config, tablet_axes_are_0_to_32767_with_buttons_and_wheels)
{
	struct virtio_input *in = virtio_input_create(VINPUT_TABLET);
	static const uint8_t absinfo[20] = {0, 0, 0, 0, 0xff, 0x7f, 0, 0};
	uint8_t c[136];

	cfg_query(in, 0x11, 0x03, c);
	cr_expect_eq(c[2], 1);
	cr_expect_eq(c[8], 0x03); /* ABS_X, ABS_Y */
	for (unsigned axis = 0; axis < 2; axis++) {
		cfg_query(in, 0x12, axis, c);
		cr_expect_eq(c[2], 20); /* struct virtio_input_absinfo: 5 x le32 */
		cr_expect_arr_eq(c + 8, absinfo, 20);
	}
	cfg_query(in, 0x12, 2 /* ABS_Z */, c);
	cr_expect_eq(c[2], 0);
	cfg_query(in, 0x11, 0x01, c);
	cr_expect_eq(c[2], 0x110 / 8 + 1);
	cr_expect_eq(c[8 + 0x110 / 8], 0x07); /* BTN_LEFT, RIGHT, MIDDLE */
	cfg_query(in, 0x11, 0x02, c);
	cr_expect_eq(c[2], 2);
	cr_expect_eq(c[8], 0x40); /* REL_HWHEEL 6 */
	cr_expect_eq(c[9], 0x01); /* REL_WHEEL 8 */
	cfg_query(in, 0x11, 0x14, c);
	cr_expect_eq(c[2], 0); /* no EV_REP on a pointer */
	virtio_input_destroy(in);
}

Test(vinput_config, mouse_is_relative_only)
{
	struct virtio_input *in = virtio_input_create(VINPUT_MOUSE);
	uint8_t c[136];

	cfg_query(in, 0x11, 0x02, c);
	cr_expect_eq(c[2], 2);
	cr_expect_eq(c[8], 0x43); /* REL_X 0, REL_Y 1, REL_HWHEEL 6 */
	cr_expect_eq(c[9], 0x01);
	cfg_query(in, 0x11, 0x03, c);
	cr_expect_eq(c[2], 0);
	cfg_query(in, 0x12, 0, c);
	cr_expect_eq(c[2], 0);
	virtio_input_destroy(in);
}

/* Every select and subsel of every kind: a size within the union, zeros
 * past it, and nothing for selectors the spec does not define. */
Test(vinput_config, every_select_subsel_pair_is_well_formed)
{
	for (unsigned k = 0; k < 3; k++) {
		struct virtio_input *in = virtio_input_create(k);
		uint8_t c[136];

		for (unsigned sel = 0; sel < 256; sel++) {
			for (unsigned sub = 0; sub < 256; sub++) {
				bool defined =
				    sel == 1 || sel == 2 || sel == 3 || sel == 0x11 || sel == 0x12;

				cfg_query(in, sel, sub, c);
				cr_assert_eq(c[0], sel);
				cr_assert_eq(c[1], sub);
				cr_assert_leq(c[2], 128);
				if (!defined)
					cr_assert_eq(c[2], 0, "select %#x", sel);
				for (unsigned i = 8 + c[2]; i < 136; i++)
					cr_assert_eq(c[i], 0, "sel %#x sub %#x byte %u", sel, sub,
						     i);
			}
		}
		virtio_input_destroy(in);
	}
}

Test(vinput_config, odd_reads_and_writes_stay_inside)
{
	struct virtio_input *in = virtio_input_create(VINPUT_KEYBOARD);
	uint8_t c[136], v[8];

	cfg_query(in, 0x01, 0, c);
	memset(v, 0xaa, sizeof(v));
	virtio_input_ops.config_read(in, 135, v, 4); /* straddles the end */
	cr_expect_eq(v[0], 0);
	cr_expect_eq(v[1], 0);
	memset(v, 0xaa, sizeof(v));
	virtio_input_ops.config_read(in, 4000, v, 8);
	cr_expect_eq(v[0], 0);
	virtio_input_ops.config_write(in, 2, "\x7f", 1); /* size is read-only */
	virtio_input_ops.config_write(in, 0xfffffffe, "\x11\x11\x11\x11", 4);
	virtio_input_ops.config_read(in, 0, c, 136);
	cr_expect_eq(c[0], 0x01);
	cr_expect_eq(c[2], 17);
	virtio_input_destroy(in);
}

/* ---- the queues ---- */

static struct vqb b;
static struct virtio_queue qs[2];
static unsigned irqs, resets;

static void irq_q(struct virtio_irq *irq, unsigned q)
{
	irqs++;
}
static void irq_cfg(struct virtio_irq *irq)
{
}
static void irq_reset(struct virtio_irq *irq)
{
	resets++;
}
static struct virtio_irq irq = {.queue = irq_q, .config = irq_cfg, .needs_reset = irq_reset};

static void q_setup(void)
{
	vqb_init(&b, 1 << 20, 64);
	memset(qs, 0, sizeof(qs));
	qs[0].kick_fd = eventfd(0, EFD_NONBLOCK);
	qs[1].kick_fd = eventfd(0, EFD_NONBLOCK);
	irqs = resets = 0;
}

static void q_teardown(void)
{
	close(qs[0].kick_fd);
	close(qs[1].kick_fd);
	vqb_free(&b);
}

TestSuite(vinput_frames, .init = q_setup, .fini = q_teardown);

static struct virtio_input *active(enum vinput_kind kind)
{
	struct virtio_input *in = virtio_input_create(kind);

	cr_assert(in);
	cr_assert_eq(vqb_vq_init(&b, &qs[0].vq, false), 0);
	cr_assert_eq(virtio_input_ops.activate(in, 1ULL << 32, &b.gm, qs, &irq), 0);
	return in;
}

/* The next used entry must be an 8-byte event with these values, encoded
 * as struct virtio_input_event: le16 type, le16 code, le32 value. */
static void expect_event(uint64_t gpa_of[], uint16_t type, uint16_t code, int32_t value)
{
	uint16_t id;
	uint32_t len;
	uint8_t want[8] = {type,
			   type >> 8,
			   code,
			   code >> 8,
			   (uint8_t)value,
			   (uint8_t)(value >> 8),
			   (uint8_t)(value >> 16),
			   (uint8_t)((uint32_t)value >> 24)};

	cr_assert(vqb_get_used(&b, &id, &len), "no used entry for %u/%u", type, code);
	cr_expect_eq(len, 8);
	cr_expect_arr_eq(vqb_host(&b, gpa_of[id]), want, 8, "event %u/%u", type, code);
}

static uint64_t gpas[64];

/* Buffers posted one per chain: head i's gpa. */
static void post_recording(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct vqb_buf buf = vqb_buf_in(&b, 8);
		uint16_t head = vqb_add_chain(&b, &buf, 1);

		gpas[head] = buf.gpa;
	}
}

static void stop(struct virtio_input *in)
{
	virtio_input_ops.reset(in);
	virtio_input_destroy(in);
}

Test(vinput_frames, nothing_is_sent_before_driver_ok)
{
	struct virtio_input *in = virtio_input_create(VINPUT_KEYBOARD);
	struct vinput_event e = {EV_KEY, KEY_A, 1};

	cr_expect_eq(virtio_input_send(in, &e, 1), VINPUT_NOT_READY);
	cr_expect_eq(virtio_input_pending(in), 0);
	virtio_input_destroy(in);
}

Test(vinput_frames, a_key_is_one_event_then_syn_report)
{
	struct virtio_input *in = active(VINPUT_KEYBOARD);
	struct vinput_event e = {EV_KEY, KEY_A, 1};

	post_recording(2);
	cr_expect_eq(virtio_input_send(in, &e, 1), VINPUT_PLACED);
	expect_event(gpas, EV_KEY, KEY_A, 1);
	expect_event(gpas, EV_SYN, SYN_REPORT, 0);
	cr_expect_eq(irqs, 1);
	stop(in);
}

Test(vinput_frames, a_frame_never_goes_out_in_part)
{
	struct virtio_input *in = active(VINPUT_TABLET);
	struct vinput_event e[2] = {{EV_ABS, ABS_X, 100}, {EV_ABS, ABS_Y, 32767}};
	uint16_t id;
	uint32_t len;

	post_recording(2); /* the frame needs 3 */
	cr_expect_eq(virtio_input_send(in, e, 2), VINPUT_QUEUED);
	cr_expect(!vqb_get_used(&b, &id, &len));
	post_recording(1);
	virtio_input_event_kicked(in);
	expect_event(gpas, EV_ABS, ABS_X, 100);
	expect_event(gpas, EV_ABS, ABS_Y, 32767);
	expect_event(gpas, EV_SYN, SYN_REPORT, 0);
	cr_expect_eq(virtio_input_pending(in), 0);
	stop(in);
}

Test(vinput_frames, a_guest_without_buffers_costs_a_bounded_queue)
{
	struct virtio_input *in = active(VINPUT_MOUSE);
	struct vinput_event e = {EV_REL, REL_X, 0};
	unsigned queued = 0, dropped = 0;

	for (int i = 0; i < 1000; i++) {
		e.value = i;
		switch (virtio_input_send(in, &e, 1)) {
		case VINPUT_QUEUED:
			queued++;
			break;
		case VINPUT_DROPPED:
			dropped++;
			break;
		default:
			cr_assert_fail("placed with no buffers");
		}
	}
	cr_expect_eq(queued, VINPUT_QUEUE_FRAMES);
	cr_expect_eq(dropped, 1000 - VINPUT_QUEUE_FRAMES);
	/* The oldest frames go out, in order, once buffers come. */
	post_recording(64);
	virtio_input_event_kicked(in);
	for (int i = 0; i < VINPUT_QUEUE_FRAMES; i++) {
		expect_event(gpas, EV_REL, REL_X, i);
		expect_event(gpas, EV_SYN, SYN_REPORT, 0);
	}
	cr_expect_eq(virtio_input_pending(in), 0);
	stop(in);
}

Test(vinput_frames, reset_forgets_waiting_frames)
{
	struct virtio_input *in = active(VINPUT_KEYBOARD);
	struct vinput_event e = {EV_KEY, KEY_B, 1};
	uint16_t id;
	uint32_t len;

	cr_expect_eq(virtio_input_send(in, &e, 1), VINPUT_QUEUED);
	virtio_input_ops.reset(in);
	cr_expect_eq(virtio_input_pending(in), 0);
	cr_expect_eq(virtio_input_send(in, &e, 1), VINPUT_NOT_READY);
	/* A new driver on fresh rings sees nothing of the old frame. */
	vqb_free(&b);
	vqb_init(&b, 1 << 20, 64);
	post_recording(4);
	cr_assert_eq(vqb_vq_init(&b, &qs[0].vq, false), 0);
	cr_assert_eq(virtio_input_ops.activate(in, 1ULL << 32, &b.gm, qs, &irq), 0);
	virtio_input_event_kicked(in);
	cr_expect(!vqb_get_used(&b, &id, &len));
	stop(in);
}

Test(vinput_frames, readonly_and_short_buffers_go_back_unused)
{
	struct virtio_input *in = active(VINPUT_KEYBOARD);
	struct vinput_event e = {EV_KEY, KEY_C, 0};
	struct vqb_buf ro = vqb_buf_out(&b, "readonly", 8), shortb = vqb_buf_in(&b, 4);
	struct vqb_buf split[2] = {vqb_buf_in(&b, 3), vqb_buf_in(&b, 5)};
	uint8_t *p0 = vqb_host(&b, split[0].gpa), *p1 = vqb_host(&b, split[1].gpa);
	uint16_t id, h_ro = vqb_add_chain(&b, &ro, 1), h_short = vqb_add_chain(&b, &shortb, 1);
	struct vqb_buf mixed[2] = {vqb_buf_out(&b, "readable", 8), vqb_buf_in(&b, 8)};
	uint16_t h_mixed = vqb_add_chain(&b, mixed, 2), h_split = vqb_add_chain(&b, split, 2);
	uint32_t len;

	post_recording(1);
	cr_expect_eq(virtio_input_send(in, &e, 1), VINPUT_PLACED);
	cr_assert(vqb_get_used(&b, &id, &len));
	cr_expect_eq(id, h_ro);
	cr_expect_eq(len, 0);
	cr_assert(vqb_get_used(&b, &id, &len));
	cr_expect_eq(id, h_short);
	cr_expect_eq(len, 0);
	cr_expect_arr_eq(vqb_host(&b, ro.gpa), "readonly", 8);
	cr_assert(vqb_get_used(&b, &id, &len)); /* readable bytes in an event buffer */
	cr_expect_eq(id, h_mixed);
	cr_expect_eq(len, 0);
	/* An event split 3 + 5 bytes over two segments arrives whole. */
	cr_assert(vqb_get_used(&b, &id, &len));
	cr_expect_eq(id, h_split);
	cr_expect_eq(len, 8);
	cr_expect_arr_eq(p0, ((uint8_t[]){1, 0, KEY_C}), 3);
	cr_expect_arr_eq(p1, ((uint8_t[]){0, 0, 0, 0, 0}), 5);
	expect_event(gpas, EV_SYN, SYN_REPORT, 0);
	cr_expect_eq(in->bad_bufs, 3);
	stop(in);
}

Test(vinput_frames, events_the_device_does_not_offer_are_refused)
{
	struct virtio_input *kbd = active(VINPUT_KEYBOARD);
	struct vinput_event btn = {EV_KEY, BTN_LEFT, 1}, key = {EV_KEY, KEY_A, 1};
	struct vinput_event abs = {EV_ABS, ABS_X, 1}, syn = {EV_SYN, SYN_REPORT, 0};
	struct vinput_event many[VINPUT_FRAME_MAX];

	for (unsigned i = 0; i < VINPUT_FRAME_MAX; i++)
		many[i] = key;
	cr_expect_eq(virtio_input_send(kbd, &btn, 1), VINPUT_UNSUPPORTED);
	cr_expect_eq(virtio_input_send(kbd, &abs, 1), VINPUT_UNSUPPORTED);
	cr_expect_eq(virtio_input_send(kbd, &syn, 1), VINPUT_UNSUPPORTED);
	cr_expect_eq(virtio_input_send(kbd, &key, 0), VINPUT_UNSUPPORTED);
	cr_expect_eq(virtio_input_send(kbd, many, VINPUT_FRAME_MAX), VINPUT_UNSUPPORTED);
	cr_expect_eq(virtio_input_pending(kbd), 0);
	stop(kbd);
}

Test(vinput_frames, the_pool_holds_at_most_a_queue_of_buffers)
{
	struct virtio_input *in = active(VINPUT_KEYBOARD);

	post_recording(64);
	virtio_input_event_kicked(in);
	cr_expect_eq(in->nbufs, 64);
	/* A guest that republishes a head it already gave: it stays in the
	 * ring, the pool does not grow. */
	vqb_publish(&b, 0);
	virtio_input_event_kicked(in);
	cr_expect_eq(in->nbufs, VINPUT_QUEUE_SIZE);
	stop(in);
}

Test(vinput_frames, a_broken_ring_asks_for_reset)
{
	struct virtio_input *in = active(VINPUT_KEYBOARD);

	vqb_publish(&b, 200); /* head out of range */
	virtio_input_event_kicked(in);
	cr_expect_eq(resets, 1);
	stop(in);
}

/* ---- statusq ---- */

TestSuite(vinput_status, .init = q_setup, .fini = q_teardown);

static uint32_t status(struct virtio_input *in, const void *data, uint32_t len)
{
	struct vq_elem *e = calloc(1, sizeof(*e));
	struct vqb_buf buf = vqb_buf_out(&b, data, len);
	uint32_t r;

	vqb_add_chain(&b, &buf, 1);
	cr_assert_eq(vq_pop(&qs[1].vq, e), 1);
	r = virtio_input_status_request(in, e);
	free(e);
	return r;
}

Test(vinput_status, leds_are_kept_and_junk_ignored)
{
	struct virtio_input *in = virtio_input_create(VINPUT_KEYBOARD);
	static const uint8_t caps_on[8] = {0x11, 0, 1, 0, 1, 0, 0, 0};
	static const uint8_t caps_off[8] = {0x11, 0, 1, 0, 0, 0, 0, 0};
	static const uint8_t scroll_on[8] = {0x11, 0, 2, 0, 1, 0, 0, 0};
	static const uint8_t led_99[8] = {0x11, 0, 99, 0, 1, 0, 0, 0};
	static const uint8_t snd[8] = {0x12, 0, 1, 0, 1, 0, 0, 0};

	in->mem = &b.gm;
	cr_assert_eq(vqb_vq_init(&b, &qs[1].vq, false), 0);
	cr_expect_eq(status(in, caps_on, 8), 0);
	cr_expect_eq(virtio_input_leds(in), 1u << LED_CAPSL);
	status(in, scroll_on, 8);
	cr_expect_eq(virtio_input_leds(in), (1u << LED_CAPSL) | (1u << LED_SCROLLL));
	status(in, caps_off, 8);
	cr_expect_eq(virtio_input_leds(in), 1u << LED_SCROLLL);
	status(in, led_99, 8);
	status(in, snd, 8);
	cr_expect_eq(virtio_input_leds(in), 1u << LED_SCROLLL);
	cr_expect_eq(in->bad_status, 0);
	status(in, caps_on, 5); /* short */
	cr_expect_eq(in->bad_status, 1);
	cr_expect_eq(virtio_input_leds(in), 1u << LED_SCROLLL);
	virtio_input_destroy(in);
}

/* ---- threads ---- */

static struct virtio_input *hammered;
static bool hammer_stop;

static void *hammer(void *arg)
{
	struct vinput_event e = {EV_KEY, KEY_A, 1};
	unsigned long *sent = arg;

	while (!__atomic_load_n(&hammer_stop, __ATOMIC_RELAXED)) {
		e.value ^= 1;
		virtio_input_send(hammered, &e, 1);
		__atomic_add_fetch(sent, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* The display's thread sends while the guest posts buffers and resets the
 * device again and again (the vCPU's side): never more than the bounds,
 * nothing left after the last reset (ASan and the locks do the rest). */
Test(vinput_frames, sends_racing_resets_stay_bounded)
{
	struct virtio_input *in = active(VINPUT_KEYBOARD);
	unsigned long sent = 0;
	pthread_t t;

	hammered = in;
	hammer_stop = false;
	cr_assert_eq(pthread_create(&t, NULL, hammer, &sent), 0);
	/* 200 rounds at least, and on until the sender has been racing them
	 * (on a loaded host it may not have run at all in 200). */
	for (long round = 0;
	     round < 200 || (__atomic_load_n(&sent, __ATOMIC_RELAXED) < 100 && round < 10000000);
	     round++) {
		post_recording(8);
		virtio_input_event_kicked(in);
		if (round % 10 == 9) {
			virtio_input_ops.reset(in);
			vqb_free(&b);
			vqb_init(&b, 1 << 20, 64);
			cr_assert_eq(vqb_vq_init(&b, &qs[0].vq, false), 0);
			cr_assert_eq(virtio_input_ops.activate(in, 1ULL << 32, &b.gm, qs, &irq), 0);
		}
		pthread_mutex_lock(&in->lock);
		cr_assert_leq(in->nbufs, VINPUT_QUEUE_SIZE);
		cr_assert_leq(in->pend_len, VINPUT_QUEUE_FRAMES);
		pthread_mutex_unlock(&in->lock);
	}
	__atomic_store_n(&hammer_stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	virtio_input_ops.reset(in);
	cr_expect_eq(virtio_input_pending(in), 0);
	cr_expect_eq(in->nbufs, 0);
	cr_expect_gt(sent, 0);
	virtio_input_destroy(in);
}
