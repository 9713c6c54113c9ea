#include "lib/pci_setup.h"
#include "lib/acpi.h"
#include "lib/bootinfo.h"
#include "lib/cmdline.h"

static struct pci_access ecam;
static const struct pci_access *chosen;
static bool chose;
static uint64_t window_next, window_end;

static bool has_devices(const struct pci_access *a)
{
	struct pci_fn f;

	return pci_enumerate(a, &f, 1) > 0;
}

const struct pci_access *pci_access_default(void)
{
	uint64_t base = 0;
	bool bad;

	if (chose)
		return chosen;
	chose = true;
	if (!cmdline_u64(bootinfo.cmdline, "probe.ecam", &base, &bad))
		base = acpi_ecam_base(bootinfo.rsdp);
	if (base) {
		pci_ecam_init(&ecam, base);
		if (has_devices(&ecam))
			return chosen = &ecam;
	}
	if (has_devices(&pci_cf8))
		chosen = &pci_cf8;
	return chosen;
}

/* Start above every memory BAR already inside the window. */
static void window_init(const struct pci_access *a)
{
	uint64_t start = PCI_WINDOW_DEFAULT;
	bool bad;
	struct pci_fn fns[64];

	cmdline_u64(bootinfo.cmdline, "probe.pci_mmio", &start, &bad);
	window_next = start;
	window_end = start + PCI_WINDOW_SIZE;
	unsigned n = pci_enumerate(a, fns, 64);
	for (unsigned i = 0; i < n; i++) {
		if (fns[i].header_type & 0x7f)
			continue;
		for (unsigned bar = 0; bar < 6;) {
			struct pci_bar b;
			bar += pci_bar_probe(a, fns[i].dev, fns[i].fn, bar, &b);
			if (b.kind == PCI_BAR_MEM32 || b.kind == PCI_BAR_MEM64)
				if (b.base >= start && b.base < window_end &&
				    b.base + b.size > window_next)
					window_next = b.base + b.size;
		}
	}
}

/* An unassigned memory BAR: a memory type whose address bits read 0. */
static bool bar_unassigned(const struct pci_access *a, unsigned dev, unsigned fn, unsigned bar,
			   bool *is64)
{
	uint32_t lo = a->read32(a, dev, fn, PCI_BAR0 + 4 * bar);

	*is64 = !(lo & 1) && ((lo >> 1) & 3) == 2 && bar < 5;
	if (lo & 1)
		return false;
	if (*is64 && a->read32(a, dev, fn, PCI_BAR0 + 4 * (bar + 1)))
		return false;
	return (lo & ~0xfu) == 0;
}

int pci_assign_bars(const struct pci_access *a, unsigned dev, unsigned fn)
{
	/* Size only what is unassigned: sizing toggles decoding, which a VMM
	 * answers by unmapping and remapping the device's BARs. */
	for (unsigned bar = 0; bar < 6;) {
		bool is64;
		if (!bar_unassigned(a, dev, fn, bar, &is64)) {
			bar += is64 ? 2 : 1;
			continue;
		}
		if (!window_end)
			window_init(a);
		struct pci_bar b;
		unsigned used = pci_bar_probe(a, dev, fn, bar, &b);
		if (b.kind == PCI_BAR_MEM32 || b.kind == PCI_BAR_MEM64) {
			uint64_t at = (window_next + b.size - 1) & ~(b.size - 1);
			if (at < window_next || at + b.size > window_end)
				return -1;
			a->write32(a, dev, fn, PCI_BAR0 + 4 * bar, (uint32_t)at);
			if (b.kind == PCI_BAR_MEM64)
				a->write32(a, dev, fn, PCI_BAR0 + 4 * (bar + 1),
					   (uint32_t)(at >> 32));
			window_next = at + b.size;
		}
		bar += used;
	}
	uint16_t cmd = pci_read16(a, dev, fn, PCI_COMMAND);
	if (!(cmd & PCI_CMD_MEMORY))
		pci_write16(a, dev, fn, PCI_COMMAND, cmd | PCI_CMD_MEMORY);
	return 0;
}
