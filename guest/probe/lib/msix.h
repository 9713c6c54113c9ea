/* MSI-X from the driver side: find the capability, program table entries to
 * deliver a vector to a LAPIC (the counting stubs in arch/vectors.S count
 * it in irq_counts[]), enable the function. */
#ifndef PROBE_LIB_MSIX_H
#define PROBE_LIB_MSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pci.h"

#define PCI_CAP_MSIX 0x11

struct msix {
	const struct pci_access *pci;
	uint8_t dev, fn, cap;
	uint16_t table_size;
	uint64_t table; /* MMIO address of entry 0 */
	uint64_t pba;
};

/* 0, or -1 with err (no capability, BAR unassigned). */
int msix_open(struct msix *m, const struct pci_access *a, uint8_t dev, uint8_t fn, char *err,
	      size_t errlen);

/* Entry `entry` delivers `vector` to APIC id `apic_id` (fixed, edge),
 * unmasked. False if entry is out of range. */
bool msix_route(struct msix *m, uint16_t entry, uint8_t vector, uint8_t apic_id);
void msix_mask(struct msix *m, uint16_t entry, bool masked);
bool msix_pending(struct msix *m, uint16_t entry);

/* MSI-X enable (and INTx off) in the message control register. */
void msix_enable(struct msix *m, bool on);

#endif
