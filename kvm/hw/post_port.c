#include <string.h>

#include "kvm/hw/ports.h"
#include "kvm/layout.h"
#include "util/log.h"

static void post_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	if (!is_write)
		memset(data, 0xff, size);
}

int post_port_init(struct vm *vm)
{
	if (bus_register(&vm->pio, PORT_POST, 1, post_io, vm)) {
		log_error("cannot register the POST port");
		return -1;
	}
	return 0;
}
