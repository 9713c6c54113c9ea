#include "vmm/machine.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvm/hw/ports.h"
#include "util/log.h"
#include "vmm/machine_parts.h"

static double ms_since(struct timespec *t)
{
	struct timespec now;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - t->tv_sec) * 1e3 + (now.tv_nsec - t->tv_nsec) / 1e6;
	*t = now;
	return ms;
}

/* Every fd -1, so teardown can run from any point of the build. */
static void machine_clear(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	m->control.listen_fd = -1;
	m->vm.vm_fd = m->vm.kvm_fd = m->vm.stop_fd = -1;
	console_out_clear(&m->out);
}

/* The fixed port devices of the platform (kvm/hw/). */
static int add_platform_ports(struct machine *m, const struct run_options *o)
{
	if (i8042_init(&m->vm) || post_port_init(&m->vm) || acpi_sleep_init(&m->vm) ||
	    guest_trap_init(&m->vm))
		return -1;
	return o->test_exit ? test_exit_init(&m->vm) : 0;
}

int machine_build(struct machine *m, const struct run_options *o)
{
	char default_name[32];
	struct timespec t;

	machine_clear(m);
	snprintf(default_name, sizeof(default_name), "guest-%d", (int)getpid());
	if (machine_user_resolve(m, o) || machine_read_images(m, o))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (vm_create(&m->vm, o->mem_mib << 20))
		return -1;
	log_debug("setup: VM and RAM %.2f ms", ms_since(&t));
	if (control_open(&m->control, &m->vm, o->name ? o->name : default_name))
		return -1;
	if (console_out_init(&m->out, STDOUT_FILENO) || add_platform_ports(m, o) ||
	    serial_init(&m->serial, &m->vm))
		return -1;
	serial_set_output(&m->serial, console_out_sink(&m->out, CONSOLE_OUT_TTYS0));
	if (machine_add_pci(m, o))
		return -1;
	log_debug("setup: devices %.2f ms", ms_since(&t));
	if (machine_load_guest(m, o))
		return -1;
	log_debug("setup: guest image %.2f ms", ms_since(&t));
	/* KVM's PIT, created on a helper thread meanwhile, must exist before
	 * the vCPUs. */
	if (vm_wait_ready(&m->vm) || machine_create_vcpus(m, o->cpus))
		return -1;
	log_debug("setup: vCPUs %.2f ms", ms_since(&t));
	return 0;
}

int machine_start(struct machine *m)
{
	for (unsigned i = 0; i < m->nr_vcpus; i++)
		if (vcpu_start(&m->vcpus[i]))
			return -1;
	return 0;
}

void machine_stop(struct machine *m)
{
	for (unsigned i = 0; i < m->nr_vcpus; i++)
		vcpu_kick(&m->vcpus[i]);
	for (unsigned i = 0; i < m->nr_vcpus; i++)
		vcpu_join(&m->vcpus[i]);
}

void machine_teardown(struct machine *m)
{
	machine_stop(m);
	machine_destroy_vcpus(m);
	machine_remove_pci(m);
	/* The serial port and platform ports hold nothing beyond the VM's
	 * buses, which vm_destroy frees. */
	control_close(&m->control);
	vm_destroy(&m->vm);
	/* After every console that writes into its rings is gone. */
	console_out_destroy(&m->out);
	machine_free_images(m);
}
