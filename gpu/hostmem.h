/* The host-visible memory window (virtio shared-memory region 1): which
 * blob is mapped at which guest-chosen offset, checked before anything is
 * mapped. Groundwork for RESOURCE_MAP_BLOB/UNMAP_BLOB: nothing calls it
 * yet and the device offers no window (gpu/README.md says what is left).
 *
 * The VMM does the mapping through a narrow seam (a KVM memory slot per
 * mapping, a limited resource): ops.map / ops.unmap, given in gpu_config
 * by vmm/ one day, so that gpu/ never includes vmm/. Every offset and size
 * is checked in 64 bits against the window (page-aligned, inside, no
 * overlap), a blob is mapped at most once, and slots are counted: past
 * max_slots the guest gets ERR_OUT_OF_MEMORY and nothing is mapped. */
#ifndef LKVM_GPU_HOSTMEM_H
#define LKVM_GPU_HOSTMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/error.h"

#define GPU_HOSTMEM_ALIGN 4096u

struct gpu_hostmem_ops {
	void *opaque;
	/* Show size bytes at host at window offset off: 0, or -errno
	 * (-ENOSPC: no slot left after all). */
	int (*map)(void *opaque, uint64_t off, void *host, uint64_t size);
	/* Remove that mapping; the guest sees no memory there afterwards. */
	void (*unmap)(void *opaque, uint64_t off, uint64_t size);
	uint64_t window_size; /* bytes of the region */
	uint32_t max_slots;   /* mappings at once */
};

struct gpu_hostmem_map {
	uint32_t res_id;
	uint64_t off, size;
};

struct gpu_hostmem {
	struct gpu_hostmem_ops ops;
	struct gpu_hostmem_map *maps; /* max_slots entries */
	uint32_t n;
};

/* 0 or -ENOMEM (max_slots of 0: a window nothing can be mapped into). */
int gpu_hostmem_init(struct gpu_hostmem *h, const struct gpu_hostmem_ops *ops);
/* Unmaps everything still mapped. */
void gpu_hostmem_fini(struct gpu_hostmem *h);

/* Map blob res_id (host memory host, size bytes) at window offset off.
 * GPU_E_BAD_MAP: already mapped, unaligned, empty, outside the window or
 * overlapping another mapping; GPU_E_NO_MEM: no slot left (or the VMM
 * found none). */
enum gpu_err gpu_hostmem_map(struct gpu_hostmem *h, uint32_t res_id, uint64_t off, void *host,
			     uint64_t size);
/* GPU_E_BAD_MAP if res_id is not mapped. */
enum gpu_err gpu_hostmem_unmap(struct gpu_hostmem *h, uint32_t res_id);
/* Unref must be refused while this is true (no stale mapping). */
bool gpu_hostmem_mapped(const struct gpu_hostmem *h, uint32_t res_id);
/* Device reset: unmap everything. */
void gpu_hostmem_clear(struct gpu_hostmem *h);

#endif
