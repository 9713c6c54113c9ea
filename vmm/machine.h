/* The machine `lkvm-gpu run` boots, built from the command-line options in
 * one order and torn down in reverse:
 *
 *   the --user lookup, kernel and initrd files, VM and RAM, control socket,
 *   console output, platform ports, serial, PCI bus, virtio devices (disks,
 *   rng, console), display, the drop to --user, GPU, guest image in RAM, vCPUs.
 *
 * This is the composition root: the only code (with main.c and the run
 * loop) that sees struct run_options. Each device gets its own small
 * config from here and never sees the command line.
 */
#ifndef LKVM_VMM_MACHINE_H
#define LKVM_VMM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include "kvm/boot/boot.h"
#include "kvm/hw/serial.h"
#include "kvm/vcpu.h"
#include "kvm/vm.h"
#include "pci/pci.h"
#include "util/privdrop.h"
#include "vmm/console_out.h"
#include "vmm/control.h"
#include "vmm/options.h"

/* Every --disk, virtio-rng, virtio-console, the GPU and three input devices. */
#define MACHINE_MAX_PCI_FNS (OPT_MAX_DISKS + 3 + 3)

struct machine_pci_fn; /* a virtio device on its PCI function */
struct virtio_console;
struct display;
struct gpu;
struct vm_input;

struct machine {
	void *kernel, *initrd;
	size_t kernel_len, initrd_len;
	struct vm vm;
	struct control control;
	struct console_out out; /* the consoles' output to stdout */
	struct serial serial;
	struct pci_bus pci;
	bool pci_ready;
	struct machine_pci_fn *fns[MACHINE_MAX_PCI_FNS]; /* in the order added */
	unsigned nr_fns;
	struct virtio_console *vcon; /* NULL without --console virtio */
	struct display *display;     /* NULL without --gpu */
	struct gpu *gpu;	     /* NULL without --gpu; owned by its PCI function */
	struct vm_input *input;	     /* NULL without --input (vmm/input.h) */
	struct boot_result boot;
	struct privdrop_user user; /* --user, resolved */
	struct vcpu *vcpus;
	unsigned nr_vcpus;
};

/* Build everything up to created (not running) vCPUs. -1 after one log
 * line; machine_teardown() then frees what was built. */
int machine_build(struct machine *m, const struct run_options *o);
/* Start the vCPU threads; -1 if one cannot start (the others run). */
int machine_start(struct machine *m);
/* Kick the vCPUs out of KVM_RUN and join their threads. */
void machine_stop(struct machine *m);
/* PNG of every display output (output i > 0 to FILE-i.png); the shape of
 * struct control_screenshot's take(). 0, or -1 with err filled. */
int machine_screenshot(void *machine, const char *path, char *err, size_t errlen);
/* Undo machine_build, in reverse; safe on a partly built machine. */
void machine_teardown(struct machine *m);

#endif
