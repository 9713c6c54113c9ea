/* Guest CPUID: what KVM supports, with a topology per vCPU and, on PVM
 * hosts, the instructions its CPL0 emulator cannot run hidden. */
#ifndef LKVM_CPUID_H
#define LKVM_CPUID_H

#include <stdbool.h>

struct kvm_cpuid2;

/* KVM_GET_SUPPORTED_CPUID into a malloc'ed table, or NULL (error printed). */
struct kvm_cpuid2 *cpuid_get_supported(int kvm_fd);
/* Patch a copy of the table for vCPU apic_id of nr_cpus. Pure. */
void cpuid_patch(struct kvm_cpuid2 *c, unsigned apic_id, unsigned nr_cpus, bool hide_for_pvm);

#endif
