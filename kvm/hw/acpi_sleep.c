#include <string.h>

#include "kvm/hw/ports.h"
#include "kvm/layout.h"
#include "util/log.h"

#define SLEEP_CTL_SLP_EN    0x20
#define SLEEP_CTL_TYP_SHIFT 2
#define SLEEP_CTL_TYP_MASK  0x7
#define SLEEP_STS_WAK_STS   0x80

/* Hardware-reduced ACPI sleep control (FADT SLEEP_CONTROL_REG): SLP_EN with
 * the DSDT's \_S5 type is poweroff. The status register reads as "woken". */
static void acpi_sleep_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct vm *vm = owner;
	uint8_t v = *(uint8_t *)data;

	if (!is_write) {
		memset(data, 0, size);
		if (offset == PORT_ACPI_SLEEP_STS - PORT_ACPI_SLEEP_CTL)
			*(uint8_t *)data = SLEEP_STS_WAK_STS;
		return;
	}
	if (offset == 0 && (v & SLEEP_CTL_SLP_EN) &&
	    ((v >> SLEEP_CTL_TYP_SHIFT) & SLEEP_CTL_TYP_MASK) == ACPI_SLP_TYP_S5) {
		log_debug("guest powered off (ACPI S5)");
		vm_request_stop(vm, 0, VM_STOP_POWEROFF);
	}
}

int acpi_sleep_init(struct vm *vm)
{
	if (bus_register(&vm->pio, PORT_ACPI_SLEEP_CTL, 2, acpi_sleep_io, vm)) {
		log_error("cannot register the ACPI sleep ports");
		return -1;
	}
	return 0;
}
