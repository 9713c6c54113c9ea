/* A resource's guest backing: the (addr, len) list the guest attached, seen
 * as one linear buffer. Entries are copied out of the request and checked
 * against guest memory when attached; every read goes through the checked
 * guest_mem lookup again, so the read path is safe on its own. */
#ifndef LKVM_GPU_BACKING_H
#define LKVM_GPU_BACKING_H

#include <stdbool.h>
#include <stdint.h>

#include "gpu/decode.h"
#include "gpu/error.h"
#include "kvm/guest_mem.h"

struct gpu_backing {
	struct gpu_mem_entry *entries;
	uint64_t *starts; /* linear offset of each entry, ascending */
	uint32_t nr;
	uint64_t total;		     /* sum of lengths */
	const struct guest_mem *mem; /* the memory the entries point into */
};

/* Host bytes a backing of nr entries occupies (charged to the memory cap). */
uint64_t gpu_backing_cost(uint32_t nr);

/* Copy and validate the entries of a decoded ATTACH_BACKING. On error b is
 * left empty. */
enum gpu_err gpu_backing_attach(struct gpu_backing *b, const struct guest_mem *mem,
				const struct gpu_cmd *cmd);
/* The same for any entry list (RESOURCE_CREATE_BLOB's). */
enum gpu_err gpu_backing_attach_entries(struct gpu_backing *b, const struct guest_mem *mem,
					const struct gpu_entries *l);
void gpu_backing_free(struct gpu_backing *b);

/* Host pointer to the len bytes at linear offset off when they are one
 * run of host memory (entries that follow each other in the host's view
 * of guest RAM), else NULL. */
const uint8_t *gpu_backing_contig(const struct gpu_backing *b, uint64_t off, uint64_t len);

/* Gather len bytes at linear offset off into dst. false (dst partly written)
 * if the range passes the end or an entry left guest memory. With stream,
 * the copy uses non-temporal stores (gpu/copy.h): the caller then calls
 * gpu_copy_stream_done() before publishing the result. */
bool gpu_backing_read(const struct gpu_backing *b, uint64_t off, void *dst, uint64_t len,
		      bool stream);

#endif
