#include "lib/alloc.h"
#include "lib/string.h"

static uint8_t arena[ALLOC_ARENA_SIZE] __attribute__((aligned(4096)));
static size_t used;

void *page_alloc(size_t bytes)
{
	size_t rounded;

	if (__builtin_add_overflow(bytes, 4095, &rounded))
		return NULL;
	rounded &= ~(size_t)4095;
	if (rounded > ALLOC_ARENA_SIZE - used)
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
