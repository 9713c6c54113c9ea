/* 16550A-compatible UART register model (COM1, ttyS0).
 *
 * Pure state machine: the VMM glue (kvm/hw/serial.c) feeds it port accesses and
 * input bytes; it reports output bytes and the interrupt line level through
 * callbacks. Transmission is instant, so THR is always empty again by the
 * time the guest looks.
 */
#ifndef LKVM_UART_H
#define LKVM_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_RX_FIFO 4096

struct uart_ops {
	void (*tx)(void *ctx, uint8_t byte);
	void (*irq)(void *ctx, bool level);
};

struct uart {
	const struct uart_ops *ops;
	void *ctx;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thri_pending; /* THR-empty interrupt waiting to be seen in IIR */
	bool irq_level;
	uint8_t rx[UART_RX_FIFO];
	unsigned rx_head, rx_count;
};

void uart_init(struct uart *u, const struct uart_ops *ops, void *ctx);
/* offset 0-7 from the base port. */
uint8_t uart_read(struct uart *u, unsigned offset);
void uart_write(struct uart *u, unsigned offset, uint8_t val);
/* Queue input; returns how many bytes fit. */
unsigned uart_rx_push(struct uart *u, const uint8_t *buf, unsigned len);
unsigned uart_rx_space(const struct uart *u);

#endif
