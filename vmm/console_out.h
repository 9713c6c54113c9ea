/* Guest console output to stdout, written by the main thread without ever
 * blocking it (README, "Console output").
 *
 * Each console (ttyS0, hvc0) copies its bytes into its own bounded ring
 * (util/byte_ring.h) through a byte_sink, on a vCPU (under the serial lock)
 * or the virtio-console worker, and one eventfd wakes the main thread,
 * which writes what stdout takes: through a non-blocking file description
 * of its own, so a pipe nobody reads only makes it wait for POLLOUT beside
 * the signals and the control socket. Nothing waits for stdout but that
 * poll: the devices never block, and the main thread never takes a device
 * lock for output.
 *
 * Policy when the reader is slower than the guest: drop, with a counter.
 * A ring holds CONSOLE_OUT_RING bytes of backlog; what the guest prints
 * beyond that while stdout does not take it is dropped and counted (a line
 * on stderr, rate limited, and the total at exit). Holding the guest's
 * transmitter instead (LSR THRE clear) was tried: Linux's console then
 * polls LSR for 10 ms per character with interrupts off, one VM exit per
 * poll, for as long as the reader sleeps, and the thread that released it
 * had to take the serial lock from the main loop against that storm.
 *
 * stdout is reopened through /proc/self/fd with O_NONBLOCK when it is a
 * pipe, FIFO or character device (a terminal), so the flag never reaches
 * the description we share with the shell; a socket is written with
 * MSG_DONTWAIT; a regular file or block device cannot stall and is written
 * as it is. If the reopen fails, O_NONBLOCK is set on stdout itself and
 * put back at the end. Once stdout fails for good (EPIPE: the reader went
 * away) the output is discarded and counted, so a closed stdout never
 * stops the guest. */
#ifndef LKVM_VMM_CONSOLE_OUT_H
#define LKVM_VMM_CONSOLE_OUT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/byte_ring.h"
#include "util/byte_sink.h"

/* Backlog per console before bytes are dropped: a whole Linux boot log at
 * full verbosity, so a reader that pauses for a while loses nothing. */
#define CONSOLE_OUT_RING (1024 * 1024)
/* Bytes written per console_out_service() at most, so a fast stdout and a
 * guest that never stops printing cannot keep the main loop from its
 * signals and control socket. */
#define CONSOLE_OUT_BUDGET (256 * 1024)

/* Seconds between two lines about dropped output. */
#define CONSOLE_OUT_REPORT_S 10

enum console_out_port { CONSOLE_OUT_TTYS0, CONSOLE_OUT_HVC0, CONSOLE_OUT_PORTS };

enum console_out_how {
	CONSOLE_OUT_NONBLOCK, /* our own O_NONBLOCK description, or stdout's flags changed */
	CONSOLE_OUT_SEND,     /* a socket: send(MSG_DONTWAIT) */
	CONSOLE_OUT_PLAIN,    /* a regular file or block device */
};

struct console_out;

struct console_out_ring {
	struct console_out *out;
	struct byte_ring ring;
};

struct console_out {
	int fd;		   /* where bytes go (-1 before init) */
	bool own_fd;	   /* fd is our reopened description: close it */
	int restore_flags; /* stdout's flags to put back, or -1 */
	int restore_fd;	   /* ... on this fd */
	enum console_out_how how;
	int wake_fd; /* eventfd: bytes arrived in a ring (-1 before init) */
	struct console_out_ring ports[CONSOLE_OUT_PORTS];
	uint8_t pend[4096]; /* popped, not yet taken by stdout */
	size_t pend_off, pend_len;
	unsigned next;		     /* the ring popped first next time */
	bool blocked;		     /* stdout said EAGAIN: wait for POLLOUT */
	bool dead;		     /* stdout failed for good: discard */
	unsigned long long lost;     /* bytes discarded since, or left at the end */
	unsigned long long reported; /* dropped bytes already logged */
	time_t reported_at;
};

/* Set fds to -1 so console_out_destroy() is safe before init. */
void console_out_clear(struct console_out *o);
/* fd: normally STDOUT_FILENO. 0, or -1 after a log line. */
int console_out_init(struct console_out *o, int fd);
/* Logs once how many bytes never reached stdout, if any. */
void console_out_destroy(struct console_out *o);
/* The sink a console writes port's bytes into: a copy and at most one
 * eventfd write per drain; never blocks. */
struct byte_sink console_out_sink(struct console_out *o, enum console_out_port port);

/* Main loop: one pollfd (the wake eventfd, or stdout's POLLOUT while it is
 * full), then hand it back after poll(). Never blocks. */
void console_out_pollfd(struct console_out *o, struct pollfd *p);
void console_out_service(struct console_out *o, const struct pollfd *p);
/* After the vCPUs stopped: write what is left, waiting for stdout at most
 * timeout_ms in all; the rest is discarded and counted. */
void console_out_flush(struct console_out *o, int timeout_ms);
/* Bytes that never reached stdout: dropped by a full ring (the reader was
 * slower than the guest for a ring's worth) or discarded. */
unsigned long long console_out_dropped(struct console_out *o);

#endif
