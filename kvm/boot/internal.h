/* Private to the boot code (the files of kvm/boot/): what a kernel loader reports back
 * to boot_prepare(), and small shared helpers. */
#ifndef LKVM_BOOT_INTERNAL_H
#define LKVM_BOOT_INTERNAL_H

#include <stdint.h>

#include "kvm/boot/boot.h"
#include "kvm/layout.h"

struct boot_kernel {
	uint64_t entry;
	uint64_t end;	      /* first byte the kernel may use at run time, page aligned */
	uint64_t initrd_max;  /* last byte an initrd may occupy (inclusive) */
	uint64_t cmdline_max; /* longest command line, without the NUL */
	bool is_linux;
	const char *format;
};

/* Each loader checks the file, copies it into guest memory and fills the
 * parts of the zero page that come from the kernel (bp->hdr). */
int boot_load_bzimage(const struct guest_mem *mem, const struct boot_config *cfg,
		      struct boot_params *bp, struct boot_kernel *k, char *err, size_t errlen);
int boot_load_elf64(const struct guest_mem *mem, const struct boot_config *cfg,
		    struct boot_params *bp, struct boot_kernel *k, char *err, size_t errlen);
bool boot_is_bzimage(const void *kernel, size_t len);
bool boot_is_elf(const void *kernel, size_t len);

/* Identity page tables for 0-4 GiB and the boot GDT. */
int boot_write_cpu_tables(const struct guest_mem *mem);

/* Setup header values (Documentation/arch/x86/boot.rst) that both loaders
 * use: a bzImage must carry them, a vmlinux gets them written for it. */
#define BOOT_HDRS_MAGIC	    0x53726448 /* "HdrS" */
#define BOOT_FLAG_MAGIC	    0xaa55
#define BOOT_PROTOCOL_64BIT 0x020c /* 2.12: xloadflags and the 64-bit entry */
#define BOOT_LOADER_UNKNOWN 0xff

static inline uint64_t boot_align_page(uint64_t x)
{
	return (x + 0xfffULL) & ~0xfffULL;
}

/* RAM below the PCI hole: the only place kernels, initrd and tables go. */
static inline uint64_t boot_low_ram_top(uint64_t ram_size)
{
	return ram_size < MEM_HOLE_START ? ram_size : MEM_HOLE_START;
}

void boot_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
