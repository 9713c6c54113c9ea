/* PCI bus: 0xCF8/0xCFC and ECAM access, BAR allocation and mapping. */
#include <criterion/criterion.h>
#include <linux/pci_regs.h>
#include <string.h>

#include "kvm/layout.h"
#include "pci/pci.h"

static struct bus pio, mmio;
static struct pci_bus pb;
static struct pci_dev dev;
static unsigned bar_hits;
static uint64_t last_off;

static void bar_io(void *owner, uint64_t off, void *data, uint32_t size, bool is_write)
{
	bar_hits++;
	last_off = off;
	if (!is_write)
		memset(data, 0xab, size);
}

static void setup(void)
{
	bus_init(&pio);
	bus_init(&mmio);
	cr_assert_eq(pci_bus_init(&pb, &pio, &mmio), 0);
	memset(&dev, 0, sizeof(dev));
	pci_cfg_init(&dev.cfg, 0x1af4, 0x1042, 0x018000, 1);
	pci_cfg_set_irq(&dev.cfg, 1, 0);
	dev.name = "test";
	cr_assert_eq(pci_dev_set_bar(&dev, 0, PCI_BAR_MEM32, 0x1000, false, bar_io, &dev), 0);
	cr_assert_eq(pci_dev_set_bar(&dev, 2, PCI_BAR_MEM64, 1ULL << 33, true, bar_io, &dev), 0);
	cr_assert_eq(pci_dev_add(&pb, &dev), 0);
	bar_hits = 0;
}

static void teardown(void)
{
	pci_bus_exit(&pb);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}

TestSuite(pci_bus, .init = setup, .fini = teardown);

static void out32(uint16_t port, uint32_t v)
{
	cr_assert(bus_dispatch(&pio, port, &v, 4, true));
}

static uint32_t in(uint16_t port, uint32_t size)
{
	uint32_t v = 0;

	cr_assert(bus_dispatch(&pio, port, &v, size, false));
	return v;
}

static uint32_t cf8_read(unsigned slot, unsigned reg, uint32_t size)
{
	out32(0xcf8, 0x80000000u | slot << 11 | (reg & 0xfc));
	return in(0xcfc + (reg & 3), size);
}

static void cf8_write(unsigned slot, unsigned reg, uint32_t size, uint32_t v)
{
	out32(0xcf8, 0x80000000u | slot << 11 | (reg & 0xfc));
	cr_assert(bus_dispatch(&pio, 0xcfc + (reg & 3), &v, size, true));
}

static uint32_t ecam_read(unsigned slot, unsigned reg, uint32_t size)
{
	uint32_t v = 0;

	cr_assert(bus_dispatch(&mmio, PCI_ECAM_BASE + (slot << 15) + reg, &v, size, false));
	return v;
}

static void ecam_write(unsigned slot, unsigned reg, uint32_t size, uint32_t v)
{
	cr_assert(bus_dispatch(&mmio, PCI_ECAM_BASE + (slot << 15) + reg, &v, size, true));
}

Test(pci_bus, host_bridge_at_slot_0_device_at_slot_1)
{
	cr_expect_eq(cf8_read(0, PCI_CLASS_DEVICE, 2), 0x0600);
	cr_expect_eq(cf8_read(1, PCI_VENDOR_ID, 4), 0x10421af4);
	cr_expect_eq(ecam_read(1, PCI_VENDOR_ID, 4), 0x10421af4);
	cr_expect_eq(cf8_read(1, PCI_DEVICE_ID, 2), 0x1042);
	cr_expect_eq(cf8_read(1, PCI_DEVICE_ID + 1, 1), 0x10);
	cr_expect_eq(dev.slot, 1);
}

Test(pci_bus, empty_slots_and_functions_read_all_ones)
{
	cr_expect_eq(cf8_read(7, PCI_VENDOR_ID, 4), 0xffffffff);
	cr_expect_eq(ecam_read(31, PCI_VENDOR_ID, 2), 0xffff);
	cr_expect_eq(ecam_read(1, (1 << 12) + PCI_VENDOR_ID, 4), 0xffffffff);
	/* Enable bit off, or a bus other than 0. */
	out32(0xcf8, 1u << 11);
	cr_expect_eq(in(0xcfc, 4), 0xffffffff);
	out32(0xcf8, 0x80000000u | 1u << 16 | 1u << 11);
	cr_expect_eq(in(0xcfc, 4), 0xffffffff);
}

Test(pci_bus, cf8_latch_only_on_dword_writes)
{
	uint8_t b = 1;

	out32(0xcf8, 0x80000800);
	cr_expect_eq(in(0xcf8, 4), 0x80000800);
	cr_assert(bus_dispatch(&pio, 0xcfb, &b, 1, true));
	cr_expect_eq(in(0xcf8, 4), 0x80000800);
}

Test(pci_bus, ecam_reaches_extended_space)
{
	cr_expect_eq(ecam_read(1, 0x100, 4), 0);
	cr_expect_eq(ecam_read(1, 0xffc, 4), 0);
}

Test(pci_bus, bars_allocated_in_windows_and_interrupt_line_set)
{
	uint64_t b0 = pci_cfg_bar_addr(&dev.cfg, 0), b2 = pci_cfg_bar_addr(&dev.cfg, 2);

	cr_expect(b0 >= PCI_MMIO32_BASE && b0 < PCI_MMIO32_BASE + PCI_MMIO32_SIZE);
	cr_expect_eq(b0 & 0xfff, 0);
	cr_expect(b2 >= PCI_MMIO64_BASE && b2 < PCI_MMIO64_BASE + PCI_MMIO64_SIZE);
	cr_expect_eq(b2 & ((1ULL << 33) - 1), 0);
	/* INTA of slot 1: the MP table's pin 0 of device 1. */
	cr_expect_eq(cf8_read(1, PCI_INTERRUPT_LINE, 1), 17);
	cr_expect_eq(cf8_read(1, PCI_INTERRUPT_LINE, 1), pci_intx_gsi(1, 0));
}

Test(pci_bus, bar_dispatch_follows_memory_decode)
{
	uint64_t b0 = pci_cfg_bar_addr(&dev.cfg, 0);
	uint32_t v;

	cr_expect(bus_dispatch(&mmio, b0 + 0x10, &v, 4, false));
	cr_expect_eq(bar_hits, 1);
	cr_expect_eq(last_off, 0x10);
	/* Decode off: the BAR leaves the bus. */
	cf8_write(1, PCI_COMMAND, 2, 0);
	cr_expect_not(bus_dispatch(&mmio, b0 + 0x10, &v, 4, false));
	cr_expect_eq(bar_hits, 1);
	/* Move it while decode is off, then turn decode back on (via ECAM). */
	ecam_write(1, PCI_BASE_ADDRESS_0, 4, 0xc8000000);
	ecam_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_expect_not(bus_dispatch(&mmio, b0 + 0x10, &v, 4, false));
	cr_expect(bus_dispatch(&mmio, 0xc8000004, &v, 4, false));
	cr_expect_eq(last_off, 4);
	/* Moving it with decode on moves the mapping too. */
	ecam_write(1, PCI_BASE_ADDRESS_0, 4, 0xc9000000);
	cr_expect_not(bus_dispatch(&mmio, 0xc8000004, &v, 4, false));
	cr_expect(bus_dispatch(&mmio, 0xc9000008, &v, 4, false));
}

Test(pci_bus, sizing_with_decode_off_then_restore)
{
	uint64_t b2 = pci_cfg_bar_addr(&dev.cfg, 2);
	uint32_t lo, hi, v;

	cf8_write(1, PCI_COMMAND, 2, 0);
	cf8_write(1, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	cf8_write(1, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
	lo = cf8_read(1, PCI_BASE_ADDRESS_2, 4);
	hi = cf8_read(1, PCI_BASE_ADDRESS_3, 4);
	cr_expect_eq(~((uint64_t)hi << 32 | (lo & ~0xfu)) + 1, 1ULL << 33);
	cr_expect_eq(lo & 0xf, 0xc);
	cf8_write(1, PCI_BASE_ADDRESS_2, 4, (uint32_t)b2);
	cf8_write(1, PCI_BASE_ADDRESS_3, 4, b2 >> 32);
	cf8_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_expect(bus_dispatch(&mmio, b2 + 100, &v, 4, false));
	cr_expect_eq(last_off, 100);
}

Test(pci_bus, overlapping_bar_is_left_unmapped)
{
	uint32_t v;

	/* Point BAR0 at ECAM: registration fails, nothing crashes, ECAM
	 * still works, and moving it away maps it again. */
	cf8_write(1, PCI_BASE_ADDRESS_0, 4, (uint32_t)PCI_ECAM_BASE);
	cr_expect_eq(ecam_read(1, PCI_VENDOR_ID, 2), 0x1af4);
	cf8_write(1, PCI_BASE_ADDRESS_0, 4, 0xc7000000);
	cr_expect(bus_dispatch(&mmio, 0xc7000000, &v, 4, false));
}

Test(pci_bus, slots_run_out)
{
	static struct pci_dev many[31];
	int ok = 0;

	for (int i = 0; i < 31; i++) {
		pci_cfg_init(&many[i].cfg, 1, 2, 0, 0);
		if (pci_dev_add(&pb, &many[i]) == 0)
			ok++;
	}
	cr_expect_eq(ok, 30); /* 32 slots: bridge, dev, 30 more */
}
