/* KVM-backed interrupt delivery for PCI functions.
 *
 * MSI-X: each vector gets, on first use, a GSI with an MSI route and an
 * irqfd; delivering is one eventfd write. INTx: the function's IOAPIC pin
 * driven as a level with KVM_IRQ_LINE. The owner keeps the level equal to
 * "the device has a cause" under its own lock (virtio: ISR set -> high, ISR
 * read -> low), and the level-triggered IOAPIC re-delivers after an EOI by
 * itself while the line stays high. No resample eventfd, no thread: a
 * resample thread reacts after the fact and re-raises for causes the
 * driver has already read, which shows up as interrupts with an empty ISR.
 */
#ifndef LKVM_PCI_IRQ_KVM_H
#define LKVM_PCI_IRQ_KVM_H

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

/* A function's INTx line. With vm NULL (tests) only the level is kept. */
struct pci_intx {
	struct vm *vm;
	unsigned gsi;
	bool live;  /* set up (pci_intx_init), not pci_intx_none */
	bool level; /* what KVM was last told */
	/* Test hook: when set, called on each level change instead of KVM. */
	void (*fake_set)(void *ctx, bool level);
	void *ctx;
};

void pci_intx_init(struct pci_intx *x, struct vm *vm, unsigned gsi);
/* A line not set up yet: set does nothing, exit is safe. */
void pci_intx_none(struct pci_intx *x);
/* Leaves the line low. */
void pci_intx_exit(struct pci_intx *x);
/* Drive the line; only changes reach KVM. Callers serialize. */
void pci_intx_set(struct pci_intx *x, bool level);

#endif
