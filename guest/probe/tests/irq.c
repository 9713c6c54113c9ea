/* The CPL0 paths later device tests rely on: LAPIC interrupts into the
 * counting stubs (with EOI), int3 from CPL3, and the ud2 system call that
 * waits in hlt for an interrupt. Self-IPIs need no device. */
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/lapic.h"
#include "lib/report.h"
#include "lib/time.h"
#include "tests/tests.h"

#define IRQ_TEST_VECTOR 0x40
#define TIMER_VECTOR	0x41
#define TIMER_PERIOD	1000000 /* LAPIC timer ticks: 1 ms at KVM's 1 GHz */
#define IRQ_ROUNDS	100
#define IRQ_TIMEOUT_MS	2000
#define ICR_SELF	0x00040000 /* destination shorthand: self */

static bool wait_count(volatile uint32_t *counter, uint32_t want, uint64_t deadline)
{
	while (*counter < want) {
		if (deadline_passed(deadline))
			return false;
		cpu_relax();
	}
	return true;
}

enum test_result test_irq(struct test_ctx *ctx)
{
	volatile uint32_t *count = &irq_counts[IRQ_TEST_VECTOR];
	uint64_t deadline = deadline_ms(IRQ_TIMEOUT_MS);

	lapic_enable();
	uint32_t base = *count;
	uint64_t t0 = rdtsc();
	for (uint32_t i = 1; i <= IRQ_ROUNDS; i++) {
		lapic_write(LAPIC_ICR_LO, ICR_SELF | IRQ_TEST_VECTOR);
		/* Each interrupt must be taken and EOIed before the next one,
		 * or the IRR would merge them. */
		if (!wait_count(count, base + i, deadline))
			return test_fail(ctx, "self-IPI %u of %u not counted (count %u)", i,
					 IRQ_ROUNDS, *count - base);
	}
	uint64_t cycles = rdtsc() - t0;
	report_info("irq_cycles_per_ipi", "%lu", cycles / IRQ_ROUNDS);
	delay_us(2000); /* an interrupt delivered twice would show by now */
	if (*count - base != IRQ_ROUNDS)
		return test_fail(ctx, "%u interrupts counted for %u self-IPIs", *count - base,
				 IRQ_ROUNDS);

	uint32_t bp = bp_count;
	__asm__ volatile("int3" ::: "memory");
	__asm__ volatile("int3" ::: "memory");
	if (bp_count != bp + 2)
		return test_fail(ctx, "int3 counted %u times of 2", bp_count - bp);

	/* hlt at CPL0 until an interrupt. CPL3 runs with IF=1, so anything sent
	 * before cpu_idle() would be taken right away: a periodic LAPIC timer
	 * keeps firing until one tick lands in hlt. */
	volatile uint32_t *ticks = &irq_counts[TIMER_VECTOR];
	uint32_t before = *ticks;
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_INIT, TIMER_PERIOD);
	cpu_idle();
	uint32_t after = *ticks;
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (after == before)
		return test_fail(ctx, "woke from hlt without a counted timer interrupt");
	return TEST_PASS;
}
