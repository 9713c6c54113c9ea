#include "kvm/hw/uart.h"

#include <string.h>

enum {
	REG_RBR_THR_DLL = 0,
	REG_IER_DLM = 1,
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NONE	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

void uart_init(struct uart *u, const struct uart_ops *ops, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->ops = ops;
	u->ctx = ctx;
	u->dll = 0x0c; /* 9600 baud, as firmware leaves it */
}

static uint8_t iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_FIFO_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI | fifo;
	if ((u->ier & IER_THRI) && u->thri_pending)
		return IIR_THRI | fifo;
	return IIR_NONE | fifo;
}

static void update_irq(struct uart *u)
{
	bool level = !(iir(u) & IIR_NONE);

	/* OUT2 gates the interrupt onto the bus on PC-compatible boards, but
	 * Linux and firmware always set it, and some minimal guests do not:
	 * follow the line, not the gate. */
	if (level != u->irq_level) {
		u->irq_level = level;
		u->ops->irq(u->ctx, level);
	}
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t b;

	if (!u->rx_count)
		return 0;
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
	u->rx_count--;
	return b;
}

static uint8_t msr(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback: modem outputs feed the modem inputs. */
	return ((m & MCR_RTS) ? MSR_CTS : 0) | ((m & MCR_DTR) ? MSR_DSR : 0) |
	       ((m & MCR_OUT1) ? MSR_RI : 0) | ((m & MCR_OUT2) ? MSR_DCD : 0);
}

uint8_t uart_read(struct uart *u, unsigned offset)
{
	uint8_t v = 0xff;
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_RBR_THR_DLL:
		v = dlab ? u->dll : rx_pop(u);
		break;
	case REG_IER_DLM:
		v = dlab ? u->dlm : u->ier;
		break;
	case REG_IIR_FCR:
		v = iir(u);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			u->thri_pending = false;
		break;
	case REG_LCR:
		v = u->lcr;
		break;
	case REG_MCR:
		v = u->mcr;
		break;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
		break;
	case REG_MSR:
		v = msr(u);
		break;
	case REG_SCR:
		v = u->scr;
		break;
	}
	update_irq(u);
	return v;
}

void uart_write(struct uart *u, unsigned offset, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_RBR_THR_DLL:
		if (dlab) {
			u->dll = val;
		} else if (u->mcr & MCR_LOOP) {
			uart_rx_push(u, &val, 1);
			u->thri_pending = true;
		} else {
			u->ops->tx(u->ctx, val);
			u->thri_pending = true;
		}
		break;
	case REG_IER_DLM:
		if (dlab) {
			u->dlm = val;
		} else {
			/* Enabling THRI while THR is empty raises it at once. */
			if ((val & IER_THRI) && !(u->ier & IER_THRI))
				u->thri_pending = true;
			u->ier = val & 0x0f;
		}
		break;
	case REG_IIR_FCR:
		u->fcr = val & (FCR_FIFO_ENABLE | 0xc0);
		if (val & FCR_CLEAR_RX) {
			u->rx_head = 0;
			u->rx_count = 0;
		}
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		u->mcr = val & 0x1f;
		break;
	case REG_SCR:
		u->scr = val;
		break;
	default: /* LSR, MSR: read-only */
		break;
	}
	update_irq(u);
}

unsigned uart_rx_space(const struct uart *u)
{
	return UART_RX_FIFO - u->rx_count;
}

unsigned uart_rx_push(struct uart *u, const uint8_t *buf, unsigned len)
{
	unsigned n = 0;

	while (n < len && u->rx_count < UART_RX_FIFO) {
		u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = buf[n++];
		u->rx_count++;
	}
	update_irq(u);
	return n;
}
