/* ACPI tables: checksums, the pointers between tables, FADT sleep/reset
 * registers, MADT entries, MCFG, and the DSDT's AML (_S5, _PRT). */
#include "test_boot_util.h"
#include "kvm/boot/acpi.h"
#include "kvm/boot/acpi_aml.h"
#include "kvm/boot/mptable.h"

static struct test_guest g;
static uint64_t rsdp;

static void setup(void)
{
	tg_init(&g, MiB(64));
}

static void teardown(void)
{
	tg_fini(&g);
}

TestSuite(acpi, .init = setup, .fini = teardown);

static uint32_t rd32(uint64_t gpa)
{
	uint32_t v;

	cr_assert(guest_mem_read(&g.mem, gpa, &v, 4));
	return v;
}

static uint64_t rd64(uint64_t gpa)
{
	uint64_t v;

	cr_assert(guest_mem_read(&g.mem, gpa, &v, 8));
	return v;
}

/* A table at gpa: signature, sane length, checksum 0. Returns its length. */
static uint32_t check_table(uint64_t gpa, const char *sig)
{
	uint32_t len = rd32(gpa + 4);

	cr_assert_eq(memcmp(g.ram + gpa, sig, 4), 0, "signature %.4s, want %s", g.ram + gpa, sig);
	cr_assert_geq(len, 36);
	cr_assert_lt(gpa + len, g.size);
	cr_assert_eq(mptable_sum(g.ram + gpa, len), 0, "%s checksum", sig);
	return len;
}

/* Find a table through the XSDT and check that the RSDT agrees. */
static uint64_t find_table(const char *sig)
{
	uint64_t xsdt = rd64(rsdp + 24), rsdt = rd32(rsdp + 16);
	uint32_t xlen = check_table(xsdt, "XSDT"), rlen = check_table(rsdt, "RSDT");

	cr_assert_eq((xlen - 36) / 8, (rlen - 36) / 4, "XSDT and RSDT list the same tables");
	for (uint32_t i = 0; i < (xlen - 36) / 8; i++) {
		uint64_t t = rd64(xsdt + 36 + 8 * i);

		cr_assert_eq(t, rd32(rsdt + 36 + 4 * i));
		if (memcmp(g.ram + t, sig, 4) == 0)
			return t;
	}
	cr_assert_fail("table %s not in the XSDT", sig);
	return 0;
}

static void boot_probe(unsigned cpus)
{
	struct te_file f;

	te_make(&f, true);
	g.cfg.nr_cpus = cpus;
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	rsdp = tg_params(&g)->acpi_rsdp_addr;
}

Test(acpi, rsdp_is_where_a_bios_scan_finds_it)
{
	uint64_t found = 0;

	boot_probe(1);
	cr_assert_neq(rsdp, 0, "boot_params.acpi_rsdp_addr is set");
	for (uint64_t a = 0xe0000; a < 0x100000 && !found; a += 16)
		if (memcmp(g.ram + a, "RSD PTR ", 8) == 0)
			found = a;
	cr_assert_eq(found, rsdp);
	cr_assert_eq(mptable_sum(g.ram + rsdp, 20), 0, "ACPI 1.0 checksum");
	cr_assert_eq(mptable_sum(g.ram + rsdp, 36), 0, "extended checksum");
	cr_assert_eq(g.ram[rsdp + 15], 2, "revision 2: XSDT present");
	cr_assert_eq(rd32(rsdp + 20), 36);
}

Test(acpi, fadt_is_hw_reduced_with_sleep_and_reset_registers)
{
	uint64_t fadt;
	uint32_t flags;

	boot_probe(1);
	fadt = find_table("FACP");
	cr_assert_eq(check_table(fadt, "FACP"), 276);
	flags = rd32(fadt + 112);
	cr_assert(flags & (1u << 20), "HW_REDUCED_ACPI");
	cr_assert(flags & (1u << 10), "RESET_REG_SUP");
	/* SLEEP_CONTROL_REG / SLEEP_STATUS_REG: SystemIO, 8 bits, byte access. */
	cr_assert_eq(g.ram[fadt + 244], 1);
	cr_assert_eq(g.ram[fadt + 245], 8);
	cr_assert_eq(g.ram[fadt + 247], 1);
	cr_assert_eq(rd64(fadt + 248), PORT_ACPI_SLEEP_CTL);
	cr_assert_eq(g.ram[fadt + 256], 1);
	cr_assert_eq(rd64(fadt + 260), PORT_ACPI_SLEEP_STS);
	/* RESET_REG: i8042 command port, reset pulse. */
	cr_assert_eq(g.ram[fadt + 116], 1);
	cr_assert_eq(rd64(fadt + 120), PORT_I8042_CMD);
	cr_assert_eq(g.ram[fadt + 128], 0xfe);
	/* IAPC_BOOT_ARCH: no 8042 (only a reset line), no VGA, no CMOS RTC. */
	cr_assert_eq(g.ram[fadt + 109] & 0x02, 0);
	cr_assert_eq(g.ram[fadt + 109] & 0x24, 0x24);
	/* DSDT, both pointers. */
	cr_assert_eq(rd32(fadt + 40), rd64(fadt + 140));
	check_table(rd64(fadt + 140), "DSDT");
}

static void check_madt(unsigned cpus)
{
	uint64_t madt;
	uint32_t len, off;
	unsigned lapics = 0, ioapics = 0, nmis = 0;

	boot_probe(cpus);
	madt = find_table("APIC");
	len = check_table(madt, "APIC");
	cr_assert_eq(rd32(madt + 36), LAPIC_BASE);
	for (off = 44; off < len; off += g.ram[madt + off + 1]) {
		const uint8_t *e = g.ram + madt + off;

		cr_assert_geq(e[1], 2, "entry length");
		switch (e[0]) {
		case 0:
			cr_assert_eq(e[3], lapics, "APIC ids in order");
			cr_assert_eq(e[2], lapics, "processor uid");
			cr_assert(e[4] & 1, "enabled");
			lapics++;
			break;
		case 1:
			cr_assert_eq(e[2], cpus, "IOAPIC id after the CPUs");
			cr_assert_eq(rd32(madt + off + 4), IOAPIC_BASE);
			cr_assert_eq(rd32(madt + off + 8), 0, "GSI base");
			ioapics++;
			break;
		case 4:
			cr_assert_eq(e[5], 1, "NMI on LINT1");
			nmis++;
			break;
		default:
			cr_assert_fail("unexpected MADT entry type %u", e[0]);
		}
	}
	cr_assert_eq(off, len, "entries fill the table exactly");
	cr_assert_eq(lapics, cpus);
	cr_assert_eq(ioapics, 1);
	cr_assert_eq(nmis, 1);
}

Test(acpi, madt_one_cpu)
{
	check_madt(1);
}

Test(acpi, madt_two_cpus)
{
	check_madt(2);
}

Test(acpi, madt_max_cpus)
{
	check_madt(BOOT_MAX_CPUS);
}

Test(acpi, mcfg_describes_ecam_for_bus_0)
{
	uint64_t mcfg;

	boot_probe(1);
	mcfg = find_table("MCFG");
	cr_assert_eq(check_table(mcfg, "MCFG"), 60);
	cr_assert_eq(rd64(mcfg + 44), PCI_ECAM_BASE);
	cr_assert_eq(g.ram[mcfg + 44 + 8], 0, "segment 0");
	cr_assert_eq(g.ram[mcfg + 44 + 10], 0, "start bus");
	cr_assert_eq(g.ram[mcfg + 44 + 11], 0, "end bus");
}

/* Decode a PkgLength at p; returns the package length, *n its size. */
static uint32_t pkglen(const uint8_t *p, unsigned *n)
{
	unsigned follow = p[0] >> 6;
	uint32_t v;

	*n = follow + 1;
	if (follow == 0)
		return p[0] & 0x3f;
	v = p[0] & 0xf;
	for (unsigned i = 0; i < follow; i++)
		v |= (uint32_t)p[1 + i] << (4 + 8 * i);
	return v;
}

static const uint8_t *find_name(const uint8_t *aml, uint32_t len, const char *seg)
{
	for (uint32_t i = 1; i + 4 <= len; i++)
		if (aml[i - 1] == AML_NAME_OP && memcmp(aml + i, seg, 4) == 0)
			return aml + i + 4;
	return NULL;
}

/* Integer objects as our emitter writes them. */
static uint64_t aml_int(const uint8_t **p)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned n = 0;

	switch (q[0]) {
	case 0x00:
		*p = q + 1;
		return 0;
	case 0x01:
		*p = q + 1;
		return 1;
	case 0x0a:
		n = 1;
		break;
	case 0x0b:
		n = 2;
		break;
	case 0x0c:
		n = 4;
		break;
	default:
		cr_assert_fail("not an integer opcode 0x%02x", q[0]);
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)q[1 + i] << (8 * i);
	*p = q + 1 + n;
	return v;
}

Test(acpi, dsdt_has_s5_with_the_poweroff_sleep_type)
{
	uint64_t dsdt;
	uint32_t len;
	const uint8_t *p;
	unsigned n;

	boot_probe(1);
	dsdt = rd64(find_table("FACP") + 140);
	len = check_table(dsdt, "DSDT");
	p = find_name(g.ram + dsdt + 36, len - 36, "_S5_");
	cr_assert_not_null(p);
	cr_assert_eq(p[0], AML_PACKAGE_OP);
	pkglen(p + 1, &n);
	p += 1 + n;
	cr_assert_geq(p[0], 1, "at least SLP_TYPa");
	p++;
	cr_assert_eq(aml_int(&p), ACPI_SLP_TYP_S5);
}

Test(acpi, dsdt_prt_routes_pci_intx_like_the_mp_table)
{
	uint64_t dsdt;
	uint32_t len, plen;
	const uint8_t *p, *end;
	unsigned n, count;

	boot_probe(1);
	dsdt = rd64(find_table("FACP") + 140);
	len = check_table(dsdt, "DSDT");
	cr_assert_not_null(find_name(g.ram + dsdt + 36, len - 36, "_HID"));
	p = find_name(g.ram + dsdt + 36, len - 36, "_PRT");
	cr_assert_not_null(p);
	cr_assert_eq(p[0], AML_PACKAGE_OP);
	plen = pkglen(p + 1, &n);
	end = p + 1 + plen;
	cr_assert_leq(end, g.ram + dsdt + len);
	p += 1 + n;
	count = *p++;
	cr_assert_eq(count, 128);
	for (unsigned i = 0; i < count; i++) {
		uint64_t addr, pin, src, gsi;

		cr_assert_eq(p[0], AML_PACKAGE_OP, "entry %u", i);
		pkglen(p + 1, &n);
		p += 1 + n;
		cr_assert_eq(*p++, 4);
		addr = aml_int(&p);
		pin = aml_int(&p);
		src = aml_int(&p);
		gsi = aml_int(&p);
		cr_assert_eq(addr & 0xffff, 0xffff, "any function");
		cr_assert_eq(src, 0, "GSI form");
		cr_assert_eq(gsi, pci_intx_gsi((unsigned)(addr >> 16), (unsigned)pin));
		cr_assert_eq(addr >> 16, i / 4);
		cr_assert_eq(pin, i % 4);
	}
	cr_assert_eq(p, end, "package ends after its last entry");
}

Test(acpi, dsdt_aml_reports_a_too_small_buffer)
{
	uint8_t buf[64];

	cr_assert_eq(acpi_dsdt_aml(buf, sizeof(buf)), 0);
}

Test(acpi, pkglength_encodings)
{
	static uint8_t buf[0x20000];
	static const size_t bodies[] = {0, 62, 63, 4093, 4094, 0x10000};
	struct aml a;

	for (unsigned k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++) {
		size_t mark;
		unsigned n;
		uint32_t v;

		aml_init(&a, buf, sizeof(buf));
		mark = aml_open(&a);
		for (size_t i = 0; i < bodies[k]; i++)
			aml_byte(&a, 0x55);
		aml_close(&a, mark);
		cr_assert_not(a.overflow);
		v = pkglen(buf, &n);
		cr_assert_eq(v, bodies[k] + n, "body %zu: PkgLength counts itself", bodies[k]);
		cr_assert_eq(a.len, n + bodies[k]);
		cr_assert_eq(n, bodies[k] + 1 <= 63 ? 1 : bodies[k] + 2 < 4096 ? 2 : 3);
		if (bodies[k])
			cr_assert_eq(buf[a.len - 1], 0x55);
	}
}

Test(acpi, eisaid_encoding)
{
	uint8_t buf[8];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_eisaid(&a, "PNP0A03");
	cr_assert_eq(a.len, 5);
	cr_assert_eq(buf[0], 0x0c);
	cr_assert_eq(buf[1], 0x41);
	cr_assert_eq(buf[2], 0xd0);
	cr_assert_eq(buf[3], 0x0a);
	cr_assert_eq(buf[4], 0x03);
}

Test(acpi, write_fails_without_the_bios_area)
{
	uint8_t *ram = calloc(1, 0xe0000);
	struct guest_mem m;
	uint64_t r = 1;

	guest_mem_init_flat(&m, 0, ram, 0xe0000);
	cr_assert_eq(acpi_write(&m, 1, &r), -1);
	cr_assert_eq(r, 0);
	free(ram);
}

Test(acpi, dsdt_reserves_ecam_as_a_motherboard_resource)
{
	static const uint8_t pnp0c02[] = {0x0c, 0x41, 0xd0, 0x0c, 0x02};
	uint8_t fixed[12] = {0x86, 9, 0, 1};
	uint64_t dsdt;
	uint32_t len, base = (uint32_t)PCI_ECAM_BASE, size = (uint32_t)PCI_ECAM_SIZE;

	memcpy(fixed + 4, &base, 4);
	memcpy(fixed + 8, &size, 4);
	boot_probe(1);
	dsdt = rd64(find_table("FACP") + 140);
	len = check_table(dsdt, "DSDT");
	cr_assert_not_null(memmem(g.ram + dsdt, len, "MRES", 4));
	cr_assert_not_null(memmem(g.ram + dsdt, len, pnp0c02, sizeof(pnp0c02)), "PNP0C02 _HID");
	cr_assert_not_null(memmem(g.ram + dsdt, len, fixed, sizeof(fixed)),
			   "Memory32Fixed over the ECAM window");
}

Test(acpi, dsdt_describes_com1_with_its_port_and_irq)
{
	static const uint8_t pnp0501[] = {0x0c, 0x41, 0xd0, 0x05, 0x01};
	const uint8_t crs[] = {0x47, 1, 0xf8, 0x03, 0xf8, 0x03, 1, 8, 0x22, 1 << IRQ_COM1, 0};
	uint64_t dsdt;
	uint32_t len;

	boot_probe(1);
	dsdt = rd64(find_table("FACP") + 140);
	len = check_table(dsdt, "DSDT");
	cr_assert_not_null(memmem(g.ram + dsdt, len, "COM1", 4));
	cr_assert_not_null(memmem(g.ram + dsdt, len, pnp0501, sizeof(pnp0501)), "PNP0501 _HID");
	cr_assert_not_null(memmem(g.ram + dsdt, len, crs, sizeof(crs)), "IO 0x3f8/8 + IRQ 4");
}
