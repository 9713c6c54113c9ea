/* The guest's physical address map and fixed resources, in one place. */
#ifndef LKVM_LAYOUT_H
#define LKVM_LAYOUT_H

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

/* Low memory used by the boot path (below 1 MiB, inside RAM). */
#define BOOT_GDT_ADDR	   0x500ULL
#define BOOT_IDT_ADDR	   0x520ULL
#define BOOT_MPTABLE_ADDR  0x9fc00ULL /* last KiB of base memory (EBDA-ish) */
#define BOOT_PARAMS_ADDR   0x7000ULL
#define BOOT_PML4_ADDR	   0x9000ULL
#define BOOT_PDPT_ADDR	   0xa000ULL
#define BOOT_PD_ADDR	   0xb000ULL /* 4 pages: identity map of 0-4 GiB */
#define BOOT_CMDLINE_ADDR  0x20000ULL
#define BOOT_CMDLINE_MAX   0x10000ULL
#define BOOT_STACK_TOP	   0x8ff0ULL
#define BOOT_EBDA_START	   0x9fc00ULL
#define BOOT_HIMEM_START   0x100000ULL /* 1 MiB: where kernels load */
#define BOOT_ACPI_ADDR	   0xe0000ULL  /* RSDP, then the ACPI tables, to 0xeffff */
#define BOOT_ACPI_SIZE	   0x10000ULL
#define BOOT_MPCONFIG_ADDR 0xf0000ULL /* MP config table (the pointer is at 0x9fc00) */
#define BOOT_MPCONFIG_SIZE 0x10000ULL
#define BOOT_RESET_VECTOR  0xffff0ULL /* F000:FFF0: a stub that resets via the i8042 */

/* RAM above this address is moved above 4 GiB to leave the PCI hole. */
#define MEM_HOLE_START GiB(3)
#define MEM_HOLE_END   GiB(4)

/* 32-bit PCI MMIO window, ECAM, and the fixed platform MMIO. */
#define PCI_MMIO32_BASE 0xC0000000ULL
#define PCI_MMIO32_SIZE 0x20000000ULL /* 512 MiB */
#define PCI_ECAM_BASE	0xE0000000ULL
#define PCI_ECAM_SIZE	0x00100000ULL /* bus 0 only */
#define IOAPIC_BASE	0xFEC00000ULL
#define LAPIC_BASE	0xFEE00000ULL

/* 64-bit PCI MMIO window for large BARs (the GPU's host-visible memory). */
#define PCI_MMIO64_BASE GiB(64)
#define PCI_MMIO64_SIZE GiB(64)

/* Port I/O. */
#define PORT_I8042_DATA 0x60
#define PORT_I8042_CMD	0x64
#define PORT_POST	0x80 /* POST codes; Linux's I/O delay */
#define PORT_TEST_EXIT	0xf4
#define PORT_GUEST_TRAP 0xfe /* the probe guest's exception stubs write the vector */
#define PORT_COM1	0x3f8
#define PORT_PCI_CONFIG 0xcf8 /* 0xcf8-0xcff */
/* HW-reduced ACPI sleep registers (FADT SLEEP_CONTROL_REG/SLEEP_STATUS_REG),
 * one byte each. Writing SLP_EN (bit 5) with SLP_TYP (bits 2-4) = 5, the
 * DSDT's \_S5 value, is poweroff. The status port reads WAK_STS (bit 7). */
#define PORT_ACPI_SLEEP_CTL 0x600
#define PORT_ACPI_SLEEP_STS 0x601
#define ACPI_SLP_TYP_S5	    5

/* Interrupt lines (GSIs). Pins 16-23 are IOAPIC-only, free of legacy PIC
 * state: PCI INTx uses them. MSI routes get GSIs from 24 up. */
#define IRQ_COM1	  4
#define IRQ_PCI_INTX_BASE 16
#define IRQ_PCI_INTX_NR	  8
#define GSI_MSI_BASE	  24

/* The INTx wiring rule, one definition for every table and device that
 * states it (MP table, ACPI _PRT, PCI Interrupt Line, the KVM line a
 * device raises): PCI device d, pin p (0 = INTA .. 3 = INTD) goes to
 * IOAPIC pin 16 + (d + p) % 8, level, active low. */
static inline unsigned pci_intx_gsi(unsigned dev, unsigned pin)
{
	return IRQ_PCI_INTX_BASE + (dev + pin) % IRQ_PCI_INTX_NR;
}

#endif
