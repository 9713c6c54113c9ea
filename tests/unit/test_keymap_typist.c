/* Typed input end to end without a guest: --type / --type-after options,
 * the typist's order and prompt rules, and key frames in a keyboard's
 * buffers (codes from linux/input-event-codes.h: KEY_A 30, KEY_B 48,
 * KEY_ENTER 28, KEY_LEFTSHIFT 42). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/unit/vq_builder.h"
#include "vmm/input_type.h"
#include "vmm/options.h"

static char store[16][64];
static char err[512];
static struct run_options o;

static int parse_n(const char *const *args)
{
	char *argv[16];
	int argc = 0;

	for (; args[argc]; argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", args[argc]);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	err[0] = 0;
	return options_parse_run(argc, argv, &o, err, sizeof(err));
}

#define PARSE(...) parse_n((const char *const[]){"run", __VA_ARGS__, NULL})

TestSuite(type_options);

Test(type_options, type_after_splits_at_the_first_unescaped_colon)
{
	cr_assert_eq(PARSE("--type", "x", "--type-after", "login\\: $:root<ret>"), 0, "%s", err);
	cr_expect_eq(o.nr_types, 2);
	cr_expect_null(o.types[0].after);
	cr_expect_str_eq(o.types[0].text, "x");
	cr_expect_str_eq(o.types[1].after, "login: $");
	cr_expect_str_eq(o.types[1].text, "root<ret>");
	cr_expect(o.input, "--type implies the input devices");
}

Test(type_options, input_comes_with_wayland_or_x11_or_on_request)
{
	cr_assert_eq(PARSE("--gpu", "headless"), 0);
	cr_expect(!o.input);
	cr_assert_eq(PARSE("--gpu", "wayland,headless"), 0);
	cr_expect(o.input);
	cr_assert_eq(PARSE("--input"), 0);
	cr_expect(o.input);
	cr_expect(options_gpu_has_input("headless,x11"));
	cr_expect(!options_gpu_has_input("headless"));
}

Test(type_options, bad_spellings_and_patterns_fail_before_boot)
{
	static const char *bad[][2] = {
	    {"--type", "<retrun>"},
	    {"--type", "a<b"},
	    {"--type-after", "nocolon"},
	    {"--type-after", ":text"},
	    {"--type-after", "(:x"},
	    {"--type-after", "x:<ctrl-q-q>"},
	    {"--type", ""},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(PARSE(bad[i][0], bad[i][1]), -1, "%s %s", bad[i][0], bad[i][1]);
		cr_expect_neq(err[0], 0);
		cr_expect_null(strchr(err, '\n'));
	}
}

TestSuite(typist);

static struct typist t;

/* The typed keys waiting, as a string of codes, e.g. "30+30-". */
static const char *waiting(void)
{
	static char s[4096];
	size_t len = 0;

	s[0] = 0;
	for (size_t i = t.next; i < t.n && len + 8 < sizeof(s); i++)
		len += snprintf(s + len, sizeof(s) - len, "%u%c", t.acts[i].code,
				t.acts[i].down ? '+' : '-');
	return s;
}

static void consume(void)
{
	t.next = t.n;
}

Test(typist, steps_go_in_order_each_after_its_pattern)
{
	struct type_option steps[] = {
	    {NULL, "a"}, {"login: $", "b"}, {"# $", "<ret>"}, {NULL, "A"}};

	cr_assert_eq(typist_init(&t, steps, 4, err, sizeof(err)), 0);
	typist_console_line(&t, "booting", true);
	cr_expect_str_eq(waiting(), "30+30-");
	consume();
	typist_console_line(&t, "# ", true); /* not yet: login comes first */
	cr_expect_str_eq(waiting(), "");
	typist_console_line(&t, "login: ", false); /* a prompt, no newline */
	cr_expect_str_eq(waiting(), "48+48-");
	consume();
	typist_console_line(&t, "login: b", true); /* the echo ends the prompt's line */
	cr_expect_str_eq(waiting(), "");
	/* A --type right after a --type-after goes with it. */
	typist_console_line(&t, "/ # ", true);
	cr_expect_str_eq(waiting(), "28+28-42+30+30-42-");
	typist_destroy(&t);
}

Test(typist, the_rest_of_a_prompt_line_does_not_fire_the_next_step)
{
	struct type_option steps[] = {{"# $", "a"}, {"# ", "b"}};

	cr_assert_eq(typist_init(&t, steps, 2, err, sizeof(err)), 0);
	typist_console_line(&t, "/ # ", false);
	cr_expect_str_eq(waiting(), "30+30-");
	consume();
	typist_console_line(&t, "/ # a", false); /* the echo */
	typist_console_line(&t, "/ # a", true);	 /* its newline */
	cr_expect_str_eq(waiting(), "");
	typist_console_line(&t, "/ # ", false); /* the next prompt */
	cr_expect_str_eq(waiting(), "48+48-");
	typist_destroy(&t);
}

Test(typist, control_text_is_bounded)
{
	static char text[KEYMAP_MAX_TEXT + 1];
	int refused = 0;

	memset(text, 'a', KEYMAP_MAX_TEXT);
	cr_assert_eq(typist_init(&t, NULL, 0, err, sizeof(err)), 0);
	for (int i = 0; i < 100; i++)
		refused += typist_add(&t, text, err, sizeof(err)) != 0;
	cr_expect_gt(refused, 0);
	cr_expect_leq(t.n - t.next, TYPIST_MAX_ACTIONS);
	cr_expect_eq(typist_add(&t, "<bad>", err, sizeof(err)), -1);
	typist_destroy(&t);
}

static unsigned irqs;
static void irq_q(struct virtio_irq *irq, unsigned q)
{
	irqs++;
}
static void irq_nop(struct virtio_irq *irq)
{
}

Test(typist, keys_reach_the_keyboard_one_frame_per_action_paced_by_buffers)
{
	struct virtio_irq irq = {.queue = irq_q, .config = irq_nop, .needs_reset = irq_nop};
	struct virtio_queue qs[2] = {{.kick_fd = eventfd(0, 0)}, {.kick_fd = eventfd(0, 0)}};
	struct virtio_input *kbd = virtio_input_create(VINPUT_KEYBOARD);
	uint64_t gpa[64];
	struct vqb b;
	uint16_t id;
	uint32_t len;
	static const uint16_t want[][2] = {{30, 1}, {30, 0}, {42, 1}, {48, 1}, {48, 0}, {42, 0}};

	vqb_init(&b, 1 << 20, 64);
	cr_assert_eq(typist_init(&t, NULL, 0, err, sizeof(err)), 0);
	cr_assert_eq(typist_add(&t, "aB", err, sizeof(err)), 0);
	cr_expect_eq(typist_service(&t, kbd), 20, "the driver is not ready yet: retry later");
	cr_assert_eq(vqb_vq_init(&b, &qs[0].vq, false), 0);
	cr_assert_eq(virtio_input_ops.activate(kbd, 1ULL << 32, &b.gm, qs, &irq), 0);
	for (int i = 0; i < 5; i++) { /* room for two and a half frames */
		struct vqb_buf buf = vqb_buf_in(&b, 8);

		gpa[vqb_add_chain(&b, &buf, 1)] = buf.gpa;
	}
	cr_expect_gt(typist_service(&t, kbd), 0, "out of buffers: come back");
	for (int i = 0; i < 7; i++) {
		struct vqb_buf buf = vqb_buf_in(&b, 8);

		gpa[vqb_add_chain(&b, &buf, 1)] = buf.gpa;
	}
	virtio_input_event_kicked(kbd);
	cr_expect_eq(typist_service(&t, kbd), -1, "all typed");
	for (size_t i = 0; i < 6; i++) {
		uint8_t *e;

		cr_assert(vqb_get_used(&b, &id, &len));
		e = vqb_host(&b, gpa[id]);
		cr_expect_eq(e[0], 1); /* EV_KEY */
		cr_expect_eq(e[2], want[i][0], "action %zu", i);
		cr_expect_eq(e[4], want[i][1], "action %zu", i);
		cr_assert(vqb_get_used(&b, &id, &len));
		e = vqb_host(&b, gpa[id]);
		cr_expect_eq(e[0] | e[2], 0); /* SYN_REPORT */
	}
	cr_expect(!vqb_get_used(&b, &id, &len));
	virtio_input_ops.reset(kbd);
	virtio_input_destroy(kbd);
	typist_destroy(&t);
	vqb_free(&b);
	close(qs[0].kick_fd);
	close(qs[1].kick_fd);
}
