/* Real kernels, when the host or the build has them: a Debian bzImage
 * (/boot/vmlinuz-* or build/guest/bzImage), its vmlinux, our probe ELF.
 * Absent files are reported as skipped, never as passed. */
#include <glob.h>
#include <stdio.h>

#include "test_boot_util.h"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* First readable file among the patterns, or skip the test. */
static uint8_t *load_or_skip(const char *const *patterns, size_t *len, char *path, size_t cap)
{
	for (; *patterns; patterns++) {
		glob_t gl;

		if (glob(*patterns, 0, NULL, &gl) != 0)
			continue;
		for (size_t i = 0; i < gl.gl_pathc; i++) {
			uint8_t *buf = slurp(gl.gl_pathv[i], len);

			if (buf) {
				snprintf(path, cap, "%s", gl.gl_pathv[i]);
				globfree(&gl);
				return buf;
			}
		}
		globfree(&gl);
	}
	cr_skip_test("SKIP: none of the kernel files for this test exist (%s ...)", path);
	return NULL;
}

Test(boot_real, debian_bzimage_loads)
{
	static const char *const pats[] = {"/boot/vmlinuz-*", "build/guest/bzImage", NULL};
	char path[256] = "/boot/vmlinuz-*, build/guest/bzImage";
	struct test_guest g;
	const struct boot_params *bp;
	size_t len;
	uint8_t *k = load_or_skip(pats, &len, path, sizeof(path));
	uint8_t rd[4096] = {0x07, 0x07};

	tg_init(&g, MiB(512));
	g.cfg.cmdline = "console=ttyS0";
	g.cfg.initrd = rd;
	g.cfg.initrd_len = sizeof(rd);
	cr_assert_eq(tg_boot(&g, k, len), 0, "%s: %s", path, g.err);
	bp = tg_params(&g);
	cr_assert_str_eq(g.res.format, "bzImage");
	cr_assert(g.res.is_linux);
	cr_assert_eq(g.res.entry, 0x100200);
	cr_assert_geq(bp->hdr.version, 0x020c, "%s", path);
	cr_assert(bp->hdr.xloadflags & XLF_KERNEL_64);
	cr_assert_eq(bp->hdr.type_of_loader, 0xff);
	/* Initrd above where the decompressor runs. */
	cr_assert_geq(g.res.initrd_gpa, bp->hdr.pref_address + bp->hdr.init_size);
	cr_assert_eq(memcmp(g.ram + 0x100000, k + (bp->hdr.setup_sects + 1) * 512, 4096), 0);
	tg_fini(&g);
	free(k);
}

Test(boot_real, debian_vmlinux_loads_as_elf)
{
	static const char *const pats[] = {"build/guest/vmlinux", NULL};
	char path[256] = "build/guest/vmlinux";
	struct test_guest g;
	size_t len;
	uint8_t *k = load_or_skip(pats, &len, path, sizeof(path));

	tg_init(&g, MiB(512));
	cr_assert_eq(tg_boot(&g, k, len), 0, "%s: %s", path, g.err);
	cr_assert_str_eq(g.res.format, "ELF64");
	cr_assert(g.res.is_linux);
	cr_assert_eq(g.res.entry, 0x1000000, "vmlinux's physical entry");
	tg_fini(&g);
	free(k);
}

Test(boot_real, probe_elf_is_recognised)
{
	static const char *const pats[] = {"build/guest/probe.elf", NULL};
	char path[256] = "build/guest/probe.elf";
	struct test_guest g;
	size_t len;
	uint8_t *k = load_or_skip(pats, &len, path, sizeof(path));

	tg_init(&g, MiB(64));
	cr_assert_eq(tg_boot(&g, k, len), 0, "%s: %s", path, g.err);
	cr_assert_not(g.res.is_linux, "the LKVMGPU note marks the probe");
	tg_fini(&g);
	free(k);
}
