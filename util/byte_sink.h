/* Somewhere to send bytes: a function and its context. Devices that emit a
 * console (kvm/hw/serial.c, virtio/console.c) offer a tap of this shape so
 * the composition root can watch their output without the devices knowing
 * who listens. A sink runs on the emitting thread, maybe under a device
 * lock: it must be quick and never block. */
#ifndef LKVM_BYTE_SINK_H
#define LKVM_BYTE_SINK_H

#include <stddef.h>

struct byte_sink {
	void (*write)(void *ctx, const void *buf, size_t len); /* NULL: no sink */
	void *ctx;
};

#endif
