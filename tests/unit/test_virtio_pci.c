/* Modern virtio PCI transport, driven the way a guest driver does it:
 * config-space capability walk, feature negotiation, queue setup,
 * DRIVER_OK, kicks, interrupts, reset and hostile register writes. */
#include <criterion/criterion.h>
#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>
#include <string.h>
#include <unistd.h>

#include "kvm/layout.h"
#include "tests/unit/stderr_capture.h"
#include "util/log.h"
#include "tests/unit/vq_builder.h"
#include "virtio/pci_transport.h"

struct fake_dev {
	unsigned activations, resets;
	uint64_t features;
	struct virtio_queue *queues;
	struct virtio_irq *irq;
	uint8_t config[8];
};

static uint64_t fake_features(void *dev)
{
	return 1ULL << 0 | 1ULL << 5;
}

static void fake_cfg_read(void *dev, uint32_t off, void *data, uint32_t len)
{
	memcpy(data, ((struct fake_dev *)dev)->config + off, len);
}

static void fake_cfg_write(void *dev, uint32_t off, const void *data, uint32_t len)
{
	memcpy(((struct fake_dev *)dev)->config + off, data, len);
}

static int fake_activate(void *dev, uint64_t features, const struct guest_mem *mem,
			 struct virtio_queue *queues, struct virtio_irq *irq)
{
	struct fake_dev *f = dev;

	f->activations++;
	f->features = features;
	f->queues = queues;
	f->irq = irq;
	return 0;
}

static void fake_reset(void *dev)
{
	((struct fake_dev *)dev)->resets++;
}

static const uint16_t fake_queue_sizes[] = {64, 16};

static const struct virtio_dev_ops fake_ops = {
    .name = "fake",
    .device_id = 4,
    .config_size = 8,
    .num_queues = 2,
    .queue_max_size = 64,
    .queue_sizes = fake_queue_sizes,
    .features = fake_features,
    .config_read = fake_cfg_read,
    .config_write = fake_cfg_write,
    .activate = fake_activate,
    .reset = fake_reset,
};

static unsigned fired[4], intx_raised;
static bool intx_level;
static int fake_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	return 0;
}
static void fake_fire(void *ctx, unsigned vec)
{
	if (vec < 4)
		fired[vec]++;
}
static const struct msix_irq_ops fake_msix = {.route = fake_route, .fire = fake_fire};
/* Counts rising edges of the INTx line. */
static void fake_set(void *ctx, bool level)
{
	intx_raised += level;
	intx_level = level;
}

static struct bus pio, mmio;
static struct pci_bus pb;
static struct virtio_pci vp;
static struct fake_dev fd;
static struct vqb b;
static uint64_t bar0;

static void start(bool msix)
{
	memset(&fd, 0, sizeof(fd));
	memset(fired, 0, sizeof(fired));
	intx_raised = 0;
	intx_level = false;
	vqb_init(&b, 1 << 20, 16);
	bus_init(&pio);
	bus_init(&mmio);
	cr_assert_eq(pci_bus_init(&pb, &pio, &mmio), 0);
	cr_assert_eq(virtio_pci_init(&vp, NULL, &b.gm, &fake_ops, &fd, msix), 0);
	vp.msix.ops = &fake_msix;
	cr_assert_eq(virtio_pci_register(&vp, &pb), 0);
	vp.intx.fake_set = fake_set;
	bar0 = pci_cfg_bar_addr(&vp.pci.cfg, VPCI_BAR_REGS);
}

static void setup(void)
{
	start(true);
}

static void teardown(void)
{
	virtio_pci_exit(&vp);
	pci_bus_exit(&pb);
	bus_destroy(&pio);
	bus_destroy(&mmio);
	vqb_free(&b);
}

TestSuite(virtio_pci, .init = setup, .fini = teardown);

static uint32_t rd(uint64_t off, uint32_t size)
{
	uint32_t v = 0;

	cr_assert(bus_dispatch(&mmio, bar0 + off, &v, size, false));
	return v;
}

static void wr(uint64_t off, uint32_t size, uint32_t v)
{
	cr_assert(bus_dispatch(&mmio, bar0 + off, &v, size, true));
}

static uint32_t cfg_rd(uint32_t reg, uint32_t size)
{
	uint32_t v = 0;

	pci_bus_cfg_access(&pb, vp.pci.slot, 0, reg, &v, size, false);
	return v;
}

static void cfg_wr(uint32_t reg, uint32_t size, uint32_t v)
{
	pci_bus_cfg_access(&pb, vp.pci.slot, 0, reg, &v, size, true);
}

#define C(x) (VPCI_COMMON_OFF + VIRTIO_PCI_COMMON_##x)

static void negotiate(uint64_t features)
{
	wr(C(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(C(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(C(GFSELECT), 4, 0);
	wr(C(GF), 4, (uint32_t)features);
	wr(C(GFSELECT), 4, 1);
	wr(C(GF), 4, features >> 32);
	wr(C(STATUS), 1,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(unsigned q, uint16_t size)
{
	wr(C(Q_SELECT), 2, q);
	wr(C(Q_SIZE), 2, size);
	wr(C(Q_DESCLO), 4, (uint32_t)b.desc_gpa);
	wr(C(Q_DESCHI), 4, b.desc_gpa >> 32);
	wr(C(Q_AVAILLO), 4, (uint32_t)b.avail_gpa);
	wr(C(Q_AVAILHI), 4, 0);
	wr(C(Q_USEDLO), 4, (uint32_t)b.used_gpa);
	wr(C(Q_USEDHI), 4, 0);
	wr(C(Q_ENABLE), 2, 1);
}

static const uint64_t V1 = 1ULL << VIRTIO_F_VERSION_1;
#define DRV_ALL                                                                                    \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |            \
	 VIRTIO_STATUS_DRIVER_OK)

static void bring_up(void)
{
	unsigned before = fd.activations;

	negotiate(V1 | 1);
	setup_queue(0, 16);
	wr(C(STATUS), 1, DRV_ALL);
	cr_assert_eq(fd.activations, before + 1);
}

Test(virtio_pci, ids_and_capabilities)
{
	unsigned found = 0;

	cr_expect_eq(cfg_rd(PCI_VENDOR_ID, 2), 0x1af4);
	cr_expect_eq(cfg_rd(PCI_DEVICE_ID, 2), 0x1044);
	cr_expect_eq(cfg_rd(PCI_REVISION_ID, 1), 1);
	cr_expect_eq(cfg_rd(PCI_INTERRUPT_PIN, 1), 1);
	cr_expect_eq(cfg_rd(PCI_INTERRUPT_LINE, 1), pci_intx_gsi(vp.pci.slot, 0));
	for (uint8_t off = cfg_rd(PCI_CAPABILITY_LIST, 1); off; off = cfg_rd(off + 1, 1)) {
		uint8_t id = cfg_rd(off, 1), type = cfg_rd(off + 3, 1);
		uint32_t bar = cfg_rd(off + 4, 1), o = cfg_rd(off + 8, 4),
			 len = cfg_rd(off + 12, 4);

		if (id == PCI_CAP_ID_MSIX) {
			cr_expect_eq(cfg_rd(off + 2, 2) & 0x7ff, 2); /* 3 vectors */
			found |= 1 << 0;
			continue;
		}
		cr_assert_eq(id, PCI_CAP_ID_VNDR);
		cr_expect_eq(bar, 0);
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			cr_expect_eq(o, VPCI_COMMON_OFF);
			cr_expect_geq(len, 0x38);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			cr_expect_eq(o, VPCI_ISR_OFF);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			cr_expect_eq(o, VPCI_DEVCFG_OFF);
			cr_expect_eq(len, 8);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			cr_expect_eq(o, VPCI_NOTIFY_OFF);
			cr_expect_eq(cfg_rd(off + 16, 4), VPCI_NOTIFY_MULT);
			break;
		case VIRTIO_PCI_CAP_PCI_CFG:
			cr_expect_eq(cfg_rd(off + 2, 1), 20);
			break;
		default:
			cr_expect(0, "unexpected cap type %u", type);
		}
		found |= 1 << type;
	}
	cr_expect_eq(found, 1 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5);
}

Test(virtio_pci, device_features_include_transport_bits)
{
	uint64_t f;

	wr(C(DFSELECT), 4, 0);
	f = rd(C(DF), 4);
	wr(C(DFSELECT), 4, 1);
	f |= (uint64_t)rd(C(DF), 4) << 32;
	cr_expect_eq(f, 1 | 1ULL << 5 | V1 | 1ULL << VIRTIO_F_INDIRECT_DESC |
			    1ULL << VIRTIO_F_EVENT_IDX);
	wr(C(DFSELECT), 4, 7);
	cr_expect_eq(rd(C(DF), 4), 0);
	cr_expect_eq(rd(C(NUMQ), 2), 2);
}

Test(virtio_pci, features_ok_accepted)
{
	negotiate(V1 | 1 << 5);
	cr_expect(rd(C(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK);
	/* Driver features are frozen after FEATURES_OK. */
	wr(C(GFSELECT), 4, 0);
	wr(C(GF), 4, 1);
	cr_expect_eq(rd(C(GF), 4), 1 << 5);
}

Test(virtio_pci, features_ok_refused_for_unknown_bits_or_no_version_1)
{
	negotiate(V1 | 1 << 7);
	cr_expect_not(rd(C(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK);
	wr(C(STATUS), 1, 0);
	negotiate(1);
	cr_expect_not(rd(C(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK);
}

Test(virtio_pci, driver_ok_activates_with_queues)
{
	bring_up();
	cr_expect_eq(fd.features, V1 | 1);
	cr_expect_eq(fd.queues[0].vq.size, 16);
	cr_expect_eq(fd.queues[1].vq.size, 0);
	cr_expect_not(fd.queues[0].vq.event_idx);
	cr_expect_eq(rd(C(STATUS), 1), DRV_ALL);
}

Test(virtio_pci, event_idx_reaches_the_queue)
{
	negotiate(V1 | 1ULL << VIRTIO_F_EVENT_IDX);
	setup_queue(0, 16);
	wr(C(STATUS), 1, DRV_ALL);
	cr_expect(fd.queues[0].vq.event_idx);
}

Test(virtio_pci, notify_write_kicks_the_queue_eventfd)
{
	uint64_t v = 0;

	bring_up();
	wr(VPCI_NOTIFY_OFF + 4 * 1, 2, 1);
	cr_expect_eq(read(vp.queues[1].kick_fd, &v, 8), 8);
	cr_expect_eq(v, 1);
	/* Bogus notify offsets: no kick anywhere, no crash. */
	wr(VPCI_NOTIFY_OFF + 2, 2, 0);
	wr(VPCI_NOTIFY_OFF + 4 * 2, 2, 2);
	wr(VPCI_NOTIFY_OFF + 4 * 31, 4, 0xffffffff);
	cr_expect_eq(read(vp.queues[0].kick_fd, &v, 8), -1);
	cr_expect_eq(read(vp.queues[1].kick_fd, &v, 8), -1);
}

Test(virtio_pci, bogus_queue_sizes_are_not_enabled)
{
	uint16_t sizes[] = {0, 3, 128, 65535};

	negotiate(V1);
	for (unsigned i = 0; i < 4; i++) {
		setup_queue(0, sizes[i]);
		cr_expect_eq(rd(C(Q_ENABLE), 2), 0, "size %u enabled", sizes[i]);
	}
	setup_queue(0, 64);
	cr_expect_eq(rd(C(Q_ENABLE), 2), 1);
	/* Once enabled, its registers are frozen. */
	wr(C(Q_SIZE), 2, 8);
	cr_expect_eq(rd(C(Q_SIZE), 2), 64);
}

Test(virtio_pci, per_queue_maximum_sizes)
{
	negotiate(V1);
	wr(C(Q_SELECT), 2, 0);
	cr_expect_eq(rd(C(Q_SIZE), 2), 64);
	wr(C(Q_SELECT), 2, 1);
	cr_expect_eq(rd(C(Q_SIZE), 2), 16, "queue 1 offers its own maximum");
	setup_queue(1, 32);
	cr_expect_eq(rd(C(Q_ENABLE), 2), 0, "larger than queue 1's maximum");
	setup_queue(1, 16);
	cr_expect_eq(rd(C(Q_ENABLE), 2), 1);
}

Test(virtio_pci, rings_outside_ram_are_not_enabled)
{
	negotiate(V1);
	wr(C(Q_SELECT), 2, 0);
	wr(C(Q_SIZE), 2, 16);
	wr(C(Q_DESCLO), 4, 0xfffff000);
	wr(C(Q_DESCHI), 4, 0xffffffff);
	wr(C(Q_ENABLE), 2, 1);
	cr_expect_eq(rd(C(Q_ENABLE), 2), 0);
}

Test(virtio_pci, queue_select_out_of_range)
{
	wr(C(Q_SELECT), 2, 2);
	cr_expect_eq(rd(C(Q_SIZE), 2), 0);
	wr(C(Q_SIZE), 2, 16);
	wr(C(Q_ENABLE), 2, 1);
	cr_expect_eq(rd(C(Q_ENABLE), 2), 0);
	wr(C(Q_SELECT), 2, 0xffff);
	cr_expect_eq(rd(C(Q_MSIX), 2), VPCI_NO_VECTOR);
	wr(C(Q_SELECT), 2, 0);
	cr_expect_eq(rd(C(Q_SIZE), 2), 64);
	cr_expect_eq(rd(C(Q_NOFF), 2), 0);
	wr(C(Q_SELECT), 2, 1);
	cr_expect_eq(rd(C(Q_NOFF), 2), 1);
}

Test(virtio_pci, wrong_width_accesses_are_ignored)
{
	wr(C(Q_SELECT), 4, 1); /* 16-bit field written as 32 bits */
	cr_expect_eq(rd(C(Q_SELECT), 2), 0);
	cr_expect_eq(rd(C(NUMQ), 4), 0);
	cr_expect_eq(rd(C(DF) + 1, 1), 0);
	wr(C(STATUS), 2, 0xffff);
	cr_expect_eq(rd(C(STATUS), 1), 0);
}

Test(virtio_pci, driver_ok_without_features_ok_needs_reset)
{
	wr(C(STATUS), 1,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	cr_expect_eq(fd.activations, 0);
	cr_expect(rd(C(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET);
}

Test(virtio_pci, msix_queue_and_config_vectors)
{
	cfg_wr(vp.msix.cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	for (unsigned v = 0; v < 3; v++) {
		uint32_t z = 0;

		cr_assert(pci_msix_bar_io(&vp.msix, 16 * v + 12, &z, 4, true));
	}
	bring_up();
	wr(C(MSIX), 2, 2);
	wr(C(Q_SELECT), 2, 0);
	wr(C(Q_MSIX), 2, 1);
	cr_expect_eq(rd(C(Q_MSIX), 2), 1);
	fd.irq->queue(fd.irq, 0);
	cr_expect_eq(fired[1], 1);
	fd.irq->config(fd.irq);
	cr_expect_eq(fired[2], 1);
	cr_expect_eq(rd(C(CFGGENERATION), 1), 1);
	/* MSI-X on: no ISR bits, no INTx. */
	cr_expect_eq(rd(VPCI_ISR_OFF, 1), 0);
	cr_expect_eq(intx_raised, 0);
	/* NO_VECTOR: the driver asked for silence, and gets no INTx either. */
	wr(C(Q_MSIX), 2, VPCI_NO_VECTOR);
	fd.irq->queue(fd.irq, 0);
	cr_expect_eq(fired[1], 1);
	cr_expect_eq(rd(VPCI_ISR_OFF, 1), 0);
	cr_expect_eq(intx_raised, 0);
	/* A vector past the table reads back as NO_VECTOR. */
	wr(C(Q_MSIX), 2, 3);
	cr_expect_eq(rd(C(Q_MSIX), 2), VPCI_NO_VECTOR);
	wr(C(MSIX), 2, 200);
	cr_expect_eq(rd(C(MSIX), 2), VPCI_NO_VECTOR);
}

Test(virtio_pci, intx_sets_isr_and_read_clears_it)
{
	bring_up();
	fd.irq->queue(fd.irq, 0);
	cr_expect_eq(intx_raised, 1);
	cr_expect(intx_level);
	/* A second cause while the line is high: no new edge. */
	fd.irq->config(fd.irq);
	cr_expect_eq(intx_raised, 1);
	cr_expect_eq(rd(VPCI_ISR_OFF, 1), 3);
	cr_expect_not(intx_level, "reading the ISR lowers the line");
	cr_expect_eq(rd(VPCI_ISR_OFF, 1), 0);
	/* INTx disable in the command register silences the line, but the
	 * cause stays in the ISR and the line comes back when re-enabled. */
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	fd.irq->queue(fd.irq, 0);
	cr_expect_eq(intx_raised, 1);
	cr_expect_not(intx_level);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_expect(intx_level);
	cr_expect_eq(rd(VPCI_ISR_OFF, 1), 1);
	cr_expect_not(intx_level);
}

/* Exactly one interrupt per request: the line is low after each ISR read,
 * so an EOI finds nothing to re-deliver, however the device thread and
 * the driver interleave. */
Test(virtio_pci, intx_one_edge_per_cause_read)
{
	bring_up();
	for (unsigned i = 1; i <= 50; i++) {
		fd.irq->queue(fd.irq, 0);
		cr_assert_eq(rd(VPCI_ISR_OFF, 1), 1);
		cr_assert_not(intx_level);
		cr_assert_eq(intx_raised, i);
	}
	/* Reset drops a pending cause and the line with it. */
	fd.irq->queue(fd.irq, 0);
	cr_expect(intx_level);
	wr(C(STATUS), 1, 0);
	cr_expect_not(intx_level);
	cr_expect_eq(rd(VPCI_ISR_OFF, 1), 0);
}

Test(virtio_pci, needs_reset_from_device)
{
	bring_up();
	fd.irq->needs_reset(fd.irq);
	cr_expect(rd(C(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET);
	cr_expect_eq(rd(VPCI_ISR_OFF, 1), 2);
	/* A driver status write does not clear it; reset does. */
	wr(C(STATUS), 1, DRV_ALL);
	cr_expect(rd(C(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET);
	wr(C(STATUS), 1, 0);
	cr_expect_eq(rd(C(STATUS), 1), 0);
}

Test(virtio_pci, reset_and_reactivation)
{
	bring_up();
	wr(C(STATUS), 1, 0);
	cr_expect_eq(fd.resets, 1);
	cr_expect_eq(rd(C(STATUS), 1), 0);
	wr(C(Q_SELECT), 2, 0);
	cr_expect_eq(rd(C(Q_ENABLE), 2), 0);
	cr_expect_eq(rd(C(Q_SIZE), 2), 64);
	wr(C(GFSELECT), 4, 0);
	cr_expect_eq(rd(C(GF), 4), 0);
	bring_up();
	cr_expect_eq(fd.activations, 2);
	cr_expect_eq(fd.queues[0].vq.size, 16);
}

/* Issue 13, finding 6: with --debug every FEATURES_OK printed a line, so a
 * guest resetting in a loop wrote to stderr without limit. A few lines a
 * second (util/log.h) is the promise: 20 per second spanned is generous. */
Test(virtio_pci, debug_features_line_is_rate_limited)
{
	const unsigned resets = 1000;
	long t0;
	unsigned lines;

	log_debug_enabled = true;
	stderr_capture_begin();
	t0 = monotonic_seconds();
	for (unsigned i = 0; i < resets; i++) {
		negotiate(V1 | 1);
		cr_assert(rd(C(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK);
		wr(C(STATUS), 1, 0);
	}
	lines = stderr_capture_count("negotiated features");
	cr_assert_geq(lines, 1, "the first negotiation is logged");
	cr_assert_leq(lines, 20 * (monotonic_seconds() - t0 + 1), "%u lines for %u resets", lines,
		      resets);
}

Test(virtio_pci, device_config_window_bounds)
{
	fd.config[7] = 0x5a;
	cr_expect_eq(rd(VPCI_DEVCFG_OFF + 7, 1), 0x5a);
	wr(VPCI_DEVCFG_OFF + 4, 4, 0x11223344);
	cr_expect_eq(fd.config[4], 0x44);
	/* Straddling or past the end: reads zero, writes dropped. */
	cr_expect_eq(rd(VPCI_DEVCFG_OFF + 6, 4), 0);
	wr(VPCI_DEVCFG_OFF + 8, 4, 0xffffffff);
	wr(VPCI_DEVCFG_OFF + 0xfff, 1, 0xff);
}

Test(virtio_pci, pci_cfg_capability_window)
{
	uint32_t cap = vp.cfg_cap;

	cr_assert_neq(cap, 0);
	/* Read num_queues (16-bit at common + 0x12) through config space. */
	cfg_wr(cap + 4, 1, VPCI_BAR_REGS);
	cfg_wr(cap + 8, 4, VPCI_COMMON_OFF + VIRTIO_PCI_COMMON_NUMQ);
	cfg_wr(cap + 12, 4, 2);
	cr_expect_eq(cfg_rd(cap + 16, 2), 2);
	/* Write status ACKNOWLEDGE the same way; BAR0 sees it. */
	cfg_wr(cap + 8, 4, VPCI_COMMON_OFF + VIRTIO_PCI_COMMON_STATUS);
	cfg_wr(cap + 12, 4, 1);
	cfg_wr(cap + 16, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	cr_expect_eq(rd(C(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE);
	/* Bad windows do nothing: length 3, past the BAR, missing BAR. */
	cfg_wr(cap + 12, 4, 3);
	cfg_wr(cap + 16, 1, 0);
	cfg_wr(cap + 12, 4, 4);
	cfg_wr(cap + 8, 4, VPCI_REGS_SIZE - 2);
	cfg_wr(cap + 16, 4, 0);
	cfg_wr(cap + 4, 1, 5);
	cfg_wr(cap + 8, 4, 0);
	cfg_wr(cap + 16, 4, 0);
	cr_expect_eq(rd(C(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE);
}

Test(virtio_pci, memory_decode_off_hides_bar0)
{
	uint32_t v;

	cfg_wr(PCI_COMMAND, 2, 0);
	cr_expect_not(bus_dispatch(&mmio, bar0, &v, 4, false));
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_expect(bus_dispatch(&mmio, bar0, &v, 4, false));
}

Test(virtio_pci_alt, no_msix_variant, .fini = teardown)
{
	start(false);
	cr_expect_eq(pci_cfg_bar_addr(&vp.pci.cfg, VPCI_BAR_MSIX), 0);
	bring_up();
	wr(C(Q_MSIX), 2, 0);
	cr_expect_eq(rd(C(Q_MSIX), 2), VPCI_NO_VECTOR);
	fd.irq->queue(fd.irq, 0);
	cr_expect_eq(intx_raised, 1);
}

static unsigned shm_maps, shm_unmaps;
static uint64_t shm_at;
static void shm_moved(void *opaque, bool mapped, uint64_t gpa)
{
	if (mapped) {
		shm_maps++;
		shm_at = gpa;
	} else {
		shm_unmaps++;
	}
}

Test(virtio_pci_alt, shared_memory_capability, .fini = teardown)
{
	uint8_t off;

	memset(&fd, 0, sizeof(fd));
	vqb_init(&b, 1 << 16, 16);
	bus_init(&pio);
	bus_init(&mmio);
	cr_assert_eq(pci_bus_init(&pb, &pio, &mmio), 0);
	cr_assert_eq(virtio_pci_init(&vp, NULL, &b.gm, &fake_ops, &fd, true), 0);
	cr_assert_eq(virtio_pci_add_shm(&vp, 1, 8ULL << 30, shm_moved, NULL), 0);
	cr_assert_eq(virtio_pci_register(&vp, &pb), 0);
	cr_expect_eq(shm_maps, 1);
	cr_expect_eq(shm_at, pci_cfg_bar_addr(&vp.pci.cfg, VPCI_BAR_SHM));
	cr_expect_geq(shm_at, 64ULL << 30);
	for (off = cfg_rd(PCI_CAPABILITY_LIST, 1); off; off = cfg_rd(off + 1, 1))
		if (cfg_rd(off, 1) == PCI_CAP_ID_VNDR &&
		    cfg_rd(off + 3, 1) == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG)
			break;
	cr_assert_neq(off, 0);
	cr_expect_eq(cfg_rd(off + 2, 1), 24);
	cr_expect_eq(cfg_rd(off + 4, 1), VPCI_BAR_SHM);
	cr_expect_eq(cfg_rd(off + 5, 1), 1);
	cr_expect_eq(cfg_rd(off + 12, 4) | (uint64_t)cfg_rd(off + 20, 4) << 32, 8ULL << 30);
	cr_expect(cfg_rd(PCI_BASE_ADDRESS_2, 4) & PCI_BASE_ADDRESS_MEM_PREFETCH);
	/* Decode off unmaps it; moving it maps it at the new place. */
	cfg_wr(PCI_COMMAND, 2, 0);
	cr_expect_eq(shm_unmaps, 1);
	cfg_wr(PCI_BASE_ADDRESS_3, 4, 0x20);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_expect_eq(shm_maps, 2);
	cr_expect_eq(shm_at, 0x20ULL << 32);
}
