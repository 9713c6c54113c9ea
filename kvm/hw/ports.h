/* The platform's small port devices, one file each. Each registers its
 * ports on vm->pio with the VM as owner (they keep no state of their own)
 * and ends the VM through vm_request_stop(). 0, or -1 after a log line. */
#ifndef LKVM_HW_PORTS_H
#define LKVM_HW_PORTS_H

#include "kvm/vm.h"

/* i8042 at 0x60-0x64: the keyboard controller's reset line (command 0xfe)
 * ends the VM with status 0. */
int i8042_init(struct vm *vm);
/* Port 0x80, the POST code port: Linux writes it as an I/O delay. */
int post_port_init(struct vm *vm);
/* Hardware-reduced ACPI sleep control and status (0x600, 0x601): S5 is
 * poweroff, status 0. */
int acpi_sleep_init(struct vm *vm);
/* --test-exit, port 0xf4: a write of v ends the VM with status v & 0xff. */
int test_exit_init(struct vm *vm);
/* The probe guest's exception stubs write the vector to PORT_GUEST_TRAP:
 * the frame is decoded from the writing vCPU's stack and logged, and the
 * VM ends with status 1, as for any guest crash. */
int guest_trap_init(struct vm *vm);

#endif
