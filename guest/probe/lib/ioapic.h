/* The IOAPIC at 0xFEC00000 by MMIO from CPL3 (in-kernel on KVM: no exits to
 * the VMM): index register at +0, data window at +0x10. */
#ifndef PROBE_LIB_IOAPIC_H
#define PROBE_LIB_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/io.h"

#define IOAPIC_ADDR	 0xFEC00000ull
#define IOAPIC_REDIR(p)	 (0x10 + 2 * (p))
#define IOAPIC_MASKED	 0x10000
#define IOAPIC_LEVEL	 0x8000
#define IOAPIC_ACTIVE_LO 0x2000

static inline void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_ADDR, reg);
	mmio_write32(IOAPIC_ADDR + 0x10, v);
}

static inline uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(IOAPIC_ADDR, reg);
	return mmio_read32(IOAPIC_ADDR + 0x10);
}

/* Pin -> vector on apic_id, fixed delivery, physical destination, unmasked. */
static inline void ioapic_route(unsigned pin, uint8_t vector, bool level, bool active_low,
				uint8_t apic_id)
{
	ioapic_write(IOAPIC_REDIR(pin), IOAPIC_MASKED);
	ioapic_write(IOAPIC_REDIR(pin) + 1, (uint32_t)apic_id << 24);
	ioapic_write(IOAPIC_REDIR(pin),
		     vector | (level ? IOAPIC_LEVEL : 0) | (active_low ? IOAPIC_ACTIVE_LO : 0));
}

static inline void ioapic_mask(unsigned pin)
{
	ioapic_write(IOAPIC_REDIR(pin), IOAPIC_MASKED);
}

#endif
