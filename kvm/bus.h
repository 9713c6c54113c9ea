/* An address-range bus: port I/O, MMIO, PCI config and BARs all use the same
 * callback shape. vCPU threads dispatch concurrently; registration (a BAR
 * moving) takes the write side of a rwlock.
 */
#ifndef LKVM_BUS_H
#define LKVM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Callbacks run without the bus lock held, so they may (un)register ranges.
 * offset is relative to the registered base. data holds size bytes
 * (little-endian); on a read the callback fills it. */
typedef void (*bus_io_fn)(void *owner, uint64_t offset, void *data, uint32_t size, bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_io_fn fn;
	void *owner;
};

struct bus {
	pthread_rwlock_t lock;
	struct bus_range *ranges; /* sorted by base, non-overlapping */
	unsigned nr, cap;
};

int bus_init(struct bus *b);
void bus_destroy(struct bus *b);
/* -EEXIST if the range overlaps another, -EINVAL if empty or wrapping. */
int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_io_fn fn, void *owner);
/* Remove the range starting at base owned by owner; -ENOENT if none. */
int bus_unregister(struct bus *b, uint64_t base, void *owner);
/* true if a range handled the access. A read that no range claims is left
 * to the caller (it should return all ones, as on real hardware). */
bool bus_dispatch(struct bus *b, uint64_t addr, void *data, uint32_t size, bool is_write);

#endif
