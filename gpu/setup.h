/* How `run` gets a GPU: open the display (modes tried in order), create the
 * device and put it on the PCI bus. One call in, one call out. */
#ifndef LKVM_GPU_SETUP_H
#define LKVM_GPU_SETUP_H

#include <stddef.h>

#include "vmm/options.h"
#include "kvm/vm.h"
#include "pci/pci.h"

struct gpu_instance;

/* NULL with one line in err on failure. o->gpu names the display modes.
 * shutdown(opaque) runs (on the GPU worker thread) when the user closes
 * the display window; it should ask the VM to stop. */
struct gpu_instance *gpu_setup(struct vm *vm, struct pci_bus *bus, const struct run_options *o,
			       void (*shutdown)(void *opaque), void *opaque, char *err,
			       size_t errlen);

/* Write the PNG of every output (output i > 0 to FILE-i.png). Matches
 * struct control_screenshot's take(): 0, or -1 with err filled. */
int gpu_screenshot(void *gpu_instance, const char *path, char *err, size_t errlen);

/* Stop the worker, take the device off the bus, close the display. Call
 * after the vCPUs stopped and after the exit screenshot. */
void gpu_teardown(struct gpu_instance *gi);

#endif
