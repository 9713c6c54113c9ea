#include "util/eventfd.h"
#include "pci/irq_kvm.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/log.h"

/* The GSI is kept as soon as it is allocated, so a failed route or irqfd
 * is retried on the same GSI next time instead of leaking one per attempt
 * (deliver() retries on every interrupt while the vector stays dirty). */
static int msix_kvm_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	struct msix_kvm *k = ctx;
	int gsi, fd, r;

	if (k->gsi[vec] < 0) {
		gsi = vm_gsi_alloc(k->vm);
		if (gsi < 0)
			return gsi;
		k->gsi[vec] = gsi;
	}
	r = vm_msi_route_set(k->vm, k->gsi[vec], addr, data);
	if (r || k->fd[vec] >= 0)
		return r;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = vm_irqfd(k->vm, k->gsi[vec], fd, -1, false);
	if (r) {
		close(fd);
		return r;
	}
	k->fd[vec] = fd;
	return 0;
}

static void msix_kvm_fire(void *ctx, unsigned vec)
{
	struct msix_kvm *k = ctx;

	if (k->fd[vec] >= 0)
		efd_signal(k->fd[vec], "MSI-X irqfd");
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
		if (k->gsi[i] < 0)
			continue;
		if (k->fd[i] >= 0) {
			vm_irqfd(k->vm, k->gsi[i], k->fd[i], -1, true);
			close(k->fd[i]);
		}
		vm_msi_route_clear(k->vm, k->gsi[i]);
		k->fd[i] = k->gsi[i] = -1;
	}
}

/* INTx ------------------------------------------------------------------ */

void pci_intx_init(struct pci_intx *x, struct vm *vm, unsigned gsi)
{
	pci_intx_none(x);
	x->vm = vm;
	x->gsi = gsi;
	x->live = true;
}

void pci_intx_none(struct pci_intx *x)
{
	memset(x, 0, sizeof(*x));
}

void pci_intx_set(struct pci_intx *x, bool level)
{
	int r;

	if (!x->live || x->level == level)
		return;
	x->level = level;
	if (x->fake_set) {
		x->fake_set(x->ctx, level);
		return;
	}
	if (!x->vm)
		return;
	r = vm_irq_line(x->vm, x->gsi, level);
	if (r)
		log_error("pci: INTx GSI %u level %d: %s", x->gsi, level, strerror(-r));
}

void pci_intx_exit(struct pci_intx *x)
{
	pci_intx_set(x, false);
	x->live = false;
}
