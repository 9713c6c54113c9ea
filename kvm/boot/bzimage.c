/* bzImage loader (Documentation/arch/x86/boot.rst): check the setup header,
 * copy it into the zero page and load the protected-mode kernel at 1 MiB.
 * The 64-bit entry point is 0x200 past the load address. */
#include <stddef.h>
#include <string.h>

#include "kvm/boot/internal.h"

#define SETUP_HDR_OFF	0x1f1
#define SETUP_JUMP_OFF	0x201 /* byte: header end = 0x202 + this */
#define SETUP_MAGIC_OFF 0x202
#define ENTRY64_OFF	0x200
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
	return magic == BOOT_HDRS_MAGIC;
}

/* Copy the setup header the file declares into the zero page and check the
 * fields we rely on. */
static int read_setup_header(const uint8_t *file, size_t len, struct boot_params *bp, char *err,
			     size_t errlen)
{
	struct setup_header *hdr = &bp->hdr;
	uint64_t hdr_end;

	if (len < HDR_NEEDED_END) {
		boot_err(err, errlen, "kernel: bzImage truncated (%zu bytes, its header needs %zu)",
			 len, (size_t)HDR_NEEDED_END);
		return -1;
	}
	hdr_end = SETUP_MAGIC_OFF + (uint64_t)file[SETUP_JUMP_OFF];
	if (hdr_end > HDR_MAX_END)
		hdr_end = HDR_MAX_END;
	/* The length comes from the file: the cap above bounds the zero page,
	 * this bounds the read from the file. */
	if (hdr_end > len) {
		boot_err(err, errlen,
			 "kernel: bzImage truncated (%zu bytes, its setup header ends at 0x%llx)",
			 len, (unsigned long long)hdr_end);
		return -1;
	}
	memcpy((uint8_t *)bp + SETUP_HDR_OFF, file + SETUP_HDR_OFF, hdr_end - SETUP_HDR_OFF);

	if (hdr->boot_flag != BOOT_FLAG_MAGIC) {
		boot_err(err, errlen,
			 "kernel: bzImage boot sector magic is 0x%04x, expected 0xaa55",
			 hdr->boot_flag);
		return -1;
	}
	if (hdr->version < BOOT_PROTOCOL_64BIT) {
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
	return 0;
}

/* Where the protected-mode kernel starts in the file, and its length. */
static int find_kernel_part(const struct setup_header *hdr, size_t len, uint64_t *setup_len,
			    uint64_t *pm_len, char *err, size_t errlen)
{
	unsigned setup_sects = hdr->setup_sects ? hdr->setup_sects : 4;

	*setup_len = ((uint64_t)setup_sects + 1) * 512;
	if (*setup_len >= len) {
		boot_err(
		    err, errlen,
		    "kernel: setup_sects %u puts the kernel past the end of the file (%zu bytes)",
		    setup_sects, len);
		return -1;
	}
	*pm_len = len - *setup_len;
	if ((uint64_t)hdr->syssize * 16 > *pm_len) {
		boot_err(err, errlen,
			 "kernel: bzImage truncated: kernel part is %llu bytes, header says %llu",
			 (unsigned long long)*pm_len, (unsigned long long)hdr->syssize * 16);
		return -1;
	}
	return 0;
}

/* Copy the kernel part to 1 MiB once the room it will run in is known to
 * fit in low RAM; *end is the first byte past that room. */
static int place_kernel(const struct guest_mem *mem, uint64_t low_top,
			const struct setup_header *hdr, const uint8_t *pm, uint64_t pm_len,
			uint64_t *end, char *err, size_t errlen)
{
	const uint64_t load = BOOT_HIMEM_START;
	/* The decompressor moves itself up to pref_address (when that is
	 * higher) and needs init_size bytes from there. */
	uint64_t init_size = hdr->init_size > pm_len ? hdr->init_size : pm_len;
	uint64_t run_base = hdr->pref_address > load ? hdr->pref_address : load;

	if (__builtin_add_overflow(run_base, init_size, end) || *end > low_top ||
	    load + pm_len > low_top) {
		boot_err(err, errlen,
			 "kernel: needs %llu MiB at 0x%llx (init_size), but RAM below 3 GiB ends "
			 "at 0x%llx",
			 (unsigned long long)((init_size + (1 << 20) - 1) >> 20),
			 (unsigned long long)run_base, (unsigned long long)low_top);
		return -1;
	}
	if (!guest_mem_write(mem, load, pm, pm_len)) {
		boot_err(err, errlen, "kernel: cannot place %llu bytes at 0x%llx in guest RAM",
			 (unsigned long long)pm_len, (unsigned long long)load);
		return -1;
	}
	return 0;
}

int boot_load_bzimage(const struct guest_mem *mem, const struct boot_config *cfg,
		      struct boot_params *bp, struct boot_kernel *k, char *err, size_t errlen)
{
	const uint8_t *file = cfg->kernel;
	struct setup_header *hdr = &bp->hdr;
	uint64_t setup_len, pm_len, end;

	if (read_setup_header(file, cfg->kernel_len, bp, err, errlen) ||
	    find_kernel_part(hdr, cfg->kernel_len, &setup_len, &pm_len, err, errlen) ||
	    place_kernel(mem, boot_low_ram_top(cfg->ram_size), hdr, file + setup_len, pm_len, &end,
			 err, errlen))
		return -1;

	/* What the boot protocol asks a loader to fill in. */
	hdr->type_of_loader = BOOT_LOADER_UNKNOWN;
	hdr->loadflags |= CAN_USE_HEAP;
	hdr->heap_end_ptr = HEAP_END_PTR;
	hdr->code32_start = (uint32_t)BOOT_HIMEM_START;

	k->entry = BOOT_HIMEM_START + ENTRY64_OFF;
	k->end = boot_align_page(end);
	k->initrd_max = hdr->initrd_addr_max ? hdr->initrd_addr_max : 0x37ffffff;
	k->cmdline_max =
	    hdr->cmdline_size < BOOT_CMDLINE_MAX - 1 ? hdr->cmdline_size : BOOT_CMDLINE_MAX - 1;
	k->is_linux = true;
	k->format = "bzImage";
	return 0;
}
