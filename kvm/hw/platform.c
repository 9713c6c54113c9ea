#include "kvm/hw/platform.h"

#include <string.h>

#include "kvm/layout.h"
#include "util/log.h"

#define I8042_CMD_RESET 0xfe

static void i8042_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct platform *p = owner;
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
		vm_request_stop(p->vm, 0);
	}
}

static void test_exit_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct platform *p = owner;
	uint32_t v = 0;

	if (!is_write) {
		memset(data, 0xff, size);
		return;
	}
	memcpy(&v, data, size < 4 ? size : 4);
	log_debug("guest test-exit with status %u", v & 0xff);
	vm_request_stop(p->vm, v & 0xff);
}

/* Port 0x80: the POST code port, written by Linux as an I/O delay. */
static void post_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	if (!is_write)
		memset(data, 0xff, size);
}

#ifdef PORT_ACPI_SLEEP_CTL
#define SLEEP_CTL_SLP_EN    0x20
#define SLEEP_CTL_TYP_SHIFT 2
#define SLEEP_CTL_TYP_MASK  0x7
#define ACPI_SLEEP_TYPE_S5  5

/* Hardware-reduced ACPI sleep control (FADT SLEEP_CONTROL_REG): S5 with
 * SLP_EN is poweroff. The status register reads as "woken" (bit 7). */
static void acpi_sleep_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct platform *p = owner;
	uint8_t v = *(uint8_t *)data;

	if (!is_write) {
		memset(data, 0, size);
		if (offset == 1)
			*(uint8_t *)data = 0x80;
		return;
	}
	if (offset == 0 && (v & SLEEP_CTL_SLP_EN) &&
	    ((v >> SLEEP_CTL_TYP_SHIFT) & SLEEP_CTL_TYP_MASK) == ACPI_SLEEP_TYPE_S5) {
		log_debug("guest powered off (ACPI S5)");
		vm_request_stop(p->vm, 0);
	}
}
#endif

int platform_init(struct platform *p, struct vm *vm, bool test_exit)
{
	p->vm = vm;
	p->test_exit = test_exit;
	if (bus_register(&vm->pio, PORT_I8042_DATA, 5, i8042_io, p) ||
	    bus_register(&vm->pio, 0x80, 1, post_io, p))
		goto fail;
	if (test_exit && bus_register(&vm->pio, PORT_TEST_EXIT, 4, test_exit_io, p))
		goto fail;
#ifdef PORT_ACPI_SLEEP_CTL
	if (bus_register(&vm->pio, PORT_ACPI_SLEEP_CTL, 2, acpi_sleep_io, p))
		goto fail;
#endif
	return 0;
fail:
	log_error("cannot register platform ports");
	return -1;
}
