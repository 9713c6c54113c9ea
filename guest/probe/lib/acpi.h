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

/* rsdp_hint: an RSDP address from the loader (PVH), or 0 to scan the BIOS
 * areas. 0 on success; otherwise one line in err and -1. */
int acpi_read_madt(uint64_t rsdp_hint, struct madt_info *m, char *err, unsigned errlen);

#endif
