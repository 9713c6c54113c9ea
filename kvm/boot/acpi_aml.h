/* A tiny AML (ACPI Machine Language) byte emitter: just the opcodes our
 * DSDT needs. Lengths are patched in when a package/scope is closed. */
#ifndef LKVM_ACPI_AML_H
#define LKVM_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t len, cap;
	bool overflow; /* set once anything did not fit; len stops growing */
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_nameseg(struct aml *a, const char seg[4]);
void aml_integer(struct aml *a, uint64_t v); /* smallest encoding */
void aml_eisaid(struct aml *a, const char id[7]);

/* Open a PkgLength-prefixed body (after its opcode); returns the mark for
 * aml_close(). */
size_t aml_open(struct aml *a);
void aml_close(struct aml *a, size_t mark);

#define AML_NAME_OP    0x08
#define AML_SCOPE_OP   0x10
#define AML_BUFFER_OP  0x11
#define AML_PACKAGE_OP 0x12
#define AML_EXT_PREFIX 0x5b
#define AML_DEVICE_OP  0x82 /* after AML_EXT_PREFIX */

#endif
