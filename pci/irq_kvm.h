/* KVM-backed interrupt delivery for PCI functions.
 *
 * MSI-X: each vector gets, on first use, a GSI with an MSI route and an
 * irqfd; delivering is one eventfd write. INTx: a level-triggered irqfd
 * with a resample eventfd on the function's IOAPIC pin. KVM lowers the
 * line at EOI and signals the resample fd; a small thread then asks the
 * device whether its interrupt is still pending and re-raises it.
 */
#ifndef LKVM_PCI_IRQ_KVM_H
#define LKVM_PCI_IRQ_KVM_H

#include <pthread.h>
#include <stdbool.h>

#include "kvm/vm.h"
#include "pci/msix.h"

struct msix_kvm {
	struct vm *vm;
	int gsi[MSIX_MAX_VECTORS]; /* -1: not routed yet */
	int fd[MSIX_MAX_VECTORS];
};

extern const struct msix_irq_ops msix_kvm_ops;
void msix_kvm_init(struct msix_kvm *k, struct vm *vm);
void msix_kvm_exit(struct msix_kvm *k);

/* A function's INTx line. With vm NULL (tests) everything but the KVM
 * irqfd is real: raise() writes trigger_fd, the resample thread listens. */
struct pci_intx {
	struct vm *vm;
	unsigned gsi;
	int trigger_fd, resample_fd, kill_fd;
	pthread_t thread;
	bool has_thread;
	/* Asked after each EOI: is the device's interrupt still pending? */
	bool (*pending)(void *ctx);
	void *ctx;
	/* Test hook: when set, raise() calls it instead of the eventfd. */
	void (*fake_raise)(void *ctx);
};

int pci_intx_init(struct pci_intx *x, struct vm *vm, unsigned gsi, bool (*pending)(void *),
		  void *ctx);
/* A line not set up yet: raise does nothing, exit is safe. */
void pci_intx_none(struct pci_intx *x);
void pci_intx_exit(struct pci_intx *x);
void pci_intx_raise(struct pci_intx *x);

#endif
