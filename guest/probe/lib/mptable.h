/* The Intel MultiProcessor Specification 1.4 table: found by its "_MP_"
 * floating pointer in the EBDA's first KiB, the last KiB of base memory, or
 * 0xF0000-0xFFFFF, and checked (signatures, checksums, lengths). */
#ifndef PROBE_LIB_MPTABLE_H
#define PROBE_LIB_MPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define MP_MAX_CPUS 64

struct mp_cpu {
	uint8_t apic_id;
	bool bsp;
};

#define MP_MAX_IRQS 64

/* An I/O interrupt assignment (entry type 3). */
struct mp_irq {
	uint8_t type;	/* 0 INT, 1 NMI, 2 SMI, 3 ExtINT */
	uint16_t flags; /* polarity bits 0-1, trigger bits 2-3 */
	uint8_t src_bus, src_irq, dst_ioapic, dst_pin;
};

struct mp_info {
	uint64_t fps_addr;    /* where the floating pointer was found */
	uint64_t config_addr; /* the "PCMP" configuration table */
	unsigned nr_cpus;     /* enabled processor entries */
	struct mp_cpu cpus[MP_MAX_CPUS];
	unsigned nr_ioapics;
	uint32_t ioapic_addr;
	unsigned nr_irqs;
	struct mp_irq irqs[MP_MAX_IRQS];
	uint8_t pci_bus_id; /* the bus entry typed "PCI", 0xff if none */
};

/* 0 on success; otherwise fills err with one line and returns -1. */
int mptable_read(struct mp_info *mp, char *err, unsigned errlen);

/* The IOAPIC pin for PCI device dev's INTx pin (1 = INTA .. 4 = INTD) on the
 * PCI bus; NULL if the table has no such entry. */
const struct mp_irq *mptable_pci_irq(const struct mp_info *mp, unsigned dev, unsigned pin);

#endif
