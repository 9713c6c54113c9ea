#include "kvm/cpuid.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/log.h"

#define CPUID_MAX_ENTRIES 256

/* Leaf 1 */
#define L1_ECX_PCLMUL	  (1u << 1)
#define L1_ECX_CX16	  (1u << 13)
#define L1_ECX_MOVBE	  (1u << 22)
#define L1_ECX_POPCNT	  (1u << 23)
#define L1_ECX_AES	  (1u << 25)
#define L1_ECX_XSAVE	  (1u << 26)
#define L1_ECX_OSXSAVE	  (1u << 27)
#define L1_ECX_AVX	  (1u << 28)
#define L1_ECX_HYPERVISOR (1u << 31)
#define L1_EDX_HTT	  (1u << 28)
/* Leaf 7.0 EBX: AVX2 and the AVX-512 family. */
#define L7_EBX_AVX_ALL                                                                             \
	((1u << 5) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | \
	 (1u << 30) | (1u << 31))
/* Leaf 0x80000001 EDX */
#define LX1_EDX_RDTSCP (1u << 27)

struct kvm_cpuid2 *cpuid_get_supported(int kvm_fd)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return NULL;
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		log_error("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		return NULL;
	}
	return c;
}

static unsigned bits_for(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

void cpuid_patch(struct kvm_cpuid2 *c, unsigned apic_id, unsigned nr_cpus, bool hide_for_pvm)
{
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffff) | (apic_id << 24) | ((nr_cpus & 0xff) << 16);
			e->ecx |= L1_ECX_HYPERVISOR;
			if (nr_cpus > 1)
				e->edx |= L1_EDX_HTT;
			if (hide_for_pvm)
				e->ecx &=
				    ~(L1_ECX_PCLMUL | L1_ECX_CX16 | L1_ECX_MOVBE | L1_ECX_POPCNT |
				      L1_ECX_AES | L1_ECX_XSAVE | L1_ECX_OSXSAVE | L1_ECX_AVX);
			break;
		case 4:
			/* One package of nr_cpus cores, one thread each. */
			e->eax = (e->eax & 0x03ffffff) | ((nr_cpus - 1) << 26);
			e->eax &= ~(0xfffu << 14); /* threads sharing this cache: 1 */
			break;
		case 7:
			if (e->index == 0 && hide_for_pvm)
				e->ebx &= ~L7_EBX_AVX_ALL;
			break;
		case 0xb:
		case 0x1f:
			e->edx = apic_id;
			if (e->index == 0) { /* SMT level: one thread per core */
				e->eax = 0;
				e->ebx = 1;
				e->ecx = (1u << 8) | 0;
			} else if (e->index == 1) { /* core level */
				e->eax = bits_for(nr_cpus);
				e->ebx = nr_cpus;
				e->ecx = (2u << 8) | 1;
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		case 0x80000001:
			if (hide_for_pvm)
				e->edx &= ~LX1_EDX_RDTSCP;
			break;
		}
	}
}
