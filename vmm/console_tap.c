#include "vmm/console_tap.h"

#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "util/log.h"

int console_tap_init(struct console_tap *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->fd < 0) {
		log_error("console tap: cannot create an eventfd");
		return -1;
	}
	for (unsigned s = 0; s < CI_NR_SOURCES; s++) {
		t->ports[s].tap = t;
		if (byte_ring_init(&t->ports[s].ring, CONSOLE_TAP_RING)) {
			log_error("console tap: out of memory");
			console_tap_destroy(t);
			return -1;
		}
	}
	return 0;
}

void console_tap_destroy(struct console_tap *t)
{
	for (unsigned s = 0; s < CI_NR_SOURCES; s++)
		byte_ring_destroy(&t->ports[s].ring);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* On the emitting thread: a copy, and an eventfd write only when the main
 * thread is not already on its way. */
static void tap_write(void *ctx, const void *buf, size_t len)
{
	struct console_tap_port *p = ctx;

	if (byte_ring_push(&p->ring, buf, len))
		efd_signal(p->tap->fd, "console tap");
}

struct byte_sink console_tap_sink(struct console_tap *t, enum ci_source src)
{
	return (struct byte_sink){.write = tap_write, .ctx = &t->ports[src]};
}

void console_tap_rearm(struct console_tap *t)
{
	efd_drain(t->fd, "console tap");
	for (unsigned s = 0; s < CI_NR_SOURCES; s++)
		byte_ring_rearm(&t->ports[s].ring);
}

size_t console_tap_pop(struct console_tap *t, enum ci_source src, void *buf, size_t max)
{
	return byte_ring_pop(&t->ports[src].ring, buf, max);
}

unsigned long long console_tap_dropped(struct console_tap *t)
{
	unsigned long long n = 0;

	for (unsigned s = 0; s < CI_NR_SOURCES; s++)
		n += byte_ring_dropped(&t->ports[s].ring);
	return n;
}
