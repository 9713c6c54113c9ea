#include "kvm/hw/serial.h"

#include "kvm/layout.h"
#include "util/log.h"

static void serial_tx(void *ctx, uint8_t byte)
{
	struct serial *s = ctx;

	if (s->out.write)
		s->out.write(s->out.ctx, &byte, 1);
	if (s->tap.write)
		s->tap.write(s->tap.ctx, &byte, 1);
}

static void serial_irq(void *ctx, bool level)
{
	struct serial *s = ctx;

	vm_irq_line(s->vm, IRQ_COM1, level);
}

static const struct uart_ops serial_uart_ops = {
    .tx = serial_tx,
    .irq = serial_irq,
};

static void serial_io(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write)
{
	struct serial *s = owner;
	uint8_t *b = data;

	pthread_mutex_lock(&s->lock);
	/* Wider accesses are treated as a run of byte accesses. */
	for (uint32_t i = 0; i < size && offset + i < 8; i++) {
		if (is_write)
			uart_write(&s->uart, offset + i, b[i]);
		else
			b[i] = uart_read(&s->uart, offset + i);
	}
	pthread_mutex_unlock(&s->lock);
}

int serial_init(struct serial *s, struct vm *vm)
{
	s->vm = vm;
	s->out = (struct byte_sink){0};
	s->tap = (struct byte_sink){0};
	pthread_mutex_init(&s->lock, NULL);
	uart_init(&s->uart, &serial_uart_ops, s);
	if (bus_register(&vm->pio, PORT_COM1, 8, serial_io, s)) {
		log_error("cannot register COM1");
		return -1;
	}
	return 0;
}

unsigned serial_input(struct serial *s, const uint8_t *buf, unsigned len)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = uart_rx_push(&s->uart, buf, len);
	pthread_mutex_unlock(&s->lock);
	return n;
}

unsigned serial_input_space(struct serial *s)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = uart_rx_space(&s->uart);
	pthread_mutex_unlock(&s->lock);
	return n;
}

void serial_set_tap(struct serial *s, struct byte_sink tap)
{
	s->tap = tap;
}

void serial_set_output(struct serial *s, struct byte_sink out)
{
	s->out = out;
}
