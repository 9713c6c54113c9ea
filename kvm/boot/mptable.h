/* Intel MultiProcessor Specification 1.4 table: how a guest (Linux with
 * acpi=off, or our probe) finds its CPUs, the IOAPIC and interrupt wiring.
 *
 * Placement: the floating pointer sits at BOOT_MPTABLE_ADDR (0x9fc00, the
 * EBDA, which the BDA word at 0x40e points to); the configuration table it
 * points to is at BOOT_MPCONFIG_ADDR in the BIOS area (it grows with the
 * CPU count, up to ~6.5 KiB, too large for the 1 KiB EBDA).
 *
 * Wiring (the same in the ACPI MADT/DSDT and in the VMM's GSI routes):
 *   - CPU i has local APIC id i; CPU 0 is the BSP. The IOAPIC has id nr_cpus.
 *   - ISA IRQ n (0-15) -> IOAPIC pin n, edge, active high (identity, as
 *     KVM's default routing delivers GSI n to pin n; no IRQ0->2 override).
 *   - PCI device d, INTx pin p (0 = INTA .. 3 = INTD) -> IOAPIC pin
 *     pci_intx_gsi(d, p) = 16 + (d + p) % 8, level, active low (the rule
 *     lives in kvm/layout.h, beside the address map).
 *   - LINT0 of every CPU is ExtINT (the 8259), LINT1 is NMI.
 */
#ifndef LKVM_MPTABLE_H
#define LKVM_MPTABLE_H

#include <stdint.h>

#include "kvm/guest_mem.h"
#include "kvm/layout.h"

#define MPTABLE_IOAPIC_VERSION 0x11 /* 24 pins, like KVM's in-kernel IOAPIC */
#define MPTABLE_LAPIC_VERSION  0x14
#define MPTABLE_PCI_DEVICES    32 /* bus 0 only */

/* Write the floating pointer and the configuration table; 0 or -1. */
int mptable_write(const struct guest_mem *mem, unsigned nr_cpus);

/* Sum of bytes (the spec's checksums make it 0 mod 256). */
uint8_t mptable_sum(const void *p, uint64_t len);

#endif
