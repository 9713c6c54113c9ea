/* The PCI side of the machine: the host bridge, then one virtio PCI
 * function per device the options ask for, in a fixed order (disks, rng,
 * console, GPU), so slots and thus guest device names stay stable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display/display.h"
#include "gpu/gpu.h"
#include "util/log.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/pci_transport.h"
#include "virtio/rng.h"
#include "vmm/input.h"
#include "vmm/machine_parts.h"

/* A virtio device on its PCI function, and how to free the device once the
 * function is gone. */
struct machine_pci_fn {
	struct virtio_pci vp;
	void *dev;
	void (*destroy)(void *dev);
};

static void destroy_blk(void *dev)
{
	virtio_blk_destroy(dev);
}

static void destroy_rng(void *dev)
{
	virtio_rng_destroy(dev);
}

static void destroy_console(void *dev)
{
	virtio_console_destroy(dev);
}

static void destroy_gpu(void *dev)
{
	gpu_destroy(dev);
}

/* Put dev on the bus in its own function. On failure (-errno) the caller
 * still owns dev. */
static int add_fn(struct machine *m, bool msix, const struct virtio_dev_ops *ops, void *dev,
		  void (*destroy)(void *dev))
{
	struct machine_pci_fn *fn;
	int r;

	if (m->nr_fns == MACHINE_MAX_PCI_FNS)
		return -ENOSPC;
	fn = calloc(1, sizeof(*fn));
	if (!fn)
		return -ENOMEM;
	r = virtio_pci_init(&fn->vp, &m->vm, &m->vm.mem, ops, dev, msix);
	if (!r) {
		r = virtio_pci_register(&fn->vp, &m->pci);
		if (r)
			virtio_pci_exit(&fn->vp);
	}
	if (r) {
		free(fn);
		return r;
	}
	fn->dev = dev;
	fn->destroy = destroy;
	m->fns[m->nr_fns++] = fn;
	return 0;
}

static int add_disks(struct machine *m, const struct run_options *o)
{
	char err[512];

	for (unsigned i = 0; i < o->nr_disks; i++) {
		const struct disk_option *d = &o->disks[i];
		struct virtio_blk_params p = {
		    .path = d->path, .read_only = d->read_only, .index = i};
		struct virtio_blk *b = virtio_blk_create(&p, err, sizeof(err));
		int r;

		if (!b) {
			log_error("%s", err);
			return -1;
		}
		r = add_fn(m, o->msix, &virtio_blk_ops, b, destroy_blk);
		if (r) {
			virtio_blk_destroy(b);
			log_error("disk %s: cannot add to PCI: %s", d->path, strerror(-r));
			return -1;
		}
	}
	return 0;
}

/* A device created without parameters (dev NULL: creation failed): put it
 * on the bus, or free it. */
static int add_plain(struct machine *m, bool msix, const char *name,
		     const struct virtio_dev_ops *ops, void *dev, void (*destroy)(void *dev))
{
	if (!dev || add_fn(m, msix, ops, dev, destroy)) {
		if (dev)
			destroy(dev);
		log_error("%s: cannot create", name);
		return -1;
	}
	return 0;
}

static int add_rng(struct machine *m, const struct run_options *o)
{
	return add_plain(m, o->msix, "virtio-rng", &virtio_rng_ops, virtio_rng_create(),
			 destroy_rng);
}

static int add_console(struct machine *m, const struct run_options *o)
{
	struct virtio_console *con = virtio_console_create();

	if (add_plain(m, o->msix, "virtio-console", &virtio_console_ops, con, destroy_console))
		return -1;
	virtio_console_set_output(con, console_out_sink(&m->out, CONSOLE_OUT_HVC0));
	m->vcon = con;
	return 0;
}

/* Runs on the GPU worker thread when the user closes the window. */
static void display_closed(void *opaque)
{
	struct machine *m = opaque;

	log_info("display closed: shutting down");
	vm_request_stop(&m->vm, 0, VM_STOP_HOST);
}

/* The display's connection (a Wayland or X11 socket) is opened before
 * the drop to --user, the GPU (its worker, the renderer) after it. */
static int open_display(struct machine *m, const struct run_options *o)
{
	struct display_config dc = {
	    .outputs = o->gpu_outputs,
	    .width = o->width,
	    .height = o->height,
	    .title = o->name ? o->name : "lkvm-gpu",
	};
	char err[512];

	m->display = display_open(o->gpu, &dc, err, sizeof(err));
	if (!m->display) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

static int add_gpu(struct machine *m, const struct run_options *o)
{
	struct gpu_config gc = {
	    .outputs = o->gpu_outputs,
	    .width = o->width,
	    .height = o->height,
	    .mem_limit = o->gpu_mem_mib << 20,
	    .mem = &m->vm.mem,
	    .backend_create = o->gpu_backend == GPU_BACKEND_VIRGL ? gpu_backend_virgl_create
								  : gpu_backend_2d_create,
	    .shutdown = display_closed,
	    .shutdown_opaque = m,
	};
	struct gpu *gpu;
	char err[512];
	int r;

	gc.display = m->display;
	if (m->input)
		gc.input = vm_input_display(m->input);
	gpu = gpu_create(&gc, err, sizeof(err));
	if (!gpu) {
		log_error("%s", err);
		return -1;
	}
	r = add_fn(m, o->msix, &gpu_virtio_ops, gpu, destroy_gpu);
	if (r) {
		gpu_destroy(gpu);
		log_error("gpu: virtio-pci: %s", strerror(-r));
		return -1;
	}
	m->gpu = gpu;
	m->control.shot.take = machine_screenshot;
	m->control.shot.ctx = m;
	return 0;
}

/* The input devices belong to m->input, freed after the GPU that feeds
 * them is gone; their functions leave the bus (reset: no worker, no
 * queues) first. */
static void keep_input(void *dev)
{
}

/* Keyboard, tablet, mouse: after the GPU, so the other devices keep their
 * slots whether or not there is input. */
static int add_input(struct machine *m, const struct run_options *o)
{
	for (unsigned k = 0; k < 3; k++) {
		int r = add_fn(m, o->msix, &virtio_input_ops, m->input->dev[k], keep_input);

		if (r) {
			log_error("virtio-input: cannot add the %s to PCI: %s",
				  vinput_kind_name(k), strerror(-r));
			return -1;
		}
	}
	m->control.type.add = vm_input_type;
	m->control.type.ctx = m->input;
	return 0;
}

int machine_add_pci(struct machine *m, const struct run_options *o)
{
	int r = pci_bus_init(&m->pci, &m->vm.pio, &m->vm.mmio);

	if (r) {
		log_error("pci: cannot set up the host bridge: %s", strerror(-r));
		return -1;
	}
	m->pci_ready = true;
	if (o->input && !(m->input = vm_input_create(o)))
		return -1;
	if (add_disks(m, o) || (o->rng && add_rng(m, o)) ||
	    (o->console == CONSOLE_VIRTIO && add_console(m, o)) || (o->gpu && open_display(m, o)) ||
	    machine_user_drop(m, o) || (o->gpu && add_gpu(m, o)) || (m->input && add_input(m, o)))
		return -1;
	return 0;
}

/* The GPU worker makes the frames current, then the display writes them. */
int machine_screenshot(void *machine, const char *path, char *err, size_t errlen)
{
	struct machine *m = machine;

	if (!m->gpu) {
		snprintf(err, errlen, "this VM has no display");
		return -1;
	}
	return gpu_screenshot(m->gpu, path, err, errlen);
}

/* Functions leave the bus newest first (resetting the device stops its
 * worker), then the display the GPU drew on, then the bridge. */
void machine_remove_pci(struct machine *m)
{
	while (m->nr_fns) {
		struct machine_pci_fn *fn = m->fns[--m->nr_fns];

		virtio_pci_exit(&fn->vp);
		fn->destroy(fn->dev);
		free(fn);
	}
	m->vcon = NULL;
	m->gpu = NULL;
	display_destroy(m->display);
	m->display = NULL;
	vm_input_destroy(m->input);
	m->input = NULL;
	if (m->pci_ready)
		pci_bus_exit(&m->pci);
	m->pci_ready = false;
}
