/* What the seccomp filters add to one system call on this host, with no
 * VM: eventfd write+read pairs (the calls a virtio worker and the vCPU's
 * interrupt path make most) timed with no filter, under the vCPU role's
 * filter, and under the vCPU's plus a virtio worker's (a worker inherits
 * the vCPU's filter and stacks its own, so every call runs both).
 * Prints ns per call, best of BENCH_RUNS (default 5) runs of 200,000 pairs
 * each, so that a busy host's worst moments are left out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util/sandbox.h"

#define PAIRS 200000

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* ns per call, the best of runs. */
static double best(int fd, int runs)
{
	double b = 1e30;

	for (int r = 0; r < runs; r++) {
		uint64_t v = 1;
		double t0 = now(), ns;

		for (int i = 0; i < PAIRS; i++)
			if (write(fd, &v, 8) != 8 || read(fd, &v, 8) != 8)
				return -1;
		ns = (now() - t0) / (2.0 * PAIRS) * 1e9;
		if (ns < b)
			b = ns;
	}
	return b;
}

int main(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	int runs = getenv("BENCH_RUNS") ? atoi(getenv("BENCH_RUNS")) : 5;
	double none, vcpu, both;

	if (fd < 0 || runs < 1)
		return 2;
	best(fd, 1); /* warm up */
	none = best(fd, runs);
	if (sandbox_install_rules(sandbox_rules(SANDBOX_VCPU), SANDBOX_KILL))
		return 2;
	vcpu = best(fd, runs);
	if (sandbox_install_rules(sandbox_rules(SANDBOX_VIRTIO), SANDBOX_KILL))
		return 2;
	both = best(fd, runs);
	printf("sandbox cost per system call (eventfd write/read, best of %d x %d pairs): "
	       "no filter %.0f ns, vCPU filter %.0f ns (+%.0f), vCPU + worker filters %.0f ns "
	       "(+%.0f)\n",
	       runs, PAIRS, none, vcpu, vcpu - none, both, both - none);
	return 0;
}
