/* PCI bus 0: the host bridge, config access through 0xCF8/0xCFC and ECAM,
 * BAR allocation from the layout.h windows, and BAR (un)mapping on the
 * vm's MMIO / port buses as the guest programs BARs and the command
 * register. Config accesses are serialised by one bus lock; BAR callbacks
 * run on the vCPU thread without it.
 */
#ifndef LKVM_PCI_H
#define LKVM_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvm/bus.h"
#include "pci/config.h"

#define PCI_MAX_SLOTS	   32
#define PCI_IO_WINDOW_BASE 0xc000u
#define PCI_IO_WINDOW_END  0x10000u

struct pci_dev;

struct pci_bar_map {
	bus_io_fn fn; /* NULL: the BAR is never put on a bus */
	void *owner;
	bool mapped;
	uint64_t at;
};

struct pci_dev {
	struct pci_config cfg;
	struct pci_bus *bus;
	const char *name;
	uint8_t slot;
	struct pci_bar_map bars[PCI_NUM_BARS];
	/* Optional: runs after each guest config write, bus lock held (the
	 * MSI-X capability watches its control word this way). */
	void (*cfg_written)(struct pci_dev *d, uint32_t off, uint32_t size);
	/* Optional: runs before each guest config read, bus lock held, so
	 * the device can refresh bytes that mirror other state. */
	void (*cfg_read)(struct pci_dev *d, uint32_t off, uint32_t size);
	/* Optional: a BAR appeared at / left address at (bus lock held). BARs
	 * without an I/O callback (RAM-backed, e.g. shared memory) are only
	 * reported here, never put on a bus. */
	void (*bar_moved)(struct pci_dev *d, unsigned bar, bool mapped, uint64_t at);
	void *priv;
};

struct pci_bus {
	struct bus *pio, *mmio;
	pthread_mutex_t lock;
	uint32_t cf8;
	struct pci_dev *devs[PCI_MAX_SLOTS];
	uint64_t mmio32_next, mmio64_next;
	uint32_t io_next;
	struct pci_dev host_bridge;
};

/* Register 0xCF8-0xCFF on pio and ECAM on mmio, put the host bridge at
 * 00:00.0. Either bus may be NULL (tests), then that access path is off. */
int pci_bus_init(struct pci_bus *b, struct bus *pio, struct bus *mmio);
void pci_bus_exit(struct pci_bus *b);

/* Add a device at the next free slot: allocate its declared BARs,
 * set the Interrupt Line to the MP table's pci_intx_gsi() (kvm/layout.h),
 * enable decode (as firmware would) and map
 * the BARs. -ENOSPC when slots or windows run out. */
int pci_dev_add(struct pci_bus *b, struct pci_dev *d);
/* Take d off the bus (BARs unmapped, slot freed); no-op if not added. */
void pci_dev_remove(struct pci_dev *d);
/* Declare BAR idx with its I/O callback, or fn NULL for a BAR that only
 * reports moves through bar_moved (after pci_cfg_init, before add). */
int pci_dev_set_bar(struct pci_dev *d, unsigned idx, enum pci_bar_kind kind, uint64_t size,
		    bool prefetch, bus_io_fn fn, void *owner);

/* One config access (bus 0); unknown slots read all ones. */
void pci_bus_cfg_access(struct pci_bus *b, unsigned slot, unsigned fn, uint32_t reg, void *data,
			uint32_t size, bool is_write);

#endif
