/* Shared by the boot tests: a malloc'ed guest and crafted kernel images. */
#ifndef TEST_BOOT_UTIL_H
#define TEST_BOOT_UTIL_H

#include <criterion/criterion.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/boot/boot.h"
#include "kvm/guest_mem.h"
#include "kvm/layout.h"

struct test_guest {
	struct guest_mem mem;
	uint8_t *ram;
	uint64_t size;
	struct boot_config cfg;
	struct boot_result res;
	char err[256];
};

static inline void tg_init(struct test_guest *g, uint64_t size)
{
	memset(g, 0, sizeof(*g));
	g->ram = calloc(1, size);
	cr_assert_not_null(g->ram);
	g->size = size;
	guest_mem_init_flat(&g->mem, 0, g->ram, size);
	g->cfg.ram_size = size;
	g->cfg.nr_cpus = 1;
}

static inline void tg_fini(struct test_guest *g)
{
	free(g->ram);
}

static inline int tg_boot(struct test_guest *g, const void *kernel, size_t len)
{
	g->cfg.kernel = kernel;
	g->cfg.kernel_len = len;
	g->err[0] = 0;
	return boot_prepare(&g->mem, &g->cfg, &g->res, g->err, sizeof(g->err));
}

static inline const struct boot_params *tg_params(const struct test_guest *g)
{
	return (const struct boot_params *)(g->ram + BOOT_PARAMS_ADDR);
}

/* A bzImage: 4 setup sectors (+ boot sector), then pm_len bytes of kernel
 * filled with a pattern. The header says protocol 2.15, 64-bit entry. */
#define TB_SETUP_SECTS 4
#define TB_SETUP_LEN   ((TB_SETUP_SECTS + 1) * 512)

static inline uint8_t tb_pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static inline uint8_t *tb_make(size_t pm_len, size_t *len_out)
{
	size_t len = TB_SETUP_LEN + pm_len;
	uint8_t *f = calloc(1, len);
	struct setup_header h;

	cr_assert_not_null(f);
	memset(&h, 0, sizeof(h));
	h.setup_sects = TB_SETUP_SECTS;
	h.syssize = (uint32_t)(pm_len / 16);
	h.boot_flag = 0xaa55;
	h.jump = 0xeb | (uint16_t)((0x1f1 + sizeof(h) - 0x202) << 8);
	h.header = 0x53726448;
	h.version = 0x020f;
	h.loadflags = LOADED_HIGH;
	h.code32_start = 0x100000;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = 1;
	h.xloadflags = XLF_KERNEL_64;
	h.cmdline_size = 2047;
	h.pref_address = 0x1000000;
	h.init_size = 0x800000; /* 8 MiB from 16 MiB: the kernel ends at 24 MiB */
	memcpy(f + 0x1f1, &h, sizeof(h));
	for (size_t i = 0; i < pm_len; i++)
		f[TB_SETUP_LEN + i] = tb_pattern(i);
	*len_out = len;
	return f;
}

static inline struct setup_header *tb_hdr(uint8_t *f)
{
	return (struct setup_header *)(f + 0x1f1);
}

/* An ELF64 executable: header, 2 program headers (PT_LOAD, PT_NOTE), one
 * note, then the segment's file bytes. */
struct te_file {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	Elf64_Nhdr nh;
	char name[8];
	uint32_t desc;
	uint8_t code[256];
} __attribute__((packed));

#define TE_LOAD_ADDR 0x200000ULL
#define TE_MEMSZ     0x3000ULL

static inline void te_make(struct te_file *f, bool probe_note)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->eh.e_ident, ELFMAG, SELFMAG);
	f->eh.e_ident[EI_CLASS] = ELFCLASS64;
	f->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f->eh.e_ident[EI_VERSION] = EV_CURRENT;
	f->eh.e_type = ET_EXEC;
	f->eh.e_machine = EM_X86_64;
	f->eh.e_version = EV_CURRENT;
	f->eh.e_entry = TE_LOAD_ADDR + 0x10;
	f->eh.e_phoff = offsetof(struct te_file, ph);
	f->eh.e_ehsize = sizeof(Elf64_Ehdr);
	f->eh.e_phentsize = sizeof(Elf64_Phdr);
	f->eh.e_phnum = 2;
	f->ph[0].p_type = PT_LOAD;
	f->ph[0].p_flags = PF_R | PF_X;
	f->ph[0].p_offset = offsetof(struct te_file, code);
	f->ph[0].p_vaddr = 0xffffffff80000000ULL + TE_LOAD_ADDR;
	f->ph[0].p_paddr = TE_LOAD_ADDR;
	f->ph[0].p_filesz = sizeof(f->code);
	f->ph[0].p_memsz = TE_MEMSZ;
	f->ph[0].p_align = 0x1000;
	f->ph[1].p_type = PT_NOTE;
	f->ph[1].p_offset = offsetof(struct te_file, nh);
	f->ph[1].p_filesz = sizeof(f->nh) + sizeof(f->name) + sizeof(f->desc);
	f->ph[1].p_align = 4;
	f->nh.n_namesz = 8;
	f->nh.n_descsz = 4;
	if (probe_note) {
		f->nh.n_type = BOOT_PROBE_NOTE_TYPE;
		memcpy(f->name, "LKVMGPU", 8);
	} else {
		f->nh.n_type = 18; /* Xen PVH entry: a real vmlinux has one */
		memcpy(f->name, "Xen\0\0\0\0", 8);
		f->nh.n_namesz = 4;
	}
	for (size_t i = 0; i < sizeof(f->code); i++)
		f->code[i] = (uint8_t)(0xa0 ^ i);
}

#endif
