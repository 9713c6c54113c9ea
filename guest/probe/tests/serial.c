/* The 8250 seen from the guest: output, the line status, the scratch
 * register, and input typed by the host on lkvm-gpu's stdin. */
#include "lib/io.h"
#include "lib/report.h"
#include "lib/serial.h"
#include "lib/time.h"
#include "tests/tests.h"

#define ECHO_TIMEOUT_MS 10000
#define ECHO_MAX	256

enum test_result test_serial(struct test_ctx *ctx)
{
	uint8_t lsr = inb(COM1_BASE + UART_LSR);

	if ((lsr & (UART_LSR_THRE | UART_LSR_TEMT)) != (UART_LSR_THRE | UART_LSR_TEMT))
		return test_fail(ctx, "LSR 0x%02x: transmitter not empty while idle", lsr);
	/* The scratch register is plain storage on every 16450/8250A and up. */
	outb(COM1_BASE + UART_SCR, 0xa5);
	uint8_t a = inb(COM1_BASE + UART_SCR);
	outb(COM1_BASE + UART_SCR, 0x5a);
	uint8_t b = inb(COM1_BASE + UART_SCR);
	if (a != 0xa5 || b != 0x5a)
		return test_fail(ctx, "scratch register read 0x%02x/0x%02x after 0xa5/0x5a", a, b);
	for (int i = 1; i <= 3; i++)
		report_info("serial", "line %d of 3", i);
	return TEST_PASS;
}

enum test_result test_echo(struct test_ctx *ctx)
{
	static char line[ECHO_MAX];
	bool truncated;

	report_info("echo_waiting", "1");
	int n = serial_readline(line, sizeof(line), deadline_ms(ECHO_TIMEOUT_MS), &truncated);
	if (n < 0)
		return test_fail(ctx, "no input line within %u ms (got \"%s\")", ECHO_TIMEOUT_MS,
				 line);
	report_info("echo", "%s", line);
	if (truncated)
		return test_fail(ctx, "input line longer than %u bytes", ECHO_MAX - 1);
	return TEST_PASS;
}
