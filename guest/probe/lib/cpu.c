#include "lib/cpu.h"
#include "lib/string.h"

#include <stddef.h>

_Static_assert(offsetof(struct tss, iomap) == TSS_IOMAP_OFFSET, "TSS header is 104 bytes");
_Static_assert(offsetof(struct tss, iomap_end) == TSS_LIMIT, "TSS limit covers the 0xFF byte");
_Static_assert(offsetof(struct ap_boot, kstack_top) == AP_BOOT_KSTACK, "ap_boot layout");
_Static_assert(offsetof(struct ap_boot, ustack_top) == AP_BOOT_USTACK, "ap_boot layout");
_Static_assert(offsetof(struct ap_boot, index) == AP_BOOT_INDEX, "ap_boot layout");
_Static_assert(offsetof(struct ap_boot, tss_sel) == AP_BOOT_TSS_SEL, "ap_boot layout");

__attribute__((aligned(4096))) uint8_t kstacks[PROBE_MAX_CPUS][KSTACK_SIZE];
__attribute__((aligned(4096))) uint8_t ustacks[PROBE_MAX_CPUS][USTACK_SIZE];

/* The BSP's TSS is complete before its ltr (static data): its CPL3 code does
 * port I/O and can take interrupts from the first instruction on. */
struct tss tss0 = {
    .rsp0 = (uint64_t)(uintptr_t)(kstacks[0] + KSTACK_SIZE),
    .iomap_base = TSS_IOMAP_OFFSET,
    .iomap_end = 0xff,
};
static struct tss ap_tss[PROBE_MAX_CPUS - 1];

volatile struct ap_boot ap_boot;
volatile uint32_t irq_counts[256];
volatile uint32_t bp_count;
volatile uint64_t intx_isr_addr;
volatile uint32_t intx_isr_last;
volatile uint32_t intx_spurious;

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* P | DPL | 0xE (64-bit interrupt gate) */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

extern struct idt_gate idt[256];
extern uint8_t gdt[GDT_BYTES];
extern const uint8_t vector_stubs[];
extern const uint8_t vec_bp[], vec_ud[], vec_spurious[], vec_intx[];

static void set_gate(unsigned vec, const void *handler, uint8_t type)
{
	uint64_t a = (uint64_t)(uintptr_t)handler;

	idt[vec] = (struct idt_gate){
	    .offset_lo = (uint16_t)a,
	    .selector = SEL_KCODE,
	    .type = type,
	    .offset_mid = (uint16_t)(a >> 16),
	    .offset_hi = (uint32_t)(a >> 32),
	};
}

void cpu_idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, vector_stubs + v * VEC_STUB_SIZE, 0x8E);
	set_gate(VEC_BP, vec_bp, 0xEE); /* DPL3: int3 works from CPL3 */
	set_gate(VEC_UD, vec_ud, 0x8E);
	set_gate(VEC_SPURIOUS, vec_spurious, 0x8E);
	set_gate(VEC_INTX, vec_intx, 0x8E);
}

uint16_t cpu_tss_setup(unsigned index)
{
	struct tss *t = &ap_tss[index - 1];
	uint16_t sel = SEL_TSS0 + 16 * index;
	uint8_t *d = gdt + sel;
	uint64_t base = (uint64_t)(uintptr_t)t;

	memset(t, 0, sizeof(*t));
	t->rsp0 = (uint64_t)(uintptr_t)(kstacks[index] + KSTACK_SIZE);
	t->iomap_base = TSS_IOMAP_OFFSET;
	t->iomap_end = 0xff;

	/* Limit and type are preset in arch/tables.S; write the base and make
	 * sure the type is "available" again in case of a retry. */
	d[2] = (uint8_t)base;
	d[3] = (uint8_t)(base >> 8);
	d[4] = (uint8_t)(base >> 16);
	d[5] = 0x89;
	d[7] = (uint8_t)(base >> 24);
	d[8] = (uint8_t)(base >> 32);
	d[9] = (uint8_t)(base >> 40);
	d[10] = (uint8_t)(base >> 48);
	d[11] = (uint8_t)(base >> 56);
	return sel;
}

void cpu_halt_forever(void)
{
	for (;;)
		probe_syscall(SYS_HALT);
}

void cpu_triple_fault(void)
{
	for (;;)
		probe_syscall(SYS_TRIPLE);
}
