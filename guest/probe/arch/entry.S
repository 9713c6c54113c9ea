/* CPL0 boot of the bootstrap CPU: the only code that runs emulated on PVM
 * (about 0.5 us per instruction), so it is a straight line of integer
 * instructions that switches to the probe's own tables and leaves for CPL3.
 * Page tables, GDT and the BSP's TSS are static data (arch/tables.S, lib/cpu.c).
 */
#include "arch/layout.h"

	.section .text.entry, "ax"

/* lkvm-gpu and Linux's 64-bit boot protocol: long mode, CPL0, RSI = boot_params. */
	.code64
	.globl _start64
_start64:
	mov %rsi, %rdi
	mov $BOOT_KIND_LINUX, %esi
	jmp bsp_enter_cpl3

/* PVH: flat 32-bit protected mode, paging off, EBX = struct hvm_start_info. */
	.code32
	.globl pvh_start32
pvh_start32:
	lgdt gdt_ptr
	mov $pml4, %eax
	mov %eax, %cr3
	mov $CR4_BOOT, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov $CR0_BOOT, %eax
	mov %eax, %cr0
	ljmp $SEL_KCODE, $pvh_start64

	.code64
pvh_start64:
	mov %ebx, %edi
	mov $BOOT_KIND_PVH, %esi

/* RDI = boot info pointer, RSI = BOOT_KIND_*: both survive iretq into C. */
bsp_enter_cpl3:
	mov $(kstacks + KSTACK_SIZE), %esp
	lgdt gdt_ptr(%rip)
	lidt idt_ptr(%rip)
	mov $pml4, %eax
	mov %rax, %cr3
	mov $CR4_BOOT, %eax
	mov %rax, %cr4
	mov $CR0_BOOT, %eax
	mov %rax, %cr0
	/* The descriptor's base is split in three fields; tss0 is below 4 GiB. */
	mov $tss0, %eax
	mov %ax, gdt + SEL_TSS0 + 2(%rip)
	shr $16, %eax
	mov %al, gdt + SEL_TSS0 + 4(%rip)
	mov %ah, gdt + SEL_TSS0 + 7(%rip)
	mov $SEL_TSS0, %eax
	ltr %ax
	mov $SEL_UDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	pushq $SEL_UDATA
	pushq $(ustacks + USTACK_SIZE)
	pushq $RFLAGS_USER
	pushq $SEL_UCODE
	pushq $bsp_cpl3
	iretq

	.text
bsp_cpl3:
	call probe_main
	jmp .
