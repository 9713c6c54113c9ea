/* MSI-X: the capability, the vector table and the pending bit array.
 *
 * The table and PBA live in one of the device's memory BARs; the BAR's
 * callback forwards accesses inside them here. Delivery goes through a
 * small ops struct (KVM irqfd routes in pci/msix_kvm.c, fakes in tests).
 * A vector that is masked (its entry or the whole function) is not
 * delivered: its PBA bit is set, and unmasking delivers it then.
 */
#ifndef LKVM_PCI_MSIX_H
#define LKVM_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pci/pci.h"

#define MSIX_ENTRY_SIZE	 16
#define MSIX_MAX_VECTORS 64

struct msix_irq_ops {
	/* Point vector vec at (addr, data). Called before the first delivery
	 * and after the guest rewrote the entry. 0 or -errno. */
	int (*route)(void *ctx, unsigned vec, uint64_t addr, uint32_t data);
	/* Deliver vec (already routed). Any thread. */
	void (*fire)(void *ctx, unsigned vec);
};

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct pci_msix {
	struct pci_dev *dev;
	uint8_t cap; /* capability offset in config space */
	unsigned nr; /* vectors */
	unsigned bar;
	uint32_t table_off, pba_off;
	pthread_mutex_t lock; /* table, pba, dirty, func_masked; writes of enabled */
	struct msix_entry table[MSIX_MAX_VECTORS];
	uint64_t pba;
	bool dirty[MSIX_MAX_VECTORS]; /* route not yet pushed to ops */
	bool enabled;		      /* read without the lock by pci_msix_enabled */
	bool func_masked;
	const struct msix_irq_ops *ops;
	void *ctx;
};

static inline uint32_t msix_table_bytes(unsigned nr)
{
	return nr * MSIX_ENTRY_SIZE;
}

static inline uint32_t msix_pba_bytes(unsigned nr)
{
	return 8 * ((nr + 63) / 64);
}

/* Add the capability to d's config space (after pci_cfg_init). The table
 * and PBA must fit inside BAR bar at the given offsets (8-aligned). */
int pci_msix_init(struct pci_msix *m, struct pci_dev *d, unsigned nr, unsigned bar,
		  uint32_t table_off, uint32_t pba_off, const struct msix_irq_ops *ops, void *ctx);
void pci_msix_exit(struct pci_msix *m);

/* BAR accesses at offset off of the BAR; returns false if off is not in
 * the table or PBA (the caller handles it). */
bool pci_msix_bar_io(struct pci_msix *m, uint64_t off, void *data, uint32_t size, bool is_write);
/* Call from the device's cfg_written hook: picks up enable / mask-all. */
void pci_msix_cfg_written(struct pci_msix *m, uint32_t off, uint32_t size);

bool pci_msix_enabled(struct pci_msix *m);
/* Raise vec: delivered, or left pending if masked; dropped if it is no
 * vector of this function (virtio's NO_VECTOR: the driver wants none).
 * false only when MSI-X is off: the caller falls back to INTx. The
 * interrupt hot path: one locked section decides and delivers, so the
 * vCPUs (table, PBA, enable) wait for it at most once per interrupt, and a
 * mask or disable that completed is never overtaken by a delivery. */
bool pci_msix_notify(struct pci_msix *m, unsigned vec);
/* Forget pending bits (device reset). */
void pci_msix_clear_pending(struct pci_msix *m);

#endif
