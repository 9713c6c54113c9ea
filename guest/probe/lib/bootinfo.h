/* What the loader told us, copied out of boot_params (lkvm-gpu, Linux 64-bit
 * protocol) or struct hvm_start_info (PVH, QEMU) into one neutral form, before
 * anything can overwrite low memory (the AP trampoline lives there). */
#ifndef PROBE_LIB_BOOTINFO_H
#define PROBE_LIB_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define BOOTINFO_CMDLINE_MAX 65536
#define BOOTINFO_E820_MAX    128

#define E820_RAM 1

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct bootinfo {
	const char *protocol; /* "linux64" or "pvh" */
	char cmdline[BOOTINFO_CMDLINE_MAX];
	bool cmdline_present;
	bool cmdline_truncated;
	struct e820_entry e820[BOOTINFO_E820_MAX];
	unsigned nr_e820;
	uint64_t initrd_addr;
	uint64_t initrd_size;
	uint64_t rsdp; /* ACPI RSDP if the loader said where (PVH), else 0 */
	/* Problems found while copying (a bad magic, a count out of range). */
	char error[128];
};

extern struct bootinfo bootinfo;

/* kind is BOOT_KIND_* from arch/layout.h, ptr the physical address given. */
void bootinfo_parse(unsigned kind, uint64_t ptr);

#endif
