/* Interrupt and exception entry points. They run at CPL0, emulated on PVM,
 * so each is a handful of integer instructions.
 *
 * vector_stubs: 256 stubs of VEC_STUB_SIZE bytes; lib/cpu.c points IDT entry v
 * at vector_stubs + v * VEC_STUB_SIZE, except #BP, #UD and the spurious vector.
 *   0-31: unexpected exception: `out %eax, $0xfe` with EAX = vector (the VMM
 *         reports it and dumps the frame just above the pushed vector), hang.
 *   32-254: an interrupt: count it in irq_counts[v], EOI the LAPIC, return.
 */
#include "arch/layout.h"

	.text
	.balign VEC_STUB_SIZE
	.globl vector_stubs
vector_stubs:
	.set vec, 0
	.rept VEC_IRQ_BASE
	.balign VEC_STUB_SIZE
	pushq $vec
	mov (%rsp), %eax
	out %eax, $PORT_UNEXPECTED_VECTOR
	jmp .
	.set vec, vec + 1
	.endr
	.rept 256 - VEC_IRQ_BASE
	.balign VEC_STUB_SIZE
	pushq $vec
	jmp irq_common
	.set vec, vec + 1
	.endr

irq_common:
	push %rax
	mov 8(%rsp), %eax
	lock incl irq_counts(, %rax, 4)
	mov $(LAPIC_ADDR + LAPIC_EOI), %eax
	movl $0, (%rax)
	pop %rax
	add $8, %rsp
	iretq

/* A level-triggered PCI INTx: read the device's ISR register (virtio: the
 * read clears it and the device drops its line) before the EOI, or the
 * IOAPIC would deliver the still-asserted line again at once. */
	.globl vec_intx
vec_intx:
	push %rax
	mov intx_isr_addr(%rip), %rax
	test %rax, %rax
	jz 1f
	movzbl (%rax), %eax
	mov %eax, intx_isr_last(%rip)
	test %eax, %eax
	jnz 1f
	lock incl intx_spurious(%rip)
1:	lock incl irq_counts + 4 * VEC_INTX(%rip)
	mov $(LAPIC_ADDR + LAPIC_EOI), %eax
	movl $0, (%rax)
	pop %rax
	iretq

/* Spurious LAPIC interrupts must not be EOIed. */
	.globl vec_spurious
vec_spurious:
	iretq

/* int3 from CPL3 (DPL3 gate): the cheapest round trip to CPL0, counted. */
	.globl vec_bp
vec_bp:
	lock incl bp_count(%rip)
	iretq

/* #UD: the ud2 in probe_syscall() is the system call (int $n and syscall do
 * not work on PVM); EAX selects the service. Any other #UD is unexpected. */
	.globl vec_ud
vec_ud:
	cmpq $syscall_ud2, (%rsp)
	jne 1f
	addq $2, (%rsp)
	cmp $SYS_IDLE, %eax
	je sys_idle
	cmp $SYS_HALT, %eax
	je sys_halt
	cmp $SYS_TRIPLE, %eax
	je sys_triple
	iretq
1:	pushq $VEC_UD
	mov (%rsp), %eax
	out %eax, $PORT_UNEXPECTED_VECTOR
	jmp .

/* sti's one-instruction shadow makes sti;hlt race-free. The interrupt that
 * wakes us is handled on this stack, then we return to CPL3. */
sys_idle:
	sti
	hlt
	iretq

sys_halt:
	cli
1:	hlt
	jmp 1b

/* With a zero-limit IDT no exception can be delivered: #GP -> #DF -> shutdown. */
sys_triple:
	lidt idt_empty_ptr(%rip)
	movabs $0x8000000000000000, %rax
	mov (%rax), %rax
	jmp .

/* uint64_t probe_syscall(uint32_t nr): at CPL3. */
	.globl probe_syscall
probe_syscall:
	mov %edi, %eax
	.globl syscall_ud2
syscall_ud2:
	ud2
	ret
