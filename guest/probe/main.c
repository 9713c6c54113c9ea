/* The probe guest's CPL3 main: announce readiness, read the boot info, run
 * the selected tests, report, and end the way the command line asks.
 *
 * Command line options (all optional):
 *   probe.tests=a,b,c   tests to run, in table order (default: the basic set)
 *   probe.end=exit|reboot|halt|triple|fault   how to end (default exit);
 *                       fault = a #GP at CPL3, reported by the VMM's
 *                       unexpected-vector port
 *   probe.exit=N        status for end=exit (default 0 if no test failed, else 1)
 *   probe.mem=MiB       RAM size the e820 test expects
 */
#include "arch/layout.h"
#include "lib/alloc.h"
#include "lib/bootinfo.h"
#include "lib/cmdline.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/lapic.h"
#include "lib/report.h"
#include "lib/serial.h"
#include "lib/string.h"
#include "tests/tests.h"

#define PORT_TEST_EXIT 0xf4
#define PORT_I8042_CMD 0x64
#define I8042_RESET    0xfe

struct tally {
	unsigned passed, failed, skipped;
};

static void run_one(const struct probe_test *t, struct tally *tally)
{
	static struct test_ctx ctx;

	ctx.cmdline = bootinfo.cmdline;
	ctx.why[0] = 0;
	switch (t->run(&ctx)) {
	case TEST_PASS:
		tally->passed++;
		report_line("PASS %s", t->name);
		break;
	case TEST_SKIP:
		tally->skipped++;
		report_line("SKIP %s: %s", t->name, ctx.why);
		break;
	default:
		tally->failed++;
		report_line("FAIL %s: %s", t->name, ctx.why[0] ? ctx.why : "(no reason given)");
		break;
	}
}

/* Names in probe.tests that match no test fail, so a typo cannot pass. */
static void check_unknown(const char *list, size_t len, struct tally *tally)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && list[j] != ',')
			j++;
		bool known = j == i;
		for (unsigned k = 0; k < probe_nr_tests && !known; k++)
			known = strlen(probe_tests[k].name) == j - i &&
				!strncmp(probe_tests[k].name, list + i, j - i);
		if (!known) {
			tally->failed++;
			report_line("FAIL %.*s: no such test", (int)(j - i), list + i);
		}
		i = j + 1;
	}
}

static void run_tests(struct tally *tally)
{
	size_t len = 0;
	const char *list = cmdline_find(bootinfo.cmdline, "probe.tests", &len);

	for (unsigned k = 0; k < probe_nr_tests; k++) {
		const struct probe_test *t = &probe_tests[k];
		if (list ? list_contains(list, len, t->name) : t->by_default)
			run_one(t, tally);
	}
	if (list)
		check_unknown(list, len, tally);
}

static bool end_is(const char *how, size_t len, const char *what)
{
	return len == strlen(what) && !strncmp(how, what, len);
}

__attribute__((noreturn)) static void finish(const struct tally *tally)
{
	size_t len = 0;
	const char *how = cmdline_find(bootinfo.cmdline, "probe.end", &len);
	uint64_t status = tally->failed ? 1 : 0;
	bool bad;

	if (!how) {
		how = "exit";
		len = 4;
	}
	if (!cmdline_u64(bootinfo.cmdline, "probe.exit", &status, &bad) && bad)
		report_line("info warning=probe.exit is not a number");

	if (end_is(how, len, "triple")) {
		cpu_triple_fault();
	} else if (end_is(how, len, "fault")) {
		__asm__ volatile("cli"); /* CPL3 with IOPL 0: #GP, error code 0 */
	} else if (end_is(how, len, "halt")) {
		cpu_halt_forever();
	} else if (end_is(how, len, "exit")) {
		/* Without --test-exit the port is ignored: fall through to reboot. */
		outl(PORT_TEST_EXIT, (uint32_t)status);
	} else if (!end_is(how, len, "reboot")) {
		report_line("info warning=unknown probe.end, rebooting");
	}
	outb(PORT_I8042_CMD, I8042_RESET);
	cpu_halt_forever();
}

/* From arch/entry.S at CPL3: kind = BOOT_KIND_*, info = boot_params or
 * hvm_start_info physical address. */
__attribute__((noreturn)) void probe_main(uint64_t info, unsigned kind)
{
	struct tally tally = {0};

	cpu_idt_init();
	serial_puts("PROBE: ready\n");
	lapic_quiesce();
	bootinfo_parse(kind, info);
	alloc_init();
	run_tests(&tally);
	report_line("done passed=%u failed=%u skipped=%u", tally.passed, tally.failed,
		    tally.skipped);
	finish(&tally);
}
