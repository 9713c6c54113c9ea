/* The common configuration structure of the modern virtio PCI transport:
 * feature negotiation, device status, queue setup, reset. vCPU threads
 * call in here with vp->lock taken by vpci_common_io(); device threads
 * never take that lock (they touch status atomically and the ISR under
 * isr_lock), so a
 * reset may wait for a device thread without deadlock.
 */
#include <errno.h>
#include <linux/virtio_pci.h>
#include <string.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "util/log.h"
#include "virtio/pci_internal.h"

static uint8_t status_load(struct virtio_pci *vp)
{
	return __atomic_load_n(&vp->status, __ATOMIC_ACQUIRE);
}

/* Store a driver-written status, keeping a NEEDS_RESET a device thread
 * may have set meanwhile. */
static void status_store(struct virtio_pci *vp, uint8_t v)
{
	uint8_t old = status_load(vp);

	while (!__atomic_compare_exchange_n(&vp->status, &old,
					    v | (old & VIRTIO_STATUS_NEEDS_RESET), false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

static uint16_t queue_max(const struct virtio_pci *vp, unsigned q)
{
	if (vp->ops->queue_sizes && q < vp->ops->num_queues)
		return vp->ops->queue_sizes[q];
	return vp->ops->queue_max_size;
}

void vpci_reset(struct virtio_pci *vp)
{
	if (vp->active) {
		vp->ops->reset(vp->dev);
		vp->active = false;
	}
	for (unsigned i = 0; i < VPCI_MAX_QUEUES; i++) {
		vp->qcfg[i] =
		    (struct vpci_queue_cfg){.size = queue_max(vp, i), .vector = VPCI_NO_VECTOR};
		memset(&vp->queues[i].vq, 0, sizeof(vp->queues[i].vq));
		efd_drain(vp->queues[i].kick_fd, "virtio reset");
	}
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_sel = 0;
	__atomic_store_n(&vp->config_vector, VPCI_NO_VECTOR, __ATOMIC_RELAXED);
	__atomic_store_n(&vp->status, 0, __ATOMIC_RELEASE);
	vpci_isr_clear(vp);
	if (vp->has_msix)
		pci_msix_clear_pending(&vp->msix);
}

static bool features_acceptable(struct virtio_pci *vp)
{
	uint64_t f = vp->driver_features;

	return !(f & ~vp->offered) && (f & (1ULL << VIRTIO_F_VERSION_1));
}

static void set_needs_reset(struct virtio_pci *vp)
{
	__atomic_fetch_or(&vp->status, VIRTIO_STATUS_NEEDS_RESET, __ATOMIC_ACQ_REL);
	vp->irq.config(&vp->irq);
}

static void activate(struct virtio_pci *vp)
{
	bool event_idx = vp->driver_features & (1ULL << VIRTIO_F_EVENT_IDX);
	int r;

	if (!(status_load(vp) & VIRTIO_STATUS_FEATURES_OK)) {
		log_guest_error("virtio %s: DRIVER_OK without FEATURES_OK", vp->ops->name);
		set_needs_reset(vp);
		return;
	}
	for (unsigned i = 0; i < vp->ops->num_queues; i++)
		vp->queues[i].vq.event_idx = event_idx && vp->qcfg[i].enabled;
	r = vp->ops->activate(vp->dev, vp->driver_features, vp->mem, vp->queues, &vp->irq);
	if (r) {
		log_error("virtio %s: activation failed: %s", vp->ops->name, strerror(-r));
		set_needs_reset(vp);
		return;
	}
	vp->active = true;
}

static void status_write(struct virtio_pci *vp, uint8_t v)
{
	uint8_t old = status_load(vp);

	if (v == 0) {
		vpci_reset(vp);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		if (features_acceptable(vp))
			log_guest_debug("virtio %s: negotiated features 0x%llx", vp->ops->name,
					(unsigned long long)vp->driver_features);
		else
			v &= ~VIRTIO_STATUS_FEATURES_OK; /* the driver reads it back */
	}
	/* The device sets NEEDS_RESET, never the driver. */
	v &= ~VIRTIO_STATUS_NEEDS_RESET;
	status_store(vp, v);
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK) && !vp->active)
		activate(vp);
}

static struct vpci_queue_cfg *sel_queue(struct virtio_pci *vp)
{
	return vp->queue_sel < vp->ops->num_queues ? &vp->qcfg[vp->queue_sel] : NULL;
}

static uint16_t nr_vectors(struct virtio_pci *vp)
{
	return vp->has_msix ? vp->msix.nr : 0;
}

/* Enabling validates size and ring placement now, so a bad queue is seen
 * as never enabled rather than failing later. */
static void queue_enable(struct virtio_pci *vp, unsigned q)
{
	struct vpci_queue_cfg *c = &vp->qcfg[q];
	int r;

	if (c->enabled)
		return;
	if (c->size == 0 || c->size > queue_max(vp, q) || (c->size & (c->size - 1))) {
		log_guest_error("virtio %s: queue %u bad size %u", vp->ops->name, q, c->size);
		return;
	}
	r = vq_init(&vp->queues[q].vq, vp->mem, c->size, c->desc, c->driver, c->device, false);
	if (r) {
		log_guest_error("virtio %s: queue %u rings outside RAM or misaligned",
				vp->ops->name, q);
		return;
	}
	c->enabled = true;
}

static uint32_t read_field(struct virtio_pci *vp, uint32_t off)
{
	struct vpci_queue_cfg *q = sel_queue(vp);

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return vp->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		return vp->dfselect < 2 ? (uint32_t)(vp->offered >> (32 * vp->dfselect)) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT:
		return vp->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect))
					: 0;
	case VIRTIO_PCI_COMMON_MSIX:
		return __atomic_load_n(&vp->config_vector, __ATOMIC_RELAXED);
	case VIRTIO_PCI_COMMON_NUMQ:
		return vp->ops->num_queues;
	case VIRTIO_PCI_COMMON_STATUS:
		return status_load(vp);
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return __atomic_load_n(&vp->config_gen, __ATOMIC_ACQUIRE);
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return vp->queue_sel;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return q ? q->size : 0;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return q ? q->vector : VPCI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return q ? q->enabled : 0;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return q ? vp->queue_sel : 0;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
		return q ? (uint32_t)q->desc : 0;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		return q ? q->desc >> 32 : 0;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
		return q ? (uint32_t)q->driver : 0;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		return q ? q->driver >> 32 : 0;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		return q ? (uint32_t)q->device : 0;
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		return q ? q->device >> 32 : 0;
	default:
		return 0; /* queue_notify_data, queue_reset: not offered */
	}
}

static void set_lo(uint64_t *f, uint32_t v)
{
	*f = (*f & ~0xffffffffULL) | v;
}

static void set_hi(uint64_t *f, uint32_t v)
{
	*f = (*f & 0xffffffffULL) | (uint64_t)v << 32;
}

static void write_field(struct virtio_pci *vp, uint32_t off, uint32_t v)
{
	struct vpci_queue_cfg *q = sel_queue(vp);
	bool feat_locked = status_load(vp) & VIRTIO_STATUS_FEATURES_OK;
	/* Queue registers are frozen once the queue or the device is live. */
	bool q_ok = q && !q->enabled && !vp->active;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		vp->dfselect = v;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		vp->gfselect = v;
		break;
	case VIRTIO_PCI_COMMON_GF:
		if (feat_locked || vp->gfselect >= 2)
			break;
		if (vp->gfselect == 0)
			set_lo(&vp->driver_features, v);
		else
			set_hi(&vp->driver_features, v);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		__atomic_store_n(&vp->config_vector, v < nr_vectors(vp) ? v : VPCI_NO_VECTOR,
				 __ATOMIC_RELAXED);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		status_write(vp, v);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		vp->queue_sel = v;
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (q_ok)
			q->size = v;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (q)
			__atomic_store_n(&q->vector, v < nr_vectors(vp) ? v : VPCI_NO_VECTOR,
					 __ATOMIC_RELAXED);
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (q_ok && v == 1)
			queue_enable(vp, vp->queue_sel);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
		if (q_ok)
			set_lo(&q->desc, v);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		if (q_ok)
			set_hi(&q->desc, v);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
		if (q_ok)
			set_lo(&q->driver, v);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		if (q_ok)
			set_hi(&q->driver, v);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		if (q_ok)
			set_lo(&q->device, v);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		if (q_ok)
			set_hi(&q->device, v);
		break;
	default:
		break; /* read-only or unknown */
	}
}

/* Width of the field at off, 0 if no field starts there. */
static uint32_t field_width(uint32_t off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_STATUS:
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return 1;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE:
	case VIRTIO_PCI_COMMON_Q_MSIX:
	case VIRTIO_PCI_COMMON_Q_ENABLE:
	case VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
	case VIRTIO_PCI_COMMON_Q_RESET:
		return 2;
	default:
		/* 32-bit fields, and the halves of the 64-bit queue addresses. */
		return off < VPCI_COMMON_SIZE && !(off & 3) ? 4 : 0;
	}
}

void vpci_common_io(struct virtio_pci *vp, uint32_t off, void *data, uint32_t size, bool is_write)
{
	uint32_t v = 0;

	/* The spec asks drivers to use each field's own width; anything
	 * else reads as zero and writes are dropped. */
	if (field_width(off) != size) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	if (is_write) {
		memcpy(&v, data, size);
		write_field(vp, off, v);
	} else {
		v = read_field(vp, off);
		memcpy(data, &v, size);
	}
	pthread_mutex_unlock(&vp->lock);
}
