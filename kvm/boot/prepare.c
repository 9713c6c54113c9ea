/* boot_prepare(): pick the loader from the file's magic, then lay out what
 * every kernel gets: command line, initrd, zero page with e820, page
 * tables, GDT, BIOS data area words, MP and ACPI tables. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvm/boot/acpi.h"
#include "kvm/boot/internal.h"
#include "kvm/boot/mptable.h"

#define BDA_EBDA_SEG	0x40eULL /* word: EBDA segment */
#define BDA_BASE_KIB	0x413ULL /* word: base memory in KiB */
#define INITRD_ALIGN	0x1000ULL
#define I8042_RESET_CMD 0xfe

void boot_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int load_kernel(const struct guest_mem *mem, const struct boot_config *cfg,
		       struct boot_params *bp, struct boot_kernel *k, char *err, size_t errlen)
{
	if (!cfg->kernel || cfg->kernel_len == 0) {
		boot_err(err, errlen, "kernel: file is empty");
		return -1;
	}
	if (boot_is_elf(cfg->kernel, cfg->kernel_len))
		return boot_load_elf64(mem, cfg, bp, k, err, errlen);
	if (boot_is_bzimage(cfg->kernel, cfg->kernel_len))
		return boot_load_bzimage(mem, cfg, bp, k, err, errlen);
	boot_err(err, errlen, "kernel: not a bzImage or ELF64 file");
	return -1;
}

static int load_cmdline(const struct guest_mem *mem, const struct boot_config *cfg,
			struct boot_params *bp, const struct boot_kernel *k, char *err,
			size_t errlen)
{
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	size_t len = strnlen(cmdline, BOOT_CMDLINE_MAX);

	if (len > k->cmdline_max) {
		boot_err(err, errlen,
			 "cmdline: %s%zu bytes is longer than the kernel's limit of %llu",
			 len == BOOT_CMDLINE_MAX ? "over " : "", len,
			 (unsigned long long)k->cmdline_max);
		return -1;
	}
	if (!guest_mem_write(mem, BOOT_CMDLINE_ADDR, cmdline, len) ||
	    !guest_mem_write(mem, BOOT_CMDLINE_ADDR + len, "", 1)) {
		boot_err(err, errlen, "cmdline: no guest RAM at 0x%llx",
			 (unsigned long long)BOOT_CMDLINE_ADDR);
		return -1;
	}
	bp->hdr.cmd_line_ptr = (uint32_t)BOOT_CMDLINE_ADDR;
	bp->ext_cmd_line_ptr = 0;
	return 0;
}

/* As high as the kernel allows, below the PCI hole, above the kernel. */
static int load_initrd(const struct guest_mem *mem, const struct boot_config *cfg,
		       struct boot_params *bp, const struct boot_kernel *k, uint64_t *gpa,
		       char *err, size_t errlen)
{
	uint64_t top = boot_low_ram_top(cfg->ram_size);
	uint64_t len = cfg->initrd_len, addr;

	*gpa = 0;
	if (!cfg->initrd || len == 0)
		return 0;
	if (k->initrd_max < top - 1)
		top = k->initrd_max + 1;
	if (len > top || ((top - len) & ~(INITRD_ALIGN - 1)) < k->end) {
		char size[32];

		if (len >= MiB(1))
			snprintf(size, sizeof(size), "%llu MiB",
				 (unsigned long long)((len + MiB(1) - 1) >> 20));
		else
			snprintf(size, sizeof(size), "%llu bytes", (unsigned long long)len);
		boot_err(err, errlen,
			 "initrd: %s does not fit between the kernel's end 0x%llx and 0x%llx", size,
			 (unsigned long long)k->end, (unsigned long long)top - 1);
		return -1;
	}
	addr = (top - len) & ~(INITRD_ALIGN - 1);
	if (!guest_mem_write(mem, addr, cfg->initrd, len)) {
		boot_err(err, errlen, "initrd: cannot place %llu bytes at 0x%llx in guest RAM",
			 (unsigned long long)len, (unsigned long long)addr);
		return -1;
	}
	bp->hdr.ramdisk_image = (uint32_t)addr;
	bp->ext_ramdisk_image = (uint32_t)(addr >> 32);
	bp->hdr.ramdisk_size = (uint32_t)len;
	bp->ext_ramdisk_size = (uint32_t)(len >> 32);
	*gpa = addr;
	return 0;
}

/* Linux finds the EBDA (and so our MP floating pointer) through the BDA. */
static bool write_bda(const struct guest_mem *mem)
{
	uint16_t ebda_seg = (uint16_t)(BOOT_EBDA_START >> 4);
	uint16_t base_kib = (uint16_t)(BOOT_EBDA_START >> 10);

	return guest_mem_write(mem, BDA_EBDA_SEG, &ebda_seg, 2) &&
	       guest_mem_write(mem, BDA_BASE_KIB, &base_kib, 2);
}

/* The real-mode reset vector F000:FFF0. Linux on a HW-reduced ACPI machine
 * without EFI reboots by "EFI" (a no-op here), then by jumping to this
 * vector in real mode; in place of a BIOS we pulse the i8042 reset line,
 * which ends the VM like any other reboot. */
static bool write_reset_vector(const struct guest_mem *mem)
{
	static const uint8_t stub[] = {
	    0xb0, I8042_RESET_CMD,	   /* mov al, 0xfe */
	    0xe6, (uint8_t)PORT_I8042_CMD, /* out 0x64, al */
	    0xfa,			   /* cli */
	    0xf4,			   /* hlt */
	    0xeb, 0xfc,			   /* jmp cli */
	};

	return guest_mem_write(mem, BOOT_RESET_VECTOR, stub, sizeof(stub));
}

int boot_prepare(const struct guest_mem *mem, const struct boot_config *cfg,
		 struct boot_result *res, char *err, size_t errlen)
{
	struct boot_params bp;
	struct boot_kernel k = {0};
	uint64_t initrd_gpa, rsdp;

	memset(res, 0, sizeof(*res));
	memset(&bp, 0, sizeof(bp));
	if (cfg->ram_size < BOOT_MIN_RAM) {
		boot_err(err, errlen, "memory: %llu MiB is below the %llu MiB minimum",
			 (unsigned long long)(cfg->ram_size >> 20),
			 (unsigned long long)(BOOT_MIN_RAM >> 20));
		return -1;
	}
	if (cfg->nr_cpus == 0 || cfg->nr_cpus > BOOT_MAX_CPUS) {
		boot_err(err, errlen, "cpus: %u is out of range 1..%u", cfg->nr_cpus,
			 BOOT_MAX_CPUS);
		return -1;
	}
	if (load_kernel(mem, cfg, &bp, &k, err, errlen) ||
	    load_cmdline(mem, cfg, &bp, &k, err, errlen) ||
	    load_initrd(mem, cfg, &bp, &k, &initrd_gpa, err, errlen))
		return -1;

	bp.e820_entries =
	    (uint8_t)boot_e820_build(cfg->ram_size, bp.e820_table, E820_MAX_ENTRIES_ZEROPAGE);
	if (boot_write_cpu_tables(mem) || !write_bda(mem) || !write_reset_vector(mem) ||
	    mptable_write(mem, cfg->nr_cpus) || acpi_write(mem, cfg->nr_cpus, &rsdp)) {
		boot_err(err, errlen, "boot: guest RAM below 1 MiB is missing");
		return -1;
	}
	bp.acpi_rsdp_addr = rsdp;
	if (!guest_mem_write(mem, BOOT_PARAMS_ADDR, &bp, sizeof(bp))) {
		boot_err(err, errlen, "boot: no guest RAM for the zero page at 0x%llx",
			 (unsigned long long)BOOT_PARAMS_ADDR);
		return -1;
	}

	res->entry = k.entry;
	res->boot_params = BOOT_PARAMS_ADDR;
	res->initrd_gpa = initrd_gpa;
	res->is_linux = k.is_linux;
	res->format = k.format;
	return 0;
}
