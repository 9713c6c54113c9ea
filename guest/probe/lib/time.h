/* Time from rdtsc (native at CPL3). The TSC rate is not known to the probe:
 * rather than calibrate against a device (each poll a VM exit), durations
 * assume the fastest plausible TSC, so a delay or a timeout is never shorter
 * than asked (it may be up to TSC_MAX_HZ / actual rate times longer). */
#ifndef PROBE_LIB_TIME_H
#define PROBE_LIB_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define TSC_MAX_HZ 5000000000ULL

/* Busy-wait at least `us` microseconds. */
void delay_us(uint64_t us);

/* A deadline at least `ms` milliseconds away. */
uint64_t deadline_ms(uint64_t ms);
bool deadline_passed(uint64_t deadline);

/* The TSC rate, measured once on first use against the PIT (channel 2, 10 ms
 * polled through port 0x61: ~370 VM exits, ~0.5%), else against the LAPIC
 * timer (1 GHz on KVM and QEMU); 0 if neither counts. For benchmarks. */
uint64_t tsc_hz(void);
const char *tsc_source(void); /* "pit", "lapic" or "none" */

#endif
