/* The DSDT's AML: \_S5 for poweroff, and the PCI host bridge with its
 * windows (_CRS) and INTx routing (_PRT), which Linux needs once ACPI is
 * on (it then neither scans bus 0 on its own nor reads the MP table). */
#include <string.h>

#include "kvm/boot/acpi.h"
#include "kvm/boot/acpi_aml.h"
#include "kvm/layout.h"
#include "kvm/boot/mptable.h"

/* Large resource descriptors (ACPI spec 6.4.3). */
#define RES_DWORD_ADDR	0x87
#define RES_WORD_ADDR	0x88
#define RES_QWORD_ADDR	0x8a
#define RES_END_TAG	0x79
#define RES_MEM32_FIXED 0x86
#define RES_IO		0x47 /* small: I/O port, 16-bit decode */
#define RES_IRQ_NOFLAGS 0x22 /* small: IRQ mask, edge, active high */
#define RES_TYPE_MEM	0
#define RES_TYPE_IO	1
#define RES_TYPE_BUS	2
#define RES_GEN_FIXED	0x0c /* producer, min and max fixed */
#define RES_MEM_RW	0x01 /* read-write, non-cacheable */
#define RES_IO_ENTIRE	0x03

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Word/DWord/QWord address space descriptor: granularity, min, max,
 * translation, length, each of `w` bytes. */
static void res_addr(struct aml *a, uint8_t tag, unsigned w, uint8_t type, uint8_t tflags,
		     uint64_t min, uint64_t max)
{
	uint8_t d[3 + 3 + 5 * 8];
	unsigned body = 3 + 5 * w;

	d[0] = tag;
	put_le(d + 1, body, 2);
	d[3] = type;
	d[4] = RES_GEN_FIXED;
	d[5] = tflags;
	put_le(d + 6, 0, w);
	put_le(d + 6 + w, min, w);
	put_le(d + 6 + 2 * w, max, w);
	put_le(d + 6 + 3 * w, 0, w);
	put_le(d + 6 + 4 * w, max - min + 1, w);
	aml_bytes(a, d, 3 + body);
}

static void name_crs(struct aml *a)
{
	size_t pkg, start;
	uint8_t end[2] = {RES_END_TAG, 0}; /* checksum 0: "treat as valid" */
	uint8_t *size_at;

	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_CRS");
	aml_byte(a, AML_BUFFER_OP);
	pkg = aml_open(a);
	/* BufferSize as a WordConst, patched once the template is complete. */
	aml_bytes(a, (uint8_t[]){0x0b, 0, 0}, 3);
	start = a->len;
	res_addr(a, RES_WORD_ADDR, 2, RES_TYPE_BUS, 0, 0, 0);
	res_addr(a, RES_WORD_ADDR, 2, RES_TYPE_IO, RES_IO_ENTIRE, 0, PORT_PCI_CONFIG - 1);
	res_addr(a, RES_WORD_ADDR, 2, RES_TYPE_IO, RES_IO_ENTIRE, PORT_PCI_CONFIG + 8, 0xffff);
	res_addr(a, RES_DWORD_ADDR, 4, RES_TYPE_MEM, RES_MEM_RW, PCI_MMIO32_BASE,
		 PCI_MMIO32_BASE + PCI_MMIO32_SIZE - 1);
	res_addr(a, RES_QWORD_ADDR, 8, RES_TYPE_MEM, RES_MEM_RW, PCI_MMIO64_BASE,
		 PCI_MMIO64_BASE + PCI_MMIO64_SIZE - 1);
	aml_bytes(a, end, 2);
	if (!a->overflow) {
		size_at = a->buf + start - 2;
		put_le(size_at, a->len - start, 2);
	}
	aml_close(a, pkg);
}

/* Package { Package { 0xDDDDFFFF, pin, Zero, GSI } ... }: "Zero" as the
 * source means the last field is a global system interrupt. */
static void name_prt(struct aml *a)
{
	size_t outer;

	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_PRT");
	aml_byte(a, AML_PACKAGE_OP);
	outer = aml_open(a);
	aml_byte(a, MPTABLE_PCI_DEVICES * 4);
	for (unsigned dev = 0; dev < MPTABLE_PCI_DEVICES; dev++) {
		for (unsigned pin = 0; pin < 4; pin++) {
			size_t inner;

			aml_byte(a, AML_PACKAGE_OP);
			inner = aml_open(a);
			aml_byte(a, 4);
			aml_integer(a, (uint64_t)dev << 16 | 0xffff);
			aml_integer(a, pin);
			aml_integer(a, 0);
			aml_integer(a, pci_intx_gsi(dev, pin));
			aml_close(a, inner);
		}
	}
	aml_close(a, outer);
}

/* A motherboard resource (PNP0C02) claiming the ECAM window: once ACPI is
 * on, Linux accepts the MCFG region only if such a device reserves it. */
static void device_ecam_reservation(struct aml *a)
{
	uint8_t d[12] = {RES_MEM32_FIXED, 9, 0, RES_MEM_RW};
	uint8_t end[2] = {RES_END_TAG, 0};
	size_t dev, buf;

	put_le(d + 4, PCI_ECAM_BASE, 4);
	put_le(d + 8, PCI_ECAM_SIZE, 4);
	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	dev = aml_open(a);
	aml_nameseg(a, "MRES");
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_HID");
	aml_eisaid(a, "PNP0C02");
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_UID");
	aml_integer(a, 1);
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_CRS");
	aml_byte(a, AML_BUFFER_OP);
	buf = aml_open(a);
	aml_integer(a, sizeof(d) + sizeof(end));
	aml_bytes(a, d, sizeof(d));
	aml_bytes(a, end, sizeof(end));
	aml_close(a, buf);
	aml_close(a, dev);
}

/* COM1 (PNP0501): on a HW-reduced ACPI machine Linux has no legacy PIC and
 * so no fixed ISA IRQ numbers; without this device the legacy ttyS0 asks
 * for "IRQ 4", which is wired nowhere, and user-space console output
 * stalls. The _CRS gives 8250_pnp the port and a real GSI. */
static void device_com1(struct aml *a)
{
	uint8_t crs[] = {
	    RES_IO,
	    1,
	    PORT_COM1 & 0xff,
	    PORT_COM1 >> 8,
	    PORT_COM1 & 0xff,
	    PORT_COM1 >> 8,
	    1,
	    8, /* alignment, length */
	    RES_IRQ_NOFLAGS,
	    (uint8_t)(1u << IRQ_COM1),
	    (uint8_t)((1u << IRQ_COM1) >> 8),
	    RES_END_TAG,
	    0,
	};
	size_t dev, buf;

	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	dev = aml_open(a);
	aml_nameseg(a, "COM1");
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_UID");
	aml_integer(a, 0);
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, "_CRS");
	aml_byte(a, AML_BUFFER_OP);
	buf = aml_open(a);
	aml_integer(a, sizeof(crs));
	aml_bytes(a, crs, sizeof(crs));
	aml_close(a, buf);
	aml_close(a, dev);
}

static void name_int(struct aml *a, const char *seg, uint64_t v)
{
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, seg);
	aml_integer(a, v);
}

size_t acpi_dsdt_aml(uint8_t *buf, size_t cap)
{
	struct aml a;
	size_t pkg, scope, dev;

	aml_init(&a, buf, cap);

	/* Name (_S5, Package (2) { 5, 5 }): SLP_TYP for poweroff. */
	aml_byte(&a, AML_NAME_OP);
	aml_nameseg(&a, "_S5_");
	aml_byte(&a, AML_PACKAGE_OP);
	pkg = aml_open(&a);
	aml_byte(&a, 2);
	aml_integer(&a, ACPI_SLP_TYP_S5);
	aml_integer(&a, ACPI_SLP_TYP_S5);
	aml_close(&a, pkg);

	aml_byte(&a, AML_SCOPE_OP);
	scope = aml_open(&a);
	aml_nameseg(&a, "_SB_");
	aml_byte(&a, AML_EXT_PREFIX);
	aml_byte(&a, AML_DEVICE_OP);
	dev = aml_open(&a);
	aml_nameseg(&a, "PCI0");
	aml_byte(&a, AML_NAME_OP);
	aml_nameseg(&a, "_HID");
	aml_eisaid(&a, "PNP0A08"); /* PCI Express root: ECAM through MCFG */
	aml_byte(&a, AML_NAME_OP);
	aml_nameseg(&a, "_CID");
	aml_eisaid(&a, "PNP0A03");
	name_int(&a, "_UID", 0);
	name_int(&a, "_SEG", 0);
	name_int(&a, "_BBN", 0);
	name_crs(&a);
	name_prt(&a);
	aml_close(&a, dev);
	device_ecam_reservation(&a);
	device_com1(&a);
	aml_close(&a, scope);

	return a.overflow ? 0 : a.len;
}
