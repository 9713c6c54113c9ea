/* COM1 on the port bus: the UART model plus its host side (stdout, IRQ 4). */
#ifndef LKVM_SERIAL_H
#define LKVM_SERIAL_H

#include <pthread.h>
#include <stdint.h>

#include "kvm/hw/uart.h"
#include "kvm/vm.h"
#include "util/byte_sink.h"

struct serial {
	struct vm *vm;
	pthread_mutex_t lock; /* vCPU threads and the input thread */
	struct uart uart;
	int out_fd;
	struct byte_sink tap; /* sees every output byte too; under the lock */
};

int serial_init(struct serial *s, struct vm *vm, int out_fd);
/* Feed guest input; returns bytes accepted (the FIFO may be full). */
unsigned serial_input(struct serial *s, const uint8_t *buf, unsigned len);
unsigned serial_input_space(struct serial *s);
/* Set before the vCPUs start. */
void serial_set_tap(struct serial *s, struct byte_sink tap);

#endif
