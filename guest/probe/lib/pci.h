/* PCI configuration space from CPL3, through either mechanism behind one
 * seam: port 0xCF8/0xCFC (two VM exits per access) or ECAM MMIO (one).
 * Bus 0 only, as lkvm-gpu has one bus. */
#ifndef PROBE_LIB_PCI_H
#define PROBE_LIB_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID	 0x00
#define PCI_COMMAND	 0x04
#define PCI_STATUS	 0x06
#define PCI_CLASS_REV	 0x08
#define PCI_HEADER_TYPE	 0x0E
#define PCI_BAR0	 0x10
#define PCI_CAP_PTR	 0x34
#define PCI_INTERRUPT	 0x3C
#define PCI_STATUS_CAPS	 0x10
#define PCI_CMD_IO	 0x1
#define PCI_CMD_MEMORY	 0x2
#define PCI_CMD_MASTER	 0x4
#define PCI_CMD_INTX_OFF 0x400
#define PCI_DEVS_PER_BUS 32
#define PCI_FNS_PER_DEV	 8

struct pci_access {
	const char *name;
	uint64_t ecam_base; /* ECAM only */
	uint32_t (*read32)(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off);
	void (*write32)(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off,
			uint32_t v);
};

extern const struct pci_access pci_cf8;
/* An ECAM accessor at base (filled in place: no allocation). */
void pci_ecam_init(struct pci_access *a, uint64_t base);

uint16_t pci_read16(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off);
uint8_t pci_read8(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off);
void pci_write16(const struct pci_access *a, unsigned dev, unsigned fn, unsigned off, uint16_t v);

struct pci_fn {
	uint8_t dev, fn;
	uint16_t vendor, device;
	uint32_t class_rev; /* class << 8 | revision */
	uint8_t header_type;
};

/* Every function present on bus 0, up to max; returns the count. */
unsigned pci_enumerate(const struct pci_access *a, struct pci_fn *out, unsigned max);

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetchable;
	uint64_t base;
	uint64_t size;
};

/* Size BAR `index` (0-5) of a type-0 function by the all-ones protocol, with
 * decoding off meanwhile; restores the BAR and the command register. A 64-bit
 * BAR takes index and index+1. Returns the number of BAR slots used (1 or 2). */
unsigned pci_bar_probe(const struct pci_access *a, unsigned dev, unsigned fn, unsigned index,
		       struct pci_bar *bar);

/* Walk the capability list. Calls found(cap_id, offset) for each entry;
 * returns the number of entries, or -1 if the list is malformed (an offset
 * below 0x40 or misaligned, or a loop: more than 48 entries). */
int pci_walk_caps(const struct pci_access *a, unsigned dev, unsigned fn,
		  void (*found)(void *ctx, uint8_t id, uint8_t off), void *ctx);

#endif
