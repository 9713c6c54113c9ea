#include "pci/irq_kvm.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm/log.h"

static void kick(int fd)
{
	uint64_t one = 1;

	/* An eventfd write only fails if the counter would overflow, and
	 * then an interrupt is already pending anyway. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("irq eventfd write: %s", strerror(errno));
}

static int msix_kvm_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	struct msix_kvm *k = ctx;
	int gsi, fd, r;

	if (k->gsi[vec] >= 0)
		return vm_msi_route_set(k->vm, k->gsi[vec], addr, data);
	gsi = vm_gsi_alloc(k->vm);
	if (gsi < 0)
		return gsi;
	r = vm_msi_route_set(k->vm, gsi, addr, data);
	if (r)
		return r;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = vm_irqfd(k->vm, gsi, fd, -1, false);
	if (r) {
		close(fd);
		return r;
	}
	k->gsi[vec] = gsi;
	k->fd[vec] = fd;
	return 0;
}

static void msix_kvm_fire(void *ctx, unsigned vec)
{
	struct msix_kvm *k = ctx;

	if (k->fd[vec] >= 0)
		kick(k->fd[vec]);
}

const struct msix_irq_ops msix_kvm_ops = {
    .route = msix_kvm_route,
    .fire = msix_kvm_fire,
};

void msix_kvm_init(struct msix_kvm *k, struct vm *vm)
{
	k->vm = vm;
	for (unsigned i = 0; i < MSIX_MAX_VECTORS; i++)
		k->gsi[i] = k->fd[i] = -1;
}

void msix_kvm_exit(struct msix_kvm *k)
{
	for (unsigned i = 0; i < MSIX_MAX_VECTORS; i++) {
		if (k->fd[i] < 0)
			continue;
		vm_irqfd(k->vm, k->gsi[i], k->fd[i], -1, true);
		vm_msi_route_clear(k->vm, k->gsi[i]);
		close(k->fd[i]);
		k->fd[i] = k->gsi[i] = -1;
	}
}

/* INTx ------------------------------------------------------------------ */

/* After each EOI KVM has lowered the line; raise it again while the
 * device still has something to report (level semantics). */
static void *resample_loop(void *arg)
{
	struct pci_intx *x = arg;
	struct pollfd p[2] = {{.fd = x->resample_fd, .events = POLLIN},
			      {.fd = x->kill_fd, .events = POLLIN}};
	uint64_t v;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			if (read(x->resample_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				break;
			if (x->pending(x->ctx))
				kick(x->trigger_fd);
		}
	}
	return NULL;
}

int pci_intx_init(struct pci_intx *x, struct vm *vm, unsigned gsi, bool (*pending)(void *),
		  void *ctx)
{
	int r;

	memset(x, 0, sizeof(*x));
	x->vm = vm;
	x->gsi = gsi;
	x->pending = pending;
	x->ctx = ctx;
	x->trigger_fd = x->resample_fd = x->kill_fd = -1;
	x->trigger_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	x->resample_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	x->kill_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (x->trigger_fd < 0 || x->resample_fd < 0 || x->kill_fd < 0) {
		r = -errno;
		goto fail;
	}
	/* Without a vm (tests) the eventfds and the thread still run; only
	 * KVM's side is missing. */
	r = vm ? vm_irqfd(vm, gsi, x->trigger_fd, x->resample_fd, false) : 0;
	if (r)
		goto fail;
	r = -pthread_create(&x->thread, NULL, resample_loop, x);
	if (r) {
		if (vm)
			vm_irqfd(vm, gsi, x->trigger_fd, -1, true);
		goto fail;
	}
	x->has_thread = true;
	return 0;
fail:
	log_error("pci: INTx on GSI %u: %s", gsi, strerror(-r));
	pci_intx_exit(x);
	return r;
}

void pci_intx_none(struct pci_intx *x)
{
	memset(x, 0, sizeof(*x));
	x->trigger_fd = x->resample_fd = x->kill_fd = -1;
}

void pci_intx_exit(struct pci_intx *x)
{
	if (x->has_thread) {
		kick(x->kill_fd);
		pthread_join(x->thread, NULL);
		if (x->vm)
			vm_irqfd(x->vm, x->gsi, x->trigger_fd, -1, true);
		x->has_thread = false;
	}
	if (x->trigger_fd >= 0)
		close(x->trigger_fd);
	if (x->resample_fd >= 0)
		close(x->resample_fd);
	if (x->kill_fd >= 0)
		close(x->kill_fd);
	x->trigger_fd = x->resample_fd = x->kill_fd = -1;
}

void pci_intx_raise(struct pci_intx *x)
{
	if (x->fake_raise)
		x->fake_raise(x->ctx);
	else if (x->trigger_fd >= 0)
		kick(x->trigger_fd);
}
