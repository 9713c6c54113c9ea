/* RESOURCE_CREATE_BLOB, GUEST memory: the guest's pages are the resource.
 * Nothing is allocated or copied on the host beyond the entry list (charged
 * like any backing); scanouts read the pages through it (gpu/blob_view.h),
 * and transfers have nothing to move (gpu_h_transfer_2d). HOST3D blobs need
 * a renderer that can export its memory: not offered (gpu/README.md). */
#include <stdlib.h>

#include "gpu/backing.h"
#include "gpu/gpu_priv.h"
#include "gpu/handlers.h"

#define KNOWN_FLAGS                                                                                \
	(VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE | VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE |                  \
	 VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE)

enum gpu_err gpu_h_create_blob(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	const struct gpu_entries *ents = &c->u.create_blob.ents;
	uint64_t cost = sizeof(struct gpu_resource) + gpu_backing_cost(ents->nr_entries);
	struct gpu_resource *r;
	enum gpu_err err;

	/* Only a device that offered blobs knows what to do with one. */
	if (!(g->features & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB)))
		return GPU_E_UNSUPPORTED;
	if (c->u.create_blob.blob_mem != VIRTIO_GPU_BLOB_MEM_GUEST ||
	    (c->u.create_blob.blob_flags & ~KNOWN_FLAGS) || c->u.create_blob.size == 0)
		return GPU_E_BAD_BLOB;
	if (ents->nr_entries == 0)
		return GPU_E_BAD_ENTRIES;
	if (!g->mem)
		return GPU_E_BAD_BACKING;
	err = gpu_res_can_insert(&g->res, ents->resource_id);
	if (err)
		return err;
	err = gpu_mem_charge(&g->res, cost);
	if (err)
		return err;
	r = calloc(1, sizeof(*r));
	if (!r) {
		gpu_mem_uncharge(&g->res, cost);
		return GPU_E_NO_MEM;
	}
	err = gpu_backing_attach_entries(&r->backing, g->mem, ents);
	/* The pages must hold the whole blob (size is the guest's 64 bits). */
	if (!err && c->u.create_blob.size > r->backing.total)
		err = GPU_E_BAD_BLOB;
	if (!err) {
		r->id = ents->resource_id;
		r->blob_mem = VIRTIO_GPU_BLOB_MEM_GUEST;
		r->blob_size = c->u.create_blob.size;
		err = gpu_res_insert(&g->res, r);
	}
	if (err) {
		gpu_backing_free(&r->backing);
		free(r);
		gpu_mem_uncharge(&g->res, cost);
	}
	return err;
}
