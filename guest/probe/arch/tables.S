/* Static CPU tables, so that CPL0 code only has to load them.
 *
 * Page tables: identity map of 0-4 GiB in 2 MiB pages, user-accessible (all
 * C code runs at CPL3), with caching off in 3-4 GiB (PCI MMIO, ECAM, IOAPIC,
 * LAPIC). Built by the assembler instead of a loop at emulated CPL0.
 */
#include "arch/layout.h"

	.section .data.pagetables, "aw"
	.balign 4096
	.globl pml4
pml4:
	.quad pdpt + 0x7            /* P RW US */
	.fill 511, 8, 0
pdpt:
	.quad pd + 0x0000 + 0x7
	.quad pd + 0x1000 + 0x7
	.quad pd + 0x2000 + 0x7
	.quad pd + 0x3000 + 0x7
	.fill 508, 8, 0
pd:
	.set pde, 0x87              /* P RW US PS */
	.rept 1536
	.quad pde
	.set pde, pde + 0x200000
	.endr
	.set pde, pde | 0x10        /* + PCD from 3 GiB up */
	.rept 512
	.quad pde
	.set pde, pde + 0x200000
	.endr

	.data
	.balign 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00AF9B000000FFFF    /* 0x08 kernel code, 64-bit */
	.quad 0x00CF93000000FFFF    /* 0x10 kernel data */
	.quad 0x00CFFB000000FFFF    /* 0x18 user code, 32-bit (unused) */
	.quad 0x00CFF3000000FFFF    /* 0x20 user data */
	.quad 0x00AFFB000000FFFF    /* 0x28 user code, 64-bit */
	/* 0x30: one 16-byte TSS descriptor per CPU, available 64-bit TSS; the
	 * base is filled in before each CPU's ltr (entry.S, smp.c). */
	.rept PROBE_MAX_CPUS
	.word TSS_LIMIT, 0
	.byte 0, 0x89, 0, 0
	.long 0, 0
	.endr
gdt_end:

	.balign 16
	.globl gdt_ptr
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt

	.balign 16
	.globl idt_ptr
idt_ptr:
	.word 4095
	.quad idt

	.balign 16
	.globl idt_empty_ptr
idt_empty_ptr:
	.word 0
	.quad 0

	.bss
	.balign 4096
	.globl idt
idt:
	.skip 4096
