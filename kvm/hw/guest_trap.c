/* The probe guest's trap port: its exception stubs push the vector, write
 * it here, and expect never to return. We decode the frame from the
 * writing vCPU's stack and end the VM as a guest crash. */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm/hw/ports.h"
#include "kvm/layout.h"
#include "kvm/vcpu.h"
#include "util/log.h"

/* Vectors that push an error code (SDM vol. 3, 6.3.1). */
static bool vector_has_error_code(unsigned vec)
{
	return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 ||
	       vec == 30;
}

/* The stub pushed the vector just below the exception frame. */
static void report_guest_trap(struct vcpu *v, uint32_t vector)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t frame[6] = {0};
	uint64_t at;
	bool ec = vector_has_error_code(vector);

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		log_error("guest: unexpected exception vector %u on vCPU %u", vector, v->id);
		vcpu_crash(v);
		return;
	}
	at = r.rsp + 8; /* skip the pushed vector */
	if (!guest_mem_read(&v->vm->mem, at, frame, sizeof(frame))) {
		log_error("guest: unexpected exception vector %u on vCPU %u (frame at %#" PRIx64
			  " unreadable)",
			  vector, v->id, at);
		vcpu_crash(v);
		return;
	}
	log_error("guest: unexpected exception vector %u on vCPU %u: error code %#" PRIx64
		  " rip %#" PRIx64 " cs %#" PRIx64 " rflags %#" PRIx64 " rsp %#" PRIx64
		  " ss %#" PRIx64 " cr2 %#llx",
		  vector, v->id, ec ? frame[0] : 0, frame[ec], frame[ec + 1], frame[ec + 2],
		  frame[ec + 3], frame[ec + 4], s.cr2);
	vcpu_crash(v);
}

static void guest_trap_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct vcpu *v = vcpu_self();
	uint32_t vector = 0;

	if (!is_write) {
		memset(data, 0xff, size); /* as an absent port reads */
		return;
	}
	if (!v || offset != 0)
		return; /* only a vCPU's exit writes ports; 0xff-0x101 are not ours */
	memcpy(&vector, data, size < 4 ? size : 4);
	report_guest_trap(v, vector);
}

int guest_trap_init(struct vm *vm)
{
	/* Four ports wide so the stub's 32-bit `out %eax` fits the range. */
	if (bus_register(&vm->pio, PORT_GUEST_TRAP, 4, guest_trap_io, vm)) {
		log_error("cannot register the guest trap port");
		return -1;
	}
	return 0;
}
