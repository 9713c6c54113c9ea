#include "lib/time.h"
#include "lib/io.h"

void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * (TSC_MAX_HZ / 1000000);
	while (rdtsc() < end)
		cpu_relax();
}

uint64_t deadline_ms(uint64_t ms)
{
	return rdtsc() + ms * (TSC_MAX_HZ / 1000);
}

bool deadline_passed(uint64_t deadline)
{
	return rdtsc() >= deadline;
}

#define PIT_HZ	       1193182
#define PIT_CH2	       0x42
#define PIT_MODE       0x43
#define PORT_B	       0x61	     /* bit 0: channel 2 gate, bit 1: speaker, bit 5: OUT2 */
#define CALIB_TICKS    11932	     /* 10 ms */
#define LAPIC_TIMER_HZ 1000000000ULL /* KVM's and QEMU's APIC bus: 1 ns a tick */

static const char *source = "none";

/* PIT channel 2 in mode 0 counts CALIB_TICKS down; OUT2 (port 0x61 bit 5)
 * rises at zero. 0 unless port 0x61 behaves: the gate bit reads back and
 * OUT2 is low right after programming (no port reads all ones: QEMU
 * microvm; lkvm-gpu without KVM_PIT_SPEAKER_DUMMY reads zeros). */
static uint64_t calibrate_pit(void)
{
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02) | 0x01));
	if (!(inb(PORT_B) & 0x01))
		return 0;
	outb(PIT_MODE, 0xB0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, CALIB_TICKS & 0xff);
	outb(PIT_CH2, CALIB_TICKS >> 8);
	uint64_t t0 = rdtsc(), give_up = deadline_ms(50);
	if (inb(PORT_B) & 0x20)
		return 0;
	while (!(inb(PORT_B) & 0x20))
		if (deadline_passed(give_up))
			return 0;
	return (rdtsc() - t0) * PIT_HZ / CALIB_TICKS;
}

static bool plausible(uint64_t hz)
{
	return hz >= 100000000ULL && hz <= 20000000000ULL;
}

/* The LAPIC timer's current count against the TSC over ~10 ms (in-kernel
 * MMIO reads, no exits to the VMM); assumes the 1 GHz APIC bus of KVM and
 * QEMU. The timer stays masked. */
static uint64_t calibrate_lapic(void)
{
	const uint64_t base = 0xFEE00000;

	mmio_write32(base + 0x320, 0x10000); /* LVT timer: masked, one-shot */
	mmio_write32(base + 0x3E0, 0xB);     /* divide by 1 */
	mmio_write32(base + 0x380, 0xffffffff);
	uint32_t c0 = mmio_read32(base + 0x390);
	uint64_t t0 = rdtsc();
	delay_us(10000);
	uint32_t c1 = mmio_read32(base + 0x390);
	uint64_t t1 = rdtsc();
	mmio_write32(base + 0x380, 0);
	if (c1 >= c0)
		return 0;
	return (t1 - t0) * LAPIC_TIMER_HZ / (c0 - c1);
}

uint64_t tsc_hz(void)
{
	static uint64_t hz;

	if (hz)
		return hz;
	hz = calibrate_pit();
	source = "pit";
	if (!plausible(hz)) {
		hz = calibrate_lapic();
		source = "lapic";
	}
	if (!plausible(hz)) {
		hz = 0;
		source = "none";
	}
	return hz;
}

const char *tsc_source(void)
{
	return source;
}
