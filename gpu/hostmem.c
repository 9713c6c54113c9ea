#include "gpu/hostmem.h"

#include <errno.h>
#include <stdlib.h>

int gpu_hostmem_init(struct gpu_hostmem *h, const struct gpu_hostmem_ops *ops)
{
	*h = (struct gpu_hostmem){.ops = *ops};
	if (!ops->max_slots)
		return 0;
	h->maps = calloc(ops->max_slots, sizeof(*h->maps));
	return h->maps ? 0 : -ENOMEM;
}

void gpu_hostmem_fini(struct gpu_hostmem *h)
{
	gpu_hostmem_clear(h);
	free(h->maps);
	h->maps = NULL;
}

static int find(const struct gpu_hostmem *h, uint32_t res_id)
{
	for (uint32_t i = 0; i < h->n; i++)
		if (h->maps[i].res_id == res_id)
			return (int)i;
	return -1;
}

bool gpu_hostmem_mapped(const struct gpu_hostmem *h, uint32_t res_id)
{
	return find(h, res_id) >= 0;
}

enum gpu_err gpu_hostmem_map(struct gpu_hostmem *h, uint32_t res_id, uint64_t off, void *host,
			     uint64_t size)
{
	uint64_t end;
	int rc;

	if (find(h, res_id) >= 0)
		return GPU_E_BAD_MAP;
	if (size == 0 || off % GPU_HOSTMEM_ALIGN || size % GPU_HOSTMEM_ALIGN ||
	    (uintptr_t)host % GPU_HOSTMEM_ALIGN)
		return GPU_E_BAD_MAP;
	if (__builtin_add_overflow(off, size, &end) || end > h->ops.window_size)
		return GPU_E_BAD_MAP;
	/* Half-open ranges [off, end): touching is fine, sharing a byte not. */
	for (uint32_t i = 0; i < h->n; i++)
		if (off < h->maps[i].off + h->maps[i].size && h->maps[i].off < end)
			return GPU_E_BAD_MAP;
	if (h->n >= h->ops.max_slots)
		return GPU_E_NO_MEM;
	rc = h->ops.map(h->ops.opaque, off, host, size);
	if (rc)
		return GPU_E_NO_MEM;
	h->maps[h->n++] = (struct gpu_hostmem_map){res_id, off, size};
	return GPU_OK;
}

enum gpu_err gpu_hostmem_unmap(struct gpu_hostmem *h, uint32_t res_id)
{
	int i = find(h, res_id);

	if (i < 0)
		return GPU_E_BAD_MAP;
	h->ops.unmap(h->ops.opaque, h->maps[i].off, h->maps[i].size);
	h->maps[i] = h->maps[--h->n];
	return GPU_OK;
}

void gpu_hostmem_clear(struct gpu_hostmem *h)
{
	while (h->n) {
		h->n--;
		h->ops.unmap(h->ops.opaque, h->maps[h->n].off, h->maps[h->n].size);
	}
}
