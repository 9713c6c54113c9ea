#include "lib/msix.h"
#include "lib/fmt.h"
#include "lib/io.h"

#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_CTRL_MASK	 0x4000
#define MSIX_ENTRY_SIZE	 16
#define MSI_ADDR_BASE	 0xFEE00000u

struct find_ctx {
	uint8_t off;
};

static void on_cap(void *p, uint8_t id, uint8_t off)
{
	struct find_ctx *f = p;

	if (id == PCI_CAP_MSIX && !f->off)
		f->off = off;
}

static uint64_t bar_base(const struct pci_access *a, uint8_t dev, uint8_t fn, unsigned bir)
{
	if (bir > 5)
		return 0;
	uint32_t lo = a->read32(a, dev, fn, PCI_BAR0 + 4 * bir);
	if (lo & 1)
		return 0;
	uint64_t base = lo & ~0xfu;
	if (((lo >> 1) & 3) == 2 && bir < 5)
		base |= (uint64_t)a->read32(a, dev, fn, PCI_BAR0 + 4 * (bir + 1)) << 32;
	return base;
}

int msix_open(struct msix *m, const struct pci_access *a, uint8_t dev, uint8_t fn, char *err,
	      size_t errlen)
{
	struct find_ctx f = {0};

	*m = (struct msix){.pci = a, .dev = dev, .fn = fn};
	if (pci_walk_caps(a, dev, fn, on_cap, &f) < 0 || !f.off) {
		fmt_snprintf(err, errlen, "%02x.%u: no MSI-X capability", dev, fn);
		return -1;
	}
	m->cap = f.off;
	m->table_size = (uint16_t)((pci_read16(a, dev, fn, f.off + 2) & 0x7ff) + 1);
	uint32_t t = a->read32(a, dev, fn, f.off + 4), p = a->read32(a, dev, fn, f.off + 8);
	uint64_t tb = bar_base(a, dev, fn, t & 7), pb = bar_base(a, dev, fn, p & 7);
	if (!tb || !pb) {
		fmt_snprintf(err, errlen, "%02x.%u: MSI-X table or PBA BAR unassigned", dev, fn);
		return -1;
	}
	m->table = tb + (t & ~7u);
	m->pba = pb + (p & ~7u);
	return 0;
}

bool msix_route(struct msix *m, uint16_t entry, uint8_t vector, uint8_t apic_id)
{
	if (entry >= m->table_size)
		return false;
	uint64_t e = m->table + (uint64_t)entry * MSIX_ENTRY_SIZE;
	mmio_write32(e + 12, 1); /* masked while it changes */
	mmio_write32(e + 0, MSI_ADDR_BASE | (uint32_t)apic_id << 12);
	mmio_write32(e + 4, 0);
	mmio_write32(e + 8, vector);
	mmio_write32(e + 12, 0);
	return true;
}

void msix_mask(struct msix *m, uint16_t entry, bool masked)
{
	if (entry < m->table_size)
		mmio_write32(m->table + (uint64_t)entry * MSIX_ENTRY_SIZE + 12, masked);
}

bool msix_pending(struct msix *m, uint16_t entry)
{
	if (entry >= m->table_size)
		return false;
	return (mmio_read32(m->pba + (entry / 32) * 4) >> (entry % 32)) & 1;
}

void msix_enable(struct msix *m, bool on)
{
	uint16_t ctrl = pci_read16(m->pci, m->dev, m->fn, m->cap + 2);
	uint16_t cmd = pci_read16(m->pci, m->dev, m->fn, PCI_COMMAND);

	ctrl =
	    (uint16_t)((ctrl & ~MSIX_CTRL_MASK & ~MSIX_CTRL_ENABLE) | (on ? MSIX_CTRL_ENABLE : 0));
	/* Message control is the upper half of the capability's first dword:
	 * keep the id/next bytes as read (read-only anyway). */
	uint32_t head = m->pci->read32(m->pci, m->dev, m->fn, m->cap);
	m->pci->write32(m->pci, m->dev, m->fn, m->cap, (head & 0xffff) | (uint32_t)ctrl << 16);
	pci_write16(m->pci, m->dev, m->fn, PCI_COMMAND,
		    (uint16_t)(on ? cmd | PCI_CMD_INTX_OFF : cmd & ~PCI_CMD_INTX_OFF));
}
