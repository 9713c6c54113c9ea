#include "gpu/setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display/display.h"
#include "gpu/gpu.h"
#include "virtio/pci_transport.h"

struct gpu_instance {
	struct display *display;
	struct gpu *gpu;
	struct virtio_pci vp;
	bool on_bus;
};

struct gpu_instance *gpu_setup(struct vm *vm, struct pci_bus *bus, const struct run_options *o,
			       void (*shutdown)(void *opaque), void *opaque, char *err,
			       size_t errlen)
{
	struct display_config dc = {
	    .outputs = o->gpu_outputs ? o->gpu_outputs : 1,
	    .width = o->width ? o->width : GPU_DEFAULT_WIDTH,
	    .height = o->height ? o->height : GPU_DEFAULT_HEIGHT,
	    .title = o->name ? o->name : "lkvm-gpu",
	};
	struct gpu_config gc = {
	    .outputs = dc.outputs,
	    .width = dc.width,
	    .height = dc.height,
	    .mem_limit = o->gpu_mem_mib << 20,
	    .mem = &vm->mem,
	    .shutdown = shutdown,
	    .shutdown_opaque = opaque,
	};
	struct gpu_instance *gi = calloc(1, sizeof(*gi));
	int ret;

	if (!gi) {
		snprintf(err, errlen, "gpu: out of memory");
		return NULL;
	}
	gi->display = display_open(o->gpu, &dc, err, errlen);
	if (!gi->display)
		goto fail;
	gc.display = gi->display;
	gi->gpu = gpu_create(&gc, err, errlen);
	if (!gi->gpu)
		goto fail;
	ret = virtio_pci_init(&gi->vp, vm, &vm->mem, &gpu_virtio_ops, gi->gpu, !o->pci_nomsi);
	if (!ret) {
		ret = virtio_pci_register(&gi->vp, bus);
		if (ret)
			virtio_pci_exit(&gi->vp);
	}
	if (ret) {
		snprintf(err, errlen, "gpu: virtio-pci: %s", strerror(-ret));
		goto fail;
	}
	gi->on_bus = true;
	return gi;
fail:
	gpu_destroy(gi->gpu);
	display_destroy(gi->display);
	free(gi);
	return NULL;
}

int gpu_instance_screenshot(void *ctx, const char *path, char *err, size_t errlen)
{
	struct gpu_instance *gi = ctx;

	return gpu_screenshot(gi->gpu, path, err, errlen);
}

void gpu_teardown(struct gpu_instance *gi)
{
	if (!gi)
		return;
	if (gi->on_bus)
		virtio_pci_exit(&gi->vp); /* resets the device: the worker stops */
	gpu_destroy(gi->gpu);
	display_destroy(gi->display);
	free(gi);
}
