/* ACPI table writer: each table is built in one host buffer, checksummed,
 * and the whole set copied into guest memory at once. */
#include <string.h>

#include "kvm/boot/acpi.h"
#include "kvm/boot/boot.h"
#include "kvm/layout.h"
#include "kvm/boot/mptable.h"

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum; /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum; /* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

/* Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));

/* FADT (ACPI 6.x, 276 bytes); the PM1/GPE blocks stay zero, as a
 * hardware-reduced platform has none. */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t legacy_pm[109 - 44]; /* INT_MODEL .. CENTURY: all zero */
	uint16_t iapc_boot_arch;
	uint8_t reserved;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_revision;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm_blocks[8];
	struct acpi_gas sleep_control;
	struct acpi_gas sleep_status;
	uint64_t hypervisor_id;
} __attribute__((packed));

struct madt_lapic {
	uint8_t type, length, processor_uid, apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

struct madt_lapic_nmi {
	uint8_t type, length, processor_uid;
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

struct mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t start_bus, end_bus;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, sleep_control) == 244, "FADT SLEEP_CONTROL_REG");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT");
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT IOAPIC");
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "MADT LAPIC NMI");
_Static_assert(sizeof(struct mcfg_alloc) == 16, "MCFG allocation");

#define GAS_SYSTEM_IO	   1
#define GAS_ACCESS_8	   1
#define FADT_PWR_BUTTON	   (1u << 4) /* no fixed power button */
#define FADT_SLP_BUTTON	   (1u << 5)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED	   (1u << 20)
#define IAPC_NO_VGA	   (1u << 2)
#define IAPC_NO_ASPM	   (1u << 4)
#define IAPC_NO_CMOS_RTC   (1u << 5)
#define I8042_RESET_CMD	   0xfe
#define MADT_PCAT_COMPAT   1
#define MADT_LAPIC	   0
#define MADT_IOAPIC	   1
#define MADT_LAPIC_NMI	   4
#define MADT_ENABLED	   1

/* Offsets inside the BOOT_ACPI_ADDR area; each table 16-byte aligned. */
#define OFF_RSDP 0x0
#define OFF_RSDT 0x40
#define OFF_XSDT 0x80
#define OFF_FADT 0x100
#define OFF_MCFG 0x240
#define OFF_MADT 0x280
#define OFF_DSDT 0x1000
#define MADT_MAX                                                                                   \
	(sizeof(struct acpi_header) + 8 + BOOT_MAX_CPUS * sizeof(struct madt_lapic) +              \
	 sizeof(struct madt_ioapic) + sizeof(struct madt_lapic_nmi))
_Static_assert(OFF_MADT + MADT_MAX <= OFF_DSDT, "MADT fits before the DSDT");

#define NR_TABLES 3 /* FADT, MADT, MCFG (the DSDT hangs off the FADT) */

static uint8_t sum8(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static void header(uint8_t *area, size_t off, const char *sig, uint32_t len, uint8_t rev)
{
	struct acpi_header h = {
	    .length = len,
	    .revision = rev,
	    .oem_revision = 1,
	    .creator_revision = 1,
	};

	memcpy(h.signature, sig, 4);
	memcpy(h.oem_id, "LKVMGP", 6);
	memcpy(h.oem_table_id, "LKVMGPU ", 8);
	memcpy(h.creator_id, "LKVM", 4);
	memcpy(area + off, &h, sizeof(h));
	area[off + offsetof(struct acpi_header, checksum)] = (uint8_t)-sum8(area + off, len);
}

static uint32_t build_fadt(uint8_t *area, uint32_t dsdt)
{
	struct acpi_fadt f;
	const struct acpi_gas sleep = {GAS_SYSTEM_IO, 8, 0, GAS_ACCESS_8, 0};

	memset(&f, 0, sizeof(f));
	f.dsdt = dsdt;
	f.x_dsdt = dsdt;
	f.flags = FADT_HW_REDUCED | FADT_RESET_REG_SUP | FADT_PWR_BUTTON | FADT_SLP_BUTTON;
	/* No 8042 flag: ours is only a reset line, and Linux would spend
	 * seconds of emulated time timing out on a keyboard controller. The
	 * reset register still pulses it. */
	f.iapc_boot_arch = IAPC_NO_VGA | IAPC_NO_ASPM | IAPC_NO_CMOS_RTC;
	f.reset_reg = sleep;
	f.reset_reg.address = PORT_I8042_CMD;
	f.reset_value = I8042_RESET_CMD;
	f.sleep_control = sleep;
	f.sleep_control.address = PORT_ACPI_SLEEP_CTL;
	f.sleep_status = sleep;
	f.sleep_status.address = PORT_ACPI_SLEEP_STS;
	memcpy(&f.hypervisor_id, "LKVMGPU", 8);
	memcpy(area + OFF_FADT, &f, sizeof(f));
	header(area, OFF_FADT, "FACP", sizeof(f), 6);
	return sizeof(f);
}

static uint32_t build_madt(uint8_t *area, unsigned nr_cpus)
{
	uint8_t *p = area + OFF_MADT + sizeof(struct acpi_header);
	uint32_t lapic_addr = (uint32_t)LAPIC_BASE, flags = MADT_PCAT_COMPAT;

	memcpy(p, &lapic_addr, 4);
	memcpy(p + 4, &flags, 4);
	p += 8;
	for (unsigned i = 0; i < nr_cpus; i++) {
		struct madt_lapic l = {MADT_LAPIC, sizeof(l), (uint8_t)i, (uint8_t)i, MADT_ENABLED};

		memcpy(p, &l, sizeof(l));
		p += sizeof(l);
	}
	struct madt_ioapic io = {MADT_IOAPIC,		sizeof(io), (uint8_t)nr_cpus, 0,
				 (uint32_t)IOAPIC_BASE, 0};
	memcpy(p, &io, sizeof(io));
	p += sizeof(io);
	/* All processors (uid 0xff): LINT1 is NMI, polarity/trigger "bus default". */
	struct madt_lapic_nmi nmi = {MADT_LAPIC_NMI, sizeof(nmi), 0xff, 0, 1};
	memcpy(p, &nmi, sizeof(nmi));
	p += sizeof(nmi);

	uint32_t len = (uint32_t)(p - (area + OFF_MADT));
	header(area, OFF_MADT, "APIC", len, 5);
	return len;
}

static uint32_t build_mcfg(uint8_t *area)
{
	struct mcfg_alloc m = {PCI_ECAM_BASE, 0, 0, (uint8_t)(PCI_ECAM_SIZE / (1 << 20) - 1), 0};
	uint32_t len = sizeof(struct acpi_header) + 8 + sizeof(m);

	memset(area + OFF_MCFG + sizeof(struct acpi_header), 0, 8);
	memcpy(area + OFF_MCFG + sizeof(struct acpi_header) + 8, &m, sizeof(m));
	header(area, OFF_MCFG, "MCFG", len, 1);
	return len;
}

static void build_sdts(uint8_t *area)
{
	const uint64_t base = BOOT_ACPI_ADDR;
	const uint64_t tables[NR_TABLES] = {base + OFF_FADT, base + OFF_MADT, base + OFF_MCFG};
	uint8_t *rsdt = area + OFF_RSDT + sizeof(struct acpi_header);
	uint8_t *xsdt = area + OFF_XSDT + sizeof(struct acpi_header);

	for (unsigned i = 0; i < NR_TABLES; i++) {
		uint32_t t32 = (uint32_t)tables[i];

		memcpy(rsdt + 4 * i, &t32, 4);
		memcpy(xsdt + 8 * i, &tables[i], 8);
	}
	header(area, OFF_RSDT, "RSDT", sizeof(struct acpi_header) + 4 * NR_TABLES, 1);
	header(area, OFF_XSDT, "XSDT", sizeof(struct acpi_header) + 8 * NR_TABLES, 1);

	struct acpi_rsdp r = {
	    .revision = 2,
	    .rsdt = (uint32_t)(base + OFF_RSDT),
	    .length = sizeof(r),
	    .xsdt = base + OFF_XSDT,
	};
	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, "LKVMGP", 6);
	r.checksum = (uint8_t)-sum8(&r, 20);
	r.ext_checksum = (uint8_t)-sum8(&r, sizeof(r));
	memcpy(area + OFF_RSDP, &r, sizeof(r));
}

int acpi_write(const struct guest_mem *mem, unsigned nr_cpus, uint64_t *rsdp)
{
	static const size_t cap = BOOT_ACPI_SIZE;
	uint8_t *area;
	size_t aml_len;
	uint32_t used;

	*rsdp = 0;
	if (nr_cpus == 0 || nr_cpus > BOOT_MAX_CPUS)
		return -1;
	/* Writing straight into guest RAM keeps 64 KiB off the stack. */
	area = guest_mem_ptr(mem, BOOT_ACPI_ADDR, cap);
	if (!area)
		return -1;
	memset(area, 0, cap);
	aml_len = acpi_dsdt_aml(area + OFF_DSDT + sizeof(struct acpi_header),
				cap - OFF_DSDT - sizeof(struct acpi_header));
	if (aml_len == 0)
		return -1;
	used = (uint32_t)(sizeof(struct acpi_header) + aml_len);
	header(area, OFF_DSDT, "DSDT", used, 2);
	build_fadt(area, (uint32_t)(BOOT_ACPI_ADDR + OFF_DSDT));
	build_madt(area, nr_cpus);
	build_mcfg(area);
	build_sdts(area);
	*rsdp = BOOT_ACPI_ADDR + OFF_RSDP;
	return 0;
}
