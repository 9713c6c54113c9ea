/* Internal reasons a command fails. They say more than the wire codes (for
 * the guest-error log line); gpu_err_to_resp() picks the most specific
 * virtio-gpu response type for each. */
#ifndef LKVM_GPU_ERROR_H
#define LKVM_GPU_ERROR_H

#include <stdint.h>

enum gpu_err {
	GPU_OK = 0,
	GPU_E_SHORT,	   /* request shorter than its command's struct */
	GPU_E_UNKNOWN_CMD, /* type we do not implement */
	GPU_E_UNSUPPORTED, /* known command, this backend lacks it */
	GPU_E_BAD_RECT,	   /* rectangle wraps or leaves its resource */
	GPU_E_BAD_FORMAT,  /* not a 2D format of the spec */
	GPU_E_BAD_SIZE,	   /* zero or over-large resource dimensions */
	GPU_E_BAD_ENTRIES, /* nr_entries zero, absurd or beyond the request */
	GPU_E_BAD_BACKING, /* backing entry outside guest memory */
	GPU_E_NO_BACKING,  /* transfer without (enough) backing */
	GPU_E_HAS_BACKING, /* attach over an existing backing */
	GPU_E_BAD_OFFSET,  /* transfer offset/stride past the backing */
	GPU_E_BAD_CURSOR,  /* cursor resource is not 64x64 */
	GPU_E_RES_ID_ZERO, /* resource id 0 where one is required */
	GPU_E_RES_EXISTS,  /* create with an id already in use */
	GPU_E_RES_UNKNOWN, /* no such resource */
	GPU_E_BAD_SCANOUT, /* scanout id >= num_scanouts */
	GPU_E_BAD_CONTEXT, /* no such 3D context */
	GPU_E_BAD_CAPSET,  /* capset index/id out of range */
	GPU_E_TOO_MANY,	   /* resource count cap */
	GPU_E_NO_MEM,	   /* host memory cap or allocation failure */
	GPU_E_BAD_STREAM,  /* the renderer rejected a SUBMIT_3D command stream */
	GPU_E_RES_BUSY,	   /* unref of a resource still attached to a context */
	GPU_E_BLOB,	   /* command does not apply to a blob resource */
	GPU_E_NOT_BLOB,	   /* blob command on a resource that is not one */
	GPU_E_BAD_BLOB,	   /* blob_mem, flags, size or layout out of range */
	GPU_E_BAD_MAP,	   /* map offset/size/overlap, or map/unmap state */
	GPU_E_COUNT,
};

/* VIRTIO_GPU_RESP_ERR_* for err (VIRTIO_GPU_RESP_OK_NODATA for GPU_OK). */
uint32_t gpu_err_to_resp(enum gpu_err err);
const char *gpu_err_name(enum gpu_err err);

#endif
