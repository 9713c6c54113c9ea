#include "kvm/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bus_init(struct bus *b)
{
	memset(b, 0, sizeof(*b));
	return -pthread_rwlock_init(&b->lock, NULL);
}

void bus_destroy(struct bus *b)
{
	free(b->ranges);
	pthread_rwlock_destroy(&b->lock);
	memset(b, 0, sizeof(*b));
}

/* Index of the first range whose base is > addr. */
static unsigned upper_bound(const struct bus *b, uint64_t addr)
{
	unsigned lo = 0, hi = b->nr;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (b->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_io_fn fn, void *owner)
{
	uint64_t last;
	unsigned i;
	int ret = 0;

	if (len == 0 || __builtin_add_overflow(base, len - 1, &last))
		return -EINVAL;
	pthread_rwlock_wrlock(&b->lock);
	i = upper_bound(b, base);
	/* Overlap with the range before (it may extend past base) or after. */
	if (i > 0 && b->ranges[i - 1].base + (b->ranges[i - 1].len - 1) >= base) {
		ret = -EEXIST;
		goto out;
	}
	if (i < b->nr && b->ranges[i].base <= last) {
		ret = -EEXIST;
		goto out;
	}
	if (b->nr == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 16;
		struct bus_range *r = realloc(b->ranges, cap * sizeof(*r));

		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		b->ranges = r;
		b->cap = cap;
	}
	memmove(&b->ranges[i + 1], &b->ranges[i], (b->nr - i) * sizeof(*b->ranges));
	b->ranges[i] = (struct bus_range){.base = base, .len = len, .fn = fn, .owner = owner};
	b->nr++;
out:
	pthread_rwlock_unlock(&b->lock);
	return ret;
}

int bus_unregister(struct bus *b, uint64_t base, void *owner)
{
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&b->lock);
	for (unsigned i = 0; i < b->nr; i++) {
		if (b->ranges[i].base == base && b->ranges[i].owner == owner) {
			memmove(&b->ranges[i], &b->ranges[i + 1],
				(b->nr - i - 1) * sizeof(*b->ranges));
			b->nr--;
			ret = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&b->lock);
	return ret;
}

bool bus_dispatch(struct bus *b, uint64_t addr, void *data, uint32_t size, bool is_write)
{
	struct bus_range hit = {0};
	uint64_t off = 0;
	unsigned i;

	/* Copy the range and call it unlocked: a callback may move ranges on
	 * this same bus (an ECAM write that relocates a BAR). Owners live
	 * until the VM is torn down, so the copy stays valid. */
	pthread_rwlock_rdlock(&b->lock);
	i = upper_bound(b, addr);
	if (i > 0) {
		const struct bus_range *r = &b->ranges[i - 1];

		off = addr - r->base;
		/* The whole access must fit inside the range. */
		if (off < r->len && size <= r->len - off)
			hit = *r;
	}
	pthread_rwlock_unlock(&b->lock);
	if (!hit.fn)
		return false;
	hit.fn(hit.owner, off, data, size, is_write);
	return true;
}
