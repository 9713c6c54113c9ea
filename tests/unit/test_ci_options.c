/* The CI options of `run`: values, limits, one-line errors before boot. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "vmm/options.h"

static char store[80][64];
static char err[512];
static struct run_options o;

static int parse_n(const char *const *args)
{
	char *argv[80];
	int argc = 0;

	for (; args[argc]; argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", args[argc]);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	err[0] = 0;
	return options_parse_run(argc, argv, &o, err, sizeof(err));
}

#define PARSE(...) parse_n((const char *const[]){"run", __VA_ARGS__, NULL})

Test(ci_options, none_by_default)
{
	cr_assert_eq(parse_n((const char *const[]){"run", NULL}), 0);
	cr_expect_eq(o.timeout_ms, 0);
	cr_expect_eq(o.nr_expects, 0);
	cr_expect_eq(o.nr_fail_ons, 0);
	cr_expect_null(o.serial_log);
	cr_expect_null(o.result);
}

Test(ci_options, timeouts_in_seconds_with_up_to_three_decimals)
{
	static const struct {
		const char *arg;
		uint64_t ms;
	} ok[] = {
	    {"30", 30000}, {"2.5", 2500}, {"0.001", 1}, {"1.25", 1250}, {"1000000", 1000000000}};

	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(PARSE("--timeout", ok[i].arg), 0, "%s: %s", ok[i].arg, err);
		cr_expect_eq(o.timeout_ms, ok[i].ms, "%s", ok[i].arg);
	}
}

Test(ci_options, bad_timeouts_are_one_line_errors)
{
	static const char *const bad[] = {
	    "0",   "0.0", "-1",	    "abc",     "1e3",
	    "2.",  ".5",  "1.2345", "1000001", "",
	    "inf", "nan", "0x10",   "1,5",     "99999999999999999999"};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(PARSE("--timeout", bad[i]), -1, "'%s' accepted", bad[i]);
		cr_expect(strstr(err, "--timeout"), "'%s': %s", bad[i], err);
		cr_expect_null(strchr(err, '\n'));
	}
}

Test(ci_options, expects_are_kept_in_order_with_fail_ons_and_files)
{
	cr_assert_eq(PARSE("--expect", "first", "--fail-on", "Kernel panic", "--expect", "^second$",
			   "--fail-on", "Call Trace", "--serial-log", "s.log", "--result",
			   "r.json"),
		     0, "%s", err);
	cr_expect_eq(o.nr_expects, 2);
	cr_expect_str_eq(o.expects[0], "first");
	cr_expect_str_eq(o.expects[1], "^second$");
	cr_expect_eq(o.nr_fail_ons, 2);
	cr_expect_str_eq(o.fail_ons[1], "Call Trace");
	cr_expect_str_eq(o.serial_log, "s.log");
	cr_expect_str_eq(o.result, "r.json");
}

Test(ci_options, a_bad_pattern_is_refused_before_boot)
{
	cr_expect_eq(PARSE("--expect", "ok", "--expect", "a(b"), -1);
	cr_expect(strstr(err, "--expect 'a(b'"), "%s", err);
	cr_expect_eq(PARSE("--fail-on", "x{2,1}"), -1);
	cr_expect(strstr(err, "--fail-on 'x{2,1}'"), "%s", err);
	cr_expect_eq(PARSE("--expect", ""), -1);
	cr_expect(strstr(err, "empty pattern"), "%s", err);
}

Test(ci_options, at_most_32_patterns_of_each_kind)
{
	const char *args[80] = {"run"};
	int n = 1;

	for (int i = 0; i < OPT_MAX_PATTERNS; i++) {
		args[n++] = "--expect";
		args[n++] = "x";
	}
	args[n] = NULL;
	cr_expect_eq(parse_n(args), 0, "%s", err);
	args[n++] = "--expect";
	args[n++] = "x";
	args[n] = NULL;
	cr_expect_eq(parse_n(args), -1);
	cr_expect(strstr(err, "at most 32"), "%s", err);
}

Test(ci_options, empty_file_names_and_missing_values)
{
	cr_expect_eq(PARSE("--result", ""), -1);
	cr_expect(strstr(err, "--result"), "%s", err);
	cr_expect_eq(PARSE("--serial-log", ""), -1);
	cr_expect(strstr(err, "--serial-log"), "%s", err);
	cr_expect_eq(PARSE("--timeout"), -1);
	cr_expect(strstr(err, "needs a value"), "%s", err);
}
