/* The virtual machine: KVM fds, guest memory, the two buses, interrupt
 * plumbing. Devices get what they need from here (guest memory, an irq
 * line or MSI route) and never touch the KVM fds themselves.
 */
#ifndef LKVM_VM_H
#define LKVM_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvm/bus.h"
#include "kvm/guest_mem.h"

struct kvm_irq_routing;

/* Why the VM stopped, beside its exit status (the --result file says it). */
enum vm_stop_reason {
	VM_STOP_HOST,	     /* the host asked: `lkvm-gpu stop`, Ctrl-A x, window closed */
	VM_STOP_REBOOT,	     /* i8042 reset, ACPI reset, the reset vector */
	VM_STOP_POWEROFF,    /* ACPI S5 */
	VM_STOP_TEST_EXIT,   /* the guest's value through the test-exit port */
	VM_STOP_CRASH,	     /* triple fault, KVM internal error, unexpected exception */
	VM_STOP_SIGNAL,	     /* SIGINT, SIGTERM, SIGHUP */
	VM_STOP_SETUP_ERROR, /* the VM could not start */
	VM_STOP_RUNNER,	     /* the run loop's own verdict (timeout, console patterns) */
};

struct vm {
	int kvm_fd;
	int vm_fd;
	bool is_pvm; /* /sys/module/kvm_pvm exists */
	uint64_t ram_size;
	uint8_t *ram_host; /* one mapping; the part above 3 GiB sits at 4 GiB */
	struct guest_mem mem;
	struct bus pio;
	struct bus mmio;

	pthread_mutex_t irq_lock;	 /* guards the routing table */
	struct kvm_irq_routing *routing; /* full table, re-sent on change */
	uint32_t next_gsi;

	/* Stopping: the first vm_request_stop() wins and sets the status. */
	int stop_fd; /* eventfd the main thread waits on */
	int exit_status;
	enum vm_stop_reason stop_reason;
	bool stop_requested;
	pthread_mutex_t stop_lock;

	pthread_t pit_thread; /* see vm_wait_ready() */
	bool pit_thread_started;
	int pit_errno;
};

/* Finish the parts of VM creation that run in the background (the PIT).
 * Call before creating vCPUs. */
int vm_wait_ready(struct vm *vm);

/* Ask the main thread to end the VM with this exit status, for this reason.
 * Any thread; only the first request counts. */
void vm_request_stop(struct vm *vm, int status, enum vm_stop_reason why);
bool vm_stopping(struct vm *vm);

/* Open /dev/kvm, check the API and capabilities, create the VM, map ram_size
 * bytes of guest RAM (with the PCI hole), in-kernel irqchip and PIT.
 * On failure prints one clear line and returns -1. */
int vm_create(struct vm *vm, uint64_t ram_size);
void vm_destroy(struct vm *vm);

/* Doorbells: an eventfd signalled by KVM when the guest writes addr.
 * len 0 matches any length; with datamatch only writes of val count. */
int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, bool pio, bool datamatch, uint64_t val,
		 int fd, bool deassign);

/* Interrupts. */
int vm_irq_line(struct vm *vm, uint32_t gsi, bool level);
int vm_irqfd(struct vm *vm, uint32_t gsi, int fd, int resample_fd, bool deassign);
int vm_gsi_alloc(struct vm *vm); /* MSI GSI or -errno */
int vm_msi_route_set(struct vm *vm, uint32_t gsi, uint64_t addr, uint32_t data); /* add/update */
int vm_msi_route_clear(struct vm *vm, uint32_t gsi);

#endif
