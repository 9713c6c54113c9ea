/* virtio-input config space (virtio 1.2, 5.8.5): what each of our three
 * devices answers for a (select, subsel) pair. Anything not listed answers
 * size 0 with a zeroed union, as the spec asks. */
#include <linux/input-event-codes.h>
#include <string.h>

#include "virtio/input.h"

const char *vinput_kind_name(enum vinput_kind kind)
{
	switch (kind) {
	case VINPUT_KEYBOARD:
		return "lkvm-gpu keyboard";
	case VINPUT_TABLET:
		return "lkvm-gpu tablet";
	case VINPUT_MOUSE:
		return "lkvm-gpu mouse";
	}
	return "lkvm-gpu input";
}

static const char *kind_serial(enum vinput_kind kind)
{
	switch (kind) {
	case VINPUT_KEYBOARD:
		return "keyboard-0";
	case VINPUT_TABLET:
		return "tablet-0";
	case VINPUT_MOUSE:
		return "mouse-0";
	}
	return "";
}

/* The keys of a PC keyboard (105 keys, the Japanese and Korean extras,
 * F13-F24, power and volume), as ranges of evdev codes. 84 and 112 have no
 * key; 120 (KEY_SCALE) is no PC key. Keys 1..31 make udev call it a
 * keyboard. */
static const struct {
	uint16_t first, last;
} pc_keys[] = {
    {KEY_ESC, KEY_KPDOT},  {KEY_ZENKAKUHANKAKU, KEY_DELETE},
    {KEY_MUTE, KEY_PAUSE}, {KEY_KPCOMMA, KEY_COMPOSE},
    {KEY_F13, KEY_F24},
};

static void set_bit(uint8_t *bm, unsigned bit)
{
	bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

/* The codes of event type `type` kind supports, as a 128-byte bitmap
 * (1024 codes: every KEY_* fits below KEY_MAX 0x2ff). False: the type is
 * not supported at all. */
static bool kind_bits(enum vinput_kind kind, uint8_t type, uint8_t bm[128])
{
	memset(bm, 0, 128);
	switch (type) {
	case EV_KEY:
		if (kind == VINPUT_KEYBOARD) {
			for (unsigned i = 0; i < sizeof(pc_keys) / sizeof(pc_keys[0]); i++)
				for (unsigned k = pc_keys[i].first; k <= pc_keys[i].last; k++)
					set_bit(bm, k);
		} else {
			set_bit(bm, BTN_LEFT);
			set_bit(bm, BTN_RIGHT);
			set_bit(bm, BTN_MIDDLE);
		}
		return true;
	case EV_REP: /* present with no codes: the guest repeats held keys */
		return kind == VINPUT_KEYBOARD;
	case EV_LED:
		if (kind != VINPUT_KEYBOARD)
			return false;
		set_bit(bm, LED_NUML);
		set_bit(bm, LED_CAPSL);
		set_bit(bm, LED_SCROLLL);
		return true;
	case EV_REL:
		if (kind == VINPUT_KEYBOARD)
			return false;
		if (kind == VINPUT_MOUSE) {
			set_bit(bm, REL_X);
			set_bit(bm, REL_Y);
		}
		set_bit(bm, REL_HWHEEL);
		set_bit(bm, REL_WHEEL);
		return true;
	case EV_ABS:
		if (kind != VINPUT_TABLET)
			return false;
		set_bit(bm, ABS_X);
		set_bit(bm, ABS_Y);
		return true;
	}
	return false;
}

bool vinput_supports(enum vinput_kind kind, uint16_t type, uint16_t code)
{
	uint8_t bm[128];

	if (type == EV_SYN)
		return code == SYN_REPORT;
	if (type > 0xff || code >= 1024 || !kind_bits(kind, (uint8_t)type, bm))
		return false;
	return bm[code / 8] & (1u << (code % 8));
}

/* Bytes up to the last non-zero one; a supported type with no codes
 * (EV_REP) still answers 1 so the driver sees it exists. */
static uint8_t bitmap_size(const uint8_t bm[128])
{
	unsigned n = 128;

	while (n && !bm[n - 1])
		n--;
	return n ? (uint8_t)n : 1;
}

static uint8_t put_string(uint8_t *u, const char *s)
{
	size_t n = strlen(s);

	if (n > 128)
		n = 128;
	memcpy(u, s, n);
	return (uint8_t)n;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

void vinput_config_fill(enum vinput_kind kind, uint8_t select, uint8_t subsel,
			uint8_t cfg[VINPUT_CONFIG_SIZE])
{
	uint8_t *u = cfg + 8, size = 0;

	memset(cfg, 0, VINPUT_CONFIG_SIZE);
	cfg[0] = select;
	cfg[1] = subsel;
	switch (select) {
	case VINPUT_CFG_ID_NAME:
		if (!subsel)
			size = put_string(u, vinput_kind_name(kind));
		break;
	case VINPUT_CFG_ID_SERIAL:
		if (!subsel)
			size = put_string(u, kind_serial(kind));
		break;
	case VINPUT_CFG_ID_DEVIDS:
		if (subsel)
			break;
		put_le16(u, VINPUT_BUS_VIRTUAL);
		put_le16(u + 2, VINPUT_VENDOR);
		put_le16(u + 4, (uint16_t)(kind + 1)); /* product: 1 kbd, 2 tablet, 3 mouse */
		put_le16(u + 6, 1);
		size = 8;
		break;
	case VINPUT_CFG_PROP_BITS:
		break; /* no INPUT_PROP_* for any of them: size 0 */
	case VINPUT_CFG_EV_BITS:
		if (kind_bits(kind, subsel, u))
			size = bitmap_size(u);
		break;
	case VINPUT_CFG_ABS_INFO:
		if (kind == VINPUT_TABLET && (subsel == ABS_X || subsel == ABS_Y)) {
			put_le32(u, 0);
			put_le32(u + 4, VINPUT_ABS_MAX);
			size = 20; /* fuzz, flat, res: 0 */
		}
		break;
	}
	cfg[2] = size;
}
