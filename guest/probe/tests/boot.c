/* What the loader handed over: command line, memory map, initrd. */
#include "lib/bootinfo.h"
#include "lib/cmdline.h"
#include "lib/crc32.h"
#include "lib/report.h"
#include "lib/string.h"
#include "tests/tests.h"

#define MiB	((uint64_t)1 << 20)
#define HOLE_LO ((uint64_t)3 << 30)
#define HOLE_HI ((uint64_t)4 << 30)
#define LOW_TOP ((uint64_t)0xA0000) /* legacy VGA/ROM area from here to 1 MiB */

extern const char _image_start[], _image_end[];

enum test_result test_cmdline(struct test_ctx *ctx)
{
	const struct bootinfo *b = &bootinfo;

	report_info("protocol", "%s", b->protocol);
	report_info_long("cmdline", b->cmdline);
	if (b->error[0])
		return test_fail(ctx, "boot info: %s", b->error);
	if (b->cmdline_truncated)
		return test_fail(ctx, "command line longer than %u bytes (or unterminated)",
				 BOOTINFO_CMDLINE_MAX - 1);
	return TEST_PASS;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool in_ram(uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < bootinfo.nr_e820; i++) {
		const struct e820_entry *e = &bootinfo.e820[i];
		if (e->type == E820_RAM && addr >= e->addr && addr + len <= e->addr + e->size)
			return true;
	}
	return false;
}

static void print_map(void)
{
	static char buf[BOOTINFO_E820_MAX * 48];
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < bootinfo.nr_e820; i++) {
		const struct e820_entry *e = &bootinfo.e820[i];
		n += fmt_snprintf(buf + n, sizeof(buf) - n, "%s0x%lx:0x%lx:%u", i ? "," : "",
				  e->addr, e->size, e->type);
	}
	report_info_long("e820", buf);
}

/* RAM above 1 MiB must be exactly [1 MiB, min(mem, 3 GiB)) and, for more than
 * 3 GiB, [4 GiB, 4 GiB + mem - 3 GiB): lkvm-gpu's layout (kvm/layout.h). */
static enum test_result check_mem(struct test_ctx *ctx, uint64_t mem)
{
	uint64_t want_lo_end = mem < HOLE_LO ? mem : HOLE_LO;
	uint64_t want_hi_size = mem > HOLE_LO ? mem - HOLE_LO : 0;
	uint64_t lo_end = MiB, hi_end = HOLE_HI;

	/* Entries are sorted (checked by the caller): grow two contiguous runs. */
	for (unsigned i = 0; i < bootinfo.nr_e820; i++) {
		const struct e820_entry *e = &bootinfo.e820[i];
		uint64_t end = e->addr + e->size;
		if (e->type != E820_RAM || end <= MiB)
			continue;
		if (e->addr < HOLE_HI && e->addr == lo_end && end <= HOLE_LO)
			lo_end = end;
		else if (e->addr == hi_end)
			hi_end = end;
		else
			return test_fail(ctx, "RAM 0x%lx-0x%lx is not where %lu MiB should be",
					 e->addr, end, mem / MiB);
	}
	if (lo_end != want_lo_end)
		return test_fail(ctx, "RAM from 1 MiB ends at 0x%lx, expected 0x%lx for %lu MiB",
				 lo_end, want_lo_end, mem / MiB);
	if (hi_end - HOLE_HI != want_hi_size)
		return test_fail(ctx, "RAM above 4 GiB is 0x%lx bytes, expected 0x%lx",
				 hi_end - HOLE_HI, want_hi_size);
	return TEST_PASS;
}

enum test_result test_e820(struct test_ctx *ctx)
{
	const struct bootinfo *b = &bootinfo;
	uint64_t ram = 0, low_ram = 0;

	print_map();
	if (b->nr_e820 == 0)
		return test_fail(ctx, "empty e820 map");
	for (unsigned i = 0; i < b->nr_e820; i++) {
		const struct e820_entry *e = &b->e820[i];
		uint64_t end;
		if (e->size == 0 || __builtin_add_overflow(e->addr, e->size, &end))
			return test_fail(ctx, "entry %u has size 0 or wraps", i);
		if (i && e->addr < b->e820[i - 1].addr + b->e820[i - 1].size)
			return test_fail(ctx, "entry %u overlaps or is out of order", i);
		if (e->type != E820_RAM)
			continue;
		ram += e->size;
		if (overlaps(e->addr, e->size, LOW_TOP, MiB - LOW_TOP))
			return test_fail(ctx, "RAM entry %u covers 0xA0000-0xFFFFF", i);
		if (overlaps(e->addr, e->size, HOLE_LO, HOLE_HI - HOLE_LO))
			return test_fail(ctx, "RAM entry %u is inside the 3-4 GiB hole", i);
		if (end <= LOW_TOP)
			low_ram += e->size;
	}
	report_info("ram", "%lu", ram);
	if (low_ram == 0)
		return test_fail(ctx, "no RAM below 640 KiB");
	if (!in_ram((uint64_t)(uintptr_t)_image_start, (uint64_t)(_image_end - _image_start)))
		return test_fail(ctx, "the probe image itself is not in RAM");

	uint64_t mem_mib;
	bool bad;
	if (cmdline_u64(ctx->cmdline, "probe.mem", &mem_mib, &bad))
		return check_mem(ctx, mem_mib * MiB);
	if (bad)
		return test_fail(ctx, "probe.mem is not a number");
	return TEST_PASS;
}

enum test_result test_initrd(struct test_ctx *ctx)
{
	const struct bootinfo *b = &bootinfo;

	if (b->initrd_size == 0) {
		report_info("initrd", "none");
		return test_skip(ctx, "no initrd given");
	}
	uint64_t end;
	if (__builtin_add_overflow(b->initrd_addr, b->initrd_size, &end) || end > HOLE_HI)
		return test_fail(ctx, "initrd 0x%lx+0x%lx is beyond the mapped 4 GiB",
				 b->initrd_addr, b->initrd_size);
	if (!in_ram(b->initrd_addr, b->initrd_size))
		return test_fail(ctx, "initrd 0x%lx+0x%lx is not inside one RAM entry",
				 b->initrd_addr, b->initrd_size);
	if (overlaps(b->initrd_addr, b->initrd_size, (uint64_t)(uintptr_t)_image_start,
		     (uint64_t)(_image_end - _image_start)))
		return test_fail(ctx, "initrd overlaps the probe image");
	uint32_t crc = crc32_update(0, (const void *)(uintptr_t)b->initrd_addr, b->initrd_size);
	report_info("initrd_addr", "0x%lx", b->initrd_addr);
	report_info("initrd", "%lu:%08x", b->initrd_size, crc);
	return TEST_PASS;
}
