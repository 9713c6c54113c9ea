#include "kvm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "kvm/layout.h"
#include "util/log.h"

#define KVM_TSS_ADDR	    0xfffbd000ULL
#define KVM_IDENTITY_MAP    0xfffbc000ULL
#define ROUTING_MAX_ENTRIES 1024

struct cap_need {
	int cap;
	const char *name;
};

/* Everything the machine model relies on. */
static const struct cap_need required_caps[] = {
    {KVM_CAP_USER_MEMORY, "USER_MEMORY"},
    {KVM_CAP_IRQCHIP, "IRQCHIP"},
    {KVM_CAP_IOEVENTFD, "IOEVENTFD"},
    {KVM_CAP_IRQFD, "IRQFD"},
    {KVM_CAP_IRQ_ROUTING, "IRQ_ROUTING"},
    {KVM_CAP_SET_TSS_ADDR, "SET_TSS_ADDR"},
    {KVM_CAP_PIT2, "PIT2"},
    {KVM_CAP_EXT_CPUID, "EXT_CPUID"},
    {KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT"},
};

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		log_error("/dev/kvm does not exist: load the kvm module (kvm_intel or kvm_amd) "
			  "or run on a host with virtualisation enabled");
	else if (errno == EACCES || errno == EPERM)
		log_error("/dev/kvm: permission denied: add yourself to the 'kvm' group "
			  "(usermod -aG kvm $USER) or run as root");
	else
		log_error("/dev/kvm: %s", strerror(errno));
	return -1;
}

static int check_caps(int kvm_fd)
{
	int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);

	if (api != KVM_API_VERSION) {
		log_error("/dev/kvm speaks API version %d, we need %d", api, KVM_API_VERSION);
		return -1;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			log_error("the host's KVM lacks capability KVM_CAP_%s",
				  required_caps[i].name);
			return -1;
		}
	}
	return 0;
}

static int set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, void *host, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
	    .slot = slot,
	    .guest_phys_addr = gpa,
	    .memory_size = size,
	    .userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		log_error("KVM_SET_USER_MEMORY_REGION (slot %u, %llu MiB): %s", slot,
			  (unsigned long long)(size >> 20), strerror(errno));
		return -1;
	}
	return guest_mem_add_region(&vm->mem, gpa, host, size);
}

/* RAM below the PCI hole at 0, the rest above 4 GiB. */
static int map_ram(struct vm *vm, uint64_t ram_size)
{
	uint64_t low = ram_size < MEM_HOLE_START ? ram_size : MEM_HOLE_START;
	uint8_t *host;

	/* MAP_PRIVATE first-touches faster than MAP_SHARED (HOST-KVM.md §6);
	 * NORESERVE: untouched guest RAM costs nothing. */
	host = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED) {
		log_error("cannot map %llu MiB of guest RAM: %s",
			  (unsigned long long)(ram_size >> 20), strerror(errno));
		return -1;
	}
	vm->ram_host = host;
	if (set_slot(vm, 0, 0, host, low))
		return -1;
	if (ram_size > low && set_slot(vm, 1, MEM_HOLE_END, host + low, ram_size - low))
		return -1;
	return 0;
}

/* KVM's default table: GSI 0-15 to both PICs and the IOAPIC, 16-23 to the
 * IOAPIC only. KVM_SET_GSI_ROUTING replaces the whole table, so we keep it. */
static int routing_init(struct vm *vm)
{
	struct kvm_irq_routing *r;
	unsigned n = 0;

	r = calloc(1, sizeof(*r) + ROUTING_MAX_ENTRIES * sizeof(r->entries[0]));
	if (!r)
		return -1;
	for (unsigned gsi = 0; gsi < 24; gsi++) {
		if (gsi < 16 && gsi != 2) {
			r->entries[n].gsi = gsi;
			r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
			r->entries[n].u.irqchip.irqchip =
			    gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
			r->entries[n].u.irqchip.pin = gsi % 8;
			n++;
		}
		r->entries[n].gsi = gsi;
		r->entries[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		r->entries[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		r->entries[n].u.irqchip.pin = gsi;
		n++;
	}
	r->nr = n;
	vm->routing = r;
	vm->next_gsi = GSI_MSI_BASE;
	return 0;
}

static bool host_is_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

/* KVM_CREATE_PIT2 spawns a kernel thread and takes milliseconds; it runs
 * beside RAM, device and image setup, and vm_wait_ready() joins it. */
static void *create_pit(void *arg)
{
	struct vm *vm = arg;
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};

	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		vm->pit_errno = errno;
	return NULL;
}

int vm_wait_ready(struct vm *vm)
{
	if (!vm->pit_thread_started)
		return 0;
	pthread_join(vm->pit_thread, NULL);
	vm->pit_thread_started = false;
	if (vm->pit_errno) {
		log_error("KVM_CREATE_PIT2: %s", strerror(vm->pit_errno));
		return -1;
	}
	return 0;
}

int vm_create(struct vm *vm, uint64_t ram_size)
{

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = -1;
	pthread_mutex_init(&vm->irq_lock, NULL);
	pthread_mutex_init(&vm->stop_lock, NULL);
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0) {
		log_error("eventfd: %s", strerror(errno));
		return -1;
	}
	bus_init(&vm->pio);
	bus_init(&vm->mmio);
	vm->ram_size = ram_size;
	vm->is_pvm = host_is_pvm();

	vm->kvm_fd = open_kvm();
	if (vm->kvm_fd < 0 || check_caps(vm->kvm_fd))
		return -1;
	log_debug("host KVM: %s", vm->is_pvm ? "PVM (kvm_pvm): guest CPL0 code is emulated"
					     : "hardware virtualisation");

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		log_error("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0) {
		log_error("KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -1;
	}
	/* Only VMX needs it; harmless elsewhere, so failure is not fatal. */
	uint64_t idmap = KVM_IDENTITY_MAP;
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		log_error("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	if (routing_init(vm) || map_ram(vm, ram_size))
		return -1;
	/* After the memory slots: both take KVM's slot locks. */
	if (pthread_create(&vm->pit_thread, NULL, create_pit, vm) == 0)
		vm->pit_thread_started = true;
	else
		create_pit(vm);
	return 0;
}

void vm_destroy(struct vm *vm)
{
	vm_wait_ready(vm);
	if (vm->ram_host)
		munmap(vm->ram_host, vm->ram_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	free(vm->routing);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	vm->stop_fd = -1;
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	pthread_mutex_destroy(&vm->irq_lock);
	vm->ram_host = NULL;
	vm->vm_fd = vm->kvm_fd = -1;
}

int vm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, bool pio, bool datamatch, uint64_t val,
		 int fd, bool deassign)
{
	struct kvm_ioeventfd e = {
	    .datamatch = val,
	    .addr = addr,
	    .len = len,
	    .fd = fd,
	};

	if (pio)
		e.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (datamatch)
		e.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (deassign)
		e.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &e) < 0 ? -errno : 0;
}

int vm_irq_line(struct vm *vm, uint32_t gsi, bool level)
{
	struct kvm_irq_level l = {.irq = gsi, .level = level};

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

int vm_irqfd(struct vm *vm, uint32_t gsi, int fd, int resample_fd, bool deassign)
{
	struct kvm_irqfd i = {.fd = fd, .gsi = gsi};

	if (deassign)
		i.flags |= KVM_IRQFD_FLAG_DEASSIGN;
	else if (resample_fd >= 0) {
		i.flags |= KVM_IRQFD_FLAG_RESAMPLE;
		i.resamplefd = resample_fd;
	}
	return ioctl(vm->vm_fd, KVM_IRQFD, &i) < 0 ? -errno : 0;
}

int vm_gsi_alloc(struct vm *vm)
{
	int gsi;

	pthread_mutex_lock(&vm->irq_lock);
	gsi = vm->next_gsi < GSI_MSI_BASE + ROUTING_MAX_ENTRIES / 2 ? (int)vm->next_gsi++ : -ENOSPC;
	pthread_mutex_unlock(&vm->irq_lock);
	return gsi;
}

static struct kvm_irq_routing_entry *find_msi(struct kvm_irq_routing *r, uint32_t gsi)
{
	for (unsigned i = 0; i < r->nr; i++)
		if (r->entries[i].gsi == gsi && r->entries[i].type == KVM_IRQ_ROUTING_MSI)
			return &r->entries[i];
	return NULL;
}

static int commit_routing(struct vm *vm)
{
	return ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, vm->routing) < 0 ? -errno : 0;
}

int vm_msi_route_set(struct vm *vm, uint32_t gsi, uint64_t addr, uint32_t data)
{
	struct kvm_irq_routing_entry *e;
	int ret;

	pthread_mutex_lock(&vm->irq_lock);
	e = find_msi(vm->routing, gsi);
	if (!e) {
		if (vm->routing->nr >= ROUTING_MAX_ENTRIES) {
			ret = -ENOSPC;
			goto out;
		}
		e = &vm->routing->entries[vm->routing->nr++];
		memset(e, 0, sizeof(*e));
		e->gsi = gsi;
		e->type = KVM_IRQ_ROUTING_MSI;
	} else if (e->u.msi.address_lo == (uint32_t)addr &&
		   e->u.msi.address_hi == (uint32_t)(addr >> 32) && e->u.msi.data == data) {
		ret = 0; /* unchanged: skip the ioctl, it costs microseconds */
		goto out;
	}
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
	ret = commit_routing(vm);
out:
	pthread_mutex_unlock(&vm->irq_lock);
	return ret;
}

int vm_msi_route_clear(struct vm *vm, uint32_t gsi)
{
	struct kvm_irq_routing_entry *e;
	int ret = 0;

	pthread_mutex_lock(&vm->irq_lock);
	e = find_msi(vm->routing, gsi);
	if (e) {
		*e = vm->routing->entries[--vm->routing->nr];
		ret = commit_routing(vm);
	}
	pthread_mutex_unlock(&vm->irq_lock);
	return ret;
}

void vm_request_stop(struct vm *vm, int status, enum vm_stop_reason why)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (!vm->stop_requested) {
		vm->exit_status = status;
		vm->stop_reason = why;
		__atomic_store_n(&vm->stop_requested, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vm->stop_lock);
	efd_signal(vm->stop_fd, "stop");
}

bool vm_stopping(struct vm *vm)
{
	/* Read on every vCPU exit: a plain atomic load, no lock. The mutex in
	 * vm_request_stop() only decides which status wins. */
	return __atomic_load_n(&vm->stop_requested, __ATOMIC_ACQUIRE);
}
