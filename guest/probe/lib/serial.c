#include "lib/serial.h"
#include "lib/io.h"
#include "lib/string.h"
#include "lib/time.h"

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		outb(COM1_BASE + UART_THR, (uint8_t)s[i]);
}

void serial_puts(const char *s)
{
	serial_write(s, strlen(s));
}

int serial_getc(uint64_t deadline)
{
	for (;;) {
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_DR)
			return inb(COM1_BASE + UART_RBR);
		if (deadline_passed(deadline))
			return -1;
		/* Each LSR read is already a VM exit; a short pause keeps the
		 * polling from monopolising the host while the line is typed. */
		delay_us(20);
	}
}

int serial_readline(char *buf, size_t buflen, uint64_t deadline, bool *truncated)
{
	size_t n = 0;

	*truncated = false;
	for (;;) {
		int c = serial_getc(deadline);
		if (c < 0) {
			if (buflen)
				buf[n] = 0;
			return -1;
		}
		/* A terminal in raw mode sends CR for Enter, a pipe sends LF:
		 * either ends a line; the LF of a CRLF pair is an empty line,
		 * skipped. */
		if (c == '\n' || c == '\r') {
			if (n == 0)
				continue;
			break;
		}
		if (n + 1 < buflen)
			buf[n++] = (char)c;
		else
			*truncated = true;
	}
	if (buflen)
		buf[n] = 0;
	return (int)n;
}
