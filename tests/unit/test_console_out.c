/* Guest console output over a stdout nobody reads (issue 13, finding 2).
 * stdout is a full pipe here, as when lkvm-gpu's output goes to a pipe
 * whose reader stopped: the guest's transmitter is held (the UART's LSR
 * THRE/TEMT clear, virtio-console's buffer not returned), the thread that
 * writes never blocks, the main loop's drain never blocks, and a stop
 * eventfd is still served. Each test has a timeout: a blocking write put
 * back hangs it, and the timeout fails it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "kvm/hw/serial.h"
#include "kvm/layout.h"
#include "tests/unit/vq_builder.h"
#include "virtio/console.h"
#include "vmm/console_out.h"

#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define GUEST_OUT (1u << 20) /* what the guest prints: 1 MiB */

static struct vm vm;
static struct serial serial;
static struct console_out out;
static int pipe_rd; /* stdout's reader, which reads only when a test says */
static size_t pipe_fill;

/* stdout becomes a blocking pipe that is already full. */
static void setup(void)
{
	int p[2];
	char junk[4096];
	ssize_t n;

	cr_assert_eq(pipe(p), 0);
	memset(junk, '.', sizeof(junk));
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	pipe_fill = 0;
	while ((n = write(p[1], junk, sizeof(junk))) > 0 || (n < 0 && errno == EINTR))
		pipe_fill += n > 0 ? n : 0;
	fcntl(p[1], F_SETFL, 0); /* as a shell leaves stdout: blocking */
	cr_assert_geq(dup2(p[1], STDOUT_FILENO), 0);
	close(p[1]);
	pipe_rd = p[0];

	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = -1;
	cr_assert_eq(bus_init(&vm.pio), 0);
	cr_assert_eq(serial_init(&serial, &vm), 0);
	cr_assert_eq(console_out_init(&out, STDOUT_FILENO), 0);
	serial_set_output(&serial, console_out_ring(&out, CONSOLE_OUT_TTYS0));
}

static void teardown(void)
{
	console_out_destroy(&out);
	bus_destroy(&vm.pio);
	close(pipe_rd);
}

TestSuite(console_out, .init = setup, .fini = teardown);

static uint8_t port_in(unsigned off)
{
	uint8_t v = 0;

	cr_assert(bus_dispatch(&vm.pio, PORT_COM1 + off, &v, 1, false));
	return v;
}

static void port_out(unsigned off, uint8_t v)
{
	cr_assert(bus_dispatch(&vm.pio, PORT_COM1 + off, &v, 1, true));
}

/* Linux's polling console (wait_for_xmitr): wait a bounded while for THRE,
 * then write anyway. Returns how many bytes went without THRE. */
static size_t guest_prints(size_t len)
{
	size_t forced = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned polls = 0;

		while (!(port_in(5) & LSR_THRE) && ++polls < 3)
			;
		forced += polls == 3;
		port_out(0, 'a' + i % 26);
	}
	return forced;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Reads everything stdout's pipe holds now; returns bytes read. */
static size_t reader_reads(char *keep, size_t keep_max)
{
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	fcntl(pipe_rd, F_SETFL, O_NONBLOCK);
	while ((n = read(pipe_rd, buf, sizeof(buf))) > 0) {
		if (keep && total < keep_max)
			memcpy(keep + total, buf,
			       (size_t)n < keep_max - total ? (size_t)n : keep_max - total);
		total += n;
	}
	return total;
}

/* The main loop's view: poll the drain's fd beside a stop eventfd. */
static void service_once(int timeout_ms)
{
	struct pollfd p;

	console_out_pollfd(&out, &p);
	cr_assert_geq(poll(&p, 1, timeout_ms), 0);
	console_out_service(&out, &p);
}

Test(console_out, uart_holds_its_transmitter_while_stdout_is_full, .timeout = 20)
{
	double t0 = now_s();
	size_t forced, dropped;

	port_out(1, 0x02); /* IER: THR-empty interrupt */
	cr_expect(serial.uart.irq_level, "THR empty at first");
	cr_expect_eq(port_in(2) & 0x0f, 0x02);
	forced = guest_prints(GUEST_OUT);
	cr_expect_lt(now_s() - t0, 10.0, "the writing vCPU never waits for stdout");
	/* The ring took 64 KiB; the rest was written past a busy LSR. */
	cr_expect_eq(port_in(5) & (LSR_THRE | LSR_TEMT), 0, "THRE and TEMT clear while full");
	cr_expect_not(serial.uart.irq_level, "no THR-empty interrupt while held");
	cr_expect_eq(console_out_dropped(&out), GUEST_OUT - CONSOLE_OUT_RING);
	cr_expect_geq(forced, GUEST_OUT - CONSOLE_OUT_RING);
	/* The drain writes nothing into the full pipe and does not block;
	 * what it took out to try (one buffer) is all the ring gains. */
	service_once(0);
	service_once(50);
	dropped = console_out_dropped(&out);
	guest_prints(sizeof(out.pend));
	cr_expect_eq(port_in(5) & (LSR_THRE | LSR_TEMT), 0);
	cr_expect_eq(console_out_dropped(&out), dropped);
	/* The reader comes back: the drain's writes free the ring, which
	 * releases the transmitter with its interrupt. */
	cr_expect_eq(reader_reads(NULL, 0), pipe_fill);
	service_once(1000);
	cr_expect_eq(port_in(5) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
	cr_expect(serial.uart.irq_level, "THR-empty interrupt once there is room");
}

Test(console_out, bytes_arrive_in_order_once_the_reader_reads, .timeout = 20)
{
	static char got[CONSOLE_OUT_RING];
	size_t n = 0;

	guest_prints(CONSOLE_OUT_RING);
	cr_expect_eq(reader_reads(NULL, 0), pipe_fill);
	for (int i = 0; i < 100 && n < CONSOLE_OUT_RING; i++) {
		service_once(100);
		n += reader_reads(got + n, sizeof(got) - n);
	}
	cr_assert_eq(n, CONSOLE_OUT_RING);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], 'a' + i % 26, "byte %zu", i);
	cr_expect_eq(console_out_dropped(&out), 0);
}

struct guest_thread {
	pthread_t t;
	int stop_fd;
	bool done;
};

static void *print_then_stop(void *arg)
{
	struct guest_thread *g = arg;
	uint64_t one = 1;

	guest_prints(GUEST_OUT);
	__atomic_store_n(&g->done, true, __ATOMIC_RELEASE);
	cr_assert_eq(write(g->stop_fd, &one, sizeof(one)), sizeof(one));
	return NULL;
}

/* A guest thread prints 1 MiB while the main loop drains into the full
 * pipe; the loop keeps turning and ends when the stop eventfd fires. */
Test(console_out, main_loop_serves_stop_while_the_guest_floods, .timeout = 20)
{
	struct guest_thread g = {.stop_fd = eventfd(0, EFD_CLOEXEC)};
	double t0 = now_s();
	bool stopped = false;
	unsigned turns = 0;

	cr_assert_geq(g.stop_fd, 0);
	cr_assert_eq(pthread_create(&g.t, NULL, print_then_stop, &g), 0);
	while (!stopped) {
		struct pollfd p[2] = {{.fd = g.stop_fd, .events = POLLIN}};

		console_out_pollfd(&out, &p[1]);
		cr_assert_geq(poll(p, 2, 100), 0);
		console_out_service(&out, &p[1]);
		stopped = p[0].revents & POLLIN;
		turns++;
	}
	pthread_join(g.t, NULL);
	cr_expect(g.done);
	cr_expect_lt(now_s() - t0, 10.0);
	cr_expect_gt(turns, 0);
	/* Ending: the flush waits for the reader a bounded time, no more. */
	t0 = now_s();
	console_out_flush(&out, 200);
	cr_expect_lt(now_s() - t0, 2.0, "the final flush gives up on a reader that is gone");
	cr_expect_geq(console_out_dropped(&out), GUEST_OUT - CONSOLE_OUT_RING);
	close(g.stop_fd);
}

/* virtio-console over a vq_builder queue: 16 chains of 64 KiB = 1 MiB. */
static unsigned tx_irqs;
static void irq_q(struct virtio_irq *irq, unsigned q)
{
	tx_irqs += q == 1;
}

static unsigned used_count(struct vqb *b)
{
	uint16_t id;
	uint32_t len;
	unsigned n = 0;

	while (vqb_get_used(b, &id, &len))
		n++;
	return n;
}

Test(console_out, virtio_console_stops_taking_buffers_while_stdout_is_full, .timeout = 20)
{
	struct virtio_console *c = virtio_console_create();
	struct virtio_queue qs[2] = {{.kick_fd = -1}, {.kick_fd = -1}};
	struct virtio_irq irq = {.queue = irq_q};
	struct pollfd room;
	struct vqb b;
	char *chunk = malloc(64 * 1024);
	double t0;
	unsigned done = 0;

	vqb_init(&b, 4u << 20, 16);
	memset(chunk, 'v', 64 * 1024);
	virtio_console_set_output(c, console_out_ring(&out, CONSOLE_OUT_HVC0));
	c->mem = &b.gm;
	c->queues = qs;
	c->irq = &irq;
	cr_assert_eq(vqb_vq_init(&b, &qs[1].vq, false), 0);
	for (int i = 0; i < 16; i++) {
		struct vqb_buf buf = vqb_buf_out(&b, chunk, 64 * 1024);

		vqb_add_chain(&b, &buf, 1);
	}
	t0 = now_s();
	virtio_console_tx(c);
	cr_expect_lt(now_s() - t0, 5.0, "the worker never waits for stdout");
	/* The ring holds 64 KiB: the first chain fits, the second is held. */
	done = used_count(&b);
	cr_expect_eq(done, 1);
	cr_expect(c->tx_held);
	cr_expect_eq(console_out_dropped(&out), 0, "flow control: nothing dropped");
	virtio_console_tx(c); /* a stray kick while held: still nothing */
	cr_expect_eq(used_count(&b), 0);
	/* The reader comes back: each drain wakes the worker (its room fd),
	 * which sends more, until every buffer is back with the guest. */
	reader_reads(NULL, 0);
	for (int i = 0; i < 2000 && done < 16; i++) {
		service_once(10);
		reader_reads(NULL, 0);
		room = (struct pollfd){.fd = c->room_fd, .events = POLLIN};
		if (poll(&room, 1, 0) == 1) {
			uint64_t v;

			cr_assert_eq(read(c->room_fd, &v, sizeof(v)), sizeof(v));
			virtio_console_tx(c);
			done += used_count(&b);
		}
	}
	cr_expect_eq(done, 16);
	cr_expect_gt(tx_irqs, 1);
	c->queues = NULL;
	virtio_console_destroy(c);
	vqb_free(&b);
	free(chunk);
}
