/* Guest physical memory: the one checked way to reach guest RAM.
 *
 * Every access from device code goes through guest_mem_ptr(), which returns a
 * host pointer only when the whole [gpa, gpa+len) range lies inside one RAM
 * region, using overflow-safe arithmetic. Tests build a guest_mem over a
 * plain malloc'ed buffer with guest_mem_init_flat().
 */
#ifndef LKVM_GUEST_MEM_H
#define LKVM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 4

struct guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

struct guest_mem {
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
	unsigned nr_regions;
};

/* Describe one flat region (tests, fuzzers). */
void guest_mem_init_flat(struct guest_mem *m, uint64_t gpa, void *host, uint64_t size);
int guest_mem_add_region(struct guest_mem *m, uint64_t gpa, void *host, uint64_t size);

/* Host pointer for [gpa, gpa+len), or NULL if any byte is outside guest RAM
 * or the range straddles two regions. len 0 is valid if gpa is inside RAM. */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Copy helpers: return false (and copy nothing) when the range is invalid. */
bool guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len);
bool guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);

/* Total bytes of RAM. */
uint64_t guest_mem_total(const struct guest_mem *m);

#endif
