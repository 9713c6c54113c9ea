/* COM1 on the port bus: the UART model plus its host side (IRQ 4, and an
 * output sink: in lkvm-gpu a ring the main thread drains to stdout,
 * vmm/console_out.h). Transmission is instant: the sink copies or drops,
 * it never waits, so no vCPU ever blocks on a slow reader under the lock. */
#ifndef LKVM_SERIAL_H
#define LKVM_SERIAL_H

#include <pthread.h>
#include <stdint.h>

#include "kvm/hw/uart.h"
#include "kvm/vm.h"
#include "util/byte_sink.h"

struct serial {
	struct vm *vm;
	pthread_mutex_t lock; /* vCPU threads and the main thread's input */
	struct uart uart;
	struct byte_sink out; /* guest output; NULL write: discarded */
	struct byte_sink tap; /* sees every output byte too; under the lock */
};

int serial_init(struct serial *s, struct vm *vm);
/* Feed guest input; returns bytes accepted (the FIFO may be full). */
unsigned serial_input(struct serial *s, const uint8_t *buf, unsigned len);
unsigned serial_input_space(struct serial *s);
/* Set before the vCPUs start. */
void serial_set_tap(struct serial *s, struct byte_sink tap);
/* Set before the vCPUs start: where output goes. Runs under the lock on a
 * vCPU thread, so it must copy or drop, never block. */
void serial_set_output(struct serial *s, struct byte_sink out);

#endif
