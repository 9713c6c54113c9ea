/* The probe guest's fixed CPU layout, shared by its assembly and its C code.
 *
 * Everything here is in the probe's own image (linked at 1 MiB), except the AP
 * trampoline, which must sit below 1 MiB on a page boundary for the SIPI vector.
 */
#ifndef PROBE_ARCH_LAYOUT_H
#define PROBE_ARCH_LAYOUT_H

#define PROBE_LOAD_ADDR 0x100000
#define PROBE_MAX_CPUS	16

/* GDT selectors. User code/data sit where sysret would want them, although
 * syscall does not work on PVM; keeping the usual layout costs nothing. */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA   0x23 /* 0x20 | RPL 3 */
#define SEL_UCODE   0x2b /* 0x28 | RPL 3 */
#define SEL_TSS0    0x30 /* then 16 bytes per CPU */
#define GDT_BYTES   (SEL_TSS0 + 16 * PROBE_MAX_CPUS)

/* TSS: 104-byte header, then an all-zero 8 KiB I/O bitmap (every port allowed
 * at CPL3: PVM ignores IOPL and checks only the bitmap) and a 0xFF byte. */
#define TSS_IOMAP_OFFSET 104
#define TSS_LIMIT	 (TSS_IOMAP_OFFSET + 8192) /* includes the 0xFF byte */

/* Control registers for long mode with SSE allowed at CPL3. */
#define CR0_BOOT    0x80050033 /* PG AM WP NE ET MP PE */
#define CR4_BOOT    0x620      /* OSXMMEXCPT OSFXSR PAE */
#define MSR_EFER    0xC0000080
#define EFER_LME    0x100
#define RFLAGS_USER 0x202 /* IF=1, IOPL=0: CPL3 cannot cli/sti on PVM anyway */

#define KSTACK_SIZE 0x1000  /* CPL0: only interrupt frames and tiny stubs */
#define USTACK_SIZE 0x10000 /* CPL3: the C code */

/* How the probe was entered: RDI of the first C function. */
#define BOOT_KIND_LINUX 1 /* 64-bit Linux boot protocol, RSI = boot_params */
#define BOOT_KIND_PVH	2 /* PVH 32-bit entry, EBX = hvm_start_info */

/* AP start: real-mode trampoline copied here (SIPI vector = page number). */
#define AP_TRAMPOLINE_ADDR 0x10000

/* struct ap_boot (lib/cpu.h) field offsets, read by the AP's CPL0 code. */
#define AP_BOOT_KSTACK	0
#define AP_BOOT_USTACK	8
#define AP_BOOT_INDEX	16
#define AP_BOOT_TSS_SEL 20

/* `ud2` system calls: EAX = number; only the one ud2 in probe_syscall()
 * counts as a system call, any other #UD is reported as unexpected. */
#define SYS_IDLE   1 /* sti; hlt; return: wait for an interrupt */
#define SYS_HALT   2 /* cli; hlt forever */
#define SYS_TRIPLE 3 /* load an empty IDT, then fault: triple fault */

/* Interrupt vectors: 0-31 exceptions, 32-254 counted IRQs, 255 spurious. */
#define VEC_BP	      3
#define VEC_UD	      6
#define VEC_IRQ_BASE  32
#define VEC_INTX     0x5f /* level-triggered INTx: reads the device ISR first */
#define VEC_SPURIOUS  255
#define VEC_STUB_SIZE 16

/* Port the VMM watches for an unexpected vector (EAX = vector). */
#define PORT_UNEXPECTED_VECTOR 0xfe

#define LAPIC_ADDR 0xFEE00000
#define LAPIC_EOI  0xB0

#define NOTE_TYPE_PVH_ENTRY 18 /* XEN_ELFNOTE_PHYS32_ENTRY */
#define NOTE_TYPE_LKVMGPU   1

#endif
