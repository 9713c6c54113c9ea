/* vmm/ci_result: the --result object is valid against
 * docs/result.schema.json whatever the guest printed, and replaces the file
 * atomically. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/ci_result.h"
#include "vmm/exit_status.h"

static struct ci_match m;
static char dir[] = "/tmp/lkvm-result-XXXXXX";
static char path[128];

static void setup(void)
{
	static const char *const expects[] = {"ready", "\"quoted\\\\ pattern\""};
	static const char *const fail_ons[] = {"Kernel panic"};
	char err[256], hostile[300];

	cr_assert_eq(ci_match_init(&m, expects, 2, fail_ons, 1, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < 256; i++)
		hostile[i] = (char)(i == '\n' ? ' ' : i);
	ci_match_feed(&m, CI_TTYS0, "ready \xc3\x28 \"\\\x1b[31m\n", 16, 0.5);
	ci_match_feed(&m, CI_HVC0, hostile, 256, 0.75);
	ci_match_feed(&m, CI_HVC0, "\nKernel panic - not syncing\n", 28, 1.25);
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/result.json", dir);
}

static void teardown(void)
{
	ci_match_destroy(&m);
	unlink(path);
	rmdir(dir);
}

TestSuite(ci_result, .init = setup, .fini = teardown);

static struct ci_report report(void)
{
	static char *argv[] = {"run", "--expect", "ready", "-p", "console=ttyS0 \xff"};
	struct ci_report r = {
	    .status = EXIT_STATUS_FAIL_ON,
	    .reason = "fail-on",
	    .detail = "--fail-on 'Kernel panic' matched at 1.250 s",
	    .started_at = "2026-12-02T10:00:00.000Z",
	    .duration_s = 1.5,
	    .match = &m,
	    .version = "0.1.0",
	    .vm_name = "ci\x01test",
	    .argc = 5,
	    .argv = argv,
	};
	return r;
}

static int check(const char *file, const char *args)
{
	char cmd[512];

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		cr_skip_test("python3 missing");
	snprintf(cmd, sizeof(cmd), "python3 tests/integration/ci_result_check.py %s %s", file,
		 args);
	return system(cmd);
}

Test(ci_result, hostile_console_bytes_still_give_a_valid_result)
{
	struct ci_report r = report();
	char err[256];

	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(check(path, "--status 3 --reason fail-on"), 0);
}

Test(ci_result, the_schema_checker_catches_a_wrong_reason)
{
	struct ci_report r = report();
	char err[256];

	r.reason = "expect"; /* status 3 with reason expect: inconsistent */
	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_neq(check(path, ">/dev/null"), 0, "the checker accepted a bad result");
	r.reason = "exploded"; /* not in the schema's enum */
	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_neq(check(path, ">/dev/null"), 0, "the checker accepted a bad result");
}

Test(ci_result, a_run_without_console_patterns_is_valid_too)
{
	struct ci_report r = report();
	char err[256];

	r.match = NULL;
	r.status = 137;
	r.reason = "signal";
	r.signal = 9;
	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(check(path, "--status 137 --reason signal"), 0);
}

Test(ci_result, the_file_is_replaced_whole_and_no_temporary_is_left)
{
	struct ci_report r = report();
	char err[256], cmd[256];
	FILE *f = fopen(path, "w");

	fputs("old contents", f);
	fclose(f);
	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 1", dir);
	cr_expect_eq(system(cmd), 0, "a temporary file was left in %s", dir);
	cr_expect_eq(check(path, ""), 0);
}

Test(ci_result, an_unwritable_place_is_found_before_the_run)
{
	char err[256];

	cr_expect_eq(ci_result_check_path(path, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(ci_result_check_path("/nonexistent-dir/r.json", err, sizeof(err)), -1);
	cr_expect(strstr(err, "--result /nonexistent-dir/r.json"), "%s", err);
	cr_expect_null(strchr(err, '\n'));
}

Test(ci_result, a_timeout_keeps_each_vcpus_registers_as_hex)
{
	struct ci_report r = report();
	char err[256], cmd[512];

	r.status = EXIT_STATUS_TIMEOUT;
	r.reason = "timeout";
	m.fail_ons[0].matched = false; /* no verdict: the timeout ended it */
	r.nr_regs = 2;
	for (unsigned c = 0; c < 2; c++) {
		r.regs[c].cpu = c;
		for (unsigned k = 0; k < CI_NR_REGS; k++)
			r.regs[c].v[k] = 0xffffffff81000000ull + k + (c << 8);
	}
	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(check(path, "--status 4 --reason timeout"), 0);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))[\"registers\"]; "
		 "sys.exit(not (r[1][\"cpu\"] == 1 and r[1][\"rip\"] == \"0xffffffff81000100\" and "
		 "r[0][\"efer\"] == \"0xffffffff81000016\"))' %s",
		 path);
	cr_expect_eq(system(cmd), 0, "registers not written as expected");
	r.nr_regs = 0; /* a timeout without them is refused by the checker */
	cr_assert_eq(ci_result_write_file(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_neq(check(path, ">/dev/null"), 0);
}
