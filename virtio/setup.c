#include "virtio/setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "virtio/blk.h"
#include "virtio/pci_transport.h"
#include "virtio/rng.h"

struct virtio_devices {
	struct pci_bus *bus;
	struct virtio_pci blk_pci[OPT_MAX_DISKS];
	struct virtio_blk *blk[OPT_MAX_DISKS];
	unsigned nr_blk;
	struct virtio_pci rng_pci;
	struct virtio_rng *rng;
	struct virtio_pci con_pci;
	struct virtio_console *con;
};

static int add(struct virtio_devices *d, struct virtio_pci *vp, struct vm *vm,
	       const struct run_options *o, const struct virtio_dev_ops *ops, void *dev)
{
	int r = virtio_pci_init(vp, vm, &vm->mem, ops, dev, !o->pci_nomsi);

	if (r)
		return r;
	r = virtio_pci_register(vp, d->bus);
	if (r)
		virtio_pci_exit(vp);
	return r;
}

struct virtio_devices *virtio_devices_setup(struct vm *vm, struct pci_bus *bus,
					    const struct run_options *o, char *err, size_t errlen)
{
	struct virtio_devices *d = calloc(1, sizeof(*d));
	int r;

	if (!d) {
		snprintf(err, errlen, "virtio: out of memory");
		return NULL;
	}
	r = pci_bus_init(bus, &vm->pio, &vm->mmio);
	if (r) {
		snprintf(err, errlen, "pci: cannot set up the host bridge: %s", strerror(-r));
		free(d);
		return NULL;
	}
	d->bus = bus;
	for (unsigned i = 0; i < o->nr_disks && i < OPT_MAX_DISKS; i++) {
		struct virtio_blk *b =
		    virtio_blk_create(o->disks[i].path, o->disks[i].read_only, i, err, errlen);

		if (!b)
			goto fail;
		r = add(d, &d->blk_pci[i], vm, o, &virtio_blk_ops, b);
		if (r) {
			virtio_blk_destroy(b);
			snprintf(err, errlen, "disk %s: cannot add to PCI: %s", o->disks[i].path,
				 strerror(-r));
			goto fail;
		}
		d->blk[i] = b;
		d->nr_blk = i + 1;
	}
	if (o->rng) {
		d->rng = virtio_rng_create();
		if (!d->rng || add(d, &d->rng_pci, vm, o, &virtio_rng_ops, d->rng)) {
			virtio_rng_destroy(d->rng);
			d->rng = NULL;
			snprintf(err, errlen, "virtio-rng: cannot create");
			goto fail;
		}
	}
	if (o->console == CONSOLE_VIRTIO) {
		d->con = virtio_console_create();
		if (!d->con || add(d, &d->con_pci, vm, o, &virtio_console_ops, d->con)) {
			virtio_console_destroy(d->con);
			d->con = NULL;
			snprintf(err, errlen, "virtio-console: cannot create");
			goto fail;
		}
	}
	return d;
fail:
	virtio_devices_teardown(d);
	return NULL;
}

struct virtio_console *virtio_devices_console(struct virtio_devices *d)
{
	return d ? d->con : NULL;
}

void virtio_devices_teardown(struct virtio_devices *d)
{
	if (!d)
		return;
	if (d->con) {
		virtio_pci_exit(&d->con_pci);
		virtio_console_destroy(d->con);
	}
	if (d->rng) {
		virtio_pci_exit(&d->rng_pci);
		virtio_rng_destroy(d->rng);
	}
	for (unsigned i = 0; i < d->nr_blk; i++) {
		virtio_pci_exit(&d->blk_pci[i]);
		virtio_blk_destroy(d->blk[i]);
	}
	pci_bus_exit(d->bus);
	free(d);
}
