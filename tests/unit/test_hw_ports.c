/* The platform's port devices (kvm/hw/), driven through the port bus as a
 * vCPU's exit would, over a VM that has only its bus and stop state. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm/hw/ports.h"
#include "kvm/layout.h"
#include "kvm/vm.h"

static struct vm vm;

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	cr_assert_eq(bus_init(&vm.pio), 0);
	pthread_mutex_init(&vm.stop_lock, NULL);
	vm.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	cr_assert_geq(vm.stop_fd, 0);
	cr_assert_eq(i8042_init(&vm), 0);
	cr_assert_eq(post_port_init(&vm), 0);
	cr_assert_eq(acpi_sleep_init(&vm), 0);
	cr_assert_eq(guest_trap_init(&vm), 0);
}

static void teardown(void)
{
	bus_destroy(&vm.pio);
	pthread_mutex_destroy(&vm.stop_lock);
	close(vm.stop_fd);
}

static void out8(uint16_t port, uint8_t v)
{
	cr_assert(bus_dispatch(&vm.pio, port, &v, 1, true), "port %#x unclaimed", port);
}

static uint8_t in8(uint16_t port)
{
	uint8_t v = 0x5a;

	cr_assert(bus_dispatch(&vm.pio, port, &v, 1, false), "port %#x unclaimed", port);
	return v;
}

TestSuite(hw_ports, .init = setup, .fini = teardown);

Test(hw_ports, i8042_reset_command_stops_with_status_0)
{
	cr_assert_eq(in8(PORT_I8042_CMD), 0, "status: both buffers empty");
	out8(PORT_I8042_DATA, 0xfe); /* data, not a command */
	cr_assert_not(vm_stopping(&vm));
	out8(PORT_I8042_CMD, 0xfe);
	cr_assert(vm_stopping(&vm));
	cr_assert_eq(vm.exit_status, 0);
	cr_assert_eq(vm.stop_reason, VM_STOP_REBOOT);
}

Test(hw_ports, post_port_reads_all_ones)
{
	cr_assert_eq(in8(PORT_POST), 0xff);
	out8(PORT_POST, 0x42);
	cr_assert_not(vm_stopping(&vm));
}

Test(hw_ports, acpi_s5_powers_off_other_sleep_types_do_not)
{
	cr_assert_eq(in8(PORT_ACPI_SLEEP_STS), 0x80, "WAK_STS");
	out8(PORT_ACPI_SLEEP_CTL, 3 << 2 | 0x20);	 /* S3 with SLP_EN */
	out8(PORT_ACPI_SLEEP_CTL, ACPI_SLP_TYP_S5 << 2); /* S5 without SLP_EN */
	cr_assert_not(vm_stopping(&vm));
	out8(PORT_ACPI_SLEEP_CTL, ACPI_SLP_TYP_S5 << 2 | 0x20);
	cr_assert(vm_stopping(&vm));
	cr_assert_eq(vm.exit_status, 0);
	cr_assert_eq(vm.stop_reason, VM_STOP_POWEROFF);
}

Test(hw_ports, test_exit_only_when_asked_for)
{
	uint32_t v = 0x1234;

	cr_assert_not(bus_dispatch(&vm.pio, PORT_TEST_EXIT, &v, 4, true));
	cr_assert_eq(test_exit_init(&vm), 0);
	v = 0;
	cr_assert(bus_dispatch(&vm.pio, PORT_TEST_EXIT, &v, 4, false));
	cr_assert_eq(v, 0xffffffff);
	v = 0x1234;
	cr_assert(bus_dispatch(&vm.pio, PORT_TEST_EXIT, &v, 4, true));
	cr_assert(vm_stopping(&vm));
	cr_assert_eq(vm.exit_status, 0x34, "status is the low byte");
	cr_assert_eq(vm.stop_reason, VM_STOP_TEST_EXIT);
}

Test(hw_ports, guest_trap_is_a_bus_device_that_needs_a_vcpu)
{
	uint32_t vec = 14;

	cr_assert_eq(in8(PORT_GUEST_TRAP), 0xff, "reads as an absent port");
	/* The stub's 32-bit `out %eax, $0xfe` fits the range. */
	cr_assert(bus_dispatch(&vm.pio, PORT_GUEST_TRAP, &vec, 4, true));
	/* Off a vCPU thread there is no frame to decode: nothing happens. */
	cr_assert_not(vm_stopping(&vm));
	out8(PORT_GUEST_TRAP + 1, 0);
	cr_assert_not(vm_stopping(&vm), "only port 0xfe itself traps");
}

Test(hw_ports, the_first_stop_keeps_its_status_and_reason)
{
	vm_request_stop(&vm, 3, VM_STOP_RUNNER);
	vm_request_stop(&vm, 1, VM_STOP_CRASH);
	cr_assert_eq(vm.exit_status, 3);
	cr_assert_eq(vm.stop_reason, VM_STOP_RUNNER);
}
