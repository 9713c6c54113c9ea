/* Per-CPU tables and the CPL0 services reachable from CPL3.
 * The assembly in arch/ owns the CPL0 code; this module owns the data it
 * uses (TSSes, stacks, IDT contents, counters) and fills it from CPL3, where
 * every byte of memory is writable (user pages everywhere). */
#ifndef PROBE_LIB_CPU_H
#define PROBE_LIB_CPU_H

#include <stdint.h>

#include "arch/layout.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
	uint8_t iomap[8192]; /* all zero: every port allowed */
	uint8_t iomap_end;   /* 0xFF, as the architecture requires */
} __attribute__((packed, aligned(16)));

/* What an AP's CPL0 code (arch/ap.S) loads; set by the BSP before each SIPI. */
struct ap_boot {
	uint64_t kstack_top;
	uint64_t ustack_top;
	uint32_t index;
	uint16_t tss_sel;
} __attribute__((packed));

extern struct tss tss0;
extern uint8_t kstacks[PROBE_MAX_CPUS][KSTACK_SIZE];
extern uint8_t ustacks[PROBE_MAX_CPUS][USTACK_SIZE];
extern volatile struct ap_boot ap_boot;

/* Counted by the CPL0 stubs: interrupts per vector, int3 traps. */
extern volatile uint32_t irq_counts[256];
extern volatile uint32_t bp_count;

/* For VEC_INTX: the ISR register the CPL0 stub reads (0: none), the last
 * value it read, and how many times it read 0 (an interrupt with no cause). */
extern volatile uint64_t intx_isr_addr;
extern volatile uint32_t intx_isr_last;
extern volatile uint32_t intx_spurious;

/* Fill the IDT (the BSP runs this before anything can fault). */
void cpu_idt_init(void);

/* Give CPU `index` (>= 1) its TSS and descriptor; returns the selector. */
uint16_t cpu_tss_setup(unsigned index);

uint64_t probe_syscall(uint32_t nr);

/* Wait for an interrupt (sti; hlt at CPL0). */
static inline void cpu_idle(void)
{
	probe_syscall(SYS_IDLE);
}

__attribute__((noreturn)) void cpu_halt_forever(void);
__attribute__((noreturn)) void cpu_triple_fault(void);

#endif
