/* vmm/serial_log: each line with the host time it began and its console,
 * bytes unchanged, lines of the two consoles never glued together. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/serial_log.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4096);

	cr_assert(fread(buf, 1, 4095, f) > 0);
	fclose(f);
	return buf;
}

Test(serial_log, lines_are_stamped_and_consoles_kept_apart)
{
	char path[] = "/tmp/lkvm-serial-log-XXXXXX", err[256];
	struct timespec t1 = {.tv_sec = 0, .tv_nsec = 123456789}, t2 = {.tv_sec = 86401};
	struct serial_log l;
	char *got;

	close(mkstemp(path));
	cr_assert_eq(serial_log_open(&l, path, err, sizeof(err)), 0, "%s", err);
	serial_log_write(&l, CI_TTYS0, "boot\nhal", 8, &t1);
	serial_log_write(&l, CI_TTYS0, "f\n", 2, &t2);
	serial_log_write(&l, CI_TTYS0, "par", 3, &t2);
	serial_log_write(&l, CI_HVC0, "hvc\r\n", 5, &t2);
	serial_log_write(&l, CI_TTYS0, "tial\n\xff", 6, &t2);
	serial_log_note(&l, "3 console bytes dropped", &t2);
	serial_log_close(&l);
	got = slurp(path);
	cr_expect_str_eq(got, "1970-01-01T00:00:00.123456Z ttyS0| boot\n"
			      "1970-01-01T00:00:00.123456Z ttyS0| half\n"
			      "1970-01-02T00:00:01.000000Z ttyS0| par\n"
			      "1970-01-02T00:00:01.000000Z hvc0| hvc\r\n"
			      "1970-01-02T00:00:01.000000Z ttyS0| tial\n"
			      "1970-01-02T00:00:01.000000Z ttyS0| \xff\n"
			      "1970-01-02T00:00:01.000000Z lkvm-gpu| 3 console bytes dropped\n");
	free(got);
	unlink(path);
}

Test(serial_log, an_unwritable_path_is_one_line)
{
	struct serial_log l;
	char err[256];

	cr_expect_eq(serial_log_open(&l, "/nonexistent-dir/s.log", err, sizeof(err)), -1);
	cr_expect(strstr(err, "--serial-log /nonexistent-dir/s.log"), "%s", err);
}
