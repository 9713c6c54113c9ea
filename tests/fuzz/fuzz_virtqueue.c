/* libFuzzer: virtqueue chain walking over fuzzer-controlled guest memory.
 *
 * Input: 4 header bytes (queue size exponent, flags, pops, ring offset
 * salt), then the bytes of a small guest RAM holding the rings, the
 * descriptor tables and the buffers. Every pop, gather, scatter and used
 * ring update must stay inside that RAM (ASan checks) and terminate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtqueue.h"

#define RAM_GPA	 0x10000ULL
#define RAM_SIZE 0x4000ULL

static struct vq_elem elem;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem mem;
	struct virtqueue vq;
	uint8_t *ram, buf[256];
	uint16_t qsize;
	unsigned pops;
	bool event_idx;

	if (size < 4)
		return 0;
	qsize = 1u << (data[0] % 9); /* 1..256 entries fit in RAM_SIZE */
	event_idx = data[1] & 1;
	pops = data[2] % 32 + 1;
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 0;
	memcpy(ram, data + 4, size - 4 < RAM_SIZE ? size - 4 : RAM_SIZE);
	guest_mem_init_flat(&mem, RAM_GPA, ram, RAM_SIZE);
	/* desc at 0, avail after it, used 4-aligned after that. */
	uint64_t desc = RAM_GPA, avail = desc + 16ULL * qsize;
	uint64_t used = (avail + 6 + 2ULL * qsize + 3 + (data[3] & 4)) & ~3ULL;

	if (vq_init(&vq, &mem, qsize, desc, avail, used, event_idx) == 0) {
		vq.last_avail = data[3]; /* start anywhere in the 16-bit index space */
		for (unsigned i = 0; i < pops; i++) {
			int r = vq_pop(&vq, &elem);

			if (r <= 0)
				break;
			vq_elem_read(&mem, &elem, data[1], buf, sizeof(buf));
			vq_elem_write(&mem, &elem, data[2], buf, sizeof(buf));
			vq_push(&vq, elem.head, (uint32_t)elem.in_len);
			vq_should_notify(&vq);
		}
		vq_enable_notify(&vq);
		vq_disable_notify(&vq);
	}
	free(ram);
	return 0;
}
