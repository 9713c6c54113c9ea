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

struct mp_info {
	uint64_t fps_addr;    /* where the floating pointer was found */
	uint64_t config_addr; /* the "PCMP" configuration table */
	unsigned nr_cpus;     /* enabled processor entries */
	struct mp_cpu cpus[MP_MAX_CPUS];
	unsigned nr_ioapics;
	uint32_t ioapic_addr;
};

/* 0 on success; otherwise fills err with one line and returns -1. */
int mptable_read(struct mp_info *mp, char *err, unsigned errlen);

#endif
