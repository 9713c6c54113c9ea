/* Typed text -> evdev key actions on a US keyboard. Expected codes are
 * written as numbers from linux/input-event-codes.h (KEY_A 30, KEY_LEFTSHIFT
 * 42, ...), not taken from the code under test. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "vmm/keymap.h"

TestSuite(keymap);

struct want {
	uint16_t code;
	bool down;
};

static void expect_actions(const char *text, const struct want *w, size_t nw)
{
	struct key_action *a;
	size_t n;
	char err[512];

	cr_assert_eq(keymap_parse(text, &a, &n, err, sizeof(err)), 0, "%s: %s", text, err);
	cr_assert_eq(n, nw, "'%s': %zu actions, want %zu", text, n, nw);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(a[i].code, w[i].code, "'%s' action %zu: code %u want %u", text, i,
			     a[i].code, w[i].code);
		cr_expect_eq(a[i].down, w[i].down, "'%s' action %zu", text, i);
	}
	free(a);
}

#define DN(c)                                                                                      \
	{                                                                                          \
		c, true                                                                            \
	}
#define UP(c)                                                                                      \
	{                                                                                          \
		c, false                                                                           \
	}
#define TAP(c) DN(c), UP(c)

Test(keymap, lowercase_digits_and_space_are_plain_taps)
{
	static const struct want w[] = {TAP(35), TAP(23), TAP(57), TAP(2), TAP(11), TAP(44)};

	expect_actions("hi 10z", w, sizeof(w) / sizeof(w[0]));
}

Test(keymap, capitals_and_shifted_symbols_hold_left_shift)
{
	static const struct want w[] = {
	    DN(42),  TAP(30), UP(42),  /* A */
	    DN(42),  TAP(3),  UP(42),  /* @ */
	    DN(42),  TAP(39), UP(42),  /* : */
	    DN(42),  TAP(51), UP(42),  /* < */
	    DN(42),  TAP(43), UP(42),  /* | */
	    DN(42),  TAP(41), UP(42),  /* ~ */
	    TAP(12), TAP(13), TAP(53), /* - = / */
	};

	expect_actions("A@:<lt>|~-=/", w, sizeof(w) / sizeof(w[0]));
}

Test(keymap, special_keys_and_newline)
{
	static const struct want w[] = {TAP(28), TAP(15), TAP(1),  TAP(14), TAP(103), TAP(108),
					TAP(59), TAP(88), TAP(28), TAP(15), TAP(104), TAP(111)};

	expect_actions("<ret><tab><esc><bs><up><down><f1><f12>\n\t<pgup><del>", w,
		       sizeof(w) / sizeof(w[0]));
}

Test(keymap, chords_press_modifiers_in_order_and_release_in_reverse)
{
	static const struct want w[] = {
	    DN(29),  TAP(46), UP(29),			/* ctrl-c */
	    DN(29),  DN(56),  TAP(111), UP(56), UP(29), /* ctrl-alt-del */
	    DN(42),  TAP(15), UP(42),			/* shift-tab: one shift */
	    DN(29),  DN(42),  TAP(30),	UP(42), UP(29), /* ctrl-A */
	    DN(29),  TAP(12), UP(29),			/* ctrl-- */
	    DN(125), TAP(38), UP(125),			/* super-l */
	    DN(56),  TAP(62), UP(56),			/* alt-f4 */
	};

	expect_actions("<ctrl-c><ctrl-alt-del><shift-tab><ctrl-A><ctrl--><super-l><alt-f4>", w,
		       sizeof(w) / sizeof(w[0]));
}

Test(keymap, bad_spellings_are_one_clear_error)
{
	static const char *bad[] = {
	    "<retrun>", "a < b",       "<ctrl-foo>", "<hyper-a>", "<>",
	    "<ctrl->",	"caf\xc3\xa9", "bell\a",     "",	  "<a>",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct key_action *a = (void *)1;
		size_t n = 99;
		char err[512] = "";

		cr_expect_eq(keymap_parse(bad[i], &a, &n, err, sizeof(err)), -1, "'%s'", bad[i]);
		cr_expect_null(a);
		cr_expect_eq(n, 0);
		cr_expect_neq(err[0], 0);
		cr_expect_null(strchr(err, '\n'));
	}
}

Test(keymap, text_longer_than_a_request_is_refused)
{
	char *t = malloc(KEYMAP_MAX_TEXT + 2);
	struct key_action *a;
	size_t n;
	char err[256];

	memset(t, 'a', KEYMAP_MAX_TEXT + 1);
	t[KEYMAP_MAX_TEXT + 1] = 0;
	cr_expect_eq(keymap_parse(t, &a, &n, err, sizeof(err)), -1);
	t[KEYMAP_MAX_TEXT] = 0;
	cr_expect_eq(keymap_parse(t, &a, &n, err, sizeof(err)), 0);
	cr_expect_eq(n, 2 * KEYMAP_MAX_TEXT);
	free(a);
	free(t);
}
