/* Minimal ACPI tables: enough for a guest to find its CPUs and IOAPIC (MADT),
 * ECAM (MCFG), PCI INTx routing, and to power off through the FADT's sleep
 * registers (HW-reduced ACPI, \_S5). Written at BOOT_ACPI_ADDR. */
#ifndef LKVM_ACPI_H
#define LKVM_ACPI_H

#include <stdint.h>

#include "kvm/guest_mem.h"

/* Write RSDP and tables; *rsdp gets the RSDP's gpa (0 if none). 0 or -1. */
int acpi_write(const struct guest_mem *mem, unsigned nr_cpus, uint64_t *rsdp);

#endif
