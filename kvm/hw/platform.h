/* Legacy platform ports: the i8042 reset line, the POST port, the optional
 * test-exit port and the ACPI sleep control register (poweroff). */
#ifndef LKVM_PLATFORM_H
#define LKVM_PLATFORM_H

#include <stdbool.h>

#include "kvm/vm.h"

struct platform {
	struct vm *vm;
	bool test_exit;
};

int platform_init(struct platform *p, struct vm *vm, bool test_exit);

#endif
