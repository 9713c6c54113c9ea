/* 16550A-compatible UART register model (COM1, ttyS0).
 *
 * Pure state machine: the VMM glue (kvm/hw/serial.c) feeds it port accesses and
 * input bytes; it reports output bytes and the interrupt line level through
 * callbacks. Transmission is instant while the host side has room: THR is
 * empty again by the time the guest looks. When the host side is full
 * (tx_ready says so) the transmitter is held, as a real UART's is by
 * hardware flow control: LSR reads THRE and TEMT clear, and the THR-empty
 * interrupt waits for uart_tx_ready(). A byte written anyway still goes to
 * tx(); the host side decides what becomes of it.
 */
#ifndef LKVM_UART_H
#define LKVM_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_RX_FIFO 4096
/* A 16550A's transmit FIFO: Linux writes this many bytes per THR-empty
 * interrupt without reading LSR in between, so "ready" means room for it. */
#define UART_TX_FIFO 16

struct uart_ops {
	void (*tx)(void *ctx, uint8_t byte);
	void (*irq)(void *ctx, bool level);
	/* Can the host side take UART_TX_FIFO more bytes now? If not, it
	 * must call uart_tx_ready() once it can. NULL: always. */
	bool (*tx_ready)(void *ctx);
};

struct uart {
	const struct uart_ops *ops;
	void *ctx;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thri_pending; /* THR-empty interrupt waiting to be seen in IIR */
	bool irq_level;
	bool tx_held; /* THR-empty interrupt deferred until uart_tx_ready() */
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
/* The host side has room again: release a held transmitter (THR-empty
 * interrupt if enabled). Harmless when nothing was held. */
void uart_tx_ready(struct uart *u);

#endif
