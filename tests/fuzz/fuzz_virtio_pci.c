/* libFuzzer: a hostile driver against the virtio PCI transport and the
 * virtio-blk request path.
 *
 * Input: a count n, n 8-byte operations (kind, size, 16-bit offset, 32-bit
 * value), then the initial contents of 8 KiB of guest RAM at address 0
 * (so small addresses the fuzzer writes into queue registers are RAM). Operations hit PCI config
 * space, BAR0 (common cfg, ISR, device cfg, notify), the MSI-X BAR, or
 * run the blk queue (as the worker would after a kick). The disk is a
 * 64 KiB memfd. Nothing may crash, hang, leak or touch memory outside RAM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtio/blk.h"
#include "virtio/pci_transport.h"

#define RAM_GPA	 0x0ULL
#define RAM_SIZE 0x2000ULL

static struct virtio_blk *blk;
static struct virtio_dev_ops ops;
static struct virtio_queue *live_queues;
static struct virtio_irq *live_irq;

static int sync_activate(void *dev, uint64_t features, const struct guest_mem *mem,
			 struct virtio_queue *queues, struct virtio_irq *irq)
{
	/* No worker thread: the fuzzer runs the queue itself. */
	blk->mem = mem;
	live_queues = queues;
	live_irq = irq;
	return 0;
}

static void sync_reset(void *dev)
{
	live_queues = NULL;
}

static int no_route(void *ctx, unsigned vec, uint64_t addr, uint32_t data)
{
	return 0;
}

static void no_fire(void *ctx, unsigned vec)
{
}

static const struct msix_irq_ops fake_msix = {.route = no_route, .fire = no_fire};

static void init_once(void)
{
	char path[64];
	int fd;

	if (blk)
		return;
	fd = memfd_create("fuzz-disk", 0);
	if (fd < 0 || ftruncate(fd, 65536))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	blk = virtio_blk_create(&(struct virtio_blk_params){.path = path}, NULL, 0);
	if (!blk)
		abort();
	ops = virtio_blk_ops;
	ops.activate = sync_activate;
	ops.reset = sync_reset;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bus pio, mmio;
	static struct pci_bus pb;
	static struct virtio_pci vp;
	struct guest_mem mem;
	uint8_t *ram;
	size_t nops;
	uint64_t bar0;

	init_once();
	if (size < 1)
		return 0;
	nops = data[0];
	if (1 + 8 * nops > size)
		nops = (size - 1) / 8;
	ram = calloc(1, RAM_SIZE);
	if (size > 1 + 8 * nops)
		memcpy(ram, data + 1 + 8 * nops,
		       size - 1 - 8 * nops < RAM_SIZE ? size - 1 - 8 * nops : RAM_SIZE);
	guest_mem_init_flat(&mem, RAM_GPA, ram, RAM_SIZE);
	bus_init(&pio);
	bus_init(&mmio);
	pci_bus_init(&pb, &pio, &mmio);
	if (virtio_pci_init(&vp, NULL, &mem, &ops, blk, true))
		abort();
	vp.msix.ops = &fake_msix;
	virtio_pci_register(&vp, &pb);
	bar0 = pci_cfg_bar_addr(&vp.pci.cfg, VPCI_BAR_REGS);

	for (size_t i = 0; i < nops; i++) {
		const uint8_t *op = data + 1 + 8 * i;
		uint32_t sz = 1u << (op[1] % 4), off = op[2] | op[3] << 8, val;
		uint64_t buf = 0;

		memcpy(&val, op + 4, 4);
		memcpy(&buf, &val, 4);
		if (sz == 8)
			buf |= (uint64_t)val << 32;
		switch (op[0] % 5) {
		case 0:
			if (sz <= 4)
				pci_bus_cfg_access(&pb, vp.pci.slot, 0, off & 0xfff, &buf, sz,
						   op[0] & 0x80);
			break;
		case 1: /* BAR0 through the bus: decode and BAR moves apply */
			bus_dispatch(&mmio, bar0 + (off & 0x3fff), &buf, sz, op[0] & 0x80);
			break;
		case 2:
			virtio_pci_regs_io(&vp, off & 0x3fff, &buf, sz, op[0] & 0x80);
			break;
		case 3:
			pci_msix_bar_io(&vp.msix, off & 0xfff, &buf, sz, op[0] & 0x80);
			break;
		case 4:
			if (live_queues)
				virtio_queue_service(&live_queues[0], 0, live_irq, blk->elem,
						     virtio_blk_request, blk);
			break;
		}
	}
	virtio_pci_exit(&vp);
	pci_bus_exit(&pb);
	bus_destroy(&pio);
	bus_destroy(&mmio);
	free(ram);
	return 0;
}
