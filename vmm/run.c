#include "vmm/run.h"

#include <errno.h>
#include <limits.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "kvm/boot/boot.h"
#include "vmm/control.h"
#include "kvm/cpuid.h"
#include "util/file.h"
#include "util/log.h"
#include "kvm/hw/platform.h"
#include "kvm/hw/serial.h"
#include "vmm/term.h"
#include "kvm/vcpu.h"
#include "kvm/vm.h"
#include "gpu/setup.h"
#include "pci/pci.h"
#include "virtio/console.h"
#include "virtio/setup.h"

#define STATUS_SETUP_ERROR 2
#define KERNEL_MAX_BYTES   (512u << 20)
#define INITRD_MAX_BYTES   (2048u << 20)

struct machine {
	struct vm vm;
	struct serial serial;
	struct platform platform;
	struct control control;
	struct pci_bus pci;
	struct virtio_devices *virtio;
	struct virtio_console *vcon;
	struct gpu_instance *gpu;
	struct vcpu *vcpus;
	unsigned nr_vcpus;
	void *kernel, *initrd;
	size_t kernel_len, initrd_len;
	int signal_fd;
};

static void noop_handler(int sig)
{
	(void)sig;
}

/* SIGINT/SIGTERM/SIGHUP are read through a signalfd by the main thread; every
 * thread created later inherits the blocked mask. SIGUSR1 only kicks vCPUs
 * out of KVM_RUN. */
static int setup_signals(struct machine *m)
{
	struct sigaction sa = {.sa_handler = noop_handler};
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return m->signal_fd < 0 ? -1 : 0;
}

/* The probe guest sits next to the binary: build/lkvm-gpu, build/guest/. */
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
	return buf;
}

static int load_images(struct machine *m, const struct run_options *o)
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

static int boot_guest(struct machine *m, const struct run_options *o, struct boot_result *res)
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

static int create_vcpus(struct machine *m, const struct run_options *o,
			const struct boot_result *res)
{
	struct kvm_cpuid2 *supported = cpuid_get_supported(m->vm.kvm_fd);
	int max = ioctl(m->vm.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	int ret = -1;

	if (!supported)
		return -1;
	if (max <= 0)
		max = ioctl(m->vm.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > 0 && o->cpus > (unsigned)max) {
		log_error("--cpus %u: this host's KVM allows at most %d", o->cpus, max);
		goto out;
	}
	m->vcpus = calloc(o->cpus, sizeof(*m->vcpus));
	if (!m->vcpus)
		goto out;
	for (unsigned i = 0; i < o->cpus; i++) {
		m->vcpus[i].fd = -1;
		if (vcpu_create(&m->vcpus[i], &m->vm, i, o->cpus, supported))
			goto out;
		m->nr_vcpus++;
		if (vcpu_setup_boot(&m->vcpus[i], res))
			goto out;
	}
	ret = 0;
out:
	free(supported);
	return ret;
}

static void handle_signal(struct machine *m)
{
	struct signalfd_siginfo si;

	if (read(m->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	log_info("received signal %u, shutting down", si.ssi_signo);
	vm_request_stop(&m->vm, 128 + si.ssi_signo);
}

/* Returns false once stdin is finished (EOF or error). */
static bool handle_stdin(struct machine *m, bool interactive, struct term_escape *esc)
{
	uint8_t in[256], out[2 * sizeof(in) + 1];
	unsigned space = serial_input_space(&m->serial);
	size_t n, want = space < sizeof(in) ? space : sizeof(in);
	ssize_t got;
	bool quit = false;

	if (want == 0)
		return true;
	got = read(STDIN_FILENO, in, want);
	if (got < 0)
		return errno == EINTR || errno == EAGAIN;
	if (got == 0)
		return false;
	if (interactive) {
		n = term_escape_filter(esc, in, got, out, &quit);
		if (quit) {
			log_info("Ctrl-A x: stopping the VM");
			vm_request_stop(&m->vm, 0);
		}
	} else {
		memcpy(out, in, got);
		n = got;
	}
	serial_input(&m->serial, out, n);
	if (m->vcon)
		virtio_console_feed(m->vcon, out, n);
	return true;
}

static void main_loop(struct machine *m, bool interactive)
{
	struct term_escape esc = {0};
	bool stdin_open = true;

	while (!vm_stopping(&m->vm)) {
		struct pollfd p[4] = {
		    {.fd = m->vm.stop_fd, .events = POLLIN},
		    {.fd = m->signal_fd, .events = POLLIN},
		    {.fd = m->control.listen_fd, .events = POLLIN},
		    {.fd = -1, .events = POLLIN},
		};
		/* Stop reading stdin while the UART FIFO is full; re-check soon. */
		bool room = serial_input_space(&m->serial) > 0;

		if (stdin_open && room)
			p[3].fd = STDIN_FILENO;
		if (poll(p, 4, room ? -1 : 20) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			handle_signal(m);
		if (p[2].revents & POLLIN)
			control_serve(&m->control);
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
			stdin_open = handle_stdin(m, interactive, &esc);
		if (p[3].revents & POLLNVAL)
			stdin_open = false;
	}
}

static void gpu_closed(void *opaque)
{
	struct machine *m = opaque;

	log_info("display closed: shutting down");
	vm_request_stop(&m->vm, 0);
}

static int setup_devices(struct machine *m, const struct run_options *o)
{
	char err[512];

	m->virtio = virtio_devices_setup(&m->vm, &m->pci, o, err, sizeof(err));
	if (!m->virtio) {
		log_error("%s", err);
		return -1;
	}
	m->vcon = virtio_devices_console(m->virtio);
	if (o->gpu) {
		m->gpu = gpu_setup(&m->vm, &m->pci, o, gpu_closed, m, err, sizeof(err));
		if (!m->gpu) {
			log_error("%s", err);
			return -1;
		}
		m->control.shot.take = gpu_screenshot;
		m->control.shot.ctx = m->gpu;
	}
	return 0;
}

/* The exit screenshot is taken once the vCPUs stopped: the last frame. */
static void exit_screenshot(struct machine *m, const struct run_options *o)
{
	char err[512];

	if (!m->gpu || !o->screenshot)
		return;
	if (gpu_screenshot(m->gpu, o->screenshot, err, sizeof(err)))
		log_error("--screenshot %s: %s", o->screenshot, err);
}

static void machine_teardown(struct machine *m)
{
	for (unsigned i = 0; i < m->nr_vcpus; i++)
		vcpu_kick(&m->vcpus[i]);
	for (unsigned i = 0; i < m->nr_vcpus; i++)
		vcpu_join(&m->vcpus[i]);
	for (unsigned i = 0; i < m->nr_vcpus; i++)
		vcpu_destroy(&m->vcpus[i]);
	if (m->gpu)
		gpu_teardown(m->gpu);
	if (m->virtio)
		virtio_devices_teardown(m->virtio);
	free(m->vcpus);
	control_close(&m->control);
	free(m->kernel);
	free(m->initrd);
	vm_destroy(&m->vm);
	if (m->signal_fd >= 0)
		close(m->signal_fd);
}

static double ms_since(struct timespec *t)
{
	struct timespec now;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - t->tv_sec) * 1e3 + (now.tv_nsec - t->tv_nsec) / 1e6;
	*t = now;
	return ms;
}

int run_vm(const struct run_options *o)
{
	struct machine m;
	struct boot_result res;
	bool interactive = false;
	int status = STATUS_SETUP_ERROR;
	char default_name[32];
	struct timespec t;

	snprintf(default_name, sizeof(default_name), "guest-%d", (int)getpid());

	memset(&m, 0, sizeof(m));
	m.signal_fd = -1;
	m.control.listen_fd = -1;
	m.vm.vm_fd = m.vm.kvm_fd = m.vm.stop_fd = -1;
	log_debug_enabled = o->debug;

	if (setup_signals(&m) || load_images(&m, o))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (vm_create(&m.vm, o->mem_mib << 20))
		goto out;
	log_debug("setup: VM and RAM %.2f ms", ms_since(&t));
	if (control_open(&m.control, &m.vm, o->name ? o->name : default_name))
		goto out;
	if (platform_init(&m.platform, &m.vm, o->test_exit) ||
	    serial_init(&m.serial, &m.vm, STDOUT_FILENO) || setup_devices(&m, o))
		goto out;
	log_debug("setup: devices %.2f ms", ms_since(&t));
	if (boot_guest(&m, o, &res))
		goto out;
	log_debug("setup: guest image %.2f ms", ms_since(&t));
	if (vm_wait_ready(&m.vm) || create_vcpus(&m, o, &res))
		goto out;
	log_debug("setup: vCPUs %.2f ms", ms_since(&t));

	interactive = term_raw_enable();
	for (unsigned i = 0; i < m.nr_vcpus; i++)
		if (vcpu_start(&m.vcpus[i])) {
			vm_request_stop(&m.vm, STATUS_SETUP_ERROR);
			break;
		}
	main_loop(&m, interactive);
	status = m.vm.exit_status;
	for (unsigned i = 0; i < m.nr_vcpus; i++)
		vcpu_kick(&m.vcpus[i]);
	for (unsigned i = 0; i < m.nr_vcpus; i++)
		vcpu_join(&m.vcpus[i]);
	exit_screenshot(&m, o);
out:
	machine_teardown(&m);
	term_raw_restore();
	return status;
}
