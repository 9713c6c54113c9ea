/* MP table: found where Linux scans, checksums right, one CPU entry per
 * vCPU, interrupt wiring as documented in kvm/boot/mptable.h. */
#include "test_boot_util.h"
#include "kvm/boot/mptable.h"

static struct test_guest g;

static void setup(void)
{
	tg_init(&g, MiB(64));
}

static void teardown(void)
{
	tg_fini(&g);
}

TestSuite(mptable, .init = setup, .fini = teardown);

struct parsed {
	unsigned cpus, bsp, buses, ioapics, isa_irqs, pci_irqs, lints;
	uint8_t ioapic_id, bsp_id;
	uint8_t pci_pin[32][4];
	uint8_t isa_pin[16];
	uint8_t cpu_ids[256];
};

/* Find "_MP_" the way Linux does (16-byte steps in the EBDA's first KiB). */
static const uint8_t *find_mpf(void)
{
	uint16_t seg;
	uint64_t ebda;

	memcpy(&seg, g.ram + 0x40e, 2);
	ebda = (uint64_t)seg << 4;
	for (uint64_t a = ebda; a < ebda + 1024; a += 16)
		if (memcmp(g.ram + a, "_MP_", 4) == 0)
			return g.ram + a;
	return NULL;
}

static void parse(struct parsed *p)
{
	const uint8_t *mpf = find_mpf(), *mpc, *e, *end;
	uint32_t physptr;
	uint16_t len, count;

	memset(p, 0, sizeof(*p));
	cr_assert_not_null(mpf, "no MP floating pointer in the EBDA");
	cr_assert_eq(mptable_sum(mpf, 16), 0, "floating pointer checksum");
	cr_assert_eq(mpf[8], 1, "length in paragraphs");
	cr_assert_eq(mpf[9], 4, "spec 1.4");
	cr_assert_eq(mpf[11], 0, "feature 1: a config table follows, no default config");
	memcpy(&physptr, mpf + 4, 4);
	cr_assert_lt(physptr, g.size);
	mpc = g.ram + physptr;
	cr_assert_eq(memcmp(mpc, "PCMP", 4), 0);
	memcpy(&len, mpc + 4, 2);
	memcpy(&count, mpc + 34, 2);
	cr_assert_eq(mptable_sum(mpc, len), 0, "config table checksum");
	cr_assert_eq(mpc[6], 4);
	cr_assert_eq(*(const uint32_t *)(mpc + 36), LAPIC_BASE);
	e = mpc + 44;
	end = mpc + len;
	for (unsigned i = 0; i < count; i++) {
		cr_assert_lt(e, end, "entry %u past the table's length", i);
		switch (e[0]) {
		case 0:
			cr_assert(e[3] & 1, "CPU enabled");
			p->cpu_ids[p->cpus++] = e[1];
			if (e[3] & 2) {
				p->bsp++;
				p->bsp_id = e[1];
			}
			e += 20;
			break;
		case 1:
			p->buses++;
			e += 8;
			break;
		case 2:
			p->ioapics++;
			p->ioapic_id = e[1];
			cr_assert_eq(*(const uint32_t *)(e + 4), IOAPIC_BASE);
			e += 8;
			break;
		case 3:
			cr_assert_eq(e[6], p->ioapic_id, "routes go to our IOAPIC");
			if (e[4] == 0) {
				cr_assert_lt(e[5], 16);
				cr_assert_eq(e[2] & 0xf, 0x5, "ISA: edge, active high");
				p->isa_pin[e[5]] = e[7];
				p->isa_irqs++;
			} else {
				cr_assert_eq(e[4], 1, "PCI bus id");
				cr_assert_eq(e[2] & 0xf, 0xf, "PCI: level, active low");
				p->pci_pin[e[5] >> 2][e[5] & 3] = e[7];
				p->pci_irqs++;
			}
			e += 8;
			break;
		case 4:
			p->lints++;
			e += 8;
			break;
		default:
			cr_assert_fail("unknown MP entry type %u", e[0]);
		}
	}
	cr_assert_eq(e, end, "entries fill exactly the table length");
}

static void check_cpus(unsigned n)
{
	struct parsed p;

	cr_assert_eq(mptable_write(&g.mem, n), 0);
	memcpy(g.ram + 0x40e, &(uint16_t){BOOT_EBDA_START >> 4}, 2);
	parse(&p);
	cr_assert_eq(p.cpus, n);
	cr_assert_eq(p.bsp, 1);
	cr_assert_eq(p.bsp_id, 0);
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(p.cpu_ids[i], i, "APIC id of CPU %u", i);
	cr_assert_eq(p.ioapics, 1);
	cr_assert_eq(p.ioapic_id, n, "IOAPIC id after the CPUs");
	cr_assert_eq(p.buses, 2);
	cr_assert_eq(p.lints, 2);
	cr_assert_eq(p.isa_irqs, 16);
	cr_assert_eq(p.pci_irqs, 32 * 4);
}

Test(mptable, one_cpu)
{
	check_cpus(1);
}

Test(mptable, two_cpus)
{
	check_cpus(2);
}

Test(mptable, max_cpus)
{
	check_cpus(BOOT_MAX_CPUS);
}

Test(mptable, rejects_bad_cpu_counts)
{
	cr_assert_eq(mptable_write(&g.mem, 0), -1);
	cr_assert_eq(mptable_write(&g.mem, BOOT_MAX_CPUS + 1), -1);
}

Test(mptable, interrupt_wiring_matches_the_header)
{
	struct parsed p;

	cr_assert_eq(mptable_write(&g.mem, 2), 0);
	memcpy(g.ram + 0x40e, &(uint16_t){BOOT_EBDA_START >> 4}, 2);
	parse(&p);
	for (unsigned irq = 0; irq < 16; irq++)
		cr_assert_eq(p.isa_pin[irq], irq, "ISA IRQ %u", irq);
	for (unsigned d = 0; d < 32; d++)
		for (unsigned pin = 0; pin < 4; pin++) {
			cr_assert_eq(p.pci_pin[d][pin], pci_intx_gsi(d, pin));
			cr_assert_geq(p.pci_pin[d][pin], IRQ_PCI_INTX_BASE);
			cr_assert_lt(p.pci_pin[d][pin], IRQ_PCI_INTX_BASE + IRQ_PCI_INTX_NR);
		}
	cr_assert_eq(pci_intx_gsi(3, 1), 20);
	cr_assert_eq(pci_intx_gsi(7, 3), 18);
}

Test(mptable, boot_prepare_writes_it_for_the_configured_cpus)
{
	struct te_file f;
	struct parsed p;

	te_make(&f, true);
	g.cfg.nr_cpus = 4;
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	parse(&p);
	cr_assert_eq(p.cpus, 4);
}

Test(mptable, fails_without_low_memory)
{
	uint8_t *high = calloc(1, MiB(1));
	struct guest_mem m;

	guest_mem_init_flat(&m, MiB(1), high, MiB(1));
	cr_assert_eq(mptable_write(&m, 1), -1);
	free(high);
}
