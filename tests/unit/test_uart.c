#include <criterion/criterion.h>
#include <string.h>

#include "kvm/hw/uart.h"

struct sink {
	uint8_t out[64];
	unsigned n;
	bool level;
	unsigned irq_changes;
};

static void tx(void *ctx, uint8_t b)
{
	struct sink *s = ctx;

	if (s->n < sizeof(s->out))
		s->out[s->n++] = b;
}

static void irq(void *ctx, bool level)
{
	struct sink *s = ctx;

	s->level = level;
	s->irq_changes++;
}

static const struct uart_ops ops = {.tx = tx, .irq = irq};

Test(uart, transmit_goes_out_and_lsr_says_empty)
{
	struct uart u;
	struct sink s = {0};

	uart_init(&u, &ops, &s);
	uart_write(&u, 0, 'h');
	uart_write(&u, 0, 'i');
	cr_assert_eq(s.n, 2);
	cr_assert_eq(memcmp(s.out, "hi", 2), 0);
	cr_assert_eq(uart_read(&u, 5) & 0x60, 0x60);
	cr_assert_not(s.level, "no interrupt while IER is 0");
}

Test(uart, receive_sets_dr_and_rx_interrupt)
{
	struct uart u;
	struct sink s = {0};

	uart_init(&u, &ops, &s);
	uart_write(&u, 1, 0x01); /* IER: RX data */
	cr_assert_not(s.level);
	cr_assert_eq(uart_rx_push(&u, (const uint8_t *)"ab", 2), 2);
	cr_assert(s.level);
	cr_assert_eq(uart_read(&u, 5) & 1, 1);
	cr_assert_eq(uart_read(&u, 2) & 0x0f, 0x04);
	cr_assert_eq(uart_read(&u, 0), 'a');
	cr_assert_eq(uart_read(&u, 0), 'b');
	cr_assert_eq(uart_read(&u, 5) & 1, 0);
	cr_assert_not(s.level, "line drops once the FIFO is empty");
}

Test(uart, thr_empty_interrupt_acked_by_iir_read)
{
	struct uart u;
	struct sink s = {0};

	uart_init(&u, &ops, &s);
	uart_write(&u, 1, 0x02); /* enabling THRI with THR empty raises it */
	cr_assert(s.level);
	cr_assert_eq(uart_read(&u, 2) & 0x0f, 0x02);
	cr_assert_not(s.level);
	cr_assert_eq(uart_read(&u, 2) & 0x0f, 0x01);
	uart_write(&u, 0, 'x');
	cr_assert(s.level, "each transmitted byte leaves THR empty again");
}

Test(uart, divisor_latch_does_not_transmit)
{
	struct uart u;
	struct sink s = {0};

	uart_init(&u, &ops, &s);
	uart_write(&u, 3, 0x80);
	uart_write(&u, 0, 0x01);
	uart_write(&u, 1, 0x00);
	cr_assert_eq(uart_read(&u, 0), 0x01);
	uart_write(&u, 3, 0x03);
	cr_assert_eq(s.n, 0);
}

Test(uart, loopback_feeds_receiver_and_msr)
{
	struct uart u;
	struct sink s = {0};

	uart_init(&u, &ops, &s);
	uart_write(&u, 4, 0x10 | 0x02 | 0x01);
	cr_assert_eq(uart_read(&u, 6) & 0xf0, 0x30);
	uart_write(&u, 0, 'z');
	cr_assert_eq(s.n, 0);
	cr_assert_eq(uart_read(&u, 0), 'z');
}

Test(uart, rx_fifo_full_refuses_more)
{
	struct uart u;
	struct sink s = {0};
	static uint8_t big[UART_RX_FIFO + 10];

	uart_init(&u, &ops, &s);
	cr_assert_eq(uart_rx_push(&u, big, sizeof(big)), UART_RX_FIFO);
	cr_assert_eq(uart_rx_space(&u), 0);
	uart_write(&u, 2, 0x02); /* FCR clear RX */
	cr_assert_eq(uart_rx_space(&u), UART_RX_FIFO);
}
