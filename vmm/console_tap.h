/* The console tap: guest console output (ttyS0 and hvc0) carried from the
 * threads that emit it to the main thread, which judges and logs it.
 *
 * Each console has its own bounded ring (util/byte_ring.h) with one
 * producer: the UART's bytes arrive under the serial lock, hvc0's on the
 * virtio-console worker. A full ring drops bytes rather than block the
 * guest; they are counted. One eventfd wakes the main thread. */
#ifndef LKVM_VMM_CONSOLE_TAP_H
#define LKVM_VMM_CONSOLE_TAP_H

#include <stddef.h>

#include "util/byte_ring.h"
#include "util/byte_sink.h"
#include "vmm/ci_match.h"

#define CONSOLE_TAP_RING (256 * 1024)

struct console_tap;

struct console_tap_port {
	struct console_tap *tap;
	struct byte_ring ring;
};

struct console_tap {
	int fd; /* eventfd: bytes arrived */
	struct console_tap_port ports[CI_NR_SOURCES];
};

/* 0, or -1 after a log line. */
int console_tap_init(struct console_tap *t);
void console_tap_destroy(struct console_tap *t);
/* The sink a device writes src's bytes into. */
struct byte_sink console_tap_sink(struct console_tap *t, enum ci_source src);
/* Main thread, after fd woke it: clear the wake-ups. Then pop each source. */
void console_tap_rearm(struct console_tap *t);
size_t console_tap_pop(struct console_tap *t, enum ci_source src, void *buf, size_t max);
unsigned long long console_tap_dropped(struct console_tap *t);

#endif
