#include "lib/mptable.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define MP_FPS_SIZE	   16
#define MP_ENTRY_PROCESSOR 0
#define MP_ENTRY_BUS	   1
#define MP_ENTRY_IOAPIC	   2
#define MP_ENTRY_IOINT	   3
#define MP_ENTRY_LINT	   4
#define MP_CPU_ENABLED	   1
#define MP_CPU_BSP	   2

static uint8_t sum_bytes(const uint8_t *p, uint64_t len)
{
	uint8_t s = 0;

	for (uint64_t i = 0; i < len; i++)
		s += p[i];
	return s;
}

static uint64_t scan(uint64_t start, uint64_t len)
{
	for (uint64_t a = start; a + MP_FPS_SIZE <= start + len; a += 16) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)a;
		if (!memcmp(p, "_MP_", 4) && p[8] == 1 && sum_bytes(p, MP_FPS_SIZE) == 0)
			return a;
	}
	return 0;
}

static uint64_t find_fps(void)
{
	uint64_t ebda = (uint64_t) * (const volatile uint16_t *)0x40e << 4;
	uint64_t a = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		a = scan(ebda, 1024);
	if (!a)
		a = scan(0x9fc00, 1024);
	if (!a)
		a = scan(0xf0000, 0x10000);
	return a;
}

int mptable_read(struct mp_info *mp, char *err, unsigned errlen)
{
	memset(mp, 0, sizeof(*mp));
	mp->pci_bus_id = 0xff;
	mp->fps_addr = find_fps();
	if (!mp->fps_addr) {
		fmt_snprintf(err, errlen, "no MP floating pointer (_MP_) found");
		return -1;
	}
	const uint8_t *fps = (const uint8_t *)(uintptr_t)mp->fps_addr;
	uint32_t cfg = (uint32_t)fps[4] | (uint32_t)fps[5] << 8 | (uint32_t)fps[6] << 16 |
		       (uint32_t)fps[7] << 24;
	if (fps[11] != 0) {
		fmt_snprintf(err, errlen, "MP default configuration %u not supported", fps[11]);
		return -1;
	}
	if (cfg < 0x1000 || cfg > 0xfff00) {
		fmt_snprintf(err, errlen, "MP configuration table at 0x%x is out of range", cfg);
		return -1;
	}
	mp->config_addr = cfg;
	const uint8_t *t = (const uint8_t *)(uintptr_t)cfg;
	uint16_t len = (uint16_t)(t[4] | t[5] << 8);
	uint16_t count = (uint16_t)(t[34] | t[35] << 8);
	if (memcmp(t, "PCMP", 4) || len < 44 || cfg + len > 0x100000) {
		fmt_snprintf(err, errlen, "bad MP configuration table header at 0x%x", cfg);
		return -1;
	}
	if (sum_bytes(t, len) != 0) {
		fmt_snprintf(err, errlen, "MP configuration table checksum is wrong");
		return -1;
	}
	uint32_t off = 44;
	for (unsigned i = 0; i < count; i++) {
		if (off >= len) {
			fmt_snprintf(err, errlen, "MP entry %u lies past the table length %u", i,
				     len);
			return -1;
		}
		uint8_t type = t[off];
		uint32_t size = type == MP_ENTRY_PROCESSOR ? 20 : 8;
		if (type > MP_ENTRY_LINT || off + size > len) {
			fmt_snprintf(err, errlen, "MP entry %u: bad type %u or size", i, type);
			return -1;
		}
		const uint8_t *e = t + off;
		if (type == MP_ENTRY_PROCESSOR && (e[3] & MP_CPU_ENABLED)) {
			if (mp->nr_cpus == MP_MAX_CPUS) {
				fmt_snprintf(err, errlen, "more than %u processors", MP_MAX_CPUS);
				return -1;
			}
			mp->cpus[mp->nr_cpus++] = (struct mp_cpu){e[1], (e[3] & MP_CPU_BSP) != 0};
		} else if (type == MP_ENTRY_BUS) {
			if (!memcmp(e + 2, "PCI   ", 6))
				mp->pci_bus_id = e[1];
		} else if (type == MP_ENTRY_IOINT) {
			if (mp->nr_irqs < MP_MAX_IRQS)
				mp->irqs[mp->nr_irqs++] = (struct mp_irq){
				    .type = e[1],
				    .flags = (uint16_t)(e[2] | e[3] << 8),
				    .src_bus = e[4],
				    .src_irq = e[5],
				    .dst_ioapic = e[6],
				    .dst_pin = e[7],
				};
		} else if (type == MP_ENTRY_IOAPIC) {
			mp->nr_ioapics++;
			mp->ioapic_addr = (uint32_t)e[4] | (uint32_t)e[5] << 8 |
					  (uint32_t)e[6] << 16 | (uint32_t)e[7] << 24;
		}
		off += size;
	}
	return 0;
}

const struct mp_irq *mptable_pci_irq(const struct mp_info *mp, unsigned dev, unsigned pin)
{
	for (unsigned i = 0; i < mp->nr_irqs; i++) {
		const struct mp_irq *q = &mp->irqs[i];
		if (q->type == 0 && q->src_bus == mp->pci_bus_id &&
		    q->src_irq == ((dev << 2) | (pin - 1)))
			return q;
	}
	return NULL;
}
