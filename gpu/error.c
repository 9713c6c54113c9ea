#include "gpu/error.h"

#include "gpu/protocol.h"

uint32_t gpu_err_to_resp(enum gpu_err err)
{
	switch (err) {
	case GPU_OK:
		return VIRTIO_GPU_RESP_OK_NODATA;
	case GPU_E_SHORT:
	case GPU_E_UNKNOWN_CMD:
	case GPU_E_UNSUPPORTED:
	case GPU_E_COUNT:
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	case GPU_E_BAD_RECT:
	case GPU_E_BAD_FORMAT:
	case GPU_E_BAD_SIZE:
	case GPU_E_BAD_ENTRIES:
	case GPU_E_BAD_BACKING:
	case GPU_E_NO_BACKING:
	case GPU_E_HAS_BACKING:
	case GPU_E_BAD_OFFSET:
	case GPU_E_BAD_CURSOR:
	case GPU_E_BAD_CAPSET:
	case GPU_E_BAD_STREAM:
	case GPU_E_RES_BUSY:
	case GPU_E_BLOB:
	case GPU_E_NOT_BLOB:
	case GPU_E_BAD_BLOB:
	case GPU_E_BAD_MAP:
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	case GPU_E_RES_ID_ZERO:
	case GPU_E_RES_EXISTS:
	case GPU_E_RES_UNKNOWN:
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	case GPU_E_BAD_SCANOUT:
		return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	case GPU_E_BAD_CONTEXT:
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	case GPU_E_TOO_MANY:
	case GPU_E_NO_MEM:
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	return VIRTIO_GPU_RESP_ERR_UNSPEC;
}

static const char *const names[GPU_E_COUNT] = {
    [GPU_OK] = "ok",
    [GPU_E_SHORT] = "request too short",
    [GPU_E_UNKNOWN_CMD] = "unknown command",
    [GPU_E_UNSUPPORTED] = "unsupported by backend",
    [GPU_E_BAD_RECT] = "bad rectangle",
    [GPU_E_BAD_FORMAT] = "bad format",
    [GPU_E_BAD_SIZE] = "bad resource size",
    [GPU_E_BAD_ENTRIES] = "bad nr_entries",
    [GPU_E_BAD_BACKING] = "backing outside guest memory",
    [GPU_E_NO_BACKING] = "no backing",
    [GPU_E_HAS_BACKING] = "backing already attached",
    [GPU_E_BAD_OFFSET] = "offset/stride past backing",
    [GPU_E_BAD_CURSOR] = "bad cursor resource",
    [GPU_E_RES_ID_ZERO] = "resource id 0",
    [GPU_E_RES_EXISTS] = "resource id in use",
    [GPU_E_RES_UNKNOWN] = "unknown resource",
    [GPU_E_BAD_SCANOUT] = "bad scanout id",
    [GPU_E_BAD_CONTEXT] = "bad context id",
    [GPU_E_BAD_CAPSET] = "bad capset",
    [GPU_E_BAD_STREAM] = "command stream rejected by the renderer",
    [GPU_E_RES_BUSY] = "resource still attached to a context",
    [GPU_E_BLOB] = "not for a blob resource",
    [GPU_E_NOT_BLOB] = "not a blob resource",
    [GPU_E_BAD_BLOB] = "bad blob parameters",
    [GPU_E_BAD_MAP] = "bad blob mapping",
    [GPU_E_TOO_MANY] = "too many resources",
    [GPU_E_NO_MEM] = "out of memory",
};

const char *gpu_err_name(enum gpu_err err)
{
	if ((unsigned)err >= GPU_E_COUNT || !names[err])
		return "?";
	return names[err];
}
