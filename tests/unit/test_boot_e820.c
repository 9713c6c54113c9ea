/* The e820 map for each RAM size the VMM supports. */
#include "test_boot_util.h"

static unsigned build(uint64_t ram, struct boot_e820_entry *e)
{
	return boot_e820_build(ram, e, 16);
}

static void expect(const struct boot_e820_entry *e, uint64_t addr, uint64_t size, uint32_t type)
{
	cr_assert_eq(e->addr, addr, "addr 0x%llx, want 0x%llx", (unsigned long long)e->addr,
		     (unsigned long long)addr);
	cr_assert_eq(e->size, size, "size 0x%llx at 0x%llx, want 0x%llx",
		     (unsigned long long)e->size, (unsigned long long)addr,
		     (unsigned long long)size);
	cr_assert_eq(e->type, type);
}

static void expect_low(const struct boot_e820_entry *e, uint64_t ram_top)
{
	expect(&e[0], 0, 0x9fc00, BOOT_E820_RAM);
	expect(&e[1], 0x9fc00, 0x100000 - 0x9fc00, BOOT_E820_RESERVED);
	expect(&e[2], 0x100000, ram_top - 0x100000, BOOT_E820_RAM);
	expect(&e[3], PCI_ECAM_BASE, PCI_ECAM_SIZE, BOOT_E820_RESERVED);
}

Test(boot_e820, ram_64mib)
{
	struct boot_e820_entry e[16];

	cr_assert_eq(build(MiB(64), e), 4);
	expect_low(e, MiB(64));
}

Test(boot_e820, ram_512mib)
{
	struct boot_e820_entry e[16];

	cr_assert_eq(build(MiB(512), e), 4);
	expect_low(e, MiB(512));
}

Test(boot_e820, ram_3gib_fills_up_to_the_hole)
{
	struct boot_e820_entry e[16];

	cr_assert_eq(build(GiB(3), e), 4);
	expect_low(e, GiB(3));
}

Test(boot_e820, ram_3gib_plus_1mib_moves_1mib_above_4gib)
{
	struct boot_e820_entry e[16];

	cr_assert_eq(build(GiB(3) + MiB(1), e), 5);
	expect_low(e, GiB(3));
	expect(&e[4], GiB(4), MiB(1), BOOT_E820_RAM);
}

Test(boot_e820, ram_16gib)
{
	struct boot_e820_entry e[16];
	uint64_t ram = 0;
	unsigned n = build(GiB(16), e);

	cr_assert_eq(n, 5);
	expect_low(e, GiB(3));
	expect(&e[4], GiB(4), GiB(13), BOOT_E820_RAM);
	for (unsigned i = 0; i < n; i++)
		if (e[i].type == BOOT_E820_RAM)
			ram += e[i].size;
	/* Everything but the reserved 0x9fc00-1 MiB is usable. */
	cr_assert_eq(ram, GiB(16) - (0x100000 - 0x9fc00));
}

Test(boot_e820, entries_are_sorted_and_disjoint)
{
	static const uint64_t sizes[] = {MiB(64), MiB(512), GiB(3), GiB(3) + MiB(1), GiB(16)};

	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct boot_e820_entry e[16];
		unsigned n = build(sizes[s], e);

		for (unsigned i = 1; i < n; i++)
			cr_assert_leq(e[i - 1].addr + e[i - 1].size, e[i].addr, "size %u entry %u",
				      s, i);
		for (unsigned i = 0; i < n; i++)
			if (e[i].type == BOOT_E820_RAM)
				cr_assert(e[i].addr + e[i].size <= MEM_HOLE_START ||
					      e[i].addr >= MEM_HOLE_END,
					  "RAM entry %u overlaps the PCI hole", i);
	}
}

Test(boot_e820, respects_max)
{
	struct boot_e820_entry e[2];

	memset(e, 0, sizeof(e));
	cr_assert_eq(boot_e820_build(GiB(16), e, 2), 2);
	cr_assert_eq(boot_e820_build(GiB(16), e, 0), 0);
}
