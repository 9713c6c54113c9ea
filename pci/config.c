#include "pci/config.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>

#define CAP_START 0x40

void pci_cfg_set8(struct pci_config *c, uint32_t off, uint8_t v)
{
	c->data[off] = v;
}

void pci_cfg_set16(struct pci_config *c, uint32_t off, uint16_t v)
{
	c->data[off] = v;
	c->data[off + 1] = v >> 8;
}

void pci_cfg_set32(struct pci_config *c, uint32_t off, uint32_t v)
{
	pci_cfg_set16(c, off, v);
	pci_cfg_set16(c, off + 2, v >> 16);
}

uint16_t pci_cfg_get16(const struct pci_config *c, uint32_t off)
{
	return c->data[off] | c->data[off + 1] << 8;
}

uint32_t pci_cfg_get32(const struct pci_config *c, uint32_t off)
{
	return pci_cfg_get16(c, off) | (uint32_t)pci_cfg_get16(c, off + 2) << 16;
}

void pci_cfg_set_wmask16(struct pci_config *c, uint32_t off, uint16_t mask)
{
	c->wmask[off] = mask;
	c->wmask[off + 1] = mask >> 8;
}

static void set_wmask32(struct pci_config *c, uint32_t off, uint32_t mask)
{
	pci_cfg_set_wmask16(c, off, mask);
	pci_cfg_set_wmask16(c, off + 2, mask >> 16);
}

void pci_cfg_init(struct pci_config *c, uint16_t vendor, uint16_t device, uint32_t class_code,
		  uint8_t revision)
{
	memset(c, 0, sizeof(*c));
	pci_cfg_set16(c, PCI_VENDOR_ID, vendor);
	pci_cfg_set16(c, PCI_DEVICE_ID, device);
	pci_cfg_set8(c, PCI_REVISION_ID, revision);
	pci_cfg_set8(c, PCI_CLASS_PROG, class_code & 0xff);
	pci_cfg_set16(c, PCI_CLASS_DEVICE, class_code >> 8);
	pci_cfg_set8(c, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	/* What a driver may change: decode enables, bus mastering, error
	 * reporting enables and the INTx disable bit. */
	pci_cfg_set_wmask16(c, PCI_COMMAND,
			    PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	/* Error status bits are cleared by writing 1. */
	c->w1cmask[PCI_STATUS + 1] = 0xf9;
	c->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	c->wmask[PCI_LATENCY_TIMER] = 0xff;
	c->wmask[PCI_INTERRUPT_LINE] = 0xff;
	c->cap_end = CAP_START;
}

void pci_cfg_set_subsystem(struct pci_config *c, uint16_t vendor, uint16_t id)
{
	pci_cfg_set16(c, PCI_SUBSYSTEM_VENDOR_ID, vendor);
	pci_cfg_set16(c, PCI_SUBSYSTEM_ID, id);
}

void pci_cfg_set_irq(struct pci_config *c, uint8_t pin, uint8_t line)
{
	pci_cfg_set8(c, PCI_INTERRUPT_PIN, pin);
	pci_cfg_set8(c, PCI_INTERRUPT_LINE, line);
}

static uint32_t bar_reg(unsigned idx)
{
	return PCI_BASE_ADDRESS_0 + 4 * idx;
}

int pci_cfg_set_bar(struct pci_config *c, unsigned idx, enum pci_bar_kind kind, uint64_t size,
		    bool prefetch)
{
	uint64_t addr_mask = ~(size - 1);
	uint32_t flags = 0;

	if (idx >= PCI_NUM_BARS || size == 0 || (size & (size - 1)))
		return -EINVAL;
	switch (kind) {
	case PCI_BAR_IO:
		if (size < 4 || size > 256 || prefetch)
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_SPACE_IO;
		set_wmask32(c, bar_reg(idx), addr_mask & 0xfffc);
		break;
	case PCI_BAR_MEM32:
		if (size < 16 || size > (1ULL << 31))
			return -EINVAL;
		set_wmask32(c, bar_reg(idx), addr_mask & PCI_BASE_ADDRESS_MEM_MASK);
		break;
	case PCI_BAR_MEM64:
		if (size < 16 || idx + 1 >= PCI_NUM_BARS || size > (1ULL << 62))
			return -EINVAL;
		flags = PCI_BASE_ADDRESS_MEM_TYPE_64;
		set_wmask32(c, bar_reg(idx), addr_mask & PCI_BASE_ADDRESS_MEM_MASK);
		set_wmask32(c, bar_reg(idx + 1), addr_mask >> 32);
		break;
	default:
		return -EINVAL;
	}
	if (prefetch)
		flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	pci_cfg_set32(c, bar_reg(idx), flags);
	c->bars[idx] = (struct pci_cfg_bar){.kind = kind, .size = size, .prefetch = prefetch};
	return 0;
}

void pci_cfg_set_bar_addr(struct pci_config *c, unsigned idx, uint64_t addr)
{
	const struct pci_cfg_bar *b = &c->bars[idx];
	uint32_t reg = bar_reg(idx);
	uint32_t low = pci_cfg_get32(c, reg);

	if (b->kind == PCI_BAR_NONE)
		return;
	addr &= ~(b->size - 1);
	/* The low four bits are the read-only type flags. */
	pci_cfg_set32(c, reg, (low & 0xf) | ((uint32_t)addr & ~0xfu));
	if (b->kind == PCI_BAR_MEM64)
		pci_cfg_set32(c, reg + 4, addr >> 32);
}

uint64_t pci_cfg_bar_addr(const struct pci_config *c, unsigned idx)
{
	const struct pci_cfg_bar *b;
	uint32_t reg = bar_reg(idx);
	uint64_t addr;

	if (idx >= PCI_NUM_BARS)
		return 0;
	b = &c->bars[idx];
	switch (b->kind) {
	case PCI_BAR_IO:
		return pci_cfg_get32(c, reg) & PCI_BASE_ADDRESS_IO_MASK;
	case PCI_BAR_MEM32:
		return pci_cfg_get32(c, reg) & PCI_BASE_ADDRESS_MEM_MASK;
	case PCI_BAR_MEM64:
		addr = pci_cfg_get32(c, reg) & PCI_BASE_ADDRESS_MEM_MASK;
		return addr | (uint64_t)pci_cfg_get32(c, reg + 4) << 32;
	default:
		return 0;
	}
}

int pci_cfg_add_cap(struct pci_config *c, uint8_t id, uint8_t len)
{
	uint16_t off = c->cap_end;

	if (len < 2 || off + len > PCI_CFG_STD_SIZE)
		return -ENOSPC;
	c->data[off] = id;
	c->data[off + 1] = 0;
	if (c->last_cap)
		c->data[c->last_cap + 1] = off;
	else
		c->data[PCI_CAPABILITY_LIST] = off;
	c->data[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	c->last_cap = off;
	c->cap_end = (off + len + 3) & ~3;
	return off;
}

uint8_t pci_cfg_cap_first(const struct pci_config *c)
{
	if (!(c->data[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	return c->data[PCI_CAPABILITY_LIST];
}

uint8_t pci_cfg_cap_next(const struct pci_config *c, uint8_t off)
{
	return c->data[off + 1];
}

static bool in_range(uint32_t off, uint32_t size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE &&
	       size <= PCI_CFG_SIZE - off;
}

uint32_t pci_cfg_read(const struct pci_config *c, uint32_t off, uint32_t size)
{
	uint32_t v = 0;

	if (!in_range(off, size))
		return 0xffffffff;
	for (uint32_t i = 0; i < size; i++)
		v |= (uint32_t)c->data[off + i] << (8 * i);
	return v;
}

void pci_cfg_write(struct pci_config *c, uint32_t off, uint32_t size, uint32_t val)
{
	if (!in_range(off, size))
		return;
	for (uint32_t i = 0; i < size; i++) {
		uint8_t v = val >> (8 * i), m = c->wmask[off + i];
		uint8_t *d = &c->data[off + i];

		*d = (*d & ~m) | (v & m);
		*d &= ~(v & c->w1cmask[off + i]);
	}
}
