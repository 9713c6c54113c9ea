#include "vmm/console_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "util/log.h"

void console_out_clear(struct console_out *o)
{
	memset(o, 0, sizeof(*o));
	o->fd = o->wake_fd = o->restore_fd = o->restore_flags = -1;
}

/* How to write fd without ever blocking (see the header). */
static void open_stdout(struct console_out *o, int fd)
{
	char path[64];
	struct stat st;
	int flags;

	o->fd = fd;
	o->how = CONSOLE_OUT_PLAIN;
	if (fstat(fd, &st)) {
		o->dead = true; /* no stdout at all: nothing to wait for */
		return;
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return;
	if (S_ISSOCK(st.st_mode)) {
		o->how = CONSOLE_OUT_SEND;
		return;
	}
	o->how = CONSOLE_OUT_NONBLOCK;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (o->fd >= 0) {
		o->own_fd = true;
		return;
	}
	/* No /proc, or a FIFO whose reader is gone (ENXIO). */
	o->fd = fd;
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && !(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0) {
		o->restore_fd = fd;
		o->restore_flags = flags;
	}
}

int console_out_init(struct console_out *o, int fd)
{
	console_out_clear(o);
	o->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->wake_fd < 0) {
		log_error("console output: cannot create an eventfd");
		return -1;
	}
	for (unsigned i = 0; i < CONSOLE_OUT_PORTS; i++) {
		o->ports[i].out = o;
		if (byte_ring_init(&o->ports[i].ring, CONSOLE_OUT_RING)) {
			log_error("console output: out of memory");
			return -1;
		}
	}
	open_stdout(o, fd);
	return 0;
}

void console_out_destroy(struct console_out *o)
{
	unsigned long long dropped = o->wake_fd >= 0 ? console_out_dropped(o) : 0;

	if (dropped)
		log_info("%llu bytes of guest console output did not reach stdout (it did not "
			 "keep up with the guest, or was closed)",
			 dropped);
	for (unsigned i = 0; i < CONSOLE_OUT_PORTS; i++)
		byte_ring_destroy(&o->ports[i].ring);
	if (o->own_fd)
		close(o->fd);
	if (o->restore_flags >= 0)
		fcntl(o->restore_fd, F_SETFL, o->restore_flags);
	if (o->wake_fd >= 0)
		close(o->wake_fd);
	console_out_clear(o);
}

/* On the emitting thread: a copy, and an eventfd write only when the main
 * thread is not already on its way. */
static void out_write_sink(void *ctx, const void *buf, size_t len)
{
	struct console_out_ring *p = ctx;

	if (byte_ring_push(&p->ring, buf, len))
		efd_signal(p->out->wake_fd, "console output");
}

struct byte_sink console_out_sink(struct console_out *o, enum console_out_port port)
{
	return (struct byte_sink){.write = out_write_sink, .ctx = &o->ports[port]};
}

void console_out_pollfd(struct console_out *o, struct pollfd *p)
{
	if (o->blocked)
		*p = (struct pollfd){.fd = o->fd, .events = POLLOUT};
	else
		*p = (struct pollfd){.fd = o->wake_fd, .events = POLLIN};
}

/* Refill pend from the rings, taking turns so one console cannot starve
 * the other. */
static bool refill(struct console_out *o)
{
	for (unsigned k = 0; k < CONSOLE_OUT_PORTS; k++) {
		unsigned i = (o->next + k) % CONSOLE_OUT_PORTS;
		size_t n = byte_ring_pop(&o->ports[i].ring, o->pend, sizeof(o->pend));

		if (n) {
			o->next = (i + 1) % CONSOLE_OUT_PORTS;
			o->pend_off = 0;
			o->pend_len = n;
			return true;
		}
	}
	return false;
}

static ssize_t out_write(struct console_out *o, const void *buf, size_t len)
{
	if (o->how == CONSOLE_OUT_SEND)
		return send(o->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(o->fd, buf, len);
}

/* Write until stdout is full, the rings are empty or budget bytes went
 * (written, or discarded once stdout is dead); false if the budget ran out
 * with bytes still waiting. */
static bool pump(struct console_out *o, size_t budget)
{
	o->blocked = false;
	for (;;) {
		size_t len;
		ssize_t n;

		if (o->pend_off == o->pend_len && !refill(o))
			return true;
		if (!budget)
			return false;
		len = o->pend_len - o->pend_off < budget ? o->pend_len - o->pend_off : budget;
		if (o->dead) {
			o->lost += len;
			o->pend_off += len;
			budget -= len;
			continue;
		}
		n = out_write(o, o->pend + o->pend_off, len);
		if (n > 0) {
			o->pend_off += n;
			budget -= n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			o->blocked = true;
			return true;
		} else {
			log_info("stdout: %s; guest console output is discarded from now on",
				 n < 0 ? strerror(errno) : "wrote nothing");
			o->dead = true;
		}
	}
}

/* The guest printed faster than stdout took it: say so, at most once per
 * CONSOLE_OUT_REPORT_S (the guest decides how often this happens). */
static void report_drops(struct console_out *o)
{
	unsigned long long dropped = console_out_dropped(o);
	time_t now = time(NULL);

	if (dropped == o->reported || now - o->reported_at < CONSOLE_OUT_REPORT_S)
		return;
	log_warn("guest console output: %llu bytes dropped (stdout is slower than the guest, "
		 "or not read)",
		 dropped - o->reported);
	o->reported = dropped;
	o->reported_at = now;
}

void console_out_service(struct console_out *o, const struct pollfd *p)
{
	if (!(p->revents & (POLLIN | POLLOUT | POLLERR | POLLHUP)))
		return;
	/* Rearm before draining: a byte pushed after this wakes us again. */
	efd_drain(o->wake_fd, "console output");
	for (unsigned i = 0; i < CONSOLE_OUT_PORTS; i++)
		byte_ring_rearm(&o->ports[i].ring);
	/* Out of budget with bytes left, which may predate the rearm: come
	 * back on the next turn of the loop, after signals and clients. */
	if (!pump(o, CONSOLE_OUT_BUDGET))
		efd_signal(o->wake_fd, "console output");
	report_drops(o);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

void console_out_flush(struct console_out *o, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = {.fd = o->fd, .events = POLLOUT};

		if (pump(o, CONSOLE_OUT_BUDGET) && !o->blocked)
			return; /* all written */
		if (left <= 0)
			break;
		if (o->blocked && poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
	}
	/* The reader did not come back in time: count what is left. */
	o->dead = true;
	pump(o, sizeof(o->pend) + CONSOLE_OUT_PORTS * (size_t)CONSOLE_OUT_RING);
}

unsigned long long console_out_dropped(struct console_out *o)
{
	unsigned long long n = o->lost;

	for (unsigned i = 0; i < CONSOLE_OUT_PORTS; i++)
		if (o->ports[i].ring.buf)
			n += byte_ring_dropped(&o->ports[i].ring);
	return n;
}
