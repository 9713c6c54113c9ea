/* MSI-X: table accesses, masking, pending bits, routing on change. */
#include <criterion/criterion.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/layout.h"
#include "kvm/vm.h"
#include "pci/irq_kvm.h"
#include "pci/msix.h"

static struct pci_dev dev;
static struct pci_msix m;
static unsigned fired[4], routed[4];
static uint64_t route_addr[4];
static uint32_t route_data[4];

static void check_locked(void);

static int fake_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	check_locked();
	routed[vec]++;
	route_addr[vec] = addr;
	route_data[vec] = data;
	return 0;
}

/* route and fire calls made while m's lock was free: a delivery outside
 * the locked section could land after a vCPU's mask write returned. */
static unsigned unlocked_calls;

static void check_locked(void)
{
	if (pthread_mutex_trylock(&m.lock) == 0) {
		pthread_mutex_unlock(&m.lock);
		unlocked_calls++;
	}
}

static void fake_fire(void *ctx, unsigned vec)
{
	check_locked();
	fired[vec]++;
}

static const struct msix_irq_ops fake_ops = {.route = fake_route, .fire = fake_fire};

#define TABLE 0x1000
#define PBA   0x1800

static void setup(void)
{
	memset(fired, 0, sizeof(fired));
	memset(routed, 0, sizeof(routed));
	unlocked_calls = 0;
	pci_cfg_init(&dev.cfg, 0x1af4, 0x1042, 0, 1);
	dev.name = "msix-test";
	cr_assert_eq(pci_msix_init(&m, &dev, 4, 1, TABLE, PBA, &fake_ops, NULL), 0);
}

static void teardown(void)
{
	pci_msix_exit(&m);
}

TestSuite(pci_msix, .init = setup, .fini = teardown);

static void ctl_write(uint16_t v)
{
	pci_cfg_write(&dev.cfg, m.cap + PCI_MSIX_FLAGS, 2, v);
	pci_msix_cfg_written(&m, m.cap + PCI_MSIX_FLAGS, 2);
}

static void bar_w32(uint64_t off, uint32_t v)
{
	cr_assert(pci_msix_bar_io(&m, off, &v, 4, true));
}

static uint32_t bar_r32(uint64_t off)
{
	uint32_t v = 0;

	cr_assert(pci_msix_bar_io(&m, off, &v, 4, false));
	return v;
}

static void program(unsigned vec, uint32_t data, bool mask)
{
	bar_w32(TABLE + 16 * vec, 0xfee00000);
	bar_w32(TABLE + 16 * vec + 4, 0);
	bar_w32(TABLE + 16 * vec + 8, data);
	bar_w32(TABLE + 16 * vec + 12, mask);
}

Test(pci_msix, capability_layout)
{
	cr_expect_eq(pci_cfg_read(&dev.cfg, m.cap, 1), PCI_CAP_ID_MSIX);
	cr_expect_eq(pci_cfg_read(&dev.cfg, m.cap + PCI_MSIX_FLAGS, 2), 3);
	cr_expect_eq(pci_cfg_read(&dev.cfg, m.cap + PCI_MSIX_TABLE, 4), TABLE | 1);
	cr_expect_eq(pci_cfg_read(&dev.cfg, m.cap + PCI_MSIX_PBA, 4), PBA | 1);
	/* Table size is read-only. */
	pci_cfg_write(&dev.cfg, m.cap + PCI_MSIX_FLAGS, 2, 0xffff);
	cr_expect_eq(pci_cfg_read(&dev.cfg, m.cap + PCI_MSIX_FLAGS, 2), 0xc003);
}

Test(pci_msix, vectors_start_masked)
{
	for (unsigned v = 0; v < 4; v++)
		cr_expect_eq(bar_r32(TABLE + 16 * v + 12), 1);
}

Test(pci_msix, disabled_msix_delivers_nothing)
{
	program(0, 0x41, false);
	cr_expect_not(pci_msix_notify(&m, 0));
	cr_expect_eq(fired[0], 0);
	cr_expect_eq(bar_r32(PBA), 0);
}

Test(pci_msix, unmasked_vector_routes_then_fires)
{
	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	program(2, 0x42, false);
	cr_expect(pci_msix_notify(&m, 2));
	cr_expect_eq(routed[2], 1);
	cr_expect_eq(route_addr[2], 0xfee00000);
	cr_expect_eq(route_data[2], 0x42);
	cr_expect_eq(fired[2], 1);
	/* No re-route while the entry is unchanged. */
	cr_expect(pci_msix_notify(&m, 2));
	cr_expect_eq(routed[2], 1);
	cr_expect_eq(fired[2], 2);
	/* Rewriting data re-routes on the next delivery. */
	bar_w32(TABLE + 16 * 2 + 8, 0x43);
	pci_msix_notify(&m, 2);
	cr_expect_eq(routed[2], 2);
	cr_expect_eq(route_data[2], 0x43);
}

Test(pci_msix, masked_vector_sets_pba_and_unmask_fires)
{
	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	program(1, 0x51, true);
	cr_expect(pci_msix_notify(&m, 1));
	cr_expect_eq(fired[1], 0);
	cr_expect_eq(bar_r32(PBA), 1u << 1);
	/* Pending is remembered once, not counted. */
	pci_msix_notify(&m, 1);
	bar_w32(TABLE + 16 + 12, 0);
	cr_expect_eq(fired[1], 1);
	cr_expect_eq(bar_r32(PBA), 0);
}

Test(pci_msix, function_mask_holds_all_vectors)
{
	ctl_write(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	program(0, 1, false);
	program(3, 2, false);
	pci_msix_notify(&m, 0);
	pci_msix_notify(&m, 3);
	cr_expect_eq(fired[0] + fired[3], 0);
	cr_expect_eq(bar_r32(PBA), 0x9);
	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	cr_expect_eq(fired[0], 1);
	cr_expect_eq(fired[3], 1);
	cr_expect_eq(bar_r32(PBA), 0);
}

Test(pci_msix, pba_is_read_only_and_bad_accesses_ignored)
{
	uint64_t q = ~0ULL;
	uint16_t h = 0xffff;

	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	bar_w32(PBA, 0xf);
	cr_expect_eq(bar_r32(PBA), 0);
	/* Word and unaligned accesses are dropped (reads give 0). */
	cr_expect(pci_msix_bar_io(&m, TABLE, &h, 2, true));
	cr_expect_eq(bar_r32(TABLE), 0);
	cr_expect(pci_msix_bar_io(&m, TABLE + 2, &q, 4, false));
	cr_expect_eq((uint32_t)q, 0);
	/* Outside table and PBA: not ours. */
	cr_expect_not(pci_msix_bar_io(&m, TABLE + 16 * 4, &q, 4, false));
	cr_expect_not(pci_msix_bar_io(&m, 0, &q, 4, false));
}

Test(pci_msix, qword_table_access)
{
	uint64_t v = 0x00000000fee01000ULL, r = 0;

	cr_expect(pci_msix_bar_io(&m, TABLE + 16, &v, 8, true));
	cr_expect(pci_msix_bar_io(&m, TABLE + 16, &r, 8, false));
	cr_expect_eq(r, v);
	/* Only the mask bit of vector control sticks. */
	bar_w32(TABLE + 16 + 12, 0xffffffff);
	cr_expect_eq(bar_r32(TABLE + 16 + 12), 1);
}

/* notify is the whole interrupt hot path (one lock round trip): its
 * false must mean "MSI-X is off, use INTx" and nothing else. A vector the
 * function lacks (virtio's NO_VECTOR) while MSI-X is on is dropped; if it
 * were refused, the transport would set the ISR and raise INTx beside
 * MSI-X. Masked is still on: pending, not INTx. */
Test(pci_msix, notify_is_false_only_while_msix_is_off)
{
	program(0, 0x41, false);
	cr_expect_not(pci_msix_notify(&m, 0));
	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	cr_expect(pci_msix_notify(&m, 4));
	cr_expect(pci_msix_notify(&m, 0xffff));
	cr_expect(pci_msix_notify(&m, 1000));
	cr_expect_eq(fired[0] + fired[1] + fired[2] + fired[3], 0);
	cr_expect_eq(bar_r32(PBA), 0);
	ctl_write(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	cr_expect(pci_msix_notify(&m, 0));
	cr_expect_eq(bar_r32(PBA), 1);
	ctl_write(0);
	cr_expect_not(pci_msix_notify(&m, 0));
	cr_expect_eq(fired[0], 0, "disabling MSI-X does not flush pending vectors");
}

/* Routing and firing happen inside the locked section that decided the
 * vector was deliverable, on every path (notify, unmask in the table,
 * function unmask), so a mask or disable that returned to the vCPU is never
 * overtaken by a delivery. A lock-free fast path that fires after
 * unlocking would break this. */
Test(pci_msix, route_and_fire_run_under_the_lock)
{
	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	program(0, 0x41, false);
	cr_expect(pci_msix_notify(&m, 0));
	program(1, 0x42, true);
	pci_msix_notify(&m, 1);
	bar_w32(TABLE + 16 + 12, 0);
	ctl_write(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_msix_notify(&m, 0);
	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	cr_expect_eq(fired[0], 2);
	cr_expect_eq(fired[1], 1);
	cr_expect_eq(routed[0] + routed[1], 2);
	cr_expect_eq(unlocked_calls, 0, "%u route/fire calls outside the MSI-X lock",
		     unlocked_calls);
}

Test(pci_msix, clear_pending_drops_pba)
{
	ctl_write(PCI_MSIX_FLAGS_ENABLE);
	program(0, 1, true);
	pci_msix_notify(&m, 0);
	pci_msix_clear_pending(&m);
	bar_w32(TABLE + 12, 0);
	cr_expect_eq(fired[0], 0);
}

/* The INTx line without KVM: only level changes go out. */
#include "pci/irq_kvm.h"

static unsigned level_changes;
static bool last_level;
static void record_level(void *ctx, bool level)
{
	level_changes++;
	last_level = level;
}

Test(pci_intx, only_level_changes_reach_the_line)
{
	struct pci_intx x;

	level_changes = 0;
	pci_intx_init(&x, NULL, 17);
	x.fake_set = record_level;
	pci_intx_set(&x, true);
	pci_intx_set(&x, true);
	cr_expect_eq(level_changes, 1);
	cr_expect(last_level);
	pci_intx_set(&x, false);
	pci_intx_set(&x, false);
	cr_expect_eq(level_changes, 2);
	pci_intx_set(&x, true);
	pci_intx_exit(&x);
	cr_expect_eq(level_changes, 4, "exit leaves the line low");
	cr_expect_not(last_level);
	pci_intx_set(&x, true);
	cr_expect_eq(level_changes, 4, "a line after exit stays quiet");
}

Test(pci_intx, none_is_inert)
{
	struct pci_intx x;

	level_changes = 0;
	pci_intx_none(&x);
	x.fake_set = record_level;
	pci_intx_set(&x, true);
	pci_intx_exit(&x);
	cr_expect_eq(level_changes, 0);
}

/* KVM routes ------------------------------------------------------------- */

/* A vm whose ioctls all fail (no fd): every route attempt fails, as when
 * KVM refuses the guest's address/data or the routing table is full. */
Test(msix_kvm, failed_route_is_retried_on_the_same_gsi)
{
	struct vm vm;
	struct msix_kvm k;

	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = -1;
	vm.next_gsi = GSI_MSI_BASE;
	pthread_mutex_init(&vm.irq_lock, NULL);
	vm.routing = calloc(1, sizeof(*vm.routing) + 8 * sizeof(vm.routing->entries[0]));
	cr_assert_not_null(vm.routing);
	msix_kvm_init(&k, &vm);

	/* deliver() retries while the vector stays dirty: once per interrupt. */
	for (int i = 0; i < 3; i++)
		cr_assert_lt(msix_kvm_ops.route(&k, 0, 0xfee00000, 0x41), 0);
	cr_assert_eq(vm.next_gsi, GSI_MSI_BASE + 1, "one GSI for all attempts, got %u",
		     vm.next_gsi - GSI_MSI_BASE);
	cr_assert_eq(k.gsi[0], GSI_MSI_BASE);
	cr_assert_eq(k.fd[0], -1);
	cr_assert_eq(vm.routing->nr, 1);

	msix_kvm_exit(&k);
	cr_assert_eq(k.gsi[0], -1);
	cr_assert_eq(vm.routing->nr, 0, "exit drops the route of a GSI without irqfd");
	free(vm.routing);
	pthread_mutex_destroy(&vm.irq_lock);
}
