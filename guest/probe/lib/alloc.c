#include "lib/alloc.h"
#include "lib/bootinfo.h"
#include "lib/string.h"

/* The arena is RAM right after the probe image, found in the e820 map, not
 * a .bss array: a loader that zero-fills .bss (QEMU's) would touch all of
 * it at boot, and it would count against the probe in memory comparisons. */
extern const char _image_end[];

static uint8_t *arena;
static size_t arena_size, used;

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void alloc_init(void)
{
	uint64_t start = align_up((uint64_t)(uintptr_t)_image_end, 1 << 20);
	const struct bootinfo *b = &bootinfo;

	/* Not over the initrd, which loaders put anywhere in RAM. */
	if (b->initrd_size && start < b->initrd_addr + b->initrd_size &&
	    b->initrd_addr < start + ALLOC_ARENA_SIZE)
		start = align_up(b->initrd_addr + b->initrd_size, 1 << 20);
	for (unsigned i = 0; i < b->nr_e820; i++) {
		const struct e820_entry *e = &b->e820[i];
		if (e->type != E820_RAM || start < e->addr || start >= e->addr + e->size)
			continue;
		uint64_t room = e->addr + e->size - start;
		arena = (uint8_t *)(uintptr_t)start;
		arena_size = room < ALLOC_ARENA_SIZE ? (size_t)room : ALLOC_ARENA_SIZE;
		return;
	}
}

size_t alloc_arena_size(void)
{
	return arena_size;
}

void *page_alloc(size_t bytes)
{
	size_t rounded;

	if (__builtin_add_overflow(bytes, 4095, &rounded))
		return NULL;
	rounded &= ~(size_t)4095;
	if (rounded > arena_size - used)
		return NULL;
	void *p = arena + used;
	used += rounded;
	memset(p, 0, rounded);
	return p;
}

size_t alloc_mark(void)
{
	return used;
}

void alloc_release(size_t mark)
{
	if (mark <= used)
		used = mark;
}
