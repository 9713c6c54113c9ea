/* virtio-rng through the probe's own virtio-pci driver: negotiate, set up
 * the request queue with an MSI-X vector (if the device has MSI-X), get
 * random bytes twice (different), with one counted interrupt per request,
 * reset. */
#include "lib/alloc.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/lapic.h"
#include "lib/msix.h"
#include "lib/pci_setup.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "lib/virtio_pci.h"
#include "lib/virtq.h"
#include "tests/tests.h"

#define RNG_REQ_BYTES  64
#define RNG_TIMEOUT_MS 2000
#define RNG_VECTOR     0x50

static bool use_msix;

static enum test_result fetch(struct test_ctx *ctx, struct virtq *q, uint8_t *buf, uint32_t *got)
{
	uint32_t irqs_before = irq_counts[RNG_VECTOR];
	struct virtq_buf b = {buf, RNG_REQ_BYTES, true};
	uint16_t head, used_head;

	if (!virtq_add(q, &b, 1, &head))
		return test_fail(ctx, "no free descriptor");
	virtq_notify(q);
	if (!virtq_wait_used(q, &used_head, got, deadline_ms(RNG_TIMEOUT_MS)))
		return test_fail(ctx, "no used buffer within %u ms", RNG_TIMEOUT_MS);
	if (used_head != head)
		return test_fail(ctx, "used id %u, posted %u", used_head, head);
	if (*got == 0 || *got > RNG_REQ_BYTES)
		return test_fail(ctx, "device wrote %u bytes into a %u-byte buffer", *got,
				 RNG_REQ_BYTES);
	/* The interrupt may trail the used ring update a little. */
	uint64_t deadline = deadline_ms(RNG_TIMEOUT_MS);
	while (use_msix && irq_counts[RNG_VECTOR] == irqs_before) {
		if (deadline_passed(deadline))
			return test_fail(ctx, "no MSI-X interrupt for the request");
		cpu_relax();
	}
	return TEST_PASS;
}

enum test_result test_virtio_rng(struct test_ctx *ctx)
{
	struct virtio_pci_dev v;
	struct msix msix;
	struct virtq q;
	uint8_t dev, fn;
	uint32_t n1, n2;
	enum test_result r;
	size_t mark = alloc_mark();

	const struct pci_access *pci = pci_access_default();

	if (!pci || !virtio_pci_find(pci, VIRTIO_ID_RNG, &dev, &fn))
		return test_skip(ctx, "no virtio-rng device on PCI bus 0");
	if (virtio_pci_open(&v, pci, dev, fn, ctx->why, sizeof(ctx->why)) ||
	    virtio_pci_init(&v, 0, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	char no_msix[96];
	use_msix = msix_open(&msix, pci, dev, fn, no_msix, sizeof(no_msix)) == 0;
	if (use_msix) {
		lapic_enable();
		msix_route(&msix, 0, RNG_VECTOR, (uint8_t)lapic_id());
		msix_enable(&msix, true);
	}
	report_info("rng_msix", "%s", use_msix ? "yes" : no_msix);
	if (virtq_setup(&v, &q, 0, 8, use_msix ? 0 : VPCI_NO_VECTOR, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	virtio_pci_driver_ok(&v);

	uint8_t *a = page_alloc(RNG_REQ_BYTES), *b = page_alloc(RNG_REQ_BYTES);
	if (!a || !b)
		return test_fail(ctx, "out of memory");
	uint32_t irqs = irq_counts[RNG_VECTOR];
	if ((r = fetch(ctx, &q, a, &n1)) != TEST_PASS || (r = fetch(ctx, &q, b, &n2)) != TEST_PASS)
		return r;
	delay_us(2000); /* an extra interrupt would show by now */
	if (use_msix && irq_counts[RNG_VECTOR] - irqs != 2)
		return test_fail(ctx, "%u MSI-X interrupts for 2 requests",
				 irq_counts[RNG_VECTOR] - irqs);
	report_info("rng_bytes", "%u,%u", n1, n2);
	uint32_t n = n1 < n2 ? n1 : n2;
	if (n >= 8 && !memcmp(a, b, n))
		return test_fail(ctx, "two requests returned the same %u bytes", n);
	if (!virtio_pci_reset(&v))
		return test_fail(ctx, "status not 0 after reset");
	if (use_msix)
		msix_enable(&msix, false);
	alloc_release(mark);
	return TEST_PASS;
}
