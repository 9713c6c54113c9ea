/* libFuzzer: the kernel loaders (bzImage, ELF64) and the initrd and
 * command line placement, through boot_prepare as the VMM calls it.
 *
 * Input: 6 header bytes (flags: RAM already zero, 64 or 128 MiB of RAM,
 * initrd length unit; the CPU count; the initrd length; the command line
 * length in 16-byte units), then the kernel file. The initrd's bytes do
 * not matter to the loader, only its length: they come from a zero
 * mapping. Every read must stay inside the file, every write inside guest
 * RAM (ASan), and a kernel that loads must leave an initrd that lies
 * whole in low RAM, page aligned, above 1 MiB and below the kernel's
 * limit (checked below).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kvm/boot/boot.h"

#define RAM_MAX	   (128ULL << 20)
#define INITRD_MAX (64ULL << 20)

static uint8_t *ram;
static const uint8_t *initrd;
static char cmdline[256 * 16 + 1];
static int verbose = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_config cfg = {0};
	struct boot_result res;
	struct guest_mem mem;
	char err[256];
	size_t clen;

	if (size < 6)
		return 0;
	if (!ram) {
		ram =
		    mmap(NULL, RAM_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		initrd = mmap(NULL, INITRD_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ram == MAP_FAILED || initrd == MAP_FAILED)
			abort();
	}
	cfg.ram_size = data[0] & 2 ? RAM_MAX : BOOT_MIN_RAM;
	cfg.ram_is_zero = data[0] & 1;
	cfg.nr_cpus = data[1];
	cfg.initrd_len = (size_t)(data[2] | data[3] << 8) * (data[0] & 4 ? 1024 : 1);
	cfg.initrd = cfg.initrd_len ? initrd : NULL;
	clen = (size_t)data[4] * 16 + data[5] % 16;
	memset(cmdline, 'c', clen);
	cmdline[clen] = 0;
	cfg.cmdline = data[0] & 8 ? NULL : cmdline;
	/* A copy of just the file's bytes, so ASan sees any read past it. */
	cfg.kernel_len = size - 6;
	cfg.kernel = cfg.kernel_len ? malloc(cfg.kernel_len) : NULL;
	if (cfg.kernel_len && !cfg.kernel)
		return 0;
	if (cfg.kernel_len)
		memcpy((void *)cfg.kernel, data + 6, cfg.kernel_len);
	guest_mem_init_flat(&mem, 0, ram, cfg.ram_size);
	err[0] = 0;

	int r = boot_prepare(&mem, &cfg, &res, err, sizeof(err));

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL; /* to see what a seed does */
	if (verbose)
		fprintf(stderr, "boot_prepare: %s\n", r ? err : res.format);
	if (r == 0) {
		uint64_t low_top = cfg.ram_size; /* both sizes are below the PCI hole */

		if (res.entry >= low_top || strlen(res.format) == 0)
			abort();
		if (cfg.initrd_len && (res.initrd_gpa % 4096 || res.initrd_gpa < (1 << 20) ||
				       res.initrd_gpa + cfg.initrd_len > low_top))
			abort();
		if (!cfg.initrd_len && res.initrd_gpa)
			abort();
	} else if (!err[0] || memchr(err, '\n', strlen(err))) {
		abort(); /* every refusal says why, on one line */
	}
	free((void *)cfg.kernel);
	return 0;
}
