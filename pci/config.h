/* PCI configuration space of one function (type 0 header), as pure data.
 *
 * 4 KiB of bytes plus a write mask and a write-1-to-clear mask per byte:
 * the BAR sizing protocol, read-only IDs and RW1C status bits all fall out
 * of the masks. Capabilities are appended to a linked list from 0x40. No
 * I/O, no locks: pci/bus.c serialises access and reacts to changes.
 */
#ifndef LKVM_PCI_CONFIG_H
#define LKVM_PCI_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CFG_SIZE	 4096
#define PCI_CFG_STD_SIZE 256
#define PCI_NUM_BARS	 6

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_cfg_bar {
	enum pci_bar_kind kind;
	uint64_t size; /* power of two */
	bool prefetch;
};

struct pci_config {
	uint8_t data[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	uint8_t w1cmask[PCI_CFG_SIZE];
	struct pci_cfg_bar bars[PCI_NUM_BARS];
	uint16_t cap_end; /* next free capability offset */
	uint8_t last_cap; /* offset of the last capability, 0 if none */
};

/* class_code: base << 16 | sub << 8 | prog-if. */
void pci_cfg_init(struct pci_config *c, uint16_t vendor, uint16_t device, uint32_t class_code,
		  uint8_t revision);
void pci_cfg_set_subsystem(struct pci_config *c, uint16_t vendor, uint16_t id);
/* Interrupt pin 1..4 (INTA..INTD) and the line the platform routes it to. */
void pci_cfg_set_irq(struct pci_config *c, uint8_t pin, uint8_t line);

/* Declare BAR idx (a 64-bit BAR also takes idx+1). -EINVAL on a bad size
 * (not a power of two, < 16 for memory, < 4 or > 256 for I/O) or index. */
int pci_cfg_set_bar(struct pci_config *c, unsigned idx, enum pci_bar_kind kind, uint64_t size,
		    bool prefetch);
/* Program the BAR's address (host side: initial allocation). */
void pci_cfg_set_bar_addr(struct pci_config *c, unsigned idx, uint64_t addr);
/* The address the guest programmed (flag bits stripped). */
uint64_t pci_cfg_bar_addr(const struct pci_config *c, unsigned idx);

/* Append a capability of len bytes (id and next pointer included).
 * Returns its offset, or -ENOSPC. The body is zero and read-only until
 * the caller sets wmask bytes. */
int pci_cfg_add_cap(struct pci_config *c, uint8_t id, uint8_t len);
/* Walk: first capability offset (0 if none), then the next one. */
uint8_t pci_cfg_cap_first(const struct pci_config *c);
uint8_t pci_cfg_cap_next(const struct pci_config *c, uint8_t off);

/* Guest accesses: size 1, 2 or 4 at any offset; out of range reads all
 * ones, out of range writes are dropped. */
uint32_t pci_cfg_read(const struct pci_config *c, uint32_t off, uint32_t size);
void pci_cfg_write(struct pci_config *c, uint32_t off, uint32_t size, uint32_t val);

/* Host-side raw accessors (ignore masks). */
void pci_cfg_set8(struct pci_config *c, uint32_t off, uint8_t v);
void pci_cfg_set16(struct pci_config *c, uint32_t off, uint16_t v);
void pci_cfg_set32(struct pci_config *c, uint32_t off, uint32_t v);
uint16_t pci_cfg_get16(const struct pci_config *c, uint32_t off);
uint32_t pci_cfg_get32(const struct pci_config *c, uint32_t off);
void pci_cfg_set_wmask16(struct pci_config *c, uint32_t off, uint16_t mask);

#endif
