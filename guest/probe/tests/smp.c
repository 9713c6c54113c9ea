/* Every vCPU up: read the MP table, start each AP with INIT/SIPI/SIPI through
 * the LAPIC ICR, let each report its APIC id, then run the same CPL3 compute
 * loop on all CPUs at once and check every result. */
#include "arch/layout.h"
#include "lib/acpi.h"
#include "lib/bootinfo.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/lapic.h"
#include "lib/mptable.h"
#include "lib/report.h"
#include "lib/string.h"
#include "lib/time.h"
#include "tests/tests.h"

#define WORK_ITERS	    (1u << 24)
#define AP_START_TIMEOUT_MS 1000
#define WORK_TIMEOUT_MS	    5000

/* One cache line per CPU: written by that CPU, read by the BSP. */
struct cpu_slot {
	uint32_t alive;
	uint32_t apic_id;
	uint32_t done;
	uint64_t result;
	uint64_t t_start, t_end;
} __attribute__((aligned(64)));

static struct cpu_slot slots[PROBE_MAX_CPUS];
static uint32_t smp_go;

extern const uint8_t ap_trampoline[], ap_trampoline_end[];

/* A loop the compiler cannot shorten: xorshift64*, seeded per CPU. */
static uint64_t work(unsigned index)
{
	uint64_t x = 0x9E3779B97F4A7C15ULL * (index + 1);
	uint64_t acc = 0;

	for (uint32_t i = 0; i < WORK_ITERS; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		acc += x * 0x2545F4914F6CDD1DULL;
	}
	return acc;
}

static void run_work(unsigned index)
{
	struct cpu_slot *s = &slots[index];

	s->t_start = rdtsc();
	s->result = work(index);
	s->t_end = rdtsc();
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
}

/* Each AP arrives here at CPL3 from arch/ap.S, on its own stack. */
__attribute__((noreturn)) void smp_ap_main(unsigned index)
{
	struct cpu_slot *s = &slots[index];

	s->apic_id = lapic_id();
	__atomic_store_n(&s->alive, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&smp_go, __ATOMIC_ACQUIRE))
		cpu_relax();
	run_work(index);
	for (;;)
		cpu_idle(); /* park in hlt: no host CPU burnt */
}

static bool wait_flag(uint32_t *flag, uint64_t deadline)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (deadline_passed(deadline))
			return false;
		cpu_relax();
	}
	return true;
}

/* The universal start-up algorithm (MP spec B.4), with the delays KVM does
 * not need kept short. The second SIPI only if the first did not take. */
static bool start_ap(unsigned index, uint8_t apic_id)
{
	struct cpu_slot *s = &slots[index];
	uint32_t vector = AP_TRAMPOLINE_ADDR >> 12;

	lapic_send_ipi(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	delay_us(1000);
	lapic_send_ipi(apic_id, ICR_STARTUP | vector);
	delay_us(200);
	if (!__atomic_load_n(&s->alive, __ATOMIC_ACQUIRE))
		lapic_send_ipi(apic_id, ICR_STARTUP | vector);
	return wait_flag(&s->alive, deadline_ms(AP_START_TIMEOUT_MS));
}

static void prepare_ap(unsigned index)
{
	memset(&slots[index], 0, sizeof(slots[index]));
	ap_boot.tss_sel = cpu_tss_setup(index);
	ap_boot.kstack_top = (uint64_t)(uintptr_t)(kstacks[index] + KSTACK_SIZE);
	ap_boot.ustack_top = (uint64_t)(uintptr_t)(ustacks[index] + USTACK_SIZE);
	ap_boot.index = index;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void print_ids(unsigned n)
{
	char buf[PROBE_MAX_CPUS * 4 + 1];
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < n; i++)
		len += fmt_snprintf(buf + len, sizeof(buf) - len, "%s%u", i ? "," : "",
				    slots[i].apic_id);
	report_info("apic_ids", "%s", buf);
}

/* Did every CPU's loop overlap every other's? Evidence of parallel runs,
 * reported, not required: a loaded host may serialise vCPU threads. */
static bool all_overlap(unsigned n)
{
	uint64_t latest_start = 0, earliest_end = ~0ULL;

	for (unsigned i = 0; i < n; i++) {
		if (slots[i].t_start > latest_start)
			latest_start = slots[i].t_start;
		if (slots[i].t_end < earliest_end)
			earliest_end = slots[i].t_end;
	}
	return latest_start < earliest_end;
}

/* The CPUs to start: from the MADT if there is one (as Linux prefers it),
 * else from the MP table. Both are reported so the host can check each. */
static enum test_result list_cpus(struct test_ctx *ctx, uint8_t *ids, unsigned *n)
{
	static struct mp_info mp;
	static struct madt_info madt;
	char mp_err[160], madt_err[160];
	bool have_mp = mptable_read(&mp, mp_err, sizeof(mp_err)) == 0;
	if (have_mp && mp.nr_cpus == 0) {
		fmt_snprintf(mp_err, sizeof(mp_err), "MP table lists no processors");
		have_mp = false;
	}
	bool have_madt = acpi_read_madt(bootinfo.rsdp, &madt, madt_err, sizeof(madt_err)) == 0;
	uint32_t bsp_id = lapic_id();

	if (have_mp) {
		report_info("cpus_mptable", "%u", mp.nr_cpus);
		unsigned nr_bsp = 0;
		for (unsigned i = 0; i < mp.nr_cpus; i++) {
			if (!mp.cpus[i].bsp)
				continue;
			nr_bsp++;
			if (mp.cpus[i].apic_id != bsp_id)
				return test_fail(ctx,
						 "MP table BSP has APIC id %u, the LAPIC says %u",
						 mp.cpus[i].apic_id, bsp_id);
		}
		if (nr_bsp != 1)
			return test_fail(ctx, "MP table marks %u CPUs as BSP", nr_bsp);
	} else {
		report_info("cpus_mptable", "none (%s)", mp_err);
	}
	if (have_madt)
		report_info("cpus_madt", "%u", madt.nr_cpus);
	else
		report_info("cpus_madt", "none (%s)", madt_err);

	if (have_madt) {
		*n = madt.nr_cpus;
		memcpy(ids, madt.apic_ids, *n < PROBE_MAX_CPUS ? *n : PROBE_MAX_CPUS);
	} else if (have_mp) {
		*n = mp.nr_cpus;
		for (unsigned i = 0; i < *n && i < PROBE_MAX_CPUS; i++)
			ids[i] = mp.cpus[i].apic_id;
	} else {
		/* Nothing to count CPUs by (QEMU microvm): the host's test
		 * checks `cpus=`, so this cannot hide a missing table there. */
		return test_skip(ctx, "no CPU list: %s; %s", mp_err, madt_err);
	}
	report_info("cpus", "%u", *n);
	if (*n == 0 || *n > PROBE_MAX_CPUS)
		return test_fail(ctx, "%u CPUs listed (the probe handles 1-%u)", *n,
				 PROBE_MAX_CPUS);
	bool bsp_listed = false;
	for (unsigned i = 0; i < *n; i++)
		bsp_listed |= ids[i] == bsp_id;
	if (!bsp_listed)
		return test_fail(ctx, "the BSP's APIC id %u is not in the CPU list", bsp_id);
	return TEST_PASS;
}

enum test_result test_smp(struct test_ctx *ctx)
{
	uint8_t ids[PROBE_MAX_CPUS];
	unsigned nr_cpus;
	enum test_result r = list_cpus(ctx, ids, &nr_cpus);

	if (r != TEST_PASS)
		return r;
	uint32_t bsp_id = lapic_id();
	memset(slots, 0, sizeof(slots));
	slots[0].apic_id = bsp_id;
	lapic_enable();
	memcpy((void *)(uintptr_t)AP_TRAMPOLINE_ADDR, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));

	unsigned n = 1;
	for (unsigned i = 0; i < nr_cpus; i++) {
		if (ids[i] == bsp_id)
			continue;
		prepare_ap(n);
		if (!start_ap(n, ids[i])) {
			print_ids(n);
			return test_skip(ctx,
					 "AP %u (APIC id %u) did not reach CPL3 within %u ms of "
					 "INIT/SIPI: this host cannot start APs (PVM?)",
					 n, ids[i], AP_START_TIMEOUT_MS);
		}
		if (slots[n].apic_id != ids[i])
			return test_fail(ctx, "AP %u reports APIC id %u, the table says %u", n,
					 slots[n].apic_id, ids[i]);
		n++;
	}
	print_ids(n);

	__atomic_store_n(&smp_go, 1, __ATOMIC_RELEASE);
	run_work(0);
	uint64_t deadline = deadline_ms(WORK_TIMEOUT_MS);
	for (unsigned i = 1; i < n; i++)
		if (!wait_flag(&slots[i].done, deadline))
			return test_fail(ctx, "CPU %u started but did not finish its work", i);
	for (unsigned i = 0; i < n; i++) {
		uint64_t want = i ? work(i) : slots[0].result;
		if (slots[i].result != want)
			return test_fail(ctx, "CPU %u computed %lx, expected %lx", i,
					 slots[i].result, want);
	}
	report_info("smp_parallel", "%s", all_overlap(n) ? "yes" : "no");
	return TEST_PASS;
}
