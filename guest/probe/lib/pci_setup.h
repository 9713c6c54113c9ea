/* What firmware would have done for a driver: pick the config mechanism and
 * give unassigned BARs addresses. lkvm-gpu and QEMU -M pc/q35 assign BARs
 * themselves; QEMU -M microvm,pcie=on boots PVH with nothing assigned and no
 * MCFG, so the command line can name the ECAM and the MMIO window:
 *   probe.ecam=ADDR        ECAM base of bus 0 (default: from the ACPI MCFG)
 *   probe.pci_mmio=ADDR    32-bit window for BARs (default 0xC0000000, 512 MiB)
 */
#ifndef PROBE_LIB_PCI_SETUP_H
#define PROBE_LIB_PCI_SETUP_H

#include "lib/pci.h"

#define PCI_WINDOW_DEFAULT 0xC0000000ull
#define PCI_WINDOW_SIZE	   0x20000000ull

/* ECAM when known, else 0xCF8 if a device answers there; NULL if no PCI. */
const struct pci_access *pci_access_default(void);

/* Assign every unassigned memory BAR of dev.fn inside the window, naturally
 * aligned, above every BAR already there. 0, or -1 if the window is full. */
int pci_assign_bars(const struct pci_access *a, unsigned dev, unsigned fn);

#endif
