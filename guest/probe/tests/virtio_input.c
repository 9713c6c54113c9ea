/* virtio-input (virtio 1.2, 5.8) through the probe's virtio-pci driver.
 *
 * virtio_input: every virtio-input function on bus 0; each one's config
 * space read field by field (ID_NAME, ID_SERIAL, ID_DEVIDS, PROP_BITS,
 * EV_BITS of every type, ABS_INFO of every axis, undefined selectors) and
 * judged against what the spec and linux/input-event-codes.h say a
 * keyboard, an absolute tablet and a relative mouse offer; the keyboard's
 * statusq takes an LED event back.
 *
 * input_events: posts 8-byte event buffers on every device's eventq, says
 * `input_ready`, then prints each event as it arrives, one line each:
 *   PROBE: info input_event=<kbd|tablet|mouse>:<type>:<code>:<value>
 * until the keyboard reports Esc released (KEY_ESC 1, value 0), or
 * probe.input_ms (30000) pass: FAIL. Buffers must come back 8 bytes long.
 */
#include "lib/alloc.h"
#include "lib/cmdline.h"
#include "lib/io.h"
#include "lib/pci_setup.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "lib/virtio_pci.h"
#include "lib/virtq.h"
#include "tests/tests.h"

#define VIRTIO_ID_INPUT 18
#define MAX_DEVS	4
#define EVQ_SIZE	64
#define STATUS_MS	2000

/* Config selectors (5.8.5) and the evdev numbers we check against. */
#define CFG_UNSET     0x00
#define CFG_ID_NAME   0x01
#define CFG_ID_SERIAL 0x02
#define CFG_ID_DEVIDS 0x03
#define CFG_PROP_BITS 0x10
#define CFG_EV_BITS   0x11
#define CFG_ABS_INFO  0x12
#define EV_SYN	      0x00
#define EV_KEY	      0x01
#define EV_REL	      0x02
#define EV_ABS	      0x03
#define EV_LED	      0x11
#define EV_REP	      0x14
#define BUS_VIRTUAL   0x06
#define KEY_ESC	      1
#define KEY_A	      30
#define BTN_LEFT      0x110
#define BTN_MIDDLE    0x112
#define REL_X	      0x00
#define REL_Y	      0x01
#define REL_HWHEEL    0x06
#define REL_WHEEL     0x08

enum kind { KBD, TABLET, MOUSE, UNKNOWN };
static const char *const kind_name[] = {"kbd", "tablet", "mouse", "?"};

struct input_dev {
	struct virtio_pci_dev v;
	enum kind kind;
	struct virtq evq, stq;
	uint8_t (*bufs)[8];
};

static struct input_dev devs[MAX_DEVS];

static unsigned find_all(const struct pci_access *pci, struct pci_fn *out)
{
	struct pci_fn fns[32];
	unsigned n = pci_enumerate(pci, fns, 32), found = 0;

	for (unsigned i = 0; i < n && found < MAX_DEVS; i++)
		if (fns[i].vendor == VIRTIO_VENDOR &&
		    fns[i].device == VIRTIO_MODERN_DEVICE(VIRTIO_ID_INPUT))
			out[found++] = fns[i];
	return found;
}

/* Select, then the answer: size (returned) and up to 128 bytes of u. */
static uint8_t query(struct virtio_pci_dev *v, uint8_t sel, uint8_t sub, uint8_t u[128])
{
	uint8_t size;

	mmio_write8(v->device_cfg + 0, sel);
	mmio_write8(v->device_cfg + 1, sub);
	size = virtio_pci_cfg8(v, 2);
	for (unsigned i = 0; i < 128; i += 4) {
		uint32_t w = virtio_pci_cfg32(v, 8 + i);

		u[i] = (uint8_t)w;
		u[i + 1] = (uint8_t)(w >> 8);
		u[i + 2] = (uint8_t)(w >> 16);
		u[i + 3] = (uint8_t)(w >> 24);
	}
	return size;
}

static bool bit(const uint8_t *u, unsigned n)
{
	return u[n / 8] & (1u << (n % 8));
}

/* The bits of an EV_BITS answer, as a set we can compare: true if bits
 * [0, limit) equal exactly the listed codes. */
static bool exactly(const uint8_t *u, unsigned limit, const uint16_t *codes, unsigned n)
{
	for (unsigned c = 0; c < limit; c++) {
		bool want = false;

		for (unsigned i = 0; i < n; i++)
			want |= codes[i] == c;
		if (bit(u, c) != want)
			return false;
	}
	return true;
}

/* What kind the device says it is, from its event bits alone. */
static enum kind classify(struct virtio_pci_dev *v)
{
	uint8_t u[128];

	if (query(v, CFG_EV_BITS, EV_ABS, u) && bit(u, 0) && bit(u, 1))
		return TABLET;
	if (query(v, CFG_EV_BITS, EV_REL, u) && bit(u, REL_X))
		return MOUSE;
	if (query(v, CFG_EV_BITS, EV_KEY, u) && bit(u, KEY_A))
		return KBD;
	return UNKNOWN;
}

static enum test_result check_common(struct test_ctx *ctx, struct input_dev *d)
{
	uint8_t u[128], size;

	size = query(&d->v, CFG_ID_NAME, 0, u);
	if (!size || size > 128)
		return test_fail(ctx, "%s: ID_NAME size %u", kind_name[d->kind], size);
	char name[129];
	memcpy(name, u, size);
	name[size] = 0;
	report_info("input_name", "%s:%s", kind_name[d->kind], name);
	if (query(&d->v, CFG_ID_NAME, 1, u))
		return test_fail(ctx, "%s: ID_NAME answers subsel 1", kind_name[d->kind]);
	if (query(&d->v, CFG_ID_SERIAL, 0, u) > 128)
		return test_fail(ctx, "%s: ID_SERIAL too long", kind_name[d->kind]);
	size = query(&d->v, CFG_ID_DEVIDS, 0, u);
	if (size != 8 || (u[0] | u[1] << 8) != BUS_VIRTUAL)
		return test_fail(ctx, "%s: ID_DEVIDS size %u bustype 0x%x (want 8, BUS_VIRTUAL)",
				 kind_name[d->kind], size, u[0] | u[1] << 8);
	if (query(&d->v, CFG_PROP_BITS, 0, u) > 128)
		return test_fail(ctx, "%s: PROP_BITS size past the union", kind_name[d->kind]);
	/* Undefined selectors and unset: size 0 (5.8.5). */
	static const uint8_t undefined[] = {CFG_UNSET, 0x04, 0x0f, 0x13, 0x7f, 0xff};
	for (unsigned i = 0; i < sizeof(undefined); i++)
		if (query(&d->v, undefined[i], 0, u))
			return test_fail(ctx, "%s: select 0x%x answers size != 0",
					 kind_name[d->kind], undefined[i]);
	return TEST_PASS;
}

static enum test_result check_keyboard(struct test_ctx *ctx, struct input_dev *d)
{
	uint8_t u[128];

	query(&d->v, CFG_EV_BITS, EV_KEY, u);
	/* udev's input_id: a keyboard has every key from 1 to 31. */
	for (unsigned k = 1; k <= 31; k++)
		if (!bit(u, k))
			return test_fail(ctx, "kbd: key %u missing", k);
	for (unsigned k = BTN_LEFT; k <= BTN_MIDDLE; k++)
		if (bit(u, k))
			return test_fail(ctx, "kbd: has mouse button 0x%x", k);
	if (!query(&d->v, CFG_EV_BITS, EV_REP, u))
		return test_fail(ctx, "kbd: no EV_REP");
	static const uint16_t leds[] = {0, 1, 2}; /* num, caps, scroll */
	if (!query(&d->v, CFG_EV_BITS, EV_LED, u) || !exactly(u, 1024, leds, 3))
		return test_fail(ctx, "kbd: EV_LED not exactly num/caps/scroll");
	if (query(&d->v, CFG_EV_BITS, EV_REL, u) || query(&d->v, CFG_EV_BITS, EV_ABS, u) ||
	    query(&d->v, CFG_ABS_INFO, 0, u))
		return test_fail(ctx, "kbd: offers pointer events");
	return TEST_PASS;
}

static enum test_result check_pointer(struct test_ctx *ctx, struct input_dev *d)
{
	static const uint16_t buttons[] = {0x110, 0x111, 0x112};
	static const uint16_t wheels[] = {REL_HWHEEL, REL_WHEEL};
	static const uint16_t rel_all[] = {REL_X, REL_Y, REL_HWHEEL, REL_WHEEL};
	static const uint16_t xy[] = {0, 1};
	const char *k = kind_name[d->kind];
	uint8_t u[128];

	if (!query(&d->v, CFG_EV_BITS, EV_KEY, u) || !exactly(u, 1024, buttons, 3))
		return test_fail(ctx, "%s: EV_KEY not exactly BTN_LEFT/RIGHT/MIDDLE", k);
	if (!query(&d->v, CFG_EV_BITS, EV_REL, u) ||
	    !(d->kind == MOUSE ? exactly(u, 1024, rel_all, 4) : exactly(u, 1024, wheels, 2)))
		return test_fail(ctx, "%s: EV_REL bits wrong", k);
	if (query(&d->v, CFG_EV_BITS, EV_REP, u))
		return test_fail(ctx, "%s: EV_REP on a pointer", k);
	if (d->kind == MOUSE) {
		if (query(&d->v, CFG_EV_BITS, EV_ABS, u) || query(&d->v, CFG_ABS_INFO, 0, u))
			return test_fail(ctx, "mouse: offers absolute axes");
		return TEST_PASS;
	}
	if (!query(&d->v, CFG_EV_BITS, EV_ABS, u) || !exactly(u, 1024, xy, 2))
		return test_fail(ctx, "tablet: EV_ABS not exactly X/Y");
	for (unsigned axis = 0; axis < 2; axis++) {
		uint8_t size = query(&d->v, CFG_ABS_INFO, axis, u);
		uint32_t min = u[0] | u[1] << 8 | u[2] << 16 | (uint32_t)u[3] << 24;
		uint32_t max = u[4] | u[5] << 8 | u[6] << 16 | (uint32_t)u[7] << 24;

		if (size != 20 || min != 0 || max != 32767)
			return test_fail(ctx,
					 "tablet: ABS_INFO %u size %u range %u..%u (want 20, "
					 "0..32767)",
					 axis, size, min, max);
	}
	if (query(&d->v, CFG_ABS_INFO, 2, u))
		return test_fail(ctx, "tablet: ABS_INFO for ABS_Z");
	return TEST_PASS;
}

/* The keyboard's statusq takes an LED event (caps lock on) and gives the
 * buffer back. */
static enum test_result check_status(struct test_ctx *ctx, struct input_dev *d)
{
	static uint8_t caps_on[8] = {EV_LED, 0, 1, 0, 1, 0, 0, 0};
	uint8_t *buf = page_alloc(8);
	struct virtq_buf b = {buf, 8, false};
	uint16_t head, used;
	uint32_t len;

	memcpy(buf, caps_on, 8);
	if (virtio_pci_init(&d->v, 0, ctx->why, sizeof(ctx->why)) ||
	    virtq_setup(&d->v, &d->stq, 1, 8, VPCI_NO_VECTOR, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	virtio_pci_driver_ok(&d->v);
	if (!virtq_add(&d->stq, &b, 1, &head))
		return test_fail(ctx, "kbd: statusq full");
	virtq_notify(&d->stq);
	if (!virtq_wait_used(&d->stq, &used, &len, deadline_ms(STATUS_MS)) || used != head)
		return test_fail(ctx, "kbd: the LED status buffer did not come back");
	if (!virtio_pci_reset(&d->v))
		return test_fail(ctx, "kbd: status not 0 after reset");
	return TEST_PASS;
}

static unsigned open_all(struct test_ctx *ctx, const struct pci_access *pci)
{
	struct pci_fn fns[MAX_DEVS];
	unsigned n = find_all(pci, fns);

	for (unsigned i = 0; i < n; i++) {
		memset(&devs[i], 0, sizeof(devs[i]));
		if (virtio_pci_open(&devs[i].v, pci, fns[i].dev, fns[i].fn, ctx->why,
				    sizeof(ctx->why)))
			return 0;
		devs[i].kind = classify(&devs[i].v);
	}
	return n;
}

enum test_result test_virtio_input(struct test_ctx *ctx)
{
	const struct pci_access *pci = pci_access_default();
	unsigned n, seen[4] = {0};
	enum test_result r;
	size_t mark = alloc_mark();

	if (!pci)
		return test_skip(ctx, "no PCI");
	n = open_all(ctx, pci);
	if (!n)
		return ctx->why[0] ? TEST_FAIL : test_skip(ctx, "no virtio-input device");
	for (unsigned i = 0; i < n; i++) {
		struct input_dev *d = &devs[i];

		seen[d->kind]++;
		if (d->kind == UNKNOWN)
			return test_fail(ctx, "device %u is neither keyboard, tablet nor mouse", i);
		if ((r = check_common(ctx, d)) != TEST_PASS)
			return r;
		r = d->kind == KBD ? check_keyboard(ctx, d) : check_pointer(ctx, d);
		if (r != TEST_PASS)
			return r;
		if (d->kind == KBD && (r = check_status(ctx, d)) != TEST_PASS)
			return r;
	}
	report_info("input_devs", "kbd=%u,tablet=%u,mouse=%u", seen[KBD], seen[TABLET],
		    seen[MOUSE]);
	alloc_release(mark);
	if (seen[KBD] != 1 || seen[TABLET] != 1 || seen[MOUSE] != 1)
		return test_fail(ctx, "want one keyboard, one tablet, one mouse");
	return TEST_PASS;
}

static bool post(struct input_dev *d, unsigned slot)
{
	struct virtq_buf b = {d->bufs[slot], 8, true};
	uint16_t head;

	memset(d->bufs[slot], 0xee, 8);
	return virtq_add(&d->evq, &b, 1, &head);
}

static enum test_result start_events(struct test_ctx *ctx, struct input_dev *d)
{
	if (virtio_pci_init(&d->v, 0, ctx->why, sizeof(ctx->why)) ||
	    virtq_setup(&d->v, &d->evq, 0, EVQ_SIZE, VPCI_NO_VECTOR, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	d->bufs = page_alloc(EVQ_SIZE * 8);
	if (!d->bufs)
		return test_fail(ctx, "out of memory");
	for (unsigned i = 0; i < d->evq.size; i++)
		if (!post(d, i))
			return test_fail(ctx, "eventq full at %u", i);
	virtio_pci_driver_ok(&d->v);
	virtq_notify(&d->evq);
	return TEST_PASS;
}

enum test_result test_input_events(struct test_ctx *ctx)
{
	const struct pci_access *pci = pci_access_default();
	uint64_t ms = 30000, events = 0;
	bool bad = false;
	unsigned n;
	enum test_result r;

	cmdline_u64(ctx->cmdline, "probe.input_ms", &ms, &bad);
	if (!pci)
		return test_skip(ctx, "no PCI");
	n = open_all(ctx, pci);
	if (!n)
		return ctx->why[0] ? TEST_FAIL : test_skip(ctx, "no virtio-input device");
	for (unsigned i = 0; i < n; i++)
		if ((r = start_events(ctx, &devs[i])) != TEST_PASS)
			return r;
	report_info("input_ready", "%u", n);
	uint64_t deadline = deadline_ms(ms);
	while (!deadline_passed(deadline)) {
		for (unsigned i = 0; i < n; i++) {
			struct input_dev *d = &devs[i];
			uint16_t head;
			uint32_t len;
			bool reposted = false;

			while (virtq_get_used(&d->evq, &head, &len)) {
				/* A one-descriptor chain: its head is its slot's descriptor,
				 * and the buffer is found by address. */
				uint8_t *e = (uint8_t *)(uintptr_t)d->evq.desc[head].addr;
				unsigned slot = (unsigned)((e - d->bufs[0]) / 8);
				uint16_t type = e[0] | e[1] << 8, code = e[2] | e[3] << 8;
				int32_t value =
				    (int32_t)(e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24);

				if (len != 8)
					return test_fail(ctx,
							 "%s: event buffer came back with %u bytes",
							 kind_name[d->kind], len);
				report_info("input_event", "%s:%u:%u:%d", kind_name[d->kind], type,
					    code, value);
				events++;
				if (d->kind == KBD && type == EV_KEY && code == KEY_ESC &&
				    value == 0) {
					report_info("input_events", "%u", (unsigned)events);
					return TEST_PASS;
				}
				if (!post(d, slot))
					return test_fail(ctx, "cannot repost a buffer");
				reposted = true;
			}
			if (reposted)
				virtq_notify(&d->evq);
		}
		cpu_relax();
	}
	return test_fail(ctx, "no Esc release within %u ms (%u events)", (unsigned)ms,
			 (unsigned)events);
}
