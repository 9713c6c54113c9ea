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
