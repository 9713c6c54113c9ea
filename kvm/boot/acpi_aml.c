/* AML encoding rules from the ACPI spec, chapter 20 (AML grammar). */
#include <string.h>

#include "kvm/boot/acpi_aml.h"

#define AML_ZERO_OP   0x00
#define AML_ONE_OP    0x01
#define AML_ONES_OP   0xff
#define AML_BYTE_PFX  0x0a
#define AML_WORD_PFX  0x0b
#define AML_DWORD_PFX 0x0c
#define AML_QWORD_PFX 0x0e

#define PKGLEN_RESERVE 4 /* the longest PkgLength encoding */

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	a->buf = buf;
	a->len = 0;
	a->cap = cap;
	a->overflow = false;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->overflow || n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

void aml_nameseg(struct aml *a, const char seg[4])
{
	aml_bytes(a, seg, 4);
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t le[8];

	for (unsigned i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PFX);
		aml_bytes(a, le, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PFX);
		aml_bytes(a, le, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PFX);
		aml_bytes(a, le, 4);
	} else {
		aml_byte(a, AML_QWORD_PFX);
		aml_bytes(a, le, 8);
	}
}

/* "PNP0A03" -> three 5-bit letters and four hex digits, big-endian. */
void aml_eisaid(struct aml *a, const char id[7])
{
	uint8_t b[4];
	unsigned hex[4];

	for (unsigned i = 0; i < 4; i++) {
		char c = id[3 + i];

		hex[i] = (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10) & 0xf;
	}
	b[0] = (uint8_t)(((id[0] - 0x40) & 0x1f) << 2 | ((id[1] - 0x40) & 0x1f) >> 3);
	b[1] = (uint8_t)(((id[1] - 0x40) & 0x7) << 5 | ((id[2] - 0x40) & 0x1f));
	b[2] = (uint8_t)(hex[0] << 4 | hex[1]);
	b[3] = (uint8_t)(hex[2] << 4 | hex[3]);
	aml_byte(a, AML_DWORD_PFX);
	aml_bytes(a, b, 4);
}

size_t aml_open(struct aml *a)
{
	size_t mark = a->len;
	static const uint8_t zero[PKGLEN_RESERVE];

	aml_bytes(a, zero, PKGLEN_RESERVE);
	return mark;
}

/* PkgLength counts itself: 1 byte up to 63, else a lead byte with the
 * count of following bytes in bits 6-7 and the low nibble in bits 0-3. */
void aml_close(struct aml *a, size_t mark)
{
	size_t body, total;
	unsigned n;

	if (a->overflow)
		return;
	body = a->len - mark - PKGLEN_RESERVE;
	if (body + 1 <= 0x3f)
		n = 1;
	else if (body + 2 < (1u << 12))
		n = 2;
	else if (body + 3 < (1u << 20))
		n = 3;
	else if (body + 4 < (1u << 28))
		n = 4;
	else {
		a->overflow = true;
		return;
	}
	total = body + n;
	memmove(a->buf + mark + n, a->buf + mark + PKGLEN_RESERVE, body);
	a->len = mark + n + body;
	if (n == 1) {
		a->buf[mark] = (uint8_t)total;
		return;
	}
	a->buf[mark] = (uint8_t)((n - 1) << 6 | (total & 0xf));
	for (unsigned i = 1; i < n; i++)
		a->buf[mark + i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
}
