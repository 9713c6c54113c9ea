/* INTx instead of MSI-X, as a guest booted with pci=nomsi drives a device:
 * MSI-X left disabled, the function's INTx pin routed through the MP table's
 * I/O interrupt entry to an IOAPIC pin (level-triggered), the Interrupt Line
 * register checked against it. The CPL0 stub reads the ISR (which clears it)
 * before the EOI, as a driver's handler does. Each virtio-rng request must
 * raise an interrupt whose ISR read shows the queue cause, exactly once per
 * request. Interrupts that find the ISR empty are legal for a level line
 * (shared-line semantics) and only reported, unless they outnumber the
 * requests (a storm). */
#include "lib/alloc.h"
#include "lib/cpu.h"
#include "lib/ioapic.h"
#include "lib/lapic.h"
#include "lib/mptable.h"
#include "lib/msix.h"
#include "lib/pci_setup.h"
#include "lib/report.h"
#include "lib/time.h"
#include "lib/virtio_pci.h"
#include "lib/virtq.h"
#include "tests/tests.h"

#define PCI_INTERRUPT_PIN 0x3D
#define REQUESTS	  8
#define REQ_BYTES	  16
#define TIMEOUT_MS	  2000
#define SETTLE_US	  2000
#define MP_POLARITY_LOW	  3 /* flags bits 0-1 */
#define MP_TRIGGER_LEVEL  (3 << 2)

enum test_result test_virtio_intx(struct test_ctx *ctx)
{
	static struct virtio_pci_dev v;
	static struct virtq q;
	static struct mp_info mp;
	const struct pci_access *pci = pci_access_default();
	size_t mark = alloc_mark();
	uint8_t dev, fn;
	char err[160];

	if (!pci || !virtio_pci_find(pci, VIRTIO_ID_RNG, &dev, &fn))
		return test_skip(ctx, "no virtio-rng device on PCI bus 0");
	uint8_t pin = pci_read8(pci, dev, fn, PCI_INTERRUPT_PIN);
	uint8_t line = pci_read8(pci, dev, fn, PCI_INTERRUPT);
	if (pin < 1 || pin > 4)
		return test_fail(ctx, "%02x.%u has Interrupt Pin %u", dev, fn, pin);
	if (mptable_read(&mp, err, sizeof(err)))
		return test_skip(ctx, "no MP table to route INTx by: %s", err);
	const struct mp_irq *irq = mptable_pci_irq(&mp, dev, pin);
	if (!irq)
		return test_fail(ctx, "MP table has no entry for %02x INT%c", dev, 'A' + pin - 1);
	report_info("intx", "%02x.%u:INT%c:ioapic_pin=%u:line=%u:flags=0x%x", dev, fn,
		    'A' + pin - 1, irq->dst_pin, line, irq->flags);
	if (line != irq->dst_pin)
		return test_fail(ctx, "Interrupt Line %u, but the MP table routes to pin %u", line,
				 irq->dst_pin);

	if (virtio_pci_open(&v, pci, dev, fn, ctx->why, sizeof(ctx->why)) ||
	    virtio_pci_init(&v, 0, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	struct msix msix;
	if (msix_open(&msix, pci, dev, fn, err, sizeof(err)) == 0)
		msix_enable(&msix, false); /* also clears INTx Disable */
	uint16_t cmd = pci_read16(pci, dev, fn, PCI_COMMAND);
	pci_write16(pci, dev, fn, PCI_COMMAND, cmd & ~PCI_CMD_INTX_OFF);
	if (virtq_setup(&v, &q, 0, 8, VPCI_NO_VECTOR, ctx->why, sizeof(ctx->why)))
		return TEST_FAIL;
	virtio_pci_driver_ok(&v);

	lapic_enable();
	intx_isr_addr = v.isr;
	ioapic_route(irq->dst_pin, VEC_INTX, (irq->flags & MP_TRIGGER_LEVEL) == MP_TRIGGER_LEVEL,
		     (irq->flags & MP_POLARITY_LOW) == MP_POLARITY_LOW, (uint8_t)lapic_id());

	enum test_result r = TEST_PASS;
	uint8_t *buf = page_alloc(REQ_BYTES);
	volatile uint32_t *count = &irq_counts[VEC_INTX];
	uint32_t idle = *count;
	delay_us(SETTLE_US); /* nothing is pending: the line must be low */
	if (*count != idle)
		r = test_fail(ctx,
			      "%u INTx interrupts before any request (ISR read 0x%x): the "
			      "line was left asserted",
			      *count - idle, intx_isr_last);
	uint32_t start = *count, spurious_start = intx_spurious;
	for (unsigned i = 0; i < REQUESTS && r == TEST_PASS; i++) {
		struct virtq_buf b = {buf, REQ_BYTES, true};
		uint16_t head, done;
		uint32_t len;
		uint32_t before = *count;
		if (!buf || !virtq_add(&q, &b, 1, &head)) {
			r = test_fail(ctx, "cannot queue request %u", i);
			break;
		}
		virtq_notify(&q);
		uint64_t deadline = deadline_ms(TIMEOUT_MS);
		while (*count == before && !deadline_passed(deadline))
			cpu_relax();
		if (*count == before)
			r = test_fail(ctx, "request %u raised no INTx interrupt", i);
		else if (!virtq_wait_used(&q, &done, &len, deadline))
			r = test_fail(ctx, "request %u: interrupt but no used entry", i);
	}
	delay_us(SETTLE_US); /* a line left asserted would fire again by now */
	uint32_t total = *count - start, spurious = intx_spurious - spurious_start;
	ioapic_mask(irq->dst_pin);
	intx_isr_addr = 0;
	virtio_pci_reset(&v);
	alloc_release(mark);
	report_info("intx_interrupts", "%u:spurious=%u", total, spurious);
	if (r == TEST_PASS && total - spurious != REQUESTS)
		return test_fail(ctx, "%u interrupts showed an ISR cause for %u requests",
				 total - spurious, REQUESTS);
	if (r == TEST_PASS && spurious > REQUESTS)
		return test_fail(ctx, "%u interrupts with an empty ISR for %u requests", spurious,
				 REQUESTS);
	return r;
}
