/* The display's input seam (struct display_input) into the three
 * virtio-input devices (vmm/input.c): which device each call reaches and
 * the frames it makes. Codes from linux/input-event-codes.h: EV_KEY 1,
 * EV_REL 2, EV_ABS 3, KEY_A 30, BTN_LEFT 0x110, BTN_SIDE 0x113,
 * REL_X 0, REL_Y 1, REL_HWHEEL 6, REL_WHEEL 8. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/unit/vq_builder.h"
#include "vmm/input.h"

static struct vqb rings[3];
static struct virtio_queue qs[3][2];
static uint64_t gpas[3][64];
static struct vm_input *vin;
static struct display_input di;

static void irq_q(struct virtio_irq *irq, unsigned q)
{
}
static void irq_nop(struct virtio_irq *irq)
{
}
static struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};

static void setup(void)
{
	static struct run_options o;

	vin = vm_input_create(&o);
	cr_assert(vin);
	for (unsigned k = 0; k < 3; k++) {
		vqb_init(&rings[k], 1 << 20, 64);
		qs[k][0].kick_fd = eventfd(0, 0);
		qs[k][1].kick_fd = eventfd(0, 0);
		cr_assert_eq(vqb_vq_init(&rings[k], &qs[k][0].vq, false), 0);
		for (unsigned i = 0; i < 64; i++) {
			struct vqb_buf b = vqb_buf_in(&rings[k], 8);

			gpas[k][vqb_add_chain(&rings[k], &b, 1)] = b.gpa;
		}
		cr_assert_eq(
		    virtio_input_ops.activate(vin->dev[k], 1ULL << 32, &rings[k].gm, qs[k], &irq),
		    0);
	}
	di = vm_input_display(vin);
}

static void teardown(void)
{
	for (unsigned k = 0; k < 3; k++)
		virtio_input_ops.reset(vin->dev[k]);
	vm_input_destroy(vin);
	for (unsigned k = 0; k < 3; k++) {
		vqb_free(&rings[k]);
		close(qs[k][0].kick_fd);
		close(qs[k][1].kick_fd);
	}
}

TestSuite(vinput_glue, .init = setup, .fini = teardown);

/* Everything device k received, as "type:code:value" words. */
static const char *got(unsigned k)
{
	static char s[1024];
	size_t len = 0;
	uint16_t id;
	uint32_t n;

	s[0] = 0;
	while (vqb_get_used(&rings[k], &id, &n)) {
		uint8_t *e = vqb_host(&rings[k], gpas[k][id]);
		int32_t v = (int32_t)(e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24);

		len += snprintf(s + len, sizeof(s) - len, "%s%u:%u:%d", len ? " " : "",
				e[0] | e[1] << 8, e[2] | e[3] << 8, v);
	}
	return s;
}

Test(vinput_glue, keys_go_to_the_keyboard)
{
	di.key(di.opaque, 30, true);
	di.key(di.opaque, 30, false);
	cr_expect_str_eq(got(VINPUT_KEYBOARD), "1:30:1 0:0:0 1:30:0 0:0:0");
	cr_expect_str_eq(got(VINPUT_TABLET), "");
}

Test(vinput_glue, absolute_motion_goes_to_the_tablet_clamped)
{
	di.pointer_abs(di.opaque, 0, 100, 40000);
	cr_expect_str_eq(got(VINPUT_TABLET), "3:0:100 3:1:32767 0:0:0");
}

Test(vinput_glue, relative_motion_and_wheel_skip_still_axes)
{
	di.pointer_rel(di.opaque, 5, 0);
	di.pointer_rel(di.opaque, 0, 0);
	cr_expect_str_eq(got(VINPUT_MOUSE), "2:0:5 0:0:0");
	di.wheel(di.opaque, -1, 0);
	di.wheel(di.opaque, 0, 2);
	cr_expect_str_eq(got(VINPUT_TABLET), "2:8:-1 0:0:0 2:6:2 0:0:0");
}

Test(vinput_glue, buttons_follow_the_grab_and_none_sticks)
{
	di.button(di.opaque, 0x110, true); /* on the tablet */
	di.grab(di.opaque, true);	   /* released there, mouse from now on */
	di.button(di.opaque, 0x111, true);
	di.wheel(di.opaque, 1, 0);
	di.grab(di.opaque, false);
	cr_expect_str_eq(got(VINPUT_TABLET), "1:272:1 0:0:0 1:272:0 0:0:0");
	cr_expect_str_eq(got(VINPUT_MOUSE), "1:273:1 0:0:0 2:8:1 0:0:0 1:273:0 0:0:0");
}

Test(vinput_glue, codes_a_device_does_not_offer_are_dropped)
{
	di.button(di.opaque, 0x113, true); /* BTN_SIDE */
	di.key(di.opaque, 0x110, true);	   /* a button is no keyboard key */
	di.key(di.opaque, 2000, true);
	cr_expect_str_eq(got(VINPUT_TABLET), "");
	cr_expect_str_eq(got(VINPUT_KEYBOARD), "");
}
