/* Application processor start: INIT/SIPI lands in real mode at
 * AP_TRAMPOLINE_ADDR (a copy of ap_trampoline..ap_trampoline_end made by
 * smp.c); it goes straight to long mode with the BSP's page tables and GDT,
 * then ap_start64 loads this CPU's TSS and stacks from ap_boot and leaves for
 * CPL3. All of it is emulated on PVM, so it stays short.
 */
#include "arch/layout.h"

	.text
	.code16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tramp_gdt_ptr - ap_trampoline
	mov $CR4_BOOT, %eax
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov $CR0_BOOT, %eax
	mov %eax, %cr0
	ljmpl $SEL_KCODE, $ap_start64
	.balign 8
tramp_gdt_ptr:
	.word GDT_BYTES - 1
	.long gdt
ap_trampoline_end:

	.code64
ap_start64:
	mov ap_boot + AP_BOOT_KSTACK(%rip), %rsp
	lidt idt_ptr(%rip)
	movzwl ap_boot + AP_BOOT_TSS_SEL(%rip), %eax
	ltr %ax
	mov $SEL_UDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	mov ap_boot + AP_BOOT_INDEX(%rip), %edi
	pushq $SEL_UDATA
	pushq ap_boot + AP_BOOT_USTACK(%rip)
	pushq $RFLAGS_USER
	pushq $SEL_UCODE
	pushq $ap_cpl3
	iretq

ap_cpl3:
	call smp_ap_main
	jmp .
