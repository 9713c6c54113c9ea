#include <string.h>

#include "kvm/hw/ports.h"
#include "kvm/layout.h"
#include "util/log.h"

static void test_exit_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct vm *vm = owner;
	uint32_t v = 0;

	if (!is_write) {
		memset(data, 0xff, size);
		return;
	}
	memcpy(&v, data, size < 4 ? size : 4);
	log_debug("guest test-exit with status %u", v & 0xff);
	vm_request_stop(vm, v & 0xff, VM_STOP_TEST_EXIT);
}

int test_exit_init(struct vm *vm)
{
	if (bus_register(&vm->pio, PORT_TEST_EXIT, 4, test_exit_io, vm)) {
		log_error("cannot register the test-exit port");
		return -1;
	}
	return 0;
}
