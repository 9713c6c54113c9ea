/* `lkvm-gpu run`: build the machine from options, run it, tear it down. */
#ifndef LKVM_RUN_H
#define LKVM_RUN_H

#include "vmm/options.h"

/* Returns the process exit status. */
int run_vm(const struct run_options *o);

#endif
