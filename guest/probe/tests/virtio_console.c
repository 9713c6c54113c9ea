/* virtio-console (lkvm-gpu --console virtio): one line out through the
 * transmit queue (the host sees it on stdout), then one line in: receive
 * buffers are posted, the host types a line on stdin (lkvm-gpu feeds both
 * the UART and this port) and the probe echoes what arrived on the port. */
#include "lib/alloc.h"
#include "lib/pci_setup.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "lib/virtio_pci.h"
#include "lib/virtq.h"
#include "tests/tests.h"

#define RX_BUFS	    4
#define RX_BUF_SIZE 128
#define LINE_MAX    256
#define TIMEOUT_MS  10000

static const char hello[] = "PROBE: info vcon=hello through virtio-console\n";

static enum test_result open_console(struct test_ctx *ctx, struct virtio_pci_dev *v,
				     struct virtq *rx, struct virtq *tx)
{
	const struct pci_access *pci = pci_access_default();
	uint8_t dev, fn;

	if (!pci || !virtio_pci_find(pci, VIRTIO_ID_CONSOLE, &dev, &fn))
		return test_skip(ctx, "no virtio-console device on PCI bus 0");
	if (virtio_pci_open(v, pci, dev, fn, ctx->why, sizeof(ctx->why)) ||
	    virtio_pci_init(v, 0, ctx->why, sizeof(ctx->why)) ||
	    virtq_setup(v, rx, 0, 8, VPCI_NO_VECTOR, ctx->why, sizeof(ctx->why)) ||
	    virtq_setup(v, tx, 1, 8, VPCI_NO_VECTOR, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	virtio_pci_driver_ok(v);
	return TEST_PASS;
}

enum test_result test_virtio_console(struct test_ctx *ctx)
{
	static struct virtio_pci_dev v;
	static struct virtq rx, tx;
	static char line[LINE_MAX];
	size_t mark = alloc_mark();
	enum test_result r = open_console(ctx, &v, &rx, &tx);

	if (r != TEST_PASS)
		return r;
	char *out = page_alloc(sizeof(hello));
	uint8_t *in = page_alloc(RX_BUFS * RX_BUF_SIZE);
	if (!out || !in)
		return test_fail(ctx, "out of memory");

	/* Out: wait until the device consumed it before using the UART again,
	 * so the two outputs cannot interleave on the host's stdout. */
	memcpy(out, hello, sizeof(hello) - 1);
	struct virtq_buf b = {out, sizeof(hello) - 1, false};
	uint16_t head, done;
	uint32_t len;
	if (!virtq_add(&tx, &b, 1, &head))
		return test_fail(ctx, "transmit queue full");
	virtq_notify(&tx);
	if (!virtq_wait_used(&tx, &done, &len, deadline_ms(TIMEOUT_MS)))
		return test_fail(ctx, "transmit buffer not used within %u ms", TIMEOUT_MS);

	/* In. */
	for (unsigned i = 0; i < RX_BUFS; i++) {
		struct virtq_buf rb = {in + i * RX_BUF_SIZE, RX_BUF_SIZE, true};
		if (!virtq_add(&rx, &rb, 1, &head))
			return test_fail(ctx, "receive queue full");
	}
	virtq_notify(&rx);
	report_info("vcon_waiting", "1");
	size_t n = 0;
	uint64_t deadline = deadline_ms(TIMEOUT_MS);
	for (;;) {
		if (!virtq_wait_used(&rx, &done, &len, deadline))
			return test_fail(ctx, "no complete input line within %u ms (%zu bytes)",
					 TIMEOUT_MS, n);
		if (done >= rx.size || len > RX_BUF_SIZE)
			return test_fail(ctx, "used entry id %u len %u is bogus", done, len);
		/* Fresh queue: buffer i went into descriptor i, and a reposted
		 * buffer gets its old descriptor back (the free list is LIFO). */
		const char *p = (const char *)in + (size_t)done * RX_BUF_SIZE;
		bool newline = false;
		for (uint32_t i = 0; i < len && !newline; i++) {
			if (p[i] == '\n')
				newline = true;
			else if (p[i] != '\r' && n + 1 < sizeof(line))
				line[n++] = p[i];
		}
		if (newline)
			break;
		struct virtq_buf rb = {(void *)p, RX_BUF_SIZE, true};
		if (!virtq_add(&rx, &rb, 1, &head))
			return test_fail(ctx, "could not repost a receive buffer");
		virtq_notify(&rx);
	}
	line[n] = 0;
	report_info("vcon_echo", "%s", line);
	virtio_pci_reset(&v);
	alloc_release(mark);
	return TEST_PASS;
}
