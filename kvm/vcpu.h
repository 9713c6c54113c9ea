/* vCPU threads: KVM_RUN, then dispatch port I/O and MMIO exits to the VM's
 * buses. Anything the guest cannot continue from (triple fault, KVM internal
 * error) is decoded into a clear message and stops the VM with status 1. */
#ifndef LKVM_VCPU_H
#define LKVM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "kvm/vm.h"

struct kvm_cpuid2;
struct kvm_regs;
struct kvm_sregs;
struct kvm_run;
struct boot_result;

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool thread_started;
};

int vcpu_create(struct vcpu *v, struct vm *vm, unsigned id, unsigned nr_cpus,
		const struct kvm_cpuid2 *supported);
/* The boot processor starts at the kernel entry; APs wait for INIT/SIPI. */
int vcpu_setup_boot(struct vcpu *v, const struct boot_result *boot);
int vcpu_start(struct vcpu *v);
/* Make KVM_RUN return now (the VM is stopping). */
void vcpu_kick(struct vcpu *v);
void vcpu_join(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
/* Print registers (with --debug on a crash). */
void vcpu_dump_regs(struct vcpu *v);
/* Read them (a stopped vCPU, or from its own thread). 0, or -1 after a log
 * line. */
int vcpu_get_regs(struct vcpu *v, struct kvm_regs *r, struct kvm_sregs *s);
/* The guest cannot go on: print registers with --debug, stop the VM with
 * status 1. */
void vcpu_crash(struct vcpu *v);
/* The vCPU whose exit the calling thread is handling, NULL off vCPU
 * threads: lets a port device ask which CPU wrote to it. */
struct vcpu *vcpu_self(void);

/* For the "first KVM_RUN" --debug line: CLOCK_MONOTONIC ns when the caller
 * spawned us (0 if unknown) and when main() started. */
void vcpu_set_t0_ns(unsigned long long spawn_ns, unsigned long long main_ns);

#endif
