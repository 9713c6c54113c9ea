/* How `run` gets its PCI bus and simple virtio devices: the host bridge,
 * one virtio-blk per --disk, virtio-rng (unless disabled), and
 * virtio-console with --console virtio. One call in, one call out. */
#ifndef LKVM_VIRTIO_SETUP_H
#define LKVM_VIRTIO_SETUP_H

#include <stddef.h>

#include "vmm/options.h"
#include "kvm/vm.h"
#include "pci/pci.h"
#include "virtio/console.h"

struct virtio_devices;

/* Initialise bus (host bridge 00:00.0, 0xCF8/0xCFC, ECAM) on vm's buses
 * and add the devices o asks for. NULL with one line in err on failure
 * (a missing disk image names the file). Call after vm_create, before
 * gpu_setup (which adds the GPU to the same bus). */
struct virtio_devices *virtio_devices_setup(struct vm *vm, struct pci_bus *bus,
					    const struct run_options *o, char *err, size_t errlen);

/* The console device (NULL without --console virtio): feed it terminal
 * input, give it an output callback. */
struct virtio_console *virtio_devices_console(struct virtio_devices *d);

/* Reset and free every device, then the bus. Call after the vCPUs stopped
 * and after gpu_teardown. */
void virtio_devices_teardown(struct virtio_devices *d);

#endif
