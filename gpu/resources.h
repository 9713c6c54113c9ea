/* The resource table: id -> resource, a chained hash that doubles as it
 * fills, with caps on the number of resources and on the host bytes they
 * hold. Memory is charged before it is allocated, so a guest that asks for
 * too much gets OUT_OF_MEMORY and the host never allocates past the cap. */
#ifndef LKVM_GPU_RESOURCES_H
#define LKVM_GPU_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/backing.h"
#include "gpu/error.h"

/* What every backend's resources share; the pixels and whatever else a
 * backend keeps hang off priv. */
struct gpu_resource {
	uint32_t id;
	uint32_t format; /* virtio (2D) or gallium (3D) format */
	uint32_t width, height;
	struct gpu_backing backing;
	uint32_t scanouts; /* bit i: shown on scanout i */
	uint32_t *ctxs;	   /* 3D contexts it is attached to */
	uint32_t nctxs;
	uint64_t charged; /* bytes the backend charged for it */
	/* A blob (RESOURCE_CREATE_BLOB): blob_mem != 0. A GUEST blob has no
	 * pixels of its own: its backing (fixed at create) is its storage,
	 * width/height/format stay 0 and priv NULL (no backend part), and
	 * scanouts describe its layout (SET_SCANOUT_BLOB). */
	uint32_t blob_mem;
	uint64_t blob_size;
	/* RESOURCE_ASSIGN_UUID's answer, made on the first request. */
	bool has_uuid;
	uint8_t uuid[16];
	void *priv;		   /* the backend's part */
	struct gpu_resource *next; /* hash chain */
};

struct gpu_res_table {
	struct gpu_resource **buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t count, max_count;
	uint64_t mem_used, mem_limit;
};

int gpu_res_table_init(struct gpu_res_table *t, uint32_t max_count, uint64_t mem_limit);
/* Unlink every resource and free it with free_fn (which may uncharge). */
void gpu_res_table_clear(struct gpu_res_table *t,
			 void (*free_fn)(void *opaque, struct gpu_resource *r), void *opaque);
/* Clear, then free the table itself. */
void gpu_res_table_destroy(struct gpu_res_table *t,
			   void (*free_fn)(void *opaque, struct gpu_resource *r), void *opaque);

struct gpu_resource *gpu_res_find(const struct gpu_res_table *t, uint32_t id);
/* Call fn on every resource (fn must not insert or remove). */
void gpu_res_table_each(const struct gpu_res_table *t,
			void (*fn)(void *opaque, struct gpu_resource *r), void *opaque);
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
