/* bzImage loading: a crafted good image, then each malformed variant. */
#include "test_boot_util.h"

#define PM_LEN 0x4000

static struct test_guest g;
static uint8_t *img;
static size_t img_len;

static void setup(void)
{
	tg_init(&g, MiB(64));
	img = tb_make(PM_LEN, &img_len);
}

static void teardown(void)
{
	free(img);
	tg_fini(&g);
}

TestSuite(boot_bzimage, .init = setup, .fini = teardown);

static void expect_error(const char *needle)
{
	cr_assert_eq(tg_boot(&g, img, img_len), -1, "should fail with '%s'", needle);
	cr_assert_not_null(strstr(g.err, needle), "error '%s' lacks '%s'", g.err, needle);
	cr_assert_null(strchr(g.err, '\n'), "one line: '%s'", g.err);
}

Test(boot_bzimage, loads_kernel_at_1mib_and_enters_at_0x200)
{
	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	cr_assert_eq(g.res.entry, 0x100200);
	cr_assert_eq(g.res.boot_params, BOOT_PARAMS_ADDR);
	cr_assert(g.res.is_linux);
	cr_assert_str_eq(g.res.format, "bzImage");
	for (size_t i = 0; i < PM_LEN; i++)
		cr_assert_eq(g.ram[0x100000 + i], tb_pattern(i), "byte %zu", i);
	cr_assert_eq(g.ram[0x100000 + PM_LEN], 0, "nothing past the kernel");
}

Test(boot_bzimage, zero_page_has_the_header_and_loader_fields)
{
	const struct boot_params *bp = tg_params(&g);

	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	cr_assert_eq(bp->hdr.header, 0x53726448);
	cr_assert_eq(bp->hdr.version, 0x020f);
	cr_assert_eq(bp->hdr.boot_flag, 0xaa55);
	cr_assert_eq(bp->hdr.setup_sects, TB_SETUP_SECTS);
	cr_assert_eq(bp->hdr.init_size, 0x800000);
	cr_assert_eq(bp->hdr.type_of_loader, 0xff);
	cr_assert(bp->hdr.loadflags & CAN_USE_HEAP);
	cr_assert(bp->hdr.loadflags & LOADED_HIGH);
	cr_assert_eq(bp->hdr.heap_end_ptr, 0xfe00);
	cr_assert_eq(bp->hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	cr_assert_eq(bp->ext_cmd_line_ptr, 0);
	cr_assert_eq(bp->hdr.ramdisk_image, 0);
	cr_assert_eq(bp->hdr.ramdisk_size, 0);
	cr_assert_eq(g.res.initrd_gpa, 0);
	cr_assert_eq(g.ram[BOOT_CMDLINE_ADDR], 0, "empty cmdline when none given");
}

Test(boot_bzimage, zero_page_e820_matches_boot_e820_build)
{
	const struct boot_params *bp = tg_params(&g);
	struct boot_e820_entry want[16];
	unsigned n = boot_e820_build(MiB(64), want, 16);

	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	cr_assert_eq(bp->e820_entries, n);
	cr_assert_eq(memcmp(bp->e820_table, want, n * sizeof(want[0])), 0);
}

Test(boot_bzimage, cmdline_is_copied_with_its_terminator)
{
	g.cfg.cmdline = "console=ttyS0 quiet";
	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	cr_assert_str_eq((char *)g.ram + BOOT_CMDLINE_ADDR, "console=ttyS0 quiet");
}

Test(boot_bzimage, cmdline_at_exactly_cmdline_size_is_accepted)
{
	char line[17];

	memset(line, 'a', 16);
	line[16] = 0;
	tb_hdr(img)->cmdline_size = 16;
	g.cfg.cmdline = line;
	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	cr_assert_str_eq((char *)g.ram + BOOT_CMDLINE_ADDR, line);
}

Test(boot_bzimage, cmdline_longer_than_cmdline_size_is_rejected)
{
	tb_hdr(img)->cmdline_size = 16;
	g.cfg.cmdline = "aaaaaaaaaaaaaaaaa"; /* 17 */
	expect_error("cmdline: 17 bytes is longer than the kernel's limit of 16");
}

Test(boot_bzimage, cmdline_longer_than_our_buffer_is_rejected)
{
	size_t n = BOOT_CMDLINE_MAX + 100;
	char *line = malloc(n + 1);

	memset(line, 'x', n);
	line[n] = 0;
	tb_hdr(img)->cmdline_size = 0xffffffff;
	g.cfg.cmdline = line;
	expect_error("cmdline:");
	free(line);
}

Test(boot_bzimage, initrd_goes_high_page_aligned_and_above_the_kernel)
{
	const struct boot_params *bp = tg_params(&g);
	uint8_t rd[5000];

	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i ^ 0x5a);
	g.cfg.initrd = rd;
	g.cfg.initrd_len = sizeof(rd);
	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	/* Highest page-aligned start that fits below 64 MiB. */
	cr_assert_eq(g.res.initrd_gpa, (MiB(64) - sizeof(rd)) & ~0xfffULL);
	cr_assert_eq(bp->hdr.ramdisk_image, g.res.initrd_gpa);
	cr_assert_eq(bp->hdr.ramdisk_size, sizeof(rd));
	cr_assert_eq(bp->ext_ramdisk_image, 0);
	cr_assert_eq(memcmp(g.ram + g.res.initrd_gpa, rd, sizeof(rd)), 0);
}

Test(boot_bzimage, initrd_respects_initrd_addr_max)
{
	uint8_t rd[100] = {1};

	tb_hdr(img)->initrd_addr_max = 0x1ffffff; /* 32 MiB - 1 */
	g.cfg.initrd = rd;
	g.cfg.initrd_len = sizeof(rd);
	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	cr_assert_eq(g.res.initrd_gpa, MiB(32) - 0x1000);
}

Test(boot_bzimage, initrd_that_would_overlap_the_kernel_is_rejected)
{
	uint8_t rd[100] = {1};

	/* The kernel runs at 16 MiB and needs 8 MiB: nothing fits below 24 MiB. */
	tb_hdr(img)->initrd_addr_max = MiB(24) - 1;
	g.cfg.initrd = rd;
	g.cfg.initrd_len = sizeof(rd);
	expect_error(
	    "initrd: 100 bytes does not fit between the kernel's end 0x1800000 and 0x17fffff");
}

Test(boot_bzimage, initrd_larger_than_ram_is_rejected)
{
	size_t n = MiB(65);
	uint8_t *rd = malloc(n);

	cr_assert_not_null(rd);
	g.cfg.initrd = rd;
	g.cfg.initrd_len = n;
	expect_error("initrd: 65 MiB does not fit");
	free(rd);
}

Test(boot_bzimage, bad_boot_sector_magic)
{
	tb_hdr(img)->boot_flag = 0x55aa;
	expect_error("0xaa55");
}

Test(boot_bzimage, not_a_kernel_at_all)
{
	memset(img, 0x41, img_len);
	expect_error("kernel: not a bzImage or ELF64 file");
}

Test(boot_bzimage, empty_file)
{
	cr_assert_eq(tg_boot(&g, img, 0), -1);
	cr_assert_not_null(strstr(g.err, "empty"), "%s", g.err);
}

Test(boot_bzimage, old_protocol_is_rejected)
{
	tb_hdr(img)->version = 0x0206;
	expect_error("boot protocol 2.06 is too old");
}

Test(boot_bzimage, no_64bit_entry_is_rejected)
{
	tb_hdr(img)->xloadflags = 0;
	expect_error("no 64-bit entry point");
}

Test(boot_bzimage, short_setup_header_is_rejected)
{
	tb_hdr(img)->jump = 0x20eb; /* header would end at 0x222 */
	expect_error("setup header ends");
}

Test(boot_bzimage, setup_sects_past_end_of_file)
{
	tb_hdr(img)->setup_sects = 200;
	expect_error("setup_sects 200");
}

Test(boot_bzimage, setup_sects_zero_means_four)
{
	tb_hdr(img)->setup_sects = 0;
	cr_assert_eq(tg_boot(&g, img, img_len), 0, "%s", g.err);
	cr_assert_eq(g.ram[0x100000], tb_pattern(0));
}

Test(boot_bzimage, truncated_kernel_part)
{
	img_len = TB_SETUP_LEN + PM_LEN / 2;
	expect_error("truncated");
}

Test(boot_bzimage, truncated_inside_the_header)
{
	img_len = 0x210;
	expect_error("truncated");
}

Test(boot_bzimage, init_size_larger_than_ram)
{
	tb_hdr(img)->init_size = (uint32_t)MiB(100);
	expect_error("kernel: needs 100 MiB");
}

Test(boot_bzimage, pref_address_beyond_ram)
{
	tb_hdr(img)->pref_address = 0xfffffffffffff000ULL;
	expect_error("kernel: needs");
}

Test(boot_bzimage, ram_below_minimum_is_rejected)
{
	g.cfg.ram_size = MiB(32);
	expect_error("memory: 32 MiB is below the 64 MiB minimum");
}

Test(boot_bzimage, zero_cpus_is_rejected)
{
	g.cfg.nr_cpus = 0;
	expect_error("cpus: 0");
}

/* The first n bytes of the image in a buffer of exactly n bytes, so that
 * ASan sees a read past the file (a prefix of the big buffer would not). */
static int boot_exact_prefix(size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	cr_assert_not_null(copy);
	memcpy(copy, img, n);
	rc = tg_boot(&g, copy, n);
	free(copy);
	return rc;
}

/* Every prefix of a good image: a clean error or a full load, never a crash
 * (ASan checks the reads). */
Test(boot_bzimage, every_truncation_fails_cleanly)
{
	for (size_t n = 0; n < img_len; n += (n < 0x300 ? 1 : 97)) {
		int rc = boot_exact_prefix(n);

		cr_assert_eq(rc, -1, "prefix of %zu bytes loaded", n);
		cr_assert_neq(g.err[0], 0, "prefix %zu: no message", n);
	}
}

/* Finding 4 of issue 13: the header's length (0x202 + the jump byte) is
 * capped at the end of struct setup_header (0x26c), but a file that ends
 * after init_size (0x264) and before 0x26c was read up to 8 bytes past its
 * end. Such a file is refused as truncated, before anything is read. */
Test(boot_bzimage, header_longer_than_the_file_is_truncated)
{
	for (size_t n = 0x264; n < 0x26c; n++) {
		cr_assert_eq(boot_exact_prefix(n), -1, "prefix of %zu bytes loaded", n);
		cr_assert_not_null(strstr(g.err, "truncated"), "%zu bytes: '%s'", n, g.err);
		cr_assert_not_null(strstr(g.err, "setup header ends at 0x26c"), "'%s'", g.err);
	}
}
