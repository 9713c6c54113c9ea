#include "gpu/backing.h"

#include "gpu/copy.h"

#include <stdlib.h>
#include <string.h>

uint64_t gpu_backing_cost(uint32_t nr)
{
	return (uint64_t)nr * (sizeof(struct gpu_mem_entry) + sizeof(uint64_t));
}

enum gpu_err gpu_backing_attach(struct gpu_backing *b, const struct guest_mem *mem,
				const struct gpu_cmd *cmd)
{
	return gpu_backing_attach_entries(b, mem, &cmd->u.attach);
}

enum gpu_err gpu_backing_attach_entries(struct gpu_backing *b, const struct guest_mem *mem,
					const struct gpu_entries *l)
{
	uint32_t nr = l->nr_entries;
	uint64_t total = 0;

	memset(b, 0, sizeof(*b));
	if (nr == 0 || nr > GPU_MAX_BACKING_ENTRIES)
		return GPU_E_BAD_ENTRIES;
	b->entries = calloc(nr, sizeof(*b->entries));
	b->starts = calloc(nr, sizeof(*b->starts));
	if (!b->entries || !b->starts) {
		gpu_backing_free(b);
		return GPU_E_NO_MEM;
	}
	for (uint32_t i = 0; i < nr; i++) {
		struct gpu_mem_entry e = gpu_entries_at(l, i);

		if (e.len == 0 || !guest_mem_ptr(mem, e.addr, e.len)) {
			gpu_backing_free(b);
			return GPU_E_BAD_BACKING;
		}
		b->entries[i] = e;
		b->starts[i] = total;
		/* At most 2^16 entries of < 2^32 bytes: cannot wrap 64 bits. */
		total += e.len;
	}
	b->nr = nr;
	b->total = total;
	b->mem = mem;
	return GPU_OK;
}

void gpu_backing_free(struct gpu_backing *b)
{
	free(b->entries);
	free(b->starts);
	memset(b, 0, sizeof(*b));
}

/* Index of the entry holding linear offset off (off < total). */
static uint32_t find_entry(const struct gpu_backing *b, uint64_t off)
{
	uint32_t lo = 0, hi = b->nr - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (b->starts[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

bool gpu_backing_read(const struct gpu_backing *b, uint64_t off, void *dst, uint64_t len,
		      bool stream)
{
	uint8_t *out = dst;
	uint64_t end;
	uint32_t i;

	if (__builtin_add_overflow(off, len, &end) || end > b->total)
		return false;
	if (len == 0)
		return true;
	i = find_entry(b, off);
	while (len) {
		const struct gpu_mem_entry *e = &b->entries[i];
		uint64_t in = off - b->starts[i];
		uint64_t n = e->len - in;
		const uint8_t *src;

		if (n > len)
			n = len;
		src = guest_mem_ptr(b->mem, e->addr + in, n);
		if (!src)
			return false;
		if (stream)
			gpu_copy_stream(out, src, n);
		else
			memcpy(out, src, n);
		out += n;
		off += n;
		len -= n;
		i++;
	}
	return true;
}

const uint8_t *gpu_backing_contig(const struct gpu_backing *b, uint64_t off, uint64_t len)
{
	const uint8_t *start = NULL, *next = NULL;
	uint64_t end;
	uint32_t i;

	if (__builtin_add_overflow(off, len, &end) || end > b->total || len == 0)
		return NULL;
	for (i = find_entry(b, off); len; i++) {
		const struct gpu_mem_entry *e = &b->entries[i];
		uint64_t in = off - b->starts[i], n = e->len - in;
		const uint8_t *p;

		if (n > len)
			n = len;
		p = guest_mem_ptr(b->mem, e->addr + in, n);
		if (!p || (next && p != next))
			return NULL;
		if (!start)
			start = p;
		next = p + n;
		off += n;
		len -= n;
	}
	return start;
}
