/* The host-visible window's bookkeeping (gpu/hostmem.h) over a fake slot
 * allocator that records what is visible at each offset: every bad offset
 * and size in 64 bits, overlaps, map of a mapped blob, unmap of an unmapped
 * one, slot exhaustion and recovery, and 10,000 map/unmap pairs leaving no
 * slot behind. Expected answers follow the spec's rules (virtio 1.2
 * 5.7.6.8: offsets inside the region, the driver must not map twice). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "gpu/hostmem.h"

#define WINDOW (1ull << 30)
#define PG     4096ull

static struct fake_slots {
	uint32_t used, max_used;
	unsigned maps, unmaps;
	bool refuse; /* the VMM finds no slot after all */
	uint64_t off[16], size[16];
	void *host[16];
	bool live[16];
} fs;

static int fake_map(void *opaque, uint64_t off, void *host, uint64_t size)
{
	if (fs.refuse)
		return -ENOSPC;
	for (int i = 0; i < 16; i++)
		if (!fs.live[i]) {
			fs.live[i] = true;
			fs.off[i] = off;
			fs.size[i] = size;
			fs.host[i] = host;
			fs.used++;
			fs.maps++;
			if (fs.used > fs.max_used)
				fs.max_used = fs.used;
			return 0;
		}
	cr_assert_fail("the fake ran out of slots: the cap was not enforced");
	return -ENOSPC;
}

static void fake_unmap(void *opaque, uint64_t off, uint64_t size)
{
	for (int i = 0; i < 16; i++)
		if (fs.live[i] && fs.off[i] == off && fs.size[i] == size) {
			fs.live[i] = false;
			fs.used--;
			fs.unmaps++;
			return;
		}
	cr_assert_fail("unmap of %#lx+%#lx, which is not mapped", (unsigned long)off,
		       (unsigned long)size);
}

static struct gpu_hostmem h;
static uint8_t *mem; /* fake renderer memory, page-aligned */

static void setup_slots(uint32_t slots)
{
	struct gpu_hostmem_ops ops = {
	    .map = fake_map, .unmap = fake_unmap, .window_size = WINDOW, .max_slots = slots};

	memset(&fs, 0, sizeof(fs));
	cr_assert_eq(gpu_hostmem_init(&h, &ops), 0);
	mem = aligned_alloc(PG, 64 * PG);
	cr_assert_not_null(mem);
}

static void setup(void)
{
	setup_slots(3);
}

static void teardown(void)
{
	gpu_hostmem_fini(&h);
	cr_assert_eq(fs.used, 0, "fini left %u mappings", fs.used);
	free(mem);
}

TestSuite(gpu_hostmem, .init = setup, .fini = teardown);

Test(gpu_hostmem, bad_offsets_and_sizes_map_nothing)
{
	const struct {
		uint64_t off, size;
	} bad[] = {
	    {0, 0},			   /* empty */
	    {1, PG},			   /* unaligned offset */
	    {0, PG + 1},		   /* unaligned size */
	    {WINDOW, PG},		   /* starts at the end */
	    {WINDOW - PG, 2 * PG},	   /* runs past the end */
	    {UINT64_MAX - PG + 1, PG},	   /* ends at 2^64 */
	    {UINT64_MAX - PG + 1, 2 * PG}, /* wraps 64 bits to a small end */
	    {PG, UINT64_MAX - PG + 1},	   /* a size that wraps */
	    {0, WINDOW + PG},		   /* bigger than the window */
	    {(1ull << 63), (1ull << 63)},  /* wraps to exactly 0 */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(gpu_hostmem_map(&h, 1, bad[i].off, mem, bad[i].size), GPU_E_BAD_MAP,
			     "case %zu", i);
	cr_assert_eq(gpu_hostmem_map(&h, 1, 0, mem + 8, PG), GPU_E_BAD_MAP, "unaligned host");
	cr_assert_eq(fs.maps, 0);
	/* The last page of the window is fine. */
	cr_assert_eq(gpu_hostmem_map(&h, 1, WINDOW - PG, mem, PG), GPU_OK);
	cr_assert_eq(fs.off[0], WINDOW - PG);
	cr_assert_eq(fs.host[0], mem);
}

Test(gpu_hostmem, overlaps_refused_neighbours_fine)
{
	cr_assert_eq(gpu_hostmem_map(&h, 1, 4 * PG, mem, 4 * PG), GPU_OK);
	cr_assert_eq(gpu_hostmem_map(&h, 2, 4 * PG, mem + 8 * PG, 4 * PG), GPU_E_BAD_MAP, "same");
	cr_assert_eq(gpu_hostmem_map(&h, 2, 7 * PG, mem + 8 * PG, PG), GPU_E_BAD_MAP, "last page");
	cr_assert_eq(gpu_hostmem_map(&h, 2, 2 * PG, mem + 8 * PG, 3 * PG), GPU_E_BAD_MAP, "first");
	cr_assert_eq(gpu_hostmem_map(&h, 2, 0, mem + 8 * PG, 16 * PG), GPU_E_BAD_MAP, "around");
	cr_assert_eq(gpu_hostmem_map(&h, 2, 5 * PG, mem + 8 * PG, PG), GPU_E_BAD_MAP, "inside");
	cr_assert_eq(gpu_hostmem_map(&h, 2, 8 * PG, mem + 8 * PG, PG), GPU_OK, "touching after");
	cr_assert_eq(gpu_hostmem_map(&h, 3, 3 * PG, mem + 9 * PG, PG), GPU_OK, "touching before");
	cr_assert_eq(fs.used, 3);
}

Test(gpu_hostmem, map_state_errors_leave_no_stale_mapping)
{
	cr_assert_eq(gpu_hostmem_unmap(&h, 1), GPU_E_BAD_MAP, "unmap of unmapped");
	cr_assert_eq(gpu_hostmem_map(&h, 1, 0, mem, PG), GPU_OK);
	cr_assert_eq(gpu_hostmem_map(&h, 1, 16 * PG, mem, PG), GPU_E_BAD_MAP, "mapped twice");
	cr_assert(gpu_hostmem_mapped(&h, 1), "unref must be refused now");
	cr_assert_eq(gpu_hostmem_unmap(&h, 1), GPU_OK);
	cr_assert_not(gpu_hostmem_mapped(&h, 1));
	cr_assert_eq(gpu_hostmem_unmap(&h, 1), GPU_E_BAD_MAP, "unmapped twice");
	cr_assert_eq(fs.used, 0);
	cr_assert_eq(fs.unmaps, 1);
	/* The offset is free again. */
	cr_assert_eq(gpu_hostmem_map(&h, 2, 0, mem, PG), GPU_OK);
}

Test(gpu_hostmem, slots_run_out_and_come_back)
{
	for (uint32_t i = 0; i < 3; i++)
		cr_assert_eq(gpu_hostmem_map(&h, 10 + i, i * PG, mem + i * PG, PG), GPU_OK);
	cr_assert_eq(gpu_hostmem_map(&h, 20, 8 * PG, mem, PG), GPU_E_NO_MEM);
	cr_assert_eq(fs.maps, 3, "nothing mapped past the cap");
	cr_assert_eq(gpu_hostmem_unmap(&h, 11), GPU_OK);
	cr_assert_eq(gpu_hostmem_map(&h, 20, 8 * PG, mem, PG), GPU_OK);
	/* The VMM may still find no slot: out of memory, nothing recorded. */
	cr_assert_eq(gpu_hostmem_unmap(&h, 20), GPU_OK);
	fs.refuse = true;
	cr_assert_eq(gpu_hostmem_map(&h, 20, 8 * PG, mem, PG), GPU_E_NO_MEM);
	cr_assert_not(gpu_hostmem_mapped(&h, 20));
	fs.refuse = false;
	gpu_hostmem_clear(&h);
	cr_assert_eq(fs.used, 0, "reset unmaps everything");
}

Test(gpu_hostmem, ten_thousand_pairs_leak_nothing)
{
	for (uint32_t i = 0; i < 10000; i++) {
		uint32_t id = 1 + i % 3;

		cr_assert_eq(gpu_hostmem_map(&h, id, (i % 7) * 4 * PG, mem, 2 * PG), GPU_OK);
		cr_assert_eq(gpu_hostmem_unmap(&h, id), GPU_OK);
	}
	cr_assert_eq(fs.used, 0);
	cr_assert_eq(fs.max_used, 1);
	cr_assert_eq(fs.maps, 10000);
	cr_assert_eq(fs.unmaps, 10000);
	cr_assert_eq(h.n, 0);
}
