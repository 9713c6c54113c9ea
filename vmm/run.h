/* `lkvm-gpu run`: build the machine from the options (vmm/machine.h), run
 * it until it stops, tear it down. */
#ifndef LKVM_VMM_RUN_H
#define LKVM_VMM_RUN_H

#include "vmm/options.h"

/* Returns the process exit status. */
int run_vm(const struct run_options *o);

#endif
