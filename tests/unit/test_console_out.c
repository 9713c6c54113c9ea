/* Guest console output over a stdout nobody reads (issue 13, finding 2).
 * stdout is a full pipe here, as when lkvm-gpu's output goes to a pipe
 * whose reader stopped. The policy is drop with a counter: the UART stays
 * ready (LSR THRE/TEMT set) and virtio-console returns every buffer, the
 * thread that writes never blocks, what does not fit in the ring is
 * counted, the main loop's drain never blocks, and a stop eventfd is still
 * served. Each test has a timeout: a blocking write put back hangs it, and
 * the timeout fails it. */
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
#define GUEST_OUT (2u * CONSOLE_OUT_RING) /* what the guest prints: twice the ring */

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
	serial_set_output(&serial, console_out_sink(&out, CONSOLE_OUT_TTYS0));
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

/* Linux's polling console (wait_for_xmitr): wait for THRE, then write.
 * Returns how many bytes found the transmitter busy. */
static size_t guest_prints(size_t len)
{
	size_t busy = 0;

	for (size_t i = 0; i < len; i++) {
		if ((port_in(5) & (LSR_THRE | LSR_TEMT)) != (LSR_THRE | LSR_TEMT))
			busy++;
		port_out(0, 'a' + i % 26);
	}
	return busy;
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

Test(console_out, uart_never_waits_and_drops_what_does_not_fit, .timeout = 20)
{
	static char got[CONSOLE_OUT_RING];
	double t0 = now_s();
	size_t n = 0;

	port_out(1, 0x02); /* IER: THR-empty interrupt */
	cr_expect(serial.uart.irq_level, "THR empty at first");
	cr_expect_eq(guest_prints(GUEST_OUT), 0, "the transmitter is never busy");
	cr_expect_lt(now_s() - t0, 10.0, "the writing vCPU never waits for stdout");
	cr_expect(serial.uart.irq_level, "THR-empty interrupt as ever");
	/* Nothing drained yet: the ring kept the first CONSOLE_OUT_RING bytes. */
	cr_expect_eq(console_out_dropped(&out), GUEST_OUT - CONSOLE_OUT_RING);
	/* The drain writes nothing into the full pipe and does not block. */
	t0 = now_s();
	service_once(0);
	service_once(50);
	cr_expect_lt(now_s() - t0, 2.0);
	/* The reader comes back: what the ring kept arrives, in order. */
	cr_expect_eq(reader_reads(NULL, 0), pipe_fill);
	for (int i = 0; i < 200 && n < CONSOLE_OUT_RING; i++) {
		service_once(100);
		n += reader_reads(got + n, sizeof(got) - n);
	}
	cr_assert_eq(n, CONSOLE_OUT_RING);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], 'a' + i % 26, "byte %zu", i);
	cr_expect_eq(console_out_dropped(&out), GUEST_OUT - CONSOLE_OUT_RING);
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

/* A guest thread prints twice the ring while the main loop drains into
 * the full pipe; the loop keeps turning and ends when the stop eventfd
 * fires. */
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

/* virtio-console over a vq_builder queue: 32 chains of 64 KiB, twice the
 * ring, all returned at once although stdout takes nothing. */
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

#define CHAIN (64 * 1024)

Test(console_out, virtio_console_returns_every_buffer_while_stdout_is_full, .timeout = 20)
{
	struct virtio_console *c = virtio_console_create();
	struct virtio_queue qs[2] = {{.kick_fd = -1}, {.kick_fd = -1}};
	struct virtio_irq irq = {.queue = irq_q};
	struct vq_elem *elem = calloc(1, sizeof(*elem));
	struct vqb b;
	char *chunk = malloc(CHAIN);
	unsigned chains = GUEST_OUT / CHAIN, done = 0;
	double t0;

	cr_assert(c && elem && chunk);
	vqb_init(&b, 4 * GUEST_OUT, 64);
	memset(chunk, 'v', CHAIN);
	virtio_console_set_output(c, console_out_sink(&out, CONSOLE_OUT_HVC0));
	c->mem = &b.gm;
	cr_assert_eq(vqb_vq_init(&b, &qs[1].vq, false), 0);
	for (unsigned i = 0; i < chains; i++) {
		struct vqb_buf buf = vqb_buf_out(&b, chunk, CHAIN);

		vqb_add_chain(&b, &buf, 1);
	}
	t0 = now_s();
	tx_irqs = 0;
	virtio_queue_service(&qs[1], 1, &irq, elem, virtio_console_tx_request, c);
	cr_expect_lt(now_s() - t0, 5.0, "the worker never waits for stdout");
	done = used_count(&b);
	cr_expect_eq(done, chains, "every buffer back with the guest");
	cr_expect_eq(tx_irqs, 1);
	cr_expect_eq(console_out_dropped(&out), GUEST_OUT - CONSOLE_OUT_RING);
	virtio_console_destroy(c);
	vqb_free(&b);
	free(chunk);
	free(elem);
}
