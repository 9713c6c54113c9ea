/* CPU state for the Linux 64-bit boot protocol: identity page tables for
 * 0-4 GiB, a GDT with __BOOT_CS/__BOOT_DS, and the BSP's registers. */
#include <string.h>

#include "kvm/boot/internal.h"

#define PTE_P	0x1ULL
#define PTE_RW	0x2ULL
#define PTE_US	0x4ULL
#define PTE_PWT 0x8ULL
#define PTE_PCD 0x10ULL
#define PTE_PS	0x80ULL

#define BOOT_CS 0x10
#define BOOT_DS 0x18

/* Flat descriptors with the accessed bit preset, so the CPU (or PVM's
 * emulator) never has to write the GDT back. */
#define GDT_CODE64 0x00af9b000000ffffULL
#define GDT_DATA   0x00cf93000000ffffULL

#define CR0_PE 0x1ULL
#define CR0_MP 0x2ULL
#define CR0_ET 0x10ULL
#define CR0_NE 0x20ULL
#define CR0_WP 0x10000ULL
#define CR0_AM 0x40000ULL
#define CR0_PG 0x80000000ULL

#define CR4_PAE	       0x20ULL
#define CR4_OSFXSR     0x200ULL
#define CR4_OSXMMEXCPT 0x400ULL

#define EFER_LME 0x100ULL
#define EFER_LMA 0x400ULL

int boot_write_cpu_tables(const struct guest_mem *mem)
{
	uint64_t pml4[512] = {0}, pdpt[512] = {0}, pd[512];
	uint64_t gdt[4] = {0, 0, GDT_CODE64, GDT_DATA};

	/* US is set at every level so a guest that drops to CPL3 right away
	 * (our probe) can keep using these tables; Linux replaces them. */
	pml4[0] = BOOT_PDPT_ADDR | PTE_P | PTE_RW | PTE_US;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD_ADDR + i * 0x1000ULL) | PTE_P | PTE_RW | PTE_US;
	if (!guest_mem_write(mem, BOOT_PML4_ADDR, pml4, sizeof(pml4)) ||
	    !guest_mem_write(mem, BOOT_PDPT_ADDR, pdpt, sizeof(pdpt)))
		return -1;
	for (unsigned t = 0; t < 4; t++) {
		for (unsigned i = 0; i < 512; i++) {
			uint64_t addr = ((uint64_t)t << 30) | ((uint64_t)i << 21);

			pd[i] = addr | PTE_P | PTE_RW | PTE_US | PTE_PS;
			/* 3-4 GiB is device memory (PCI, ECAM, IOAPIC, LAPIC). */
			if (addr >= MEM_HOLE_START)
				pd[i] |= PTE_PCD | PTE_PWT;
		}
		if (!guest_mem_write(mem, BOOT_PD_ADDR + t * 0x1000ULL, pd, sizeof(pd)))
			return -1;
	}
	return guest_mem_write(mem, BOOT_GDT_ADDR, gdt, sizeof(gdt)) ? 0 : -1;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	if (code) {
		s->type = 11; /* execute/read, accessed */
		s->l = 1;
	} else {
		s->type = 3; /* read/write, accessed */
		s->db = 1;
	}
}

void boot_bsp_regs(const struct boot_result *res, struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = res->entry;
	regs->rsi = res->boot_params;
	regs->rsp = BOOT_STACK_TOP;
	regs->rflags = 0x2; /* reserved bit 1; IF clear */

	seg_flat(&sregs->cs, BOOT_CS, true);
	seg_flat(&sregs->ds, BOOT_DS, false);
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;
	sregs->gdt.base = BOOT_GDT_ADDR;
	sregs->gdt.limit = 4 * 8 - 1;
	/* An empty IDT: any exception before the kernel installs its own is a
	 * triple fault, which the VMM reports with registers. */
	sregs->idt.base = BOOT_IDT_ADDR;
	sregs->idt.limit = 0;

	sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sregs->cr3 = BOOT_PML4_ADDR;
	sregs->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sregs->efer = EFER_LME | EFER_LMA;
}
