#include "kvm/vcpu.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm/boot/boot.h"
#include "kvm/cpuid.h"
#include "util/log.h"
#include "util/sandbox.h"

#define STATUS_GUEST_CRASH 1
#define APIC_LVT_LINT0	   0x350
#define APIC_LVT_LINT1	   0x360
#define APIC_MODE_EXTINT   0x7
#define APIC_MODE_NMI	   0x4

static unsigned long long t0_ns, main_ns;
static atomic_bool first_run_logged;
static __thread struct vcpu *self;

struct vcpu *vcpu_self(void)
{
	return self;
}

void vcpu_set_t0_ns(unsigned long long spawn, unsigned long long main_start)
{
	t0_ns = spawn;
	main_ns = main_start;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int set_lapic_lints(struct vcpu *v)
{
	struct kvm_lapic_state l;
	uint32_t *lint0, *lint1;

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return -1;
	lint0 = (uint32_t *)&l.regs[APIC_LVT_LINT0];
	lint1 = (uint32_t *)&l.regs[APIC_LVT_LINT1];
	/* As firmware leaves them: LINT0 takes the PIC (virtual wire), LINT1
	 * is NMI. Linux's MP-table path expects this. */
	*lint0 = (*lint0 & ~0x700u) | (APIC_MODE_EXTINT << 8);
	*lint1 = (*lint1 & ~0x700u) | (APIC_MODE_NMI << 8);
	return ioctl(v->fd, KVM_SET_LAPIC, &l);
}

static int set_fpu(struct vcpu *v)
{
	struct kvm_fpu fpu = {
	    .fcw = 0x37f,    /* x87 reset state */
	    .mxcsr = 0x1f80, /* SSE: all exceptions masked */
	};

	return ioctl(v->fd, KVM_SET_FPU, &fpu);
}

int vcpu_create(struct vcpu *v, struct vm *vm, unsigned id, unsigned nr_cpus,
		const struct kvm_cpuid2 *supported)
{
	struct kvm_cpuid2 *c;
	size_t csize;
	int mmap_size;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		log_error("KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		return -1;
	}
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0) {
		log_error("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	v->run_size = mmap_size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		log_error("mmap of vCPU %u state: %s", id, strerror(errno));
		return -1;
	}

	csize = sizeof(*c) + supported->nent * sizeof(c->entries[0]);
	c = malloc(csize);
	if (!c)
		return -1;
	memcpy(c, supported, csize);
	cpuid_patch(c, id, nr_cpus, vm->is_pvm);
	if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0) {
		log_error("KVM_SET_CPUID2 on vCPU %u: %s", id, strerror(errno));
		free(c);
		return -1;
	}
	free(c);
	if (set_fpu(v) < 0 || set_lapic_lints(v) < 0) {
		log_error("vCPU %u: FPU/LAPIC setup: %s", id, strerror(errno));
		return -1;
	}
	return 0;
}

int vcpu_setup_boot(struct vcpu *v, const struct boot_result *boot)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (v->id != 0)
		return 0; /* APs stay in wait-for-SIPI, the in-kernel LAPIC starts them */
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail;
	memset(&regs, 0, sizeof(regs));
	boot_bsp_regs(boot, &regs, &sregs);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		goto fail;
	return 0;
fail:
	log_error("vCPU 0: setting boot registers: %s", strerror(errno));
	return -1;
}

int vcpu_get_regs(struct vcpu *v, struct kvm_regs *r, struct kvm_sregs *s)
{
	if (ioctl(v->fd, KVM_GET_REGS, r) < 0 || ioctl(v->fd, KVM_GET_SREGS, s) < 0) {
		log_error("vCPU %u: cannot read registers: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

void vcpu_dump_regs(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (vcpu_get_regs(v, &r, &s))
		return;
	log_info("vCPU %u registers:", v->id);
	log_info(" rip %016llx rsp %016llx rflags %016llx", r.rip, r.rsp, r.rflags);
	log_info(" rax %016llx rbx %016llx rcx %016llx rdx %016llx", r.rax, r.rbx, r.rcx, r.rdx);
	log_info(" rsi %016llx rdi %016llx rbp %016llx", r.rsi, r.rdi, r.rbp);
	log_info(" r8  %016llx r9  %016llx r10 %016llx r11 %016llx", r.r8, r.r9, r.r10, r.r11);
	log_info(" r12 %016llx r13 %016llx r14 %016llx r15 %016llx", r.r12, r.r13, r.r14, r.r15);
	log_info(" cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx", s.cr0, s.cr2, s.cr3,
		 s.cr4, s.efer);
	log_info(" cs %04x (dpl %u, l %u) ss %04x gdt %llx/%x idt %llx/%x tr %04x", s.cs.selector,
		 s.cs.dpl, s.cs.l, s.ss.selector, s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit,
		 s.tr.selector);
}

void vcpu_crash(struct vcpu *v)
{
	if (log_debug_enabled)
		vcpu_dump_regs(v);
	vm_request_stop(v->vm, STATUS_GUEST_CRASH, VM_STOP_CRASH);
}

/* Guests probe many absent ports and addresses (Linux looks for legacy
 * devices): log the first few with --debug, then say we stopped. */
#define UNCLAIMED_LOG_MAX 32
static atomic_uint unclaimed_logged;

static void log_unclaimed(const char *what, bool is_write, uint64_t addr, uint32_t size)
{
	unsigned n;

	if (!log_debug_enabled)
		return;
	n = atomic_fetch_add(&unclaimed_logged, 1);
	if (n < UNCLAIMED_LOG_MAX)
		log_debug("unclaimed %s %s %#" PRIx64 " size %u", what, is_write ? "write" : "read",
			  addr, size);
	else if (n == UNCLAIMED_LOG_MAX)
		log_debug("further unclaimed port/MMIO accesses are not logged");
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		if (!bus_dispatch(&v->vm->pio, run->io.port, data, run->io.size, is_write)) {
			if (!is_write)
				memset(data, 0xff, run->io.size);
			log_unclaimed("port", is_write, run->io.port, run->io.size);
		}
	}
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	bool is_write = run->mmio.is_write;
	uint32_t len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (!bus_dispatch(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data, len, is_write)) {
		if (!is_write)
			memset(run->mmio.data, 0xff, len);
		log_unclaimed("MMIO", is_write, run->mmio.phys_addr, len);
	}
}

static void handle_internal_error(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char bytes[128] = "";
	size_t n = 0;

	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION && run->internal.ndata >= 2) {
		/* data[0] flags, low byte of data[1] the instruction length, then
		 * the bytes themselves (HOST-KVM.md: the PVM layout). */
		unsigned ilen = run->internal.data[1] & 0xff;
		const uint8_t *insn = (const uint8_t *)&run->internal.data[2];
		size_t avail = (run->internal.ndata > 2 ? run->internal.ndata - 2 : 0) * 8;

		if (ilen > avail)
			ilen = avail;
		for (unsigned i = 0; i < ilen && n + 4 < sizeof(bytes); i++)
			n += snprintf(bytes + n, sizeof(bytes) - n, " %02x", insn[i]);
	}
	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		struct kvm_regs r;

		memset(&r, 0, sizeof(r));
		ioctl(v->fd, KVM_GET_REGS, &r);
		log_error("KVM internal error on vCPU %u: the instruction emulator failed at rip "
			  "%#llx%s%s",
			  v->id, r.rip, n ? ", instruction bytes:" : "", bytes);
		if (v->vm->is_pvm)
			log_error(
			    "(this host's KVM is PVM: guest kernel-mode code runs in a limited "
			    "emulator; see README, 'PVM hosts')");
	} else {
		log_error("KVM internal error on vCPU %u: suberror %u, %u data words", v->id,
			  run->internal.suberror, run->internal.ndata);
		for (unsigned i = 0; i < run->internal.ndata && i < 16; i++)
			log_error("  data[%u] = %#llx", i, run->internal.data[i]);
	}
	vcpu_crash(v);
}

/* Returns false when the thread should leave its loop. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		return true;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; ours has one. A halt that
		 * reaches us can never be woken. */
		log_error("vCPU %u halted with no way to wake it", v->id);
		vcpu_crash(v);
		return false;
	case KVM_EXIT_SHUTDOWN:
		log_error("guest triple fault on vCPU %u (KVM_EXIT_SHUTDOWN): the guest hit an "
			  "exception it could not handle",
			  v->id);
		vcpu_crash(v);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			vm_request_stop(v->vm, 0, VM_STOP_POWEROFF);
			break;
		case KVM_SYSTEM_EVENT_RESET:
			vm_request_stop(v->vm, 0, VM_STOP_REBOOT);
			break;
		default:
			log_error("guest system event %u on vCPU %u", run->system_event.type,
				  v->id);
			vcpu_crash(v);
		}
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		handle_internal_error(v);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		log_error("KVM could not enter vCPU %u: hardware entry failure reason %#llx", v->id,
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_crash(v);
		return false;
	default:
		log_error("unexpected KVM exit reason %u on vCPU %u", run->exit_reason, v->id);
		vcpu_crash(v);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	self = v;
	if (sandbox_enter(SANDBOX_VCPU)) {
		vm_request_stop(v->vm, 2, VM_STOP_SETUP_ERROR);
		return NULL;
	}

	while (!vm_stopping(v->vm)) {
		if (v->id == 0 && !atomic_exchange(&first_run_logged, true)) {
			unsigned long long now = now_ns();

			if (t0_ns)
				log_debug("first KVM_RUN %.3f ms after main, %.3f ms after spawn",
					  (now - main_ns) / 1e6, (now - t0_ns) / 1e6);
			else
				log_debug("first KVM_RUN %.3f ms after main",
					  (now - main_ns) / 1e6);
		}
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_error("KVM_RUN on vCPU %u: %s", v->id, strerror(errno));
			vcpu_crash(v);
			break;
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int ret = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (ret) {
		log_error("cannot start vCPU %u thread: %s", v->id, strerror(ret));
		return -1;
	}
	v->thread_started = true;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->thread_started)
		return;
	/* immediate_exit covers the window before the thread enters KVM_RUN;
	 * the signal interrupts a KVM_RUN already under way. */
	v->run->immediate_exit = 1;
	pthread_kill(v->thread, SIGUSR1);
}

void vcpu_join(struct vcpu *v)
{
	if (v->thread_started)
		pthread_join(v->thread, NULL);
	v->thread_started = false;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
