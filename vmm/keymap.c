/* US layout: which key, and whether Shift, types each printable character. */
#include "vmm/keymap.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct key_of {
	uint16_t code;
	bool shift;
};

/* Characters 0x20..0x7e. Letters and digits are filled in by key_for(). */
static bool symbol_key(char c, struct key_of *k)
{
	static const struct {
		char plain, shifted;
		uint16_t code;
	} sym[] = {
	    {'1', '!', KEY_1},	       {'2', '@', KEY_2},	    {'3', '#', KEY_3},
	    {'4', '$', KEY_4},	       {'5', '%', KEY_5},	    {'6', '^', KEY_6},
	    {'7', '&', KEY_7},	       {'8', '*', KEY_8},	    {'9', '(', KEY_9},
	    {'0', ')', KEY_0},	       {'-', '_', KEY_MINUS},	    {'=', '+', KEY_EQUAL},
	    {'[', '{', KEY_LEFTBRACE}, {']', '}', KEY_RIGHTBRACE},  {'\\', '|', KEY_BACKSLASH},
	    {';', ':', KEY_SEMICOLON}, {'\'', '"', KEY_APOSTROPHE}, {'`', '~', KEY_GRAVE},
	    {',', '<', KEY_COMMA},     {'.', '>', KEY_DOT},	    {'/', '?', KEY_SLASH},
	    {' ', ' ', KEY_SPACE},
	};

	for (size_t i = 0; i < sizeof(sym) / sizeof(sym[0]); i++) {
		if (c == sym[i].plain || c == sym[i].shifted) {
			*k = (struct key_of){sym[i].code, c != sym[i].plain};
			return true;
		}
	}
	return false;
}

static bool key_for(char c, struct key_of *k)
{
	/* KEY_A.. follow the keyboard's rows, not the alphabet. */
	static const uint16_t letters[26] = {
	    KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I,
	    KEY_J, KEY_K, KEY_L, KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R,
	    KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
	};

	if (c >= 'a' && c <= 'z') {
		*k = (struct key_of){letters[c - 'a'], false};
		return true;
	}
	if (c >= 'A' && c <= 'Z') {
		*k = (struct key_of){letters[c - 'A'], true};
		return true;
	}
	if (c == '\n') {
		*k = (struct key_of){KEY_ENTER, false};
		return true;
	}
	if (c == '\t') {
		*k = (struct key_of){KEY_TAB, false};
		return true;
	}
	return symbol_key(c, k);
}

static const struct {
	const char *name;
	uint16_t code;
	bool shift;
} named[] = {
    {"ret", KEY_ENTER, false},	   {"enter", KEY_ENTER, false},	 {"tab", KEY_TAB, false},
    {"esc", KEY_ESC, false},	   {"bs", KEY_BACKSPACE, false}, {"del", KEY_DELETE, false},
    {"ins", KEY_INSERT, false},	   {"space", KEY_SPACE, false},	 {"up", KEY_UP, false},
    {"down", KEY_DOWN, false},	   {"left", KEY_LEFT, false},	 {"right", KEY_RIGHT, false},
    {"home", KEY_HOME, false},	   {"end", KEY_END, false},	 {"pgup", KEY_PAGEUP, false},
    {"pgdn", KEY_PAGEDOWN, false}, {"f1", KEY_F1, false},	 {"f2", KEY_F2, false},
    {"f3", KEY_F3, false},	   {"f4", KEY_F4, false},	 {"f5", KEY_F5, false},
    {"f6", KEY_F6, false},	   {"f7", KEY_F7, false},	 {"f8", KEY_F8, false},
    {"f9", KEY_F9, false},	   {"f10", KEY_F10, false},	 {"f11", KEY_F11, false},
    {"f12", KEY_F12, false},	   {"sysrq", KEY_SYSRQ, false},	 {"lt", KEY_COMMA, true},
};

static const struct {
	const char *name;
	uint16_t code;
} modifiers[] = {
    {"ctrl", KEY_LEFTCTRL},  {"alt", KEY_LEFTALT},    {"shift", KEY_LEFTSHIFT},
    {"super", KEY_LEFTMETA}, {"altgr", KEY_RIGHTALT},
};

const char *keymap_key_names(void)
{
	return "ret enter tab esc bs del ins space up down left right home end pgup pgdn "
	       "f1-f12 sysrq lt; modifiers ctrl- alt- shift- super- altgr-";
}

/* A growing array of actions. */
struct actions {
	struct key_action *a;
	size_t n, cap;
};

static int push(struct actions *s, uint16_t code, bool down)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct key_action *a = realloc(s->a, cap * sizeof(*a));

		if (!a)
			return -1;
		s->a = a;
		s->cap = cap;
	}
	s->a[s->n++] = (struct key_action){code, down};
	return 0;
}

/* Modifiers down in order, Shift if the key needs it and was not given,
 * the key down and up, then everything up in reverse. */
static int chord(struct actions *s, const uint16_t *mods, unsigned nmods, struct key_of k)
{
	bool shift_given = false;
	int r = 0;

	for (unsigned i = 0; i < nmods; i++)
		shift_given |= mods[i] == KEY_LEFTSHIFT;
	for (unsigned i = 0; i < nmods; i++)
		r |= push(s, mods[i], true);
	if (k.shift && !shift_given)
		r |= push(s, KEY_LEFTSHIFT, true);
	r |= push(s, k.code, true);
	r |= push(s, k.code, false);
	if (k.shift && !shift_given)
		r |= push(s, KEY_LEFTSHIFT, false);
	for (unsigned i = nmods; i-- > 0;)
		r |= push(s, mods[i], false);
	return r ? -1 : 0;
}

/* The inside of <...> (len bytes at p): modifiers, then one key. */
static int spelled(struct actions *s, const char *p, size_t len)
{
	uint16_t mods[8];
	unsigned nmods = 0;
	struct key_of k;

	for (;;) {
		const char *dash = memchr(p, '-', len);
		size_t i, n = dash ? (size_t)(dash - p) : len;

		/* "-" as the last part is the key '-' itself (<ctrl-->). */
		if (!dash || n == 0 || len == n + 1)
			break;
		for (i = 0; i < sizeof(modifiers) / sizeof(modifiers[0]); i++)
			if (strlen(modifiers[i].name) == n && !strncmp(p, modifiers[i].name, n))
				break;
		if (i == sizeof(modifiers) / sizeof(modifiers[0]) || nmods == 8)
			return -1;
		mods[nmods++] = modifiers[i].code;
		p += n + 1;
		len -= n + 1;
	}
	if (len == 1 && p[0] > ' ' && p[0] < 0x7f && nmods) {
		key_for(p[0], &k);
		return chord(s, mods, nmods, k);
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (strlen(named[i].name) == len && !strncmp(p, named[i].name, len)) {
			k = (struct key_of){named[i].code, named[i].shift};
			return chord(s, mods, nmods, k);
		}
	}
	return -1;
}

int keymap_parse(const char *text, struct key_action **out, size_t *n, char *err, size_t errlen)
{
	struct actions s = {0};
	size_t len = strlen(text);

	*out = NULL;
	*n = 0;
	if (!len || len > KEYMAP_MAX_TEXT) {
		snprintf(err, errlen, "the text to type must have 1 to %d bytes", KEYMAP_MAX_TEXT);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		struct key_of k;

		if (c == '<') {
			const char *close = memchr(text + i + 1, '>', len - i - 1);

			if (!close) {
				snprintf(err, errlen,
					 "'<' at byte %zu opens a key name that is not closed "
					 "(type a '<' as <lt>)",
					 i);
				goto fail;
			}
			/* <ctrl->> : the chord's key is '>' itself. */
			if (close[1] == '>' && close > text + i + 1 && close[-1] == '-')
				close++;
			if (spelled(&s, text + i + 1, (size_t)(close - text - i - 1))) {
				snprintf(
				    err, errlen, "'%.*s' is not a key (known: %s)",
				    (int)(close - text - i + 1 > 40 ? 40 : close - text - i + 1),
				    text + i, keymap_key_names());
				goto fail;
			}
			i = (size_t)(close - text);
			continue;
		}
		if (!key_for((char)c, &k)) {
			snprintf(
			    err, errlen,
			    "byte 0x%02x at %zu is not a key of a US keyboard (printable ASCII, "
			    "\\n, \\t and <names> only)",
			    c, i);
			goto fail;
		}
		if (chord(&s, NULL, 0, k))
			goto nomem;
	}
	*out = s.a;
	*n = s.n;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(s.a);
	return -1;
}
