/* Minimal ACPI tables, at BOOT_ACPI_ADDR (the RSDP first, where a BIOS-style
 * scan of 0xe0000-0xfffff finds it; boot_params.acpi_rsdp_addr points there
 * too): RSDT/XSDT -> FADT (HW-reduced, sleep registers at
 * PORT_ACPI_SLEEP_CTL/STS, reset register = i8042 0x64 <- 0xfe) -> DSDT
 * (\_S5, PCI0 with _CRS windows and _PRT), MADT (local APICs 0..n-1,
 * IOAPIC id n, LINT1 NMI), MCFG (ECAM at PCI_ECAM_BASE, bus 0).
 * Interrupt wiring is the one documented in kvm/boot/mptable.h. */
#ifndef LKVM_ACPI_H
#define LKVM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "kvm/guest_mem.h"

/* Write RSDP and tables; *rsdp gets the RSDP's gpa. 0 or -1. */
int acpi_write(const struct guest_mem *mem, unsigned nr_cpus, uint64_t *rsdp);

/* The DSDT's AML body (after the 36-byte header); returns its length, or 0
 * if cap is too small. */
size_t acpi_dsdt_aml(uint8_t *buf, size_t cap);

#endif
