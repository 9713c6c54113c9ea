#include "lib/acpi.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define SDT_HEADER    36
#define MADT_ENTRIES  44
#define MADT_LAPIC    0
#define LAPIC_ENABLED 1
#define MAPPED_LIMIT  0x100000000ULL

static const uint8_t *phys(uint64_t a)
{
	return (const uint8_t *)(uintptr_t)a;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum_bytes(const uint8_t *p, uint64_t len)
{
	uint8_t s = 0;

	for (uint64_t i = 0; i < len; i++)
		s += p[i];
	return s;
}

static uint64_t scan_rsdp(uint64_t start, uint64_t len)
{
	for (uint64_t a = start; a + 20 <= start + len; a += 16)
		if (!memcmp(phys(a), "RSD PTR ", 8) && sum_bytes(phys(a), 20) == 0)
			return a;
	return 0;
}

/* A table below 4 GiB whose header, length and checksum hold; 0 length if not. */
static uint32_t table_len(uint64_t a)
{
	if (a == 0 || a > MAPPED_LIMIT - SDT_HEADER)
		return 0;
	uint32_t len = le32(phys(a) + 4);
	if (len < SDT_HEADER || a + len > MAPPED_LIMIT || sum_bytes(phys(a), len) != 0)
		return 0;
	return len;
}

uint64_t acpi_find_rsdp(uint64_t hint)
{
	uint64_t a = 0;

	if (hint && hint < MAPPED_LIMIT - 36)
		return hint;
	uint64_t ebda = (uint64_t) * (const volatile uint16_t *)phys(0x40e) << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		a = scan_rsdp(ebda, 1024);
	if (!a)
		a = scan_rsdp(0xe0000, 0x20000);
	return a;
}

uint64_t acpi_find_table(uint64_t rsdp, const char *sig, uint32_t *table_length)
{
	const uint8_t *r = phys(rsdp);
	uint64_t root = r[15] >= 2 ? le64(r + 24) : le32(r + 16);
	unsigned width = r[15] >= 2 ? 8 : 4;
	uint32_t len = table_len(root);

	for (uint32_t off = SDT_HEADER; len && off + width <= len; off += width) {
		uint64_t t = width == 8 ? le64(phys(root) + off) : le32(phys(root) + off);
		uint32_t tlen = table_len(t);
		if (tlen && !memcmp(phys(t), sig, 4)) {
			*table_length = tlen;
			return t;
		}
	}
	return 0;
}

int acpi_read_madt(uint64_t rsdp_hint, struct madt_info *m, char *err, unsigned errlen)
{
	uint32_t len;

	memset(m, 0, sizeof(*m));
	m->rsdp_addr = acpi_find_rsdp(rsdp_hint);
	if (!m->rsdp_addr) {
		fmt_snprintf(err, errlen, "no ACPI RSDP");
		return -1;
	}
	m->madt_addr = acpi_find_table(m->rsdp_addr, "APIC", &len);
	if (!m->madt_addr) {
		fmt_snprintf(err, errlen, "no valid ACPI MADT");
		return -1;
	}
	const uint8_t *t = phys(m->madt_addr);
	for (uint32_t off = MADT_ENTRIES; off + 2 <= len;) {
		uint8_t type = t[off], elen = t[off + 1];
		if (elen < 2 || off + elen > len) {
			fmt_snprintf(err, errlen, "MADT entry at offset %u has a bad length", off);
			return -1;
		}
		if (type == MADT_LAPIC && elen >= 8 && (le32(t + off + 4) & LAPIC_ENABLED)) {
			if (m->nr_cpus == ACPI_MAX_CPUS) {
				fmt_snprintf(err, errlen, "more than %u CPUs in the MADT",
					     ACPI_MAX_CPUS);
				return -1;
			}
			m->apic_ids[m->nr_cpus++] = t[off + 3];
		}
		off += elen;
	}
	return 0;
}

uint64_t acpi_ecam_base(uint64_t rsdp_hint)
{
	uint64_t rsdp = acpi_find_rsdp(rsdp_hint);
	uint32_t len;
	uint64_t mcfg = rsdp ? acpi_find_table(rsdp, "MCFG", &len) : 0;

	/* Header, 8 reserved bytes, then 16-byte allocations: base u64,
	 * segment u16, start bus, end bus. Segment 0 from bus 0 only. */
	for (uint32_t off = SDT_HEADER + 8; mcfg && off + 16 <= len; off += 16) {
		const uint8_t *e = phys(mcfg) + off;
		if (e[8] == 0 && e[9] == 0 && e[10] == 0)
			return le64(e);
	}
	return 0;
}
