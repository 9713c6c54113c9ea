#include "lib/pci.h"
#include "lib/io.h"

#define CF8_ADDR   0xCF8
#define CF8_DATA   0xCFC
#define CF8_ENABLE 0x80000000u
#define MAX_CAPS   48

static uint32_t cf8_address(unsigned dev, unsigned fn, unsigned off)
{
	return CF8_ENABLE | dev << 11 | fn << 8 | (off & 0xfc);
}

static uint32_t cf8_read32(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off)
{
	outl(CF8_ADDR, cf8_address(dev, fn, off));
	return inl(CF8_DATA);
}

static void cf8_write32(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off,
			uint32_t v)
{
	outl(CF8_ADDR, cf8_address(dev, fn, off));
	outl(CF8_DATA, v);
}

const struct pci_access pci_cf8 = {
    .name = "cf8",
    .read32 = cf8_read32,
    .write32 = cf8_write32,
};

static uint64_t ecam_addr(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off)
{
	return a->ecam_base + ((uint64_t)dev << 15 | (uint64_t)fn << 12 | (off & 0xffc));
}

static uint32_t ecam_read32(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off)
{
	return mmio_read32(ecam_addr(a, dev, fn, off));
}

static void ecam_write32(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off,
			 uint32_t v)
{
	mmio_write32(ecam_addr(a, dev, fn, off), v);
}

void pci_ecam_init(struct pci_access *a, uint64_t base)
{
	*a = (struct pci_access){
	    .name = "ecam",
	    .ecam_base = base,
	    .read32 = ecam_read32,
	    .write32 = ecam_write32,
	};
}

uint16_t pci_read16(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off)
{
	return (uint16_t)(a->read32(a, dev, fn, off & ~3u) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off)
{
	return (uint8_t)(a->read32(a, dev, fn, off & ~3u) >> ((off & 3) * 8));
}

/* Config writes are dword-wide here, so a 16-bit write merges with the other
 * half. Next to the command register is the status register, whose bits are
 * write-1-to-clear: write zeros there instead of what was read. */
void pci_write16(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off, uint16_t v)
{
	unsigned shift = (off & 2) * 8;
	uint32_t old = a->read32(a, dev, fn, off & ~3u);
	uint32_t keep = (off & ~3u) == PCI_COMMAND ? 0 : old & ~(0xffffu << shift);

	a->write32(a, dev, fn, off & ~3u, keep | (uint32_t)v << shift);
}

unsigned pci_enumerate(const struct pci_access *a, struct pci_fn *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned dev = 0; dev < PCI_DEVS_PER_BUS; dev++) {
		for (unsigned fn = 0; fn < PCI_FNS_PER_DEV; fn++) {
			uint32_t id = a->read32(a, dev, fn, PCI_VENDOR_ID);
			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			uint8_t ht = pci_read8(a, dev, fn, PCI_HEADER_TYPE);
			if (n < max)
				out[n] = (struct pci_fn){
				    .dev = (uint8_t)dev,
				    .fn = (uint8_t)fn,
				    .vendor = (uint16_t)id,
				    .device = (uint16_t)(id >> 16),
				    .class_rev = a->read32(a, dev, fn, PCI_CLASS_REV),
				    .header_type = ht,
				};
			n++;
			if (fn == 0 && !(ht & 0x80))
				break; /* single-function device */
		}
	}
	return n < max ? n : max;
}

unsigned pci_bar_probe(const struct pci_access *a, unsigned dev, unsigned fn, unsigned index,
		       struct pci_bar *bar)
{
	unsigned off = PCI_BAR0 + 4 * index;
	uint16_t cmd = pci_read16(a, dev, fn, PCI_COMMAND);
	uint32_t lo = a->read32(a, dev, fn, off);
	unsigned used = 1;

	*bar = (struct pci_bar){0};
	pci_write16(a, dev, fn, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	a->write32(a, dev, fn, off, 0xffffffff);
	uint32_t mask_lo = a->read32(a, dev, fn, off);
	a->write32(a, dev, fn, off, lo);

	if (lo & 1) {
		uint32_t m = mask_lo & ~3u;
		bar->kind = m ? PCI_BAR_IO : PCI_BAR_NONE;
		bar->base = lo & ~3u;
		bar->size = m ? (uint32_t)(~m + 1) & 0xffff : 0;
	} else if (((lo >> 1) & 3) == 2 && index < 5) {
		uint32_t hi = a->read32(a, dev, fn, off + 4);
		a->write32(a, dev, fn, off + 4, 0xffffffff);
		uint64_t mask = (uint64_t)a->read32(a, dev, fn, off + 4) << 32 | (mask_lo & ~0xfu);
		a->write32(a, dev, fn, off + 4, hi);
		used = 2;
		if (mask) {
			bar->kind = PCI_BAR_MEM64;
			bar->prefetchable = (lo & 8) != 0;
			bar->base = (uint64_t)hi << 32 | (lo & ~0xfu);
			bar->size = ~mask + 1;
		}
	} else if (mask_lo & ~0xfu) {
		bar->kind = PCI_BAR_MEM32;
		bar->prefetchable = (lo & 8) != 0;
		bar->base = lo & ~0xfu;
		bar->size = (uint32_t)(~(mask_lo & ~0xfu) + 1);
	}
	pci_write16(a, dev, fn, PCI_COMMAND, cmd);
	return used;
}

int pci_walk_caps(const struct pci_access *a, unsigned dev, unsigned fn,
		  void (*found)(void *ctx, uint8_t id, uint8_t off), void *ctx)
{
	if (!(pci_read16(a, dev, fn, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	uint8_t off = pci_read8(a, dev, fn, PCI_CAP_PTR);
	int n = 0;

	while (off) {
		if (off < 0x40 || (off & 3) || n == MAX_CAPS)
			return -1;
		uint32_t head = a->read32(a, dev, fn, off);
		if (found)
			found(ctx, (uint8_t)head, off);
		n++;
		off = (uint8_t)(head >> 8);
	}
	return n;
}
