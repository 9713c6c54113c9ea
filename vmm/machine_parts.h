/* Private to vmm/machine*.c: the steps machine_build() runs, one file per
 * kind of step, each with its undo. All return 0, or -1 after one log line. */
#ifndef LKVM_VMM_MACHINE_PARTS_H
#define LKVM_VMM_MACHINE_PARTS_H

#include "vmm/machine.h"

/* machine_boot.c: the kernel and initrd files, the guest image in RAM,
 * the vCPUs with their boot registers. */
int machine_read_images(struct machine *m, const struct run_options *o);
void machine_free_images(struct machine *m);
int machine_load_guest(struct machine *m, const struct run_options *o);
int machine_create_vcpus(struct machine *m, unsigned nr_cpus);
void machine_destroy_vcpus(struct machine *m);

/* machine_devices.c: the PCI bus and what sits on it. */
int machine_add_pci(struct machine *m, const struct run_options *o);
void machine_remove_pci(struct machine *m);

/* machine_user.c: --user, looked up first, dropped to once everything
 * privileged is open (before the GPU worker starts). */
int machine_user_resolve(struct machine *m, const struct run_options *o);
int machine_user_drop(struct machine *m, const struct run_options *o);

#endif
