/* MP table writer (Intel MP spec 1.4, chapter 4). Built in a host buffer,
 * checksummed, then copied into guest memory in one write. */
#include <string.h>

#include "kvm/boot/boot.h"
#include "kvm/boot/mptable.h"

struct mpf_intel {
	char signature[4]; /* "_MP_" */
	uint32_t physptr;
	uint8_t length; /* in 16-byte units */
	uint8_t specrev;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mpc_table {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature; /* signature */
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

/* I/O (type 3) and local (type 4) interrupt assignments share a layout. */
struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mpc_table) == 44, "MP config header");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry");
_Static_assert(sizeof(struct mpc_bus) == 8, "MP bus entry");
_Static_assert(sizeof(struct mpc_ioapic) == 8, "MP IOAPIC entry");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "MP interrupt entry");

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define CPU_ENABLED 0x1
#define CPU_BSP	    0x2
#define IRQ_POL_HI  0x1
#define IRQ_POL_LO  0x3
#define IRQ_TRIG_ED 0x4
#define IRQ_TRIG_LV 0xc
#define BUS_ISA	    0
#define BUS_PCI	    1
#define ISA_IRQS    16
#define ALL_LAPICS  0xff

/* A family 6 CPU with FPU and APIC; Linux only reads it for the log. */
#define CPU_SIGNATURE 0x600
#define CPU_FEATURES  0x201

#define MPC_MAX_LEN                                                                                \
	(sizeof(struct mpc_table) + BOOT_MAX_CPUS * sizeof(struct mpc_cpu) +                       \
	 2 * sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +                                  \
	 (ISA_IRQS + MPTABLE_PCI_DEVICES * 4 + 2) * sizeof(struct mpc_intsrc))
_Static_assert(MPC_MAX_LEN <= BOOT_RESET_VECTOR - BOOT_MPCONFIG_ADDR,
	       "MP table fits below the reset vector");

uint8_t mptable_sum(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	for (uint64_t i = 0; i < len; i++)
		s += b[i];
	return s;
}

static uint8_t *put(uint8_t *p, const void *entry, size_t len, uint16_t *count)
{
	memcpy(p, entry, len);
	(*count)++;
	return p + len;
}

static uint8_t *put_irq(uint8_t *p, uint16_t *count, uint8_t type, uint8_t irqtype, uint16_t flags,
			uint8_t bus, uint8_t busirq, uint8_t dst, uint8_t pin)
{
	struct mpc_intsrc e = {type, irqtype, flags, bus, busirq, dst, pin};

	return put(p, &e, sizeof(e), count);
}

int mptable_write(const struct guest_mem *mem, unsigned nr_cpus)
{
	static const char oem[8] = {'L', 'K', 'V', 'M', 'G', 'P', 'U', ' '};
	static const char product[12] = {'V', 'I', 'R', 'T', 'U', 'A',
					 'L', ' ', ' ', ' ', ' ', ' '};
	uint8_t buf[MPC_MAX_LEN];
	struct mpc_table *mpc = (struct mpc_table *)buf;
	struct mpf_intel mpf = {0};
	uint8_t ioapic_id = (uint8_t)nr_cpus;
	uint16_t count = 0;
	uint8_t *p;

	if (nr_cpus == 0 || nr_cpus > BOOT_MAX_CPUS)
		return -1;
	memset(buf, 0, sizeof(buf));
	p = buf + sizeof(*mpc);

	for (unsigned i = 0; i < nr_cpus; i++) {
		struct mpc_cpu cpu = {
		    .type = MP_PROCESSOR,
		    .apicid = (uint8_t)i,
		    .apicver = MPTABLE_LAPIC_VERSION,
		    .cpuflag = CPU_ENABLED | (i == 0 ? CPU_BSP : 0),
		    .cpufeature = CPU_SIGNATURE,
		    .featureflag = CPU_FEATURES,
		};
		p = put(p, &cpu, sizeof(cpu), &count);
	}
	struct mpc_bus isa = {MP_BUS, BUS_ISA, {'I', 'S', 'A', ' ', ' ', ' '}};
	struct mpc_bus pci = {MP_BUS, BUS_PCI, {'P', 'C', 'I', ' ', ' ', ' '}};
	p = put(p, &isa, sizeof(isa), &count);
	p = put(p, &pci, sizeof(pci), &count);
	struct mpc_ioapic ioapic = {MP_IOAPIC, ioapic_id, MPTABLE_IOAPIC_VERSION, 1,
				    (uint32_t)IOAPIC_BASE};
	p = put(p, &ioapic, sizeof(ioapic), &count);

	for (unsigned irq = 0; irq < ISA_IRQS; irq++)
		p = put_irq(p, &count, MP_INTSRC, MP_INT, IRQ_POL_HI | IRQ_TRIG_ED, BUS_ISA,
			    (uint8_t)irq, ioapic_id, (uint8_t)irq);
	/* PCI source IRQ: bits 0-1 INTx pin, bits 2-6 device number. */
	for (unsigned dev = 0; dev < MPTABLE_PCI_DEVICES; dev++)
		for (unsigned pin = 0; pin < 4; pin++)
			p = put_irq(p, &count, MP_INTSRC, MP_INT, IRQ_POL_LO | IRQ_TRIG_LV, BUS_PCI,
				    (uint8_t)(dev << 2 | pin), ioapic_id,
				    (uint8_t)pci_intx_gsi(dev, pin));
	p = put_irq(p, &count, MP_LINTSRC, MP_EXTINT, 0, BUS_ISA, 0, ALL_LAPICS, 0);
	p = put_irq(p, &count, MP_LINTSRC, MP_NMI, 0, BUS_ISA, 0, ALL_LAPICS, 1);

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - buf);
	mpc->spec = 4;
	memcpy(mpc->oem, oem, sizeof(oem));
	memcpy(mpc->product, product, sizeof(product));
	mpc->count = count;
	mpc->lapic = (uint32_t)LAPIC_BASE;
	mpc->checksum = (uint8_t)-mptable_sum(buf, mpc->length);

	memcpy(mpf.signature, "_MP_", 4);
	mpf.physptr = (uint32_t)BOOT_MPCONFIG_ADDR;
	mpf.length = 1;
	mpf.specrev = 4;
	mpf.checksum = (uint8_t)-mptable_sum(&mpf, sizeof(mpf));

	if (!guest_mem_write(mem, BOOT_MPCONFIG_ADDR, buf, mpc->length) ||
	    !guest_mem_write(mem, BOOT_MPTABLE_ADDR, &mpf, sizeof(mpf)))
		return -1;
	return 0;
}
