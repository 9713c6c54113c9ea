/* The resource table: id -> resource, a chained hash that doubles as it
 * fills, with caps on the number of resources and on the host bytes they
 * hold. Memory is charged before it is allocated, so a guest that asks for
 * too much gets OUT_OF_MEMORY and the host never allocates past the cap. */
#ifndef LKVM_GPU_RESOURCES_H
#define LKVM_GPU_RESOURCES_H

#include <pixman.h>
#include <stdint.h>

#include "gpu/backing.h"
#include "gpu/error.h"

struct gpu_resource {
	uint32_t id;
	uint32_t format; /* virtio format */
	uint32_t width, height;
	pixman_format_code_t pformat;
	uint32_t stride; /* host bytes per row (width * bpp) */
	uint8_t *pixels; /* host copy, what scanouts show */
	pixman_image_t *image;
	struct gpu_backing backing;
	pixman_region32_t pending; /* transferred, not yet copied (gpu/transfer.h) */
	uint64_t charged;	   /* bytes charged to the table for pixels */
	struct gpu_resource *next; /* hash chain */
};

struct gpu_res_table {
	struct gpu_resource **buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t count, max_count;
	uint64_t mem_used, mem_limit;
};

#define GPU_DEFAULT_MAX_RESOURCES 16384u

int gpu_res_table_init(struct gpu_res_table *t, uint32_t max_count, uint64_t mem_limit);
/* Frees every resource still in the table with free_fn. */
void gpu_res_table_destroy(struct gpu_res_table *t,
			   void (*free_fn)(void *opaque, struct gpu_resource *r), void *opaque);

struct gpu_resource *gpu_res_find(const struct gpu_res_table *t, uint32_t id);
/* GPU_E_RES_ID_ZERO, GPU_E_RES_EXISTS, GPU_E_TOO_MANY or GPU_OK. Checks only;
 * gpu_res_insert must follow with the same id. */
enum gpu_err gpu_res_can_insert(const struct gpu_res_table *t, uint32_t id);
/* Insert r (r->id checked by gpu_res_can_insert); GPU_E_NO_MEM if the table
 * could not grow. */
enum gpu_err gpu_res_insert(struct gpu_res_table *t, struct gpu_resource *r);
/* Unlink and return the resource, or NULL. */
struct gpu_resource *gpu_res_remove(struct gpu_res_table *t, uint32_t id);

/* Account bytes against the cap: GPU_E_NO_MEM if it would pass it. */
enum gpu_err gpu_mem_charge(struct gpu_res_table *t, uint64_t bytes);
void gpu_mem_uncharge(struct gpu_res_table *t, uint64_t bytes);

#endif
