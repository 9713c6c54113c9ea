#include "kvm/guest_mem.h"

#include <string.h>

void guest_mem_init_flat(struct guest_mem *m, uint64_t gpa, void *host, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	guest_mem_add_region(m, gpa, host, size);
}

int guest_mem_add_region(struct guest_mem *m, uint64_t gpa, void *host, uint64_t size)
{
	uint64_t end;

	if (m->nr_regions >= GUEST_MEM_MAX_REGIONS || size == 0)
		return -1;
	if (__builtin_add_overflow(gpa, size, &end))
		return -1;
	m->regions[m->nr_regions].gpa = gpa;
	m->regions[m->nr_regions].size = size;
	m->regions[m->nr_regions].host = host;
	m->nr_regions++;
	return 0;
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < m->nr_regions; i++) {
		const struct guest_mem_region *r = &m->regions[i];
		uint64_t off;

		if (gpa < r->gpa)
			continue;
		off = gpa - r->gpa;
		if (off >= r->size)
			continue;
		/* off < size, so size - off cannot underflow. */
		if (len > r->size - off)
			return NULL;
		return r->host + off;
	}
	return NULL;
}

bool guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len)
{
	void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}

bool guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}

uint64_t guest_mem_total(const struct guest_mem *m)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < m->nr_regions; i++)
		t += m->regions[i].size;
	return t;
}
