/* The local APIC in xAPIC mode, by MMIO from CPL3 (handled inside KVM with
 * the in-kernel irqchip: no userspace exit). */
#ifndef PROBE_LIB_LAPIC_H
#define PROBE_LIB_LAPIC_H

#include <stdint.h>

#include "arch/layout.h"
#include "lib/io.h"

#define LAPIC_ID	   0x20
#define LAPIC_VERSION	   0x30
#define LAPIC_TPR	   0x80
#define LAPIC_SVR	   0xF0
#define LAPIC_LVT_TIMER	   0x320
#define LAPIC_LVT_LINT0	   0x350
#define LAPIC_LVT_LINT1	   0x360
#define LAPIC_LVT_ERROR	   0x370
#define LVT_MASKED	   0x10000
#define LVT_TIMER_PERIODIC 0x20000
#define LAPIC_TIMER_INIT   0x380
#define LAPIC_TIMER_DIV	   0x3E0
#define TIMER_DIV_1	   0xB
#define LAPIC_ICR_LO	   0x300
#define LAPIC_ICR_HI	   0x310

#define ICR_INIT	 0x00000500
#define ICR_STARTUP	 0x00000600
#define ICR_LEVEL_ASSERT 0x00004000
#define ICR_SEND_PENDING 0x00001000
#define SVR_ENABLE	 0x100

static inline uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_ADDR + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_ADDR + reg, v);
}

static inline uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* Mask every local interrupt source. A BIOS (QEMU -M pc) leaves LINT0 as an
 * unmasked ExtINT "virtual wire", through which the legacy PIC's timer would
 * arrive at vector 8, colliding with #DF. In-kernel LAPIC writes are cheap. */
static inline void lapic_quiesce(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
}

/* Software-enable the LAPIC with the spurious vector, local sources masked. */
static inline void lapic_enable(void)
{
	lapic_quiesce();
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

static inline void lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
}

#endif
