/* x86 boot: load a kernel (bzImage or ELF64) and everything the Linux 64-bit
 * boot protocol expects around it (zero page, e820, command line, initrd,
 * identity page tables, GDT, MP table, ACPI tables) into guest memory.
 *
 * Pure code over struct guest_mem: no KVM ioctl here, so all of it runs in
 * unit tests. The kernel and initrd files are untrusted input: every length
 * and offset taken from them is checked before use.
 */
#ifndef LKVM_BOOT_H
#define LKVM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>
#include <linux/kvm.h>

#include "kvm/guest_mem.h"

/* Smallest guest RAM the VMM accepts; the boot layout assumes at least this. */
#define BOOT_MIN_RAM (64ULL << 20)

/* ELF note that marks our own probe guest: name "LKVMGPU", type 1. Such an
 * ELF is entered the same way but is not a Linux kernel (is_linux=false). */
#define BOOT_PROBE_NOTE_NAME "LKVMGPU"
#define BOOT_PROBE_NOTE_TYPE 1

struct boot_config {
	uint64_t ram_size; /* bytes; RAM above 3 GiB is placed at 4 GiB+ (layout.h) */
	const void *kernel;
	size_t kernel_len;
	const void *initrd; /* may be NULL */
	size_t initrd_len;
	const char *cmdline; /* may be NULL */
	unsigned nr_cpus;    /* 1..BOOT_MAX_CPUS */
	bool ram_is_zero;    /* RAM is freshly mapped: no need to zero bss */
};

/* The MP table and MADT hold one entry per CPU; APIC ids are 0..nr_cpus-1
 * and the IOAPIC takes id nr_cpus, so stay below 255. */
#define BOOT_MAX_CPUS 254

struct boot_result {
	uint64_t entry;	      /* 64-bit entry gpa */
	uint64_t boot_params; /* gpa of the zero page, goes in RSI */
	uint64_t initrd_gpa;  /* 0 if none */
	bool is_linux;	      /* bzImage, or an ELF without our probe note */
	const char *format;   /* "bzImage" / "ELF64" for --debug */
};

/* struct boot_e820_entry (addr, size, type; packed, 20 bytes) and
 * struct boot_params come from the kernel's UAPI header. */
#define BOOT_E820_RAM	   1
#define BOOT_E820_RESERVED 2

/* Detect the format, load kernel + initrd + cmdline into guest memory, write
 * the zero page, page tables, GDT, MP table and ACPI tables. On error returns
 * -1 and writes one clear line (no newline) into err. */
int boot_prepare(const struct guest_mem *mem, const struct boot_config *cfg,
		 struct boot_result *res, char *err, size_t errlen);

/* The BSP's initial registers for the 64-bit entry: long mode, paging on
 * with the identity map of 0-4 GiB, __BOOT_CS 0x10 / __BOOT_DS 0x18,
 * RSI = boot_params, interrupts off. Pure: fills the structs only. The
 * caller should KVM_GET_SREGS first and pass that in, so fields we do not
 * set (apic_base, interrupt bitmap) keep KVM's values. */
void boot_bsp_regs(const struct boot_result *res, struct kvm_regs *regs, struct kvm_sregs *sregs);

/* e820 map for a RAM size; returns the number of entries written (<= max). */
unsigned boot_e820_build(uint64_t ram_size, struct boot_e820_entry *out, unsigned max);

#endif
