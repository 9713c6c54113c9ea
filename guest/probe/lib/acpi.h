/* Just enough ACPI to list the CPUs: RSDP -> RSDT/XSDT -> MADT processor
 * entries. Used when a firmware's MP table is incomplete (QEMU -M pc's
 * SeaBIOS lists one CPU there); every length and checksum is checked. */
#ifndef PROBE_LIB_ACPI_H
#define PROBE_LIB_ACPI_H

#include <stdint.h>

#define ACPI_MAX_CPUS 64

struct madt_info {
	uint64_t rsdp_addr;
	uint64_t madt_addr;
	unsigned nr_cpus; /* enabled local APIC entries */
	uint8_t apic_ids[ACPI_MAX_CPUS];
};

/* The RSDP: hint (from the loader) if non-zero, else found by scanning the
 * EBDA and 0xE0000-0xFFFFF; 0 if none. */
uint64_t acpi_find_rsdp(uint64_t hint);

/* A table listed by the RSDT/XSDT with signature sig, its header, length and
 * checksum checked; 0 if none, else its address and *len. */
uint64_t acpi_find_table(uint64_t rsdp, const char *sig, uint32_t *len);

/* ECAM base for PCI segment 0, bus 0 from the MCFG; 0 if none. */
uint64_t acpi_ecam_base(uint64_t rsdp_hint);

/* rsdp_hint: an RSDP address from the loader (PVH), or 0 to scan the BIOS
 * areas. 0 on success; otherwise one line in err and -1. */
int acpi_read_madt(uint64_t rsdp_hint, struct madt_info *m, char *err, unsigned errlen);

#endif
