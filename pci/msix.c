#include "pci/msix.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>

#include "util/log.h"

#define CAP_LEN	     12
#define ENTRY_MASKED PCI_MSIX_ENTRY_CTRL_MASKBIT

int pci_msix_init(struct pci_msix *m, struct pci_dev *d, unsigned nr, unsigned bar,
		  uint32_t table_off, uint32_t pba_off, const struct msix_irq_ops *ops, void *ctx)
{
	int cap;

	memset(m, 0, sizeof(*m));
	if (nr == 0 || nr > MSIX_MAX_VECTORS || bar >= PCI_NUM_BARS || (table_off & 7) ||
	    (pba_off & 7))
		return -EINVAL;
	cap = pci_cfg_add_cap(&d->cfg, PCI_CAP_ID_MSIX, CAP_LEN);
	if (cap < 0)
		return cap;
	m->dev = d;
	m->cap = cap;
	m->nr = nr;
	m->bar = bar;
	m->table_off = table_off;
	m->pba_off = pba_off;
	m->ops = ops;
	m->ctx = ctx;
	pthread_mutex_init(&m->lock, NULL);
	/* Vectors come out of reset masked (spec 6.8.2.9). */
	for (unsigned i = 0; i < nr; i++)
		m->table[i].ctrl = ENTRY_MASKED;
	pci_cfg_set16(&d->cfg, cap + PCI_MSIX_FLAGS, nr - 1);
	pci_cfg_set_wmask16(&d->cfg, cap + PCI_MSIX_FLAGS,
			    PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_cfg_set32(&d->cfg, cap + PCI_MSIX_TABLE, table_off | bar);
	pci_cfg_set32(&d->cfg, cap + PCI_MSIX_PBA, pba_off | bar);
	return 0;
}

void pci_msix_exit(struct pci_msix *m)
{
	if (m->dev)
		pthread_mutex_destroy(&m->lock);
	m->dev = NULL;
}

static bool masked(const struct pci_msix *m, unsigned vec)
{
	return m->func_masked || (m->table[vec].ctrl & ENTRY_MASKED);
}

/* Lock held. Route first if the guest changed the entry since. */
static void deliver(struct pci_msix *m, unsigned vec)
{
	const struct msix_entry *e = &m->table[vec];

	if (m->dirty[vec]) {
		uint64_t addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;

		if (m->ops->route(m->ctx, vec, addr, e->data)) {
			log_guest_error("msix %s: cannot route vector %u", m->dev->name, vec);
			return;
		}
		m->dirty[vec] = false;
	}
	m->ops->fire(m->ctx, vec);
}

/* Lock held: deliver every pending vector that is no longer masked. */
static void flush_pending(struct pci_msix *m)
{
	if (!m->enabled)
		return;
	for (unsigned v = 0; v < m->nr; v++) {
		if ((m->pba >> v & 1) && !masked(m, v)) {
			m->pba &= ~(1ULL << v);
			deliver(m, v);
		}
	}
}

bool pci_msix_notify(struct pci_msix *m, unsigned vec)
{
	bool on;

	pthread_mutex_lock(&m->lock);
	on = m->enabled;
	if (on && vec < m->nr) {
		if (masked(m, vec))
			m->pba |= 1ULL << vec;
		else
			deliver(m, vec);
	}
	pthread_mutex_unlock(&m->lock);
	return on;
}

/* Without the lock: the INTx path (a device raising, a vCPU reading the
 * ISR) only needs a snapshot, and the transport re-checks the line after
 * every enable change. */
bool pci_msix_enabled(struct pci_msix *m)
{
	return __atomic_load_n(&m->enabled, __ATOMIC_ACQUIRE);
}

void pci_msix_clear_pending(struct pci_msix *m)
{
	pthread_mutex_lock(&m->lock);
	m->pba = 0;
	pthread_mutex_unlock(&m->lock);
}

void pci_msix_cfg_written(struct pci_msix *m, uint32_t off, uint32_t size)
{
	uint16_t ctl;

	if (off >= (uint32_t)m->cap + CAP_LEN || off + size <= m->cap)
		return;
	ctl = pci_cfg_get16(&m->dev->cfg, m->cap + PCI_MSIX_FLAGS);
	pthread_mutex_lock(&m->lock);
	__atomic_store_n(&m->enabled, (ctl & PCI_MSIX_FLAGS_ENABLE) != 0, __ATOMIC_RELEASE);
	m->func_masked = ctl & PCI_MSIX_FLAGS_MASKALL;
	flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

static void table_write(struct pci_msix *m, uint32_t off, uint32_t v)
{
	unsigned vec = off / MSIX_ENTRY_SIZE;
	struct msix_entry *e = &m->table[vec];

	switch (off % MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		e->addr_lo = v;
		m->dirty[vec] = true;
		break;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		e->addr_hi = v;
		m->dirty[vec] = true;
		break;
	case PCI_MSIX_ENTRY_DATA:
		e->data = v;
		m->dirty[vec] = true;
		break;
	default:
		/* Only the mask bit of vector control is writable. */
		e->ctrl = v & ENTRY_MASKED;
		break;
	}
}

static uint32_t table_read(struct pci_msix *m, uint32_t off)
{
	const uint32_t *w = (const uint32_t *)&m->table[off / MSIX_ENTRY_SIZE];

	return w[(off % MSIX_ENTRY_SIZE) / 4];
}

bool pci_msix_bar_io(struct pci_msix *m, uint64_t off, void *data, uint32_t size, bool is_write)
{
	bool in_table = off >= m->table_off && off - m->table_off < msix_table_bytes(m->nr);
	bool in_pba = off >= m->pba_off && off - m->pba_off < msix_pba_bytes(m->nr);
	uint32_t w[2] = {0, 0};

	if (!in_table && !in_pba)
		return false;
	/* The spec allows aligned dword and qword accesses only. */
	if ((size != 4 && size != 8) || (off & (size - 1))) {
		if (!is_write)
			memset(data, 0, size);
		return true;
	}
	pthread_mutex_lock(&m->lock);
	if (in_pba) {
		uint64_t rel = off - m->pba_off;

		if (!is_write) {
			/* One 64-bit PBA word covers all our vectors. */
			uint64_t pba = m->pba >> (8 * (rel & 7));

			memcpy(data, &pba, size);
		}
		/* The PBA is read-only. */
	} else {
		uint32_t rel = off - m->table_off;

		if (is_write) {
			memcpy(w, data, size);
			for (uint32_t i = 0; i < size / 4; i++)
				table_write(m, rel + 4 * i, w[i]);
			flush_pending(m);
		} else {
			for (uint32_t i = 0; i < size / 4; i++)
				w[i] = table_read(m, rel + 4 * i);
			memcpy(data, w, size);
		}
	}
	pthread_mutex_unlock(&m->lock);
	return true;
}
