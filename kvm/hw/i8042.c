#include <string.h>

#include "kvm/hw/ports.h"
#include "kvm/layout.h"
#include "util/log.h"

#define I8042_CMD_RESET 0xfe

static void i8042_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct vm *vm = owner;
	uint8_t *b = data;

	if (!is_write) {
		/* Status 0: output buffer empty, input buffer empty, so a guest
		 * waiting to send a command goes ahead at once. */
		memset(data, 0, size);
		return;
	}
	/* offset 4 is the command port 0x64 (the range starts at 0x60). */
	if (offset == 4 && b[0] == I8042_CMD_RESET) {
		log_debug("guest reset through the i8042");
		vm_request_stop(vm, 0, VM_STOP_REBOOT);
	}
}

int i8042_init(struct vm *vm)
{
	if (bus_register(&vm->pio, PORT_I8042_DATA, PORT_I8042_CMD - PORT_I8042_DATA + 1, i8042_io,
			 vm)) {
		log_error("cannot register the i8042 ports");
		return -1;
	}
	return 0;
}
