/* The guest's side of the machine: the kernel and initrd files, the image
 * they become in RAM, and the vCPUs that start in it. */
#include <limits.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm/cpuid.h"
#include "util/file.h"
#include "util/log.h"
#include "vmm/machine_parts.h"

#define KERNEL_MAX_BYTES (512u << 20)
#define INITRD_MAX_BYTES (2048u << 20)

/* The probe guest sits next to the binary in a build tree (build/lkvm-gpu,
 * build/guest/probe.elf), or under the installation's share folder
 * (PREFIX/bin/lkvm-gpu, PREFIX/share/lkvm-gpu/probe.elf: make install). */
static const char *default_kernel(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	snprintf(buf, len, "%s/guest/probe.elf", exe);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, len, "%s/../share/lkvm-gpu/probe.elf", exe);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, len, "%s/guest/probe.elf", exe); /* named in the error */
	return buf;
}

int machine_read_images(struct machine *m, const struct run_options *o)
{
	char err[512], path[PATH_MAX + 32];
	const char *kernel = o->kernel;

	if (!kernel) {
		kernel = default_kernel(path, sizeof(path));
		if (!kernel || access(kernel, R_OK)) {
			log_error("no --kernel given and the probe guest is not built (%s): run "
				  "'make guest' or pass -k FILE",
				  kernel ? kernel : "build/guest/probe.elf");
			return -1;
		}
	}
	m->kernel = file_read_all(kernel, KERNEL_MAX_BYTES, &m->kernel_len, err, sizeof(err));
	if (!m->kernel) {
		log_error("kernel %s", err);
		return -1;
	}
	if (o->initrd) {
		m->initrd =
		    file_read_all(o->initrd, INITRD_MAX_BYTES, &m->initrd_len, err, sizeof(err));
		if (!m->initrd) {
			log_error("initrd %s", err);
			return -1;
		}
	}
	return 0;
}

void machine_free_images(struct machine *m)
{
	free(m->kernel);
	free(m->initrd);
	m->kernel = m->initrd = NULL;
}

int machine_load_guest(struct machine *m, const struct run_options *o)
{
	struct boot_config cfg = {
	    .ram_size = m->vm.ram_size,
	    .kernel = m->kernel,
	    .kernel_len = m->kernel_len,
	    .initrd = m->initrd,
	    .initrd_len = m->initrd_len,
	    .cmdline = o->cmdline,
	    .nr_cpus = o->cpus,
	    .ram_is_zero = true,
	};
	struct boot_result *res = &m->boot;
	char err[512];

	if (boot_prepare(&m->vm.mem, &cfg, res, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	log_debug("kernel: %s, entry %#llx, boot_params %#llx", res->format,
		  (unsigned long long)res->entry, (unsigned long long)res->boot_params);
	if (res->is_linux && m->vm.is_pvm)
		log_warn("this host's KVM is PVM: guest kernel code runs in a slow instruction "
			 "emulator, so a Linux guest will be very slow or fail (see README)");
	return 0;
}

/* KVM_CAP_MAX_VCPUS, or the older recommended count. */
static int host_max_vcpus(int kvm_fd)
{
	int max = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	return max > 0 ? max : ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
}

int machine_create_vcpus(struct machine *m, unsigned nr_cpus)
{
	struct kvm_cpuid2 *supported = cpuid_get_supported(m->vm.kvm_fd);
	int max = host_max_vcpus(m->vm.kvm_fd);
	int ret = -1;

	if (!supported)
		return -1;
	if (max > 0 && nr_cpus > (unsigned)max) {
		log_error("--cpus %u: this host's KVM allows at most %d", nr_cpus, max);
		goto out;
	}
	m->vcpus = calloc(nr_cpus, sizeof(*m->vcpus));
	if (!m->vcpus)
		goto out;
	for (unsigned i = 0; i < nr_cpus; i++) {
		m->vcpus[i].fd = -1;
		if (vcpu_create(&m->vcpus[i], &m->vm, i, nr_cpus, supported))
			goto out;
		m->nr_vcpus++;
		if (vcpu_setup_boot(&m->vcpus[i], &m->boot))
			goto out;
	}
	ret = 0;
out:
	free(supported);
	return ret;
}

void machine_destroy_vcpus(struct machine *m)
{
	for (unsigned i = 0; i < m->nr_vcpus; i++)
		vcpu_destroy(&m->vcpus[i]);
	free(m->vcpus);
	m->vcpus = NULL;
	m->nr_vcpus = 0;
}
