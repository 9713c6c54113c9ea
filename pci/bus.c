#include "pci/pci.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>

#include "kvm/layout.h"
#include "util/log.h"

#define CF8_ENABLE (1u << 31)

/* A generic host bridge (Red Hat's "QEMU PCIe host bridge" IDs): no driver
 * binds to it, Linux only needs to find something at 00:00.0. */
#define HOST_BRIDGE_VENDOR 0x1b36
#define HOST_BRIDGE_DEVICE 0x0008
#define CLASS_HOST_BRIDGE  0x060000

static struct bus *bar_bus(struct pci_dev *d, unsigned i)
{
	return d->cfg.bars[i].kind == PCI_BAR_IO ? d->bus->pio : d->bus->mmio;
}

/* Where the BAR should be on its bus now, or false if nowhere. */
static bool bar_wanted(struct pci_dev *d, unsigned i, uint64_t *at)
{
	const struct pci_cfg_bar *bar = &d->cfg.bars[i];
	uint16_t cmd = pci_cfg_get16(&d->cfg, PCI_COMMAND);
	uint64_t addr = pci_cfg_bar_addr(&d->cfg, i), end;
	bool io = bar->kind == PCI_BAR_IO;

	if (!(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
		return false;
	if (addr == 0 || __builtin_add_overflow(addr, bar->size, &end))
		return false;
	if (io && end > PCI_IO_WINDOW_END)
		return false;
	*at = addr;
	return true;
}

/* Bring the bus mappings in line with the BAR registers and the command
 * register: decode off takes a BAR off the bus, a new address moves it. */
static void update_bars(struct pci_dev *d)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar_map *m = &d->bars[i];
		struct bus *bus = bar_bus(d, i);
		uint64_t at = 0;
		bool want;
		int r;

		if (d->cfg.bars[i].kind == PCI_BAR_NONE || (!m->fn && !d->bar_moved))
			continue;
		if (m->fn && !bus)
			continue;
		want = bar_wanted(d, i, &at);
		if (m->mapped && (!want || at != m->at)) {
			if (m->fn)
				bus_unregister(bus, m->at, m->owner);
			m->mapped = false;
			if (d->bar_moved)
				d->bar_moved(d, i, false, m->at);
		}
		if (want && !m->mapped) {
			r = m->fn ? bus_register(bus, at, d->cfg.bars[i].size, m->fn, m->owner) : 0;
			if (r) {
				/* Overlaps another range: the guest placed it
				 * badly; leave it unmapped until it moves. */
				log_guest_error("pci %s: BAR%u at 0x%llx not mapped (%d)", d->name,
						i, (unsigned long long)at, r);
				continue;
			}
			m->mapped = true;
			m->at = at;
			if (d->bar_moved)
				d->bar_moved(d, i, true, at);
		}
	}
}

static bool touches(uint32_t off, uint32_t size, uint32_t lo, uint32_t hi)
{
	return off < hi && off + size > lo;
}

void pci_bus_cfg_access(struct pci_bus *b, unsigned slot, unsigned fn, uint32_t reg, void *data,
			uint32_t size, bool is_write)
{
	struct pci_dev *d;
	uint32_t v = 0;

	if (size != 1 && size != 2 && size != 4)
		return;
	pthread_mutex_lock(&b->lock);
	d = (slot < PCI_MAX_SLOTS && fn == 0) ? b->devs[slot] : NULL;
	if (!is_write) {
		if (d && d->cfg_read)
			d->cfg_read(d, reg, size);
		v = d ? pci_cfg_read(&d->cfg, reg, size) : 0xffffffff;
		memcpy(data, &v, size);
	} else if (d) {
		memcpy(&v, data, size);
		pci_cfg_write(&d->cfg, reg, size, v);
		if (touches(reg, size, PCI_COMMAND, PCI_COMMAND + 2) ||
		    touches(reg, size, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_5 + 4))
			update_bars(d);
		if (d->cfg_written)
			d->cfg_written(d, reg, size);
	}
	pthread_mutex_unlock(&b->lock);
}

/* 0xCF8 latches an address (32-bit writes only, as on real chipsets);
 * 0xCFC-0xCFF carry data for the latched register. */
static void cf8_io(void *owner, uint64_t off, void *data, uint32_t size, bool is_write)
{
	struct pci_bus *b = owner;
	uint32_t a, v;

	if (off < 4) {
		if (off != 0 || size != 4) {
			if (!is_write)
				memset(data, 0xff, size);
			return;
		}
		if (is_write) {
			memcpy(&v, data, 4);
			__atomic_store_n(&b->cf8, v, __ATOMIC_RELAXED);
		} else {
			v = __atomic_load_n(&b->cf8, __ATOMIC_RELAXED);
			memcpy(data, &v, 4);
		}
		return;
	}
	a = __atomic_load_n(&b->cf8, __ATOMIC_RELAXED);
	if (!(a & CF8_ENABLE) || ((a >> 16) & 0xff) != 0 || off - 4 + size > 4) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	pci_bus_cfg_access(b, (a >> 11) & 31, (a >> 8) & 7, (a & 0xfc) + (off - 4), data, size,
			   is_write);
}

static void ecam_io(void *owner, uint64_t off, void *data, uint32_t size, bool is_write)
{
	struct pci_bus *b = owner;

	/* The window covers bus 0 only: 32 slots x 8 functions x 4 KiB. */
	pci_bus_cfg_access(b, (off >> 15) & 31, (off >> 12) & 7, off & 0xfff, data, size, is_write);
}

int pci_dev_set_bar(struct pci_dev *d, unsigned idx, enum pci_bar_kind kind, uint64_t size,
		    bool prefetch, bus_io_fn fn, void *owner)
{
	int r = pci_cfg_set_bar(&d->cfg, idx, kind, size, prefetch);

	if (r)
		return r;
	d->bars[idx] = (struct pci_bar_map){.fn = fn, .owner = owner};
	return 0;
}

static int alloc_in(uint64_t *next, uint64_t end, uint64_t size, uint64_t *out)
{
	uint64_t at = (*next + size - 1) & ~(size - 1);

	if (at < *next || at > end || size > end - at)
		return -ENOSPC;
	*out = at;
	*next = at + size;
	return 0;
}

static int alloc_bars(struct pci_bus *b, struct pci_dev *d)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_cfg_bar *bar = &d->cfg.bars[i];
		uint64_t at, io_next = b->io_next;
		int r;

		switch (bar->kind) {
		case PCI_BAR_MEM32:
			r = alloc_in(&b->mmio32_next, PCI_MMIO32_BASE + PCI_MMIO32_SIZE, bar->size,
				     &at);
			break;
		case PCI_BAR_MEM64:
			r = alloc_in(&b->mmio64_next, PCI_MMIO64_BASE + PCI_MMIO64_SIZE, bar->size,
				     &at);
			break;
		case PCI_BAR_IO:
			r = alloc_in(&io_next, PCI_IO_WINDOW_END, bar->size, &at);
			b->io_next = io_next;
			break;
		default:
			continue;
		}
		if (r)
			return r;
		pci_cfg_set_bar_addr(&d->cfg, i, at);
	}
	return 0;
}

int pci_dev_add(struct pci_bus *b, struct pci_dev *d)
{
	unsigned slot;
	uint8_t pin;
	int r = -ENOSPC;

	pthread_mutex_lock(&b->lock);
	for (slot = 0; slot < PCI_MAX_SLOTS && b->devs[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS)
		goto out;
	d->bus = b;
	d->slot = slot;
	r = alloc_bars(b, d);
	if (r)
		goto out;
	pin = d->cfg.data[PCI_INTERRUPT_PIN];
	if (pin >= 1 && pin <= 4)
		/* Config space counts pins from 1 (INTA), the MP table from 0. */
		pci_cfg_set8(&d->cfg, PCI_INTERRUPT_LINE, pci_intx_gsi(slot, pin - 1));
	pci_cfg_set16(&d->cfg, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	update_bars(d);
	b->devs[slot] = d;
out:
	pthread_mutex_unlock(&b->lock);
	if (r)
		log_error("pci: no room for %s (%d)", d->name ? d->name : "device", r);
	return r;
}

int pci_bus_init(struct pci_bus *b, struct bus *pio, struct bus *mmio)
{
	int r;

	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	b->pio = pio;
	b->mmio = mmio;
	b->mmio32_next = PCI_MMIO32_BASE;
	b->mmio64_next = PCI_MMIO64_BASE;
	b->io_next = PCI_IO_WINDOW_BASE;
	if (pio) {
		r = bus_register(pio, PORT_PCI_CONFIG, 8, cf8_io, b);
		if (r)
			return r;
	}
	if (mmio) {
		r = bus_register(mmio, PCI_ECAM_BASE, PCI_ECAM_SIZE, ecam_io, b);
		if (r)
			return r;
	}
	pci_cfg_init(&b->host_bridge.cfg, HOST_BRIDGE_VENDOR, HOST_BRIDGE_DEVICE, CLASS_HOST_BRIDGE,
		     0);
	b->host_bridge.name = "host-bridge";
	return pci_dev_add(b, &b->host_bridge);
}

/* Bus lock held. */
static void unmap_all(struct pci_dev *d)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		if (!d->bars[i].mapped)
			continue;
		if (d->bars[i].fn)
			bus_unregister(bar_bus(d, i), d->bars[i].at, d->bars[i].owner);
		d->bars[i].mapped = false;
		if (d->bar_moved)
			d->bar_moved(d, i, false, d->bars[i].at);
	}
}

void pci_dev_remove(struct pci_dev *d)
{
	struct pci_bus *b = d->bus;

	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	unmap_all(d);
	if (d->slot < PCI_MAX_SLOTS && b->devs[d->slot] == d)
		b->devs[d->slot] = NULL;
	d->bus = NULL;
	pthread_mutex_unlock(&b->lock);
}

void pci_bus_exit(struct pci_bus *b)
{
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++)
		if (b->devs[s])
			pci_dev_remove(b->devs[s]);
	if (b->pio)
		bus_unregister(b->pio, PORT_PCI_CONFIG, b);
	if (b->mmio)
		bus_unregister(b->mmio, PCI_ECAM_BASE, b);
	pthread_mutex_destroy(&b->lock);
}
