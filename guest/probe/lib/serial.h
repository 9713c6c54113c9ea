/* COM1 (8250 at 0x3f8) by polling. Each register access is a VM exit (about
 * 27 us from CPL3 on PVM), so output does not wait for THRE (lkvm-gpu's and
 * QEMU's UARTs are always ready) and callers keep lines short. */
#ifndef PROBE_LIB_SERIAL_H
#define PROBE_LIB_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COM1_BASE     0x3f8
#define UART_RBR      0 /* read: receive buffer */
#define UART_THR      0 /* write: transmit holding */
#define UART_LSR      5
#define UART_SCR      7
#define UART_LSR_DR   0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

void serial_write(const char *s, size_t len);
void serial_puts(const char *s);

/* One received byte, or -1 if none arrived before the TSC deadline. */
int serial_getc(uint64_t deadline);

/* Read bytes up to '\n' (not stored; '\r' dropped) into buf, NUL-terminated.
 * Returns the line length, or -1 on timeout before the newline. Bytes beyond
 * buflen-1 are read and dropped; *truncated says so. */
int serial_readline(char *buf, size_t buflen, uint64_t deadline, bool *truncated);

#endif
