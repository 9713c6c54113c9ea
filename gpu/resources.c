#include "gpu/resources.h"

#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 64u

static uint32_t hash_id(uint32_t id, uint32_t nbuckets)
{
	/* Multiplicative hash: guests allocate ids sequentially, which this
	 * spreads over the buckets. */
	return (uint32_t)((id * 2654435761u) >> 7) & (nbuckets - 1);
}

int gpu_res_table_init(struct gpu_res_table *t, uint32_t max_count, uint64_t mem_limit)
{
	memset(t, 0, sizeof(*t));
	t->buckets = calloc(MIN_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets)
		return -1;
	t->nbuckets = MIN_BUCKETS;
	t->max_count = max_count;
	t->mem_limit = mem_limit;
	return 0;
}

void gpu_res_table_clear(struct gpu_res_table *t,
			 void (*free_fn)(void *opaque, struct gpu_resource *r), void *opaque)
{
	for (uint32_t b = 0; t->buckets && b < t->nbuckets; b++) {
		struct gpu_resource *r = t->buckets[b];

		t->buckets[b] = NULL;
		while (r) {
			struct gpu_resource *next = r->next;

			t->count--;
			if (free_fn)
				free_fn(opaque, r);
			r = next;
		}
	}
}

void gpu_res_table_destroy(struct gpu_res_table *t,
			   void (*free_fn)(void *opaque, struct gpu_resource *r), void *opaque)
{
	gpu_res_table_clear(t, free_fn, opaque);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

void gpu_res_table_each(const struct gpu_res_table *t,
			void (*fn)(void *opaque, struct gpu_resource *r), void *opaque)
{
	for (uint32_t b = 0; t->buckets && b < t->nbuckets; b++)
		for (struct gpu_resource *r = t->buckets[b]; r; r = r->next)
			fn(opaque, r);
}

struct gpu_resource *gpu_res_find(const struct gpu_res_table *t, uint32_t id)
{
	struct gpu_resource *r = t->buckets[hash_id(id, t->nbuckets)];

	while (r && r->id != id)
		r = r->next;
	return r;
}

enum gpu_err gpu_res_can_insert(const struct gpu_res_table *t, uint32_t id)
{
	if (id == 0)
		return GPU_E_RES_ID_ZERO;
	if (gpu_res_find(t, id))
		return GPU_E_RES_EXISTS;
	if (t->count >= t->max_count)
		return GPU_E_TOO_MANY;
	return GPU_OK;
}

/* Keep chains short: double the buckets when the table is full. */
static void grow(struct gpu_res_table *t)
{
	uint32_t n = t->nbuckets * 2;
	struct gpu_resource **nb;

	if (t->count < t->nbuckets || n > (1u << 24))
		return;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	for (uint32_t b = 0; b < t->nbuckets; b++) {
		struct gpu_resource *r = t->buckets[b];

		while (r) {
			struct gpu_resource *next = r->next;
			uint32_t h = hash_id(r->id, n);

			r->next = nb[h];
			nb[h] = r;
			r = next;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

enum gpu_err gpu_res_insert(struct gpu_res_table *t, struct gpu_resource *r)
{
	uint32_t h;

	grow(t);
	h = hash_id(r->id, t->nbuckets);
	r->next = t->buckets[h];
	t->buckets[h] = r;
	t->count++;
	return GPU_OK;
}

struct gpu_resource *gpu_res_remove(struct gpu_res_table *t, uint32_t id)
{
	struct gpu_resource **pp = &t->buckets[hash_id(id, t->nbuckets)];

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	if (!*pp)
		return NULL;
	struct gpu_resource *r = *pp;

	*pp = r->next;
	r->next = NULL;
	t->count--;
	return r;
}

enum gpu_err gpu_mem_charge(struct gpu_res_table *t, uint64_t bytes)
{
	uint64_t used;

	if (__builtin_add_overflow(t->mem_used, bytes, &used) || used > t->mem_limit)
		return GPU_E_NO_MEM;
	t->mem_used = used;
	return GPU_OK;
}

void gpu_mem_uncharge(struct gpu_res_table *t, uint64_t bytes)
{
	t->mem_used = bytes > t->mem_used ? 0 : t->mem_used - bytes;
}
