/* The console tap: the UART's and virtio-console's output reach the main
 * thread's rings through the byte_sink the root sets, with one eventfd
 * wake-up per drain, and a full ring drops instead of blocking the guest. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm/hw/serial.h"
#include "kvm/layout.h"
#include "tests/unit/vq_builder.h"
#include "virtio/console.h"
#include "vmm/console_tap.h"

static struct vm vm;
static struct serial serial;
static struct console_tap tap;

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	cr_assert_eq(bus_init(&vm.pio), 0);
	cr_assert_eq(serial_init(&serial, &vm), 0);
	cr_assert_eq(console_tap_init(&tap), 0);
	serial_set_tap(&serial, console_tap_sink(&tap, CI_TTYS0));
}

static void teardown(void)
{
	console_tap_destroy(&tap);
	bus_destroy(&vm.pio);
}

TestSuite(ci_tap, .init = setup, .fini = teardown);

static void guest_prints(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = s[i];

		cr_assert(bus_dispatch(&vm.pio, PORT_COM1, &c, 1, true));
	}
}

static bool woken(void)
{
	struct pollfd p = {.fd = tap.fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1;
}

Test(ci_tap, uart_output_reaches_the_ring_with_one_wake_up)
{
	char out[64];

	guest_prints("hi\r\n", 4);
	cr_expect(woken());
	console_tap_rearm(&tap);
	cr_expect_not(woken(), "rearm must clear the eventfd");
	cr_expect_eq(console_tap_pop(&tap, CI_TTYS0, out, sizeof(out)), 4);
	cr_expect_arr_eq(out, "hi\r\n", 4);
	cr_expect_eq(console_tap_pop(&tap, CI_HVC0, out, sizeof(out)), 0);
	guest_prints("x", 1);
	cr_expect(woken(), "the next byte after a drain must wake again");
}

Test(ci_tap, a_full_ring_drops_and_counts_without_blocking_the_guest, .timeout = 20)
{
	size_t total = CONSOLE_TAP_RING + 1000;
	char *junk = malloc(total);
	char out[4096];
	size_t got = 0, n;

	memset(junk, 'j', total);
	guest_prints(junk, total);
	cr_expect_eq(console_tap_dropped(&tap), 1000);
	while ((n = console_tap_pop(&tap, CI_TTYS0, out, sizeof(out))))
		got += n;
	cr_expect_eq(got, CONSOLE_TAP_RING);
	free(junk);
}

Test(ci_tap, virtio_console_output_reaches_the_hvc0_ring)
{
	struct virtio_console *c = virtio_console_create();
	struct vq_elem *elem = calloc(1, sizeof(*elem));
	struct vqb b;
	struct virtqueue vq;
	char out[64];

	vqb_init(&b, 1 << 20, 16);
	struct vqb_buf bufs[2] = {vqb_buf_out(&b, "to ", 3), vqb_buf_out(&b, "hvc0\n", 5)};

	virtio_console_set_tap(c, console_tap_sink(&tap, CI_HVC0));
	c->mem = &b.gm;
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	vqb_add_chain(&b, bufs, 2);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	virtio_console_tx_request(c, elem);
	cr_expect(woken());
	cr_expect_eq(console_tap_pop(&tap, CI_HVC0, out, sizeof(out)), 8);
	cr_expect_arr_eq(out, "to hvc0\n", 8);
	virtio_console_destroy(c);
	free(elem);
	vqb_free(&b);
}
