/* COM1 on the port bus: the UART model plus its host side (an output ring
 * the main thread drains to stdout, IRQ 4). */
#ifndef LKVM_SERIAL_H
#define LKVM_SERIAL_H

#include <pthread.h>
#include <stdint.h>

#include "kvm/hw/uart.h"
#include "kvm/vm.h"
#include "util/byte_sink.h"
#include "util/tx_ring.h"

struct serial {
	struct vm *vm;
	pthread_mutex_t lock; /* vCPU threads, the input thread, the room callback */
	struct uart uart;
	struct tx_ring *out;  /* NULL: output discarded */
	struct byte_sink tap; /* sees every output byte too; under the lock */
};

int serial_init(struct serial *s, struct vm *vm);
/* Feed guest input; returns bytes accepted (the FIFO may be full). */
unsigned serial_input(struct serial *s, const uint8_t *buf, unsigned len);
unsigned serial_input_space(struct serial *s);
/* Set before the vCPUs start. */
void serial_set_tap(struct serial *s, struct byte_sink tap);
/* Set before the vCPUs start: where output goes. The transmitter is held
 * (LSR THRE clear) while out has no room for a FIFO's worth; the serial
 * becomes out's room callback. */
void serial_set_output(struct serial *s, struct tx_ring *out);

#endif
