#include "lib/virtio_pci.h"
#include "lib/fmt.h"
#include "lib/io.h"
#include "lib/pci_setup.h"
#include "lib/time.h"

#define PCI_CAP_VENDOR	  0x09
#define VIRTIO_CAP_COMMON 1
#define VIRTIO_CAP_NOTIFY 2
#define VIRTIO_CAP_ISR	  3
#define VIRTIO_CAP_DEVICE 4
#define RESET_TIMEOUT_MS  1000

bool virtio_pci_find(const struct pci_access *a, uint16_t device_id, uint8_t *dev, uint8_t *fn)
{
	struct pci_fn fns[32];
	unsigned n = pci_enumerate(a, fns, 32);

	for (unsigned i = 0; i < n; i++) {
		if (fns[i].vendor == VIRTIO_VENDOR &&
		    fns[i].device == VIRTIO_MODERN_DEVICE(device_id)) {
			*dev = fns[i].dev;
			*fn = fns[i].fn;
			return true;
		}
	}
	return false;
}

/* The address a memory BAR is programmed with (firmware or VMM assigned it). */
static uint64_t bar_address(const struct pci_access *a, unsigned dev, unsigned fn, unsigned bar)
{
	if (bar > 5)
		return 0;
	uint32_t lo = a->read32(a, dev, fn, PCI_BAR0 + 4 * bar);
	if (lo & 1)
		return 0; /* I/O BAR: not used by modern virtio here */
	uint64_t addr = lo & ~0xfu;
	if (((lo >> 1) & 3) == 2 && bar < 5)
		addr |= (uint64_t)a->read32(a, dev, fn, PCI_BAR0 + 4 * (bar + 1)) << 32;
	return addr;
}

struct cap_scan {
	struct virtio_pci_dev *v;
	int bad;
};

static void on_cap(void *p, uint8_t id, uint8_t off)
{
	struct cap_scan *s = p;
	struct virtio_pci_dev *v = s->v;
	const struct pci_access *a = v->pci;

	if (id != PCI_CAP_VENDOR)
		return;
	uint8_t type = pci_read8(a, v->dev, v->fn, off + 3);
	uint8_t bar = pci_read8(a, v->dev, v->fn, off + 4);
	uint32_t offset = a->read32(a, v->dev, v->fn, off + 8);
	uint32_t length = a->read32(a, v->dev, v->fn, off + 12);
	uint64_t base = bar_address(a, v->dev, v->fn, bar);
	uint64_t addr;

	if (type < VIRTIO_CAP_COMMON || type > VIRTIO_CAP_DEVICE)
		return; /* PCI cfg access, shared memory: not needed here */
	if (!base || __builtin_add_overflow(base, offset, &addr)) {
		s->bad = type;
		return;
	}
	switch (type) {
	case VIRTIO_CAP_COMMON:
		if (!v->common)
			v->common = addr;
		break;
	case VIRTIO_CAP_NOTIFY:
		if (!v->notify) {
			v->notify = addr;
			v->notify_mult = a->read32(a, v->dev, v->fn, off + 16);
		}
		break;
	case VIRTIO_CAP_ISR:
		if (!v->isr)
			v->isr = addr;
		break;
	case VIRTIO_CAP_DEVICE:
		if (!v->device_cfg) {
			v->device_cfg = addr;
			v->device_cfg_len = length;
		}
		break;
	}
}

int virtio_pci_open(struct virtio_pci_dev *v, const struct pci_access *a, uint8_t dev, uint8_t fn,
		    char *err, size_t errlen)
{
	*v = (struct virtio_pci_dev){.pci = a, .dev = dev, .fn = fn};
	if (pci_assign_bars(a, dev, fn)) {
		fmt_snprintf(err, errlen, "%02x.%u: no room for its BARs in the PCI window", dev,
			     fn);
		return -1;
	}
	uint16_t did = pci_read16(a, dev, fn, 2);
	v->device_id = did >= 0x1040 ? (uint16_t)(did - 0x1040) : 0;

	struct cap_scan s = {v, 0};
	if (pci_walk_caps(a, dev, fn, on_cap, &s) < 0) {
		fmt_snprintf(err, errlen, "%02x.%u: malformed capability list", dev, fn);
		return -1;
	}
	if (s.bad) {
		fmt_snprintf(err, errlen,
			     "%02x.%u: virtio capability type %d points at an "
			     "unassigned BAR",
			     dev, fn, s.bad);
		return -1;
	}
	if (!v->common || !v->notify || !v->isr) {
		fmt_snprintf(err, errlen,
			     "%02x.%u: missing virtio capability (common %d notify %d "
			     "isr %d)",
			     dev, fn, v->common != 0, v->notify != 0, v->isr != 0);
		return -1;
	}
	uint16_t cmd = pci_read16(a, dev, fn, PCI_COMMAND);
	pci_write16(a, dev, fn, PCI_COMMAND, cmd | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	return 0;
}

uint8_t virtio_pci_status(struct virtio_pci_dev *v)
{
	return mmio_read8(v->common + VPCI_STATUS);
}

static void set_status(struct virtio_pci_dev *v, uint8_t bits)
{
	mmio_write8(v->common + VPCI_STATUS, virtio_pci_status(v) | bits);
}

bool virtio_pci_reset(struct virtio_pci_dev *v)
{
	uint64_t deadline = deadline_ms(RESET_TIMEOUT_MS);

	mmio_write8(v->common + VPCI_STATUS, 0);
	while (virtio_pci_status(v) != 0) {
		if (deadline_passed(deadline))
			return false;
		delay_us(10);
	}
	return true;
}

static uint64_t device_features(struct virtio_pci_dev *v)
{
	mmio_write32(v->common + VPCI_DFSELECT, 0);
	uint64_t lo = mmio_read32(v->common + VPCI_DF);
	mmio_write32(v->common + VPCI_DFSELECT, 1);
	uint64_t hi = mmio_read32(v->common + VPCI_DF);
	return hi << 32 | lo;
}

int virtio_pci_init(struct virtio_pci_dev *v, uint64_t wanted, char *err, size_t errlen)
{
	if (!virtio_pci_reset(v)) {
		fmt_snprintf(err, errlen, "device status did not read 0 after reset");
		return -1;
	}
	set_status(v, VIRTIO_STATUS_ACK);
	set_status(v, VIRTIO_STATUS_DRIVER);
	uint64_t offered = device_features(v);
	if (!(offered & VIRTIO_F_VERSION_1)) {
		fmt_snprintf(err, errlen, "device does not offer VERSION_1 (features 0x%lx)",
			     offered);
		return -1;
	}
	v->features = offered & (wanted | VIRTIO_F_VERSION_1);
	mmio_write32(v->common + VPCI_GFSELECT, 0);
	mmio_write32(v->common + VPCI_GF, (uint32_t)v->features);
	mmio_write32(v->common + VPCI_GFSELECT, 1);
	mmio_write32(v->common + VPCI_GF, (uint32_t)(v->features >> 32));
	set_status(v, VIRTIO_STATUS_FEATURES_OK);
	uint8_t st = virtio_pci_status(v);
	if (!(st & VIRTIO_STATUS_FEATURES_OK)) {
		fmt_snprintf(err, errlen, "device refused features 0x%lx (status 0x%02x)",
			     v->features, st);
		return -1;
	}
	v->num_queues = mmio_read16(v->common + VPCI_NUM_QUEUES);
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci_dev *v)
{
	set_status(v, VIRTIO_STATUS_DRIVER_OK);
}

uint8_t virtio_pci_cfg8(struct virtio_pci_dev *v, uint32_t off)
{
	if (!v->device_cfg || off >= v->device_cfg_len)
		return 0;
	return mmio_read8(v->device_cfg + off);
}

uint32_t virtio_pci_cfg32(struct virtio_pci_dev *v, uint32_t off)
{
	if (!v->device_cfg || off > v->device_cfg_len || v->device_cfg_len - off < 4)
		return 0;
	return mmio_read32(v->device_cfg + off);
}

/* Two 32-bit halves may tear: retry while the config generation moves. */
uint64_t virtio_pci_cfg64(struct virtio_pci_dev *v, uint32_t off)
{
	for (int tries = 0; tries < 8; tries++) {
		uint8_t gen = mmio_read8(v->common + VPCI_CFG_GEN);
		uint64_t lo = virtio_pci_cfg32(v, off), hi = virtio_pci_cfg32(v, off + 4);
		if (mmio_read8(v->common + VPCI_CFG_GEN) == gen)
			return hi << 32 | lo;
	}
	return 0;
}
