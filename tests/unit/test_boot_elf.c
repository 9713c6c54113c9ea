/* ELF64 loading: vmlinux-like and probe images, then malformed variants. */
#include "test_boot_util.h"

static struct test_guest g;
static struct te_file f;

static void setup(void)
{
	tg_init(&g, MiB(64));
	te_make(&f, false);
}

static void teardown(void)
{
	tg_fini(&g);
}

TestSuite(boot_elf, .init = setup, .fini = teardown);

static void expect_error(const char *needle)
{
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), -1, "should fail with '%s'", needle);
	cr_assert_not_null(strstr(g.err, needle), "error '%s' lacks '%s'", g.err, needle);
}

Test(boot_elf, loads_segment_at_paddr_and_zeroes_bss)
{
	memset(g.ram + TE_LOAD_ADDR, 0xcc, TE_MEMSZ + 16);
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	cr_assert_eq(memcmp(g.ram + TE_LOAD_ADDR, f.code, sizeof(f.code)), 0);
	for (uint64_t i = sizeof(f.code); i < TE_MEMSZ; i++)
		cr_assert_eq(g.ram[TE_LOAD_ADDR + i], 0, "bss byte 0x%llx", (unsigned long long)i);
	cr_assert_eq(g.ram[TE_LOAD_ADDR + TE_MEMSZ], 0xcc, "nothing past memsz");
	cr_assert_eq(g.res.entry, TE_LOAD_ADDR + 0x10);
	cr_assert_str_eq(g.res.format, "ELF64");
	cr_assert(g.res.is_linux, "no probe note: a Linux vmlinux");
}

Test(boot_elf, zero_page_carries_cmdline_initrd_and_e820)
{
	const struct boot_params *bp = tg_params(&g);
	uint8_t rd[3000];

	memset(rd, 0x77, sizeof(rd));
	g.cfg.cmdline = "probe.test=all";
	g.cfg.initrd = rd;
	g.cfg.initrd_len = sizeof(rd);
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	cr_assert_eq(g.res.boot_params, BOOT_PARAMS_ADDR);
	cr_assert_eq(bp->hdr.header, 0x53726448);
	cr_assert_eq(bp->hdr.boot_flag, 0xaa55);
	cr_assert_eq(bp->hdr.type_of_loader, 0xff);
	cr_assert_eq(bp->hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	cr_assert_str_eq((char *)g.ram + bp->hdr.cmd_line_ptr, "probe.test=all");
	cr_assert_eq(bp->hdr.ramdisk_image, g.res.initrd_gpa);
	cr_assert_eq(bp->hdr.ramdisk_size, sizeof(rd));
	cr_assert_eq(g.res.initrd_gpa % 4096, 0);
	cr_assert_geq(g.res.initrd_gpa, TE_LOAD_ADDR + TE_MEMSZ);
	cr_assert_eq(memcmp(g.ram + g.res.initrd_gpa, rd, sizeof(rd)), 0);
	cr_assert_geq(bp->e820_entries, 3);
}

Test(boot_elf, probe_note_means_not_linux)
{
	te_make(&f, true);
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	cr_assert_not(g.res.is_linux);
}

Test(boot_elf, probe_note_with_wrong_type_is_linux)
{
	te_make(&f, true);
	f.nh.n_type = 2;
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	cr_assert(g.res.is_linux);
}

Test(boot_elf, note_running_past_its_segment_is_ignored)
{
	te_make(&f, true);
	f.nh.n_descsz = 0xfffffff0;
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	cr_assert(g.res.is_linux);
}

Test(boot_elf, note_segment_past_end_of_file_is_ignored)
{
	te_make(&f, true);
	f.ph[1].p_offset = 0xfffffffffffffff0ULL;
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
	cr_assert(g.res.is_linux);
}

Test(boot_elf, wrong_class)
{
	f.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_error("ELF class 1 is not ELF64");
}

Test(boot_elf, big_endian)
{
	f.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_error("little-endian");
}

Test(boot_elf, wrong_machine)
{
	f.eh.e_machine = EM_AARCH64;
	expect_error("is not x86-64");
}

Test(boot_elf, not_an_executable)
{
	f.eh.e_type = ET_DYN;
	expect_error("not an executable");
}

Test(boot_elf, header_truncated)
{
	cr_assert_eq(tg_boot(&g, &f, 40), -1);
	cr_assert_not_null(strstr(g.err, "ELF header truncated"), "%s", g.err);
}

Test(boot_elf, phoff_past_end_of_file)
{
	f.eh.e_phoff = sizeof(f) - 8;
	expect_error("program headers at");
}

Test(boot_elf, phoff_wrapping)
{
	f.eh.e_phoff = 0xffffffffffffffc0ULL;
	expect_error("program headers at");
}

Test(boot_elf, no_program_headers)
{
	f.eh.e_phnum = 0;
	expect_error("program headers of");
}

Test(boot_elf, wrong_phentsize)
{
	f.eh.e_phentsize = 32;
	expect_error("program headers of 32 bytes");
}

Test(boot_elf, segment_offset_plus_filesz_overflows)
{
	f.ph[0].p_offset = 0xfffffffffffffffcULL;
	expect_error("past the end of the file");
}

Test(boot_elf, segment_file_bytes_past_end)
{
	f.ph[0].p_filesz = sizeof(f.code) + 1;
	expect_error("past the end of the file");
}

Test(boot_elf, filesz_larger_than_memsz)
{
	f.ph[0].p_memsz = 16;
	expect_error("filesz 0x100 > memsz 0x10");
}

Test(boot_elf, segment_outside_ram)
{
	f.ph[0].p_paddr = MiB(100);
	f.eh.e_entry = MiB(100);
	expect_error("outside guest RAM");
}

Test(boot_elf, segment_straddling_end_of_ram)
{
	f.ph[0].p_paddr = MiB(64) - 0x1000;
	f.eh.e_entry = MiB(64) - 0x1000;
	expect_error("outside guest RAM");
}

Test(boot_elf, segment_paddr_plus_memsz_wraps)
{
	f.ph[0].p_paddr = 0xfffffffffffff000ULL;
	f.ph[0].p_memsz = 0x2000;
	expect_error("wraps");
}

Test(boot_elf, segment_below_1mib_is_rejected)
{
	f.ph[0].p_paddr = 0x7000; /* would overwrite the zero page */
	f.eh.e_entry = 0x7000;
	expect_error("outside guest RAM above 1 MiB");
}

Test(boot_elf, entry_outside_every_segment)
{
	f.eh.e_entry = TE_LOAD_ADDR + TE_MEMSZ;
	expect_error("entry 0x203000 is not inside a loaded segment");
}

Test(boot_elf, no_load_segment)
{
	f.ph[0].p_type = PT_NULL;
	expect_error("no loadable segment");
}

Test(boot_elf, nothing_written_when_a_later_segment_is_bad)
{
	f.ph[1] = f.ph[0];
	f.ph[1].p_paddr = MiB(200);
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), -1);
	cr_assert_eq(g.ram[TE_LOAD_ADDR], 0, "first segment must not be loaded");
}

Test(boot_elf, every_truncation_fails_cleanly)
{
	for (size_t n = 0; n < offsetof(struct te_file, code) + sizeof(f.code); n++) {
		cr_assert_eq(tg_boot(&g, &f, n), -1, "prefix of %zu bytes loaded", n);
		cr_assert_neq(g.err[0], 0, "prefix %zu: no message", n);
	}
	cr_assert_eq(tg_boot(&g, &f, sizeof(f)), 0, "%s", g.err);
}
