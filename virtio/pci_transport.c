/* The modern virtio PCI transport: capabilities, BAR dispatch, doorbells
 * (ioeventfds), and interrupts (MSI-X vector or INTx + ISR). */
#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "util/log.h"
#include "kvm/layout.h"
#include "virtio/pci_internal.h"

#define VIRTIO_PCI_VENDOR    0x1af4
#define VIRTIO_PCI_DEVICE0   0x1040 /* + virtio device id */
#define VIRTIO_PCI_SUBSYS_ID 0x1100
#define CLASS_OTHER	     0xff0000

#define CAP_LEN	       16
#define NOTIFY_CAP_LEN 20
#define SHM_CAP_LEN    24

#define ISR_QUEUE  1
#define ISR_CONFIG 2

static struct virtio_pci *from_irq(struct virtio_irq *irq)
{
	return (struct virtio_pci *)((char *)irq - offsetof(struct virtio_pci, irq));
}

/* Interrupts ------------------------------------------------------------ */

static bool intx_disabled(struct virtio_pci *vp)
{
	uint8_t hi = __atomic_load_n(&vp->pci.cfg.data[PCI_COMMAND + 1], __ATOMIC_RELAXED);

	return hi & (PCI_COMMAND_INTX_DISABLE >> 8);
}

static bool msix_on(struct virtio_pci *vp)
{
	return vp->has_msix && pci_msix_enabled(&vp->msix);
}

/* isr_lock held. The INTx line is high exactly while a cause is unread,
 * unless the driver turned INTx off (command register, or MSI-X on): so
 * every interrupt the driver takes finds its cause in the ISR. */
static void intx_update(struct virtio_pci *vp)
{
	pci_intx_set(&vp->intx, vp->isr && !intx_disabled(vp) && !msix_on(vp));
}

uint8_t vpci_isr_clear(struct virtio_pci *vp)
{
	uint8_t isr;

	pthread_mutex_lock(&vp->isr_lock);
	isr = vp->isr;
	vp->isr = 0;
	intx_update(vp);
	pthread_mutex_unlock(&vp->isr_lock);
	return isr;
}

/* With MSI-X on, a vector or nothing (NO_VECTOR means the driver wants no
 * interrupt). With it off, INTx: set the ISR cause, raise the line. Every
 * interrupt comes here: pci_msix_notify checks "on" and delivers in one
 * MSI-X lock round trip (a separate msix_on() would take it twice). */
static void raise(struct virtio_pci *vp, uint16_t vector, uint8_t cause)
{
	if (vp->has_msix && pci_msix_notify(&vp->msix, vector))
		return;
	pthread_mutex_lock(&vp->isr_lock);
	vp->isr |= cause;
	intx_update(vp);
	pthread_mutex_unlock(&vp->isr_lock);
}

static void irq_queue(struct virtio_irq *irq, unsigned q)
{
	struct virtio_pci *vp = from_irq(irq);

	if (q >= VPCI_MAX_QUEUES)
		return;
	raise(vp, __atomic_load_n(&vp->qcfg[q].vector, __ATOMIC_RELAXED), ISR_QUEUE);
}

static void irq_config(struct virtio_irq *irq)
{
	struct virtio_pci *vp = from_irq(irq);

	__atomic_fetch_add(&vp->config_gen, 1, __ATOMIC_ACQ_REL);
	raise(vp, __atomic_load_n(&vp->config_vector, __ATOMIC_RELAXED), ISR_CONFIG);
}

static void irq_needs_reset(struct virtio_irq *irq)
{
	struct virtio_pci *vp = from_irq(irq);

	__atomic_fetch_or(&vp->status, VIRTIO_STATUS_NEEDS_RESET, __ATOMIC_ACQ_REL);
	irq_config(irq);
}

/* BARs ------------------------------------------------------------------ */

void virtio_pci_regs_io(void *owner, uint64_t off, void *data, uint32_t size, bool is_write)
{
	struct virtio_pci *vp = owner;
	uint32_t cfg_size = vp->ops->config_size;
	uint8_t isr;

	if (off < VPCI_COMMON_OFF + VPCI_COMMON_SIZE) {
		vpci_common_io(vp, off - VPCI_COMMON_OFF, data, size, is_write);
		return;
	}
	if (off == VPCI_ISR_OFF) {
		if (!is_write) {
			/* Reading ISR acknowledges: it clears and lowers INTx
			 * before the driver's EOI. */
			isr = vpci_isr_clear(vp);
			memset(data, 0, size);
			memcpy(data, &isr, 1);
		}
		return;
	}
	if (off >= VPCI_DEVCFG_OFF && off - VPCI_DEVCFG_OFF < cfg_size &&
	    size <= cfg_size - (off - VPCI_DEVCFG_OFF)) {
		if (is_write)
			vp->ops->config_write(vp->dev, off - VPCI_DEVCFG_OFF, data, size);
		else
			vp->ops->config_read(vp->dev, off - VPCI_DEVCFG_OFF, data, size);
		return;
	}
	if (off >= VPCI_NOTIFY_OFF && off < VPCI_NOTIFY_OFF + VPCI_NOTIFY_MULT * VPCI_MAX_QUEUES) {
		/* Reached only when no ioeventfd caught the write (tests, or
		 * the guest moved the BAR and KVM has none there). */
		uint32_t q = (off - VPCI_NOTIFY_OFF) / VPCI_NOTIFY_MULT;

		if (is_write && (off - VPCI_NOTIFY_OFF) % VPCI_NOTIFY_MULT == 0 &&
		    q < vp->ops->num_queues)
			efd_signal(vp->queues[q].kick_fd, "virtio kick");
		else if (!is_write)
			memset(data, 0, size);
		return;
	}
	if (!is_write)
		memset(data, 0, size);
}

static void msix_bar_io(void *owner, uint64_t off, void *data, uint32_t size, bool is_write)
{
	struct virtio_pci *vp = owner;

	if (!pci_msix_bar_io(&vp->msix, off, data, size, is_write) && !is_write)
		memset(data, 0, size);
}

static void set_ioeventfds(struct virtio_pci *vp, bool assign)
{
	for (unsigned q = 0; q < vp->ops->num_queues; q++) {
		uint64_t addr = vp->notify_gpa + VPCI_NOTIFY_OFF + VPCI_NOTIFY_MULT * q;
		int r =
		    vm_ioeventfd(vp->vm, addr, 0, false, false, 0, vp->queues[q].kick_fd, !assign);

		if (r)
			log_guest_error("virtio %s: ioeventfd for queue %u: %s", vp->ops->name, q,
					strerror(-r));
	}
}

/* Bus lock held. Doorbells follow BAR0; the shared memory follows BAR2. */
static void bar_moved(struct pci_dev *d, unsigned bar, bool mapped, uint64_t at)
{
	struct virtio_pci *vp = d->priv;

	if (bar == VPCI_BAR_SHM && vp->shm_moved) {
		vp->shm_moved(vp->shm_opaque, mapped, at);
		return;
	}
	if (bar != VPCI_BAR_REGS || !vp->vm)
		return;
	if (vp->notify_mapped)
		set_ioeventfds(vp, false);
	vp->notify_mapped = mapped;
	vp->notify_gpa = at;
	if (mapped)
		set_ioeventfds(vp, true);
}

/* The PCI configuration access capability: the driver names a BAR, an
 * offset and a length (1, 2 or 4) in the capability, then reads or writes
 * pci_cfg_data to access that BAR location. Bus lock held. */
static bool cfg_window(struct virtio_pci *vp, uint32_t off, uint32_t size, uint64_t *bar_off,
		       uint32_t *len, unsigned *bar)
{
	const struct pci_config *c = &vp->pci.cfg;
	uint32_t data = vp->cfg_cap + CAP_LEN;
	uint64_t bar_size;

	if (!vp->cfg_cap || off >= data + 4 || off + size <= data)
		return false;
	*bar = c->data[vp->cfg_cap + VIRTIO_PCI_CAP_BAR];
	*bar_off = pci_cfg_get32(c, vp->cfg_cap + VIRTIO_PCI_CAP_OFFSET);
	*len = pci_cfg_get32(c, vp->cfg_cap + VIRTIO_PCI_CAP_LENGTH);
	if (*bar >= PCI_NUM_BARS || (*len != 1 && *len != 2 && *len != 4))
		return false;
	bar_size = c->bars[*bar].size;
	return *bar_off < bar_size && *len <= bar_size - *bar_off;
}

static void cfg_window_access(struct virtio_pci *vp, uint32_t off, uint32_t size, bool is_write)
{
	uint8_t *data = &vp->pci.cfg.data[vp->cfg_cap + CAP_LEN];
	uint64_t bar_off;
	uint32_t len;
	unsigned bar;

	if (!cfg_window(vp, off, size, &bar_off, &len, &bar))
		return;
	if (bar == VPCI_BAR_REGS)
		virtio_pci_regs_io(vp, bar_off, data, len, is_write);
	else if (bar == VPCI_BAR_MSIX && vp->has_msix)
		msix_bar_io(vp, bar_off, data, len, is_write);
}

static void cfg_read(struct pci_dev *d, uint32_t off, uint32_t size)
{
	cfg_window_access(d->priv, off, size, false);
}

static void cfg_written(struct pci_dev *d, uint32_t off, uint32_t size)
{
	struct virtio_pci *vp = d->priv;

	if (vp->has_msix)
		pci_msix_cfg_written(&vp->msix, off, size);
	/* INTx disable or MSI-X enable may have changed: the line follows. */
	pthread_mutex_lock(&vp->isr_lock);
	intx_update(vp);
	pthread_mutex_unlock(&vp->isr_lock);
	cfg_window_access(vp, off, size, true);
}

/* Setup ----------------------------------------------------------------- */

static int add_vcap(struct virtio_pci *vp, uint8_t type, uint8_t bar, uint8_t id, uint8_t len,
		    uint64_t off, uint64_t length)
{
	struct pci_config *c = &vp->pci.cfg;
	int cap = pci_cfg_add_cap(c, PCI_CAP_ID_VNDR, len);

	if (cap < 0)
		return cap;
	pci_cfg_set8(c, cap + VIRTIO_PCI_CAP_LEN, len);
	pci_cfg_set8(c, cap + VIRTIO_PCI_CAP_CFG_TYPE, type);
	pci_cfg_set8(c, cap + VIRTIO_PCI_CAP_BAR, bar);
	pci_cfg_set8(c, cap + 5, id);
	pci_cfg_set32(c, cap + VIRTIO_PCI_CAP_OFFSET, (uint32_t)off);
	pci_cfg_set32(c, cap + VIRTIO_PCI_CAP_LENGTH, (uint32_t)length);
	if (len >= SHM_CAP_LEN) {
		pci_cfg_set32(c, cap + 16, off >> 32);
		pci_cfg_set32(c, cap + 20, length >> 32);
	}
	return cap;
}

/* The function's identity in config space, its INTx pin, and BAR0 (the
 * common, ISR, device and notify registers). */
static int function_init(struct virtio_pci *vp)
{
	struct pci_config *c = &vp->pci.cfg;
	const struct virtio_dev_ops *ops = vp->ops;

	vp->pci.name = ops->name;
	vp->pci.priv = vp;
	vp->pci.cfg_written = cfg_written;
	vp->pci.cfg_read = cfg_read;
	vp->pci.bar_moved = bar_moved;
	pci_cfg_init(c, VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE0 + ops->device_id,
		     ops->pci_class ? ops->pci_class : CLASS_OTHER, 1);
	pci_cfg_set_subsystem(c, VIRTIO_PCI_VENDOR, VIRTIO_PCI_SUBSYS_ID);
	/* Pin INTA; the line itself is set up by register, once the slot
	 * (and so the GSI) is known. */
	pci_cfg_set_irq(c, 1, 0);
	pci_intx_none(&vp->intx);
	return pci_dev_set_bar(&vp->pci, VPCI_BAR_REGS, PCI_BAR_MEM32, VPCI_REGS_SIZE, false,
			       virtio_pci_regs_io, vp);
}

/* VIRTIO_PCI_CAP_PCI_CFG: a window onto the BARs through config space;
 * its bar, offset, length and data fields are the driver's to write. */
static int add_cfg_window_cap(struct virtio_pci *vp)
{
	struct pci_config *c = &vp->pci.cfg;
	int cap = add_vcap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, CAP_LEN + 4, 0, 0);

	if (cap < 0)
		return cap;
	vp->cfg_cap = cap;
	c->wmask[cap + VIRTIO_PCI_CAP_BAR] = 0xff;
	for (unsigned i = 0; i < 4; i++) {
		c->wmask[cap + VIRTIO_PCI_CAP_OFFSET + i] = 0xff;
		c->wmask[cap + VIRTIO_PCI_CAP_LENGTH + i] = 0xff;
		c->wmask[cap + CAP_LEN + i] = 0xff;
	}
	return cap;
}

/* The virtio capabilities that point into BAR0, then the config window.
 * 0 or -errno. */
static int add_caps(struct virtio_pci *vp, unsigned nq)
{
	uint32_t cfg_size = vp->ops->config_size;
	int cap;

	cap = add_vcap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VPCI_BAR_REGS, 0, CAP_LEN, VPCI_COMMON_OFF,
		       VPCI_COMMON_SIZE);
	if (cap >= 0)
		cap = add_vcap(vp, VIRTIO_PCI_CAP_ISR_CFG, VPCI_BAR_REGS, 0, CAP_LEN, VPCI_ISR_OFF,
			       1);
	if (cap >= 0 && cfg_size)
		cap = add_vcap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VPCI_BAR_REGS, 0, CAP_LEN,
			       VPCI_DEVCFG_OFF, cfg_size);
	if (cap >= 0) {
		cap = add_vcap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VPCI_BAR_REGS, 0, NOTIFY_CAP_LEN,
			       VPCI_NOTIFY_OFF, VPCI_NOTIFY_MULT * nq);
		if (cap >= 0)
			pci_cfg_set32(&vp->pci.cfg, cap + VIRTIO_PCI_NOTIFY_CAP_MULT,
				      VPCI_NOTIFY_MULT);
	}
	if (cap >= 0)
		cap = add_cfg_window_cap(vp);
	return cap < 0 ? cap : 0;
}

/* BAR1 with the MSI-X table and PBA: one vector per queue plus config. */
static int msix_init(struct virtio_pci *vp, struct vm *vm, unsigned nq)
{
	int r = pci_dev_set_bar(&vp->pci, VPCI_BAR_MSIX, PCI_BAR_MEM32, VPCI_MSIX_SIZE, false,
				msix_bar_io, vp);

	if (r)
		return r;
	msix_kvm_init(&vp->msix_kvm, vm);
	return pci_msix_init(&vp->msix, &vp->pci, nq + 1, VPCI_BAR_MSIX, 0, VPCI_MSIX_PBA_OFF,
			     &msix_kvm_ops, &vp->msix_kvm);
}

/* One doorbell eventfd per queue (KVM ioeventfds signal them). */
static int kick_fds_open(struct virtio_pci *vp, unsigned nq)
{
	for (unsigned i = 0; i < nq; i++) {
		vp->queues[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->queues[i].kick_fd < 0)
			return -errno;
	}
	return 0;
}

static void kick_fds_close(struct virtio_pci *vp, unsigned nq)
{
	for (unsigned i = 0; i < nq; i++) {
		if (vp->queues[i].kick_fd >= 0)
			close(vp->queues[i].kick_fd);
		vp->queues[i].kick_fd = -1;
	}
}

int virtio_pci_init(struct virtio_pci *vp, struct vm *vm, const struct guest_mem *mem,
		    const struct virtio_dev_ops *ops, void *dev, bool msix)
{
	unsigned nq = ops->num_queues;
	int r;

	memset(vp, 0, sizeof(*vp));
	for (unsigned i = 0; i < VPCI_MAX_QUEUES; i++)
		vp->queues[i].kick_fd = -1;
	if (nq == 0 || nq > VPCI_MAX_QUEUES || ops->config_size > VPCI_NOTIFY_OFF - VPCI_DEVCFG_OFF)
		return -EINVAL;
	vp->vm = vm;
	vp->mem = mem;
	vp->ops = ops;
	vp->dev = dev;
	vp->has_msix = msix;
	vp->offered = ops->features(dev) | 1ULL << VIRTIO_F_VERSION_1 |
		      1ULL << VIRTIO_F_INDIRECT_DESC | 1ULL << VIRTIO_F_EVENT_IDX;
	vp->irq = (struct virtio_irq){
	    .queue = irq_queue, .config = irq_config, .needs_reset = irq_needs_reset};
	pthread_mutex_init(&vp->lock, NULL);
	pthread_mutex_init(&vp->isr_lock, NULL);

	r = kick_fds_open(vp, nq);
	if (r)
		goto fail;
	r = function_init(vp);
	if (r)
		goto fail;
	r = add_caps(vp, nq);
	if (r)
		goto fail;
	if (msix) {
		r = msix_init(vp, vm, nq);
		if (r)
			goto fail;
	}
	vpci_reset(vp);
	return 0;
fail:
	kick_fds_close(vp, nq);
	return r;
}

int virtio_pci_add_shm(struct virtio_pci *vp, uint8_t id, uint64_t size,
		       void (*moved)(void *opaque, bool mapped, uint64_t gpa), void *opaque)
{
	int r = pci_dev_set_bar(&vp->pci, VPCI_BAR_SHM, PCI_BAR_MEM64, size, true, NULL, NULL);

	if (r)
		return r;
	r = add_vcap(vp, VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, VPCI_BAR_SHM, id, SHM_CAP_LEN, 0, size);
	if (r < 0)
		return r;
	vp->shm_moved = moved;
	vp->shm_opaque = opaque;
	return 0;
}

int virtio_pci_register(struct virtio_pci *vp, struct pci_bus *bus)
{
	int r = pci_dev_add(bus, &vp->pci);

	if (r)
		return r;
	pci_cfg_set8(&vp->pci.cfg, PCI_INTERRUPT_LINE, pci_intx_gsi(vp->pci.slot, 0));
	pci_intx_init(&vp->intx, vp->vm, pci_intx_gsi(vp->pci.slot, 0));
	log_debug("virtio %s: 00:%02x.0, BAR0 0x%llx", vp->ops->name, vp->pci.slot,
		  (unsigned long long)pci_cfg_bar_addr(&vp->pci.cfg, VPCI_BAR_REGS));
	return 0;
}

void virtio_pci_exit(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
	vpci_reset(vp);
	pthread_mutex_unlock(&vp->lock);
	/* Unmapping BAR0 deassigns the doorbells (bar_moved). */
	pci_dev_remove(&vp->pci);
	pci_intx_exit(&vp->intx);
	if (vp->has_msix) {
		msix_kvm_exit(&vp->msix_kvm);
		pci_msix_exit(&vp->msix);
	}
	kick_fds_close(vp, vp->ops->num_queues);
	pthread_mutex_destroy(&vp->lock);
	pthread_mutex_destroy(&vp->isr_lock);
}
