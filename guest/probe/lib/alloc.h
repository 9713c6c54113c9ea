/* Page-aligned, zeroed memory for device rings and buffers: a bump allocator
 * over up to ALLOC_ARENA_SIZE of RAM after the probe image (guest physical =
 * virtual, so a pointer is also the address a device sees). Nothing is ever
 * freed; alloc_mark/alloc_release let a test give back what it took. */
#ifndef PROBE_LIB_ALLOC_H
#define PROBE_LIB_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#define ALLOC_ARENA_SIZE (24u << 20)

/* Find the arena in the e820 map (after bootinfo_parse). */
void alloc_init(void);
size_t alloc_arena_size(void);

/* NULL when the arena is exhausted (or alloc_init found no RAM). */
void *page_alloc(size_t bytes);

size_t alloc_mark(void);
void alloc_release(size_t mark);

static inline uint64_t phys_addr(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

#endif
