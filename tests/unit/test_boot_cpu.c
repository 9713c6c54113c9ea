/* Identity page tables, GDT and the BSP's initial registers. */
#include "test_boot_util.h"

static struct test_guest g;
static struct te_file f;

static void setup(void)
{
	tg_init(&g, MiB(64));
	te_make(&f, false);
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
}

static void teardown(void)
{
	tg_fini(&g);
}

TestSuite(boot_cpu, .init = setup, .fini = teardown);

static uint64_t rd64(uint64_t gpa)
{
	uint64_t v;

	cr_assert(guest_mem_read(&g.mem, gpa, &v, 8));
	return v;
}

/* Walk the tables the way the MMU does, for a 2 MiB mapping. */
static uint64_t translate(uint64_t va, uint64_t *pde_out)
{
	uint64_t pml4e = rd64(BOOT_PML4_ADDR + ((va >> 39) & 511) * 8);
	uint64_t pdpte, pde;

	cr_assert(pml4e & 1, "PML4E present for 0x%llx", (unsigned long long)va);
	pdpte = rd64((pml4e & ~0xfffULL) + ((va >> 30) & 511) * 8);
	cr_assert(pdpte & 1);
	cr_assert_not(pdpte & 0x80, "no 1 GiB pages");
	pde = rd64((pdpte & ~0xfffULL) + ((va >> 21) & 511) * 8);
	cr_assert(pde & 1);
	cr_assert(pde & 0x80, "2 MiB page");
	*pde_out = pde;
	return (pde & ~0x1fffffULL) | (va & 0x1fffff);
}

Test(boot_cpu, page_tables_identity_map_0_to_4gib)
{
	static const uint64_t probes[] = {0,	       0x7000,	     0x100200,	 MiB(63) + 5,
					  GiB(1) - 1,  GiB(2) + 123, GiB(3) - 1, PCI_ECAM_BASE,
					  IOAPIC_BASE, LAPIC_BASE,   GiB(4) - 1};

	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint64_t pde, pa = translate(probes[i], &pde);

		cr_assert_eq(pa, probes[i], "0x%llx maps to 0x%llx", (unsigned long long)probes[i],
			     (unsigned long long)pa);
		cr_assert(pde & 2, "writable");
		cr_assert(pde & 4, "user-accessible (the probe runs at CPL3)");
		if (probes[i] >= MEM_HOLE_START)
			cr_assert(pde & 0x10, "MMIO 0x%llx uncached",
				  (unsigned long long)probes[i]);
		else
			cr_assert_not(pde & 0x18, "RAM 0x%llx cached",
				      (unsigned long long)probes[i]);
	}
	cr_assert_eq(rd64(BOOT_PML4_ADDR + 8), 0, "only the first 512 GiB slot");
	cr_assert_eq(rd64(BOOT_PDPT_ADDR + 4 * 8), 0, "nothing above 4 GiB");
}

Test(boot_cpu, gdt_has_boot_cs_and_ds)
{
	cr_assert_eq(rd64(BOOT_GDT_ADDR), 0);
	cr_assert_eq(rd64(BOOT_GDT_ADDR + 0x10), 0x00af9b000000ffffULL, "64-bit code, DPL0");
	cr_assert_eq(rd64(BOOT_GDT_ADDR + 0x18), 0x00cf93000000ffffULL, "flat data");
}

Test(boot_cpu, bsp_registers_follow_the_64bit_protocol)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	memset(&regs, 0xaa, sizeof(regs));
	memset(&sregs, 0, sizeof(sregs));
	sregs.apic_base = 0xfee00900;
	boot_bsp_regs(&g.res, &regs, &sregs);

	cr_assert_eq(regs.rip, TE_LOAD_ADDR + 0x10);
	cr_assert_eq(regs.rsi, BOOT_PARAMS_ADDR);
	cr_assert_eq(regs.rflags, 0x2, "IF clear");
	cr_assert_eq(regs.rax, 0);
	cr_assert_eq(regs.rsp, BOOT_STACK_TOP);

	cr_assert_eq(sregs.cs.selector, 0x10);
	cr_assert_eq(sregs.cs.l, 1);
	cr_assert_eq(sregs.cs.db, 0);
	cr_assert_eq(sregs.cs.dpl, 0);
	cr_assert_eq(sregs.cs.present, 1);
	cr_assert_eq(sregs.cs.type, 11);
	cr_assert_eq(sregs.ds.selector, 0x18);
	cr_assert_eq(sregs.ss.selector, 0x18);
	cr_assert_eq(sregs.es.selector, 0x18);
	cr_assert_eq(sregs.ds.type, 3);
	cr_assert_eq(sregs.ds.limit, 0xffffffff);
	cr_assert_eq(sregs.gdt.base, BOOT_GDT_ADDR);
	cr_assert_eq(sregs.gdt.limit, 31);

	cr_assert_eq(sregs.cr3, BOOT_PML4_ADDR);
	cr_assert(sregs.cr0 & 0x1, "PE");
	cr_assert(sregs.cr0 & 0x80000000, "PG");
	cr_assert(sregs.cr4 & 0x20, "PAE");
	cr_assert_eq(sregs.efer & 0x500, 0x500, "LME|LMA");
	cr_assert_eq(sregs.apic_base, 0xfee00900, "fields we do not own are kept");
}

Test(boot_cpu, bda_points_at_the_ebda)
{
	uint16_t seg, kib;

	cr_assert(guest_mem_read(&g.mem, 0x40e, &seg, 2));
	cr_assert(guest_mem_read(&g.mem, 0x413, &kib, 2));
	cr_assert_eq((uint64_t)seg << 4, BOOT_EBDA_START);
	cr_assert_eq(kib, 639);
}

Test(boot_cpu, low_tables_do_not_overlap)
{
	/* Zero page, stack, page tables, cmdline, GDT: each region distinct. */
	cr_assert_leq(BOOT_GDT_ADDR + 32, BOOT_IDT_ADDR);
	cr_assert_leq(BOOT_PARAMS_ADDR + sizeof(struct boot_params), BOOT_STACK_TOP - 0x800);
	cr_assert_leq(BOOT_STACK_TOP, BOOT_PML4_ADDR);
	cr_assert_leq(BOOT_PD_ADDR + 4 * 4096, BOOT_CMDLINE_ADDR);
	cr_assert_leq(BOOT_CMDLINE_ADDR + BOOT_CMDLINE_MAX, BOOT_EBDA_START);
}

Test(boot_cpu, reset_vector_pulses_the_i8042_reset_line)
{
	/* mov al,0xfe; out 0x64,al; then halt for good. */
	static const uint8_t want[] = {0xb0, 0xfe, 0xe6, 0x64, 0xfa, 0xf4, 0xeb, 0xfc};

	cr_assert_eq(memcmp(g.ram + 0xffff0, want, sizeof(want)), 0);
}
