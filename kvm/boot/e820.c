/* The guest's e820 memory map, derived from the RAM size alone so that the
 * VMM's memory slots, the zero page and the tests all agree. */
#include "kvm/boot/internal.h"

static unsigned e820_add(struct boot_e820_entry *out, unsigned n, unsigned max, uint64_t addr,
			 uint64_t size, uint32_t type)
{
	if (n >= max || size == 0)
		return n;
	out[n].addr = addr;
	out[n].size = size;
	out[n].type = type;
	return n + 1;
}

unsigned boot_e820_build(uint64_t ram_size, struct boot_e820_entry *out, unsigned max)
{
	uint64_t low_top = boot_low_ram_top(ram_size);
	unsigned n = 0;

	/* Base memory up to the EBDA, then the EBDA/VGA/BIOS area (our MP and
	 * ACPI tables live there, so the guest must not reuse it). */
	n = e820_add(out, n, max, 0, BOOT_EBDA_START, BOOT_E820_RAM);
	n = e820_add(out, n, max, BOOT_EBDA_START, BOOT_HIMEM_START - BOOT_EBDA_START,
		     BOOT_E820_RESERVED);
	if (low_top > BOOT_HIMEM_START)
		n = e820_add(out, n, max, BOOT_HIMEM_START, low_top - BOOT_HIMEM_START,
			     BOOT_E820_RAM);
	/* Linux only trusts ECAM (the ACPI MCFG) if the window is reserved. */
	n = e820_add(out, n, max, PCI_ECAM_BASE, PCI_ECAM_SIZE, BOOT_E820_RESERVED);
	if (ram_size > MEM_HOLE_START)
		n = e820_add(out, n, max, MEM_HOLE_END, ram_size - MEM_HOLE_START, BOOT_E820_RAM);
	return n;
}
