/* bzImage loader (Documentation/arch/x86/boot.rst): check the setup header,
 * copy it into the zero page and load the protected-mode kernel at 1 MiB.
 * The 64-bit entry point is 0x200 past the load address. */
#include <stddef.h>
#include <string.h>

#include "kvm/boot/internal.h"

#define SETUP_HDR_OFF	0x1f1
#define SETUP_JUMP_OFF	0x201 /* byte: header end = 0x202 + this */
#define SETUP_MAGIC_OFF 0x202
#define HDRS_MAGIC	0x53726448 /* "HdrS" */
#define BOOT_FLAG_MAGIC 0xaa55
#define MIN_VERSION	0x020c /* xloadflags and the 64-bit entry */
#define ENTRY64_OFF	0x200
#define LOADER_UNKNOWN	0xff
#define HEAP_END_PTR	0xfe00

/* Fields we read must lie inside the header the file says it has. */
#define HDR_NEEDED_END                                                                             \
	(offsetof(struct boot_params, hdr) + offsetof(struct setup_header, init_size) + 4)
#define HDR_MAX_END (offsetof(struct boot_params, hdr) + sizeof(struct setup_header))

bool boot_is_bzimage(const void *kernel, size_t len)
{
	uint32_t magic;

	if (len < SETUP_MAGIC_OFF + 4)
		return false;
	memcpy(&magic, (const uint8_t *)kernel + SETUP_MAGIC_OFF, 4);
	return magic == HDRS_MAGIC;
}

static uint64_t align_up_page(uint64_t x)
{
	return (x + 0xfffULL) & ~0xfffULL;
}

int boot_load_bzimage(const struct guest_mem *mem, const struct boot_config *cfg,
		      struct boot_params *bp, struct boot_kernel *k, char *err, size_t errlen)
{
	const uint8_t *file = cfg->kernel;
	size_t len = cfg->kernel_len;
	struct setup_header *hdr = &bp->hdr;
	uint64_t hdr_end, setup_len, pm_len, init_size, run_base, end;
	uint64_t low_top = boot_low_ram_top(cfg->ram_size);
	const uint64_t load = BOOT_HIMEM_START;
	unsigned setup_sects;

	if (len < HDR_NEEDED_END) {
		boot_err(err, errlen, "kernel: bzImage truncated (%zu bytes, its header needs %zu)",
			 len, (size_t)HDR_NEEDED_END);
		return -1;
	}
	hdr_end = SETUP_MAGIC_OFF + (uint64_t)file[SETUP_JUMP_OFF];
	if (hdr_end > HDR_MAX_END)
		hdr_end = HDR_MAX_END;
	memcpy((uint8_t *)bp + SETUP_HDR_OFF, file + SETUP_HDR_OFF, hdr_end - SETUP_HDR_OFF);

	if (hdr->boot_flag != BOOT_FLAG_MAGIC) {
		boot_err(err, errlen,
			 "kernel: bzImage boot sector magic is 0x%04x, expected 0xaa55",
			 hdr->boot_flag);
		return -1;
	}
	if (hdr->version < MIN_VERSION) {
		boot_err(
		    err, errlen,
		    "kernel: boot protocol %u.%02u is too old (2.12+ needed for the 64-bit entry)",
		    hdr->version >> 8, hdr->version & 0xff);
		return -1;
	}
	if (hdr_end < HDR_NEEDED_END) {
		boot_err(err, errlen, "kernel: setup header ends at 0x%llx, before init_size",
			 (unsigned long long)hdr_end);
		return -1;
	}
	if (!(hdr->xloadflags & XLF_KERNEL_64)) {
		boot_err(err, errlen,
			 "kernel: bzImage has no 64-bit entry point (XLF_KERNEL_64 not set)");
		return -1;
	}

	setup_sects = hdr->setup_sects ? hdr->setup_sects : 4;
	setup_len = ((uint64_t)setup_sects + 1) * 512;
	if (setup_len >= len) {
		boot_err(
		    err, errlen,
		    "kernel: setup_sects %u puts the kernel past the end of the file (%zu bytes)",
		    setup_sects, len);
		return -1;
	}
	pm_len = len - setup_len;
	if ((uint64_t)hdr->syssize * 16 > pm_len) {
		boot_err(err, errlen,
			 "kernel: bzImage truncated: kernel part is %llu bytes, header says %llu",
			 (unsigned long long)pm_len, (unsigned long long)hdr->syssize * 16);
		return -1;
	}

	/* The decompressor moves itself up to pref_address (when that is
	 * higher) and needs init_size bytes from there. */
	init_size = hdr->init_size > pm_len ? hdr->init_size : pm_len;
	run_base = hdr->pref_address > load ? hdr->pref_address : load;
	if (__builtin_add_overflow(run_base, init_size, &end) || end > low_top ||
	    load + pm_len > low_top) {
		boot_err(err, errlen,
			 "kernel: needs %llu MiB at 0x%llx (init_size), but RAM below 3 GiB ends "
			 "at 0x%llx",
			 (unsigned long long)((init_size + (1 << 20) - 1) >> 20),
			 (unsigned long long)run_base, (unsigned long long)low_top);
		return -1;
	}
	if (!guest_mem_write(mem, load, file + setup_len, pm_len)) {
		boot_err(err, errlen, "kernel: cannot place %llu bytes at 0x%llx in guest RAM",
			 (unsigned long long)pm_len, (unsigned long long)load);
		return -1;
	}

	hdr->type_of_loader = LOADER_UNKNOWN;
	hdr->loadflags |= CAN_USE_HEAP;
	hdr->heap_end_ptr = HEAP_END_PTR;
	hdr->code32_start = (uint32_t)load;

	k->entry = load + ENTRY64_OFF;
	k->end = align_up_page(end);
	k->initrd_max = hdr->initrd_addr_max ? hdr->initrd_addr_max : 0x37ffffff;
	k->cmdline_max =
	    hdr->cmdline_size < BOOT_CMDLINE_MAX - 1 ? hdr->cmdline_size : BOOT_CMDLINE_MAX - 1;
	k->is_linux = true;
	k->format = "bzImage";
	return 0;
}
