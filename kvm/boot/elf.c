/* ELF64 loader: a Linux vmlinux (whose e_entry is physical) or our probe
 * guest. PT_LOAD segments go to p_paddr; nothing in the file is trusted. */
#include <elf.h>
#include <string.h>

#include "kvm/boot/internal.h"

#define ELF_MAX_PHDRS 128

bool boot_is_elf(const void *kernel, size_t len)
{
	return len >= SELFMAG && memcmp(kernel, ELFMAG, SELFMAG) == 0;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, char *err, size_t errlen)
{
	uint64_t ph_bytes, ph_end;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		boot_err(err, errlen, "kernel: ELF class %u is not ELF64", eh->e_ident[EI_CLASS]);
		return -1;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
		boot_err(err, errlen, "kernel: ELF file is not little-endian");
		return -1;
	}
	if (eh->e_machine != EM_X86_64) {
		boot_err(err, errlen, "kernel: ELF machine %u is not x86-64", eh->e_machine);
		return -1;
	}
	if (eh->e_type != ET_EXEC) {
		boot_err(err, errlen, "kernel: ELF type %u is not an executable (ET_EXEC)",
			 eh->e_type);
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHDRS) {
		boot_err(err, errlen,
			 "kernel: ELF has %u program headers of %u bytes (want 1..%u of %zu)",
			 eh->e_phnum, eh->e_phentsize, ELF_MAX_PHDRS, sizeof(Elf64_Phdr));
		return -1;
	}
	ph_bytes = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (__builtin_add_overflow(eh->e_phoff, ph_bytes, &ph_end) || ph_end > len) {
		boot_err(err, errlen,
			 "kernel: ELF program headers at 0x%llx lie past the end of the file",
			 (unsigned long long)eh->e_phoff);
		return -1;
	}
	return 0;
}

static int check_load(const struct guest_mem *mem, const Elf64_Phdr *ph, unsigned i, size_t len,
		      char *err, size_t errlen)
{
	uint64_t file_end, mem_end;

	if (ph->p_filesz > ph->p_memsz) {
		boot_err(err, errlen, "kernel: ELF segment %u: filesz 0x%llx > memsz 0x%llx", i,
			 (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
		return -1;
	}
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &file_end) || file_end > len) {
		boot_err(
		    err, errlen,
		    "kernel: ELF segment %u: file bytes 0x%llx+0x%llx lie past the end of the file",
		    i, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz);
		return -1;
	}
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &mem_end)) {
		boot_err(err, errlen, "kernel: ELF segment %u: address 0x%llx + size 0x%llx wraps",
			 i, (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
		return -1;
	}
	/* Below 1 MiB live the zero page, page tables, GDT, MP and ACPI tables. */
	if (ph->p_paddr < BOOT_HIMEM_START || !guest_mem_ptr(mem, ph->p_paddr, ph->p_memsz)) {
		boot_err(err, errlen,
			 "kernel: ELF segment %u at 0x%llx-0x%llx is outside guest RAM above 1 MiB",
			 i, (unsigned long long)ph->p_paddr, (unsigned long long)mem_end);
		return -1;
	}
	return 0;
}

/* Does this PT_NOTE segment hold our probe's note? */
static bool has_probe_note(const uint8_t *file, const Elf64_Phdr *ph)
{
	uint64_t align = ph->p_align == 8 ? 8 : 4;
	uint64_t off = 0, size = ph->p_filesz;
	const uint8_t *p = file + ph->p_offset;

	while (size - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_sz, desc_sz, next;

		memcpy(&nh, p + off, sizeof(nh));
		name_sz = ((uint64_t)nh.n_namesz + align - 1) & ~(align - 1);
		desc_sz = ((uint64_t)nh.n_descsz + align - 1) & ~(align - 1);
		next = off + sizeof(nh) + name_sz + desc_sz; /* each term < 2^33: no wrap */
		if (next > size)
			return false;
		if (nh.n_type == BOOT_PROBE_NOTE_TYPE &&
		    nh.n_namesz == sizeof(BOOT_PROBE_NOTE_NAME) &&
		    memcmp(p + off + sizeof(nh), BOOT_PROBE_NOTE_NAME,
			   sizeof(BOOT_PROBE_NOTE_NAME)) == 0)
			return true;
		off = next;
	}
	return false;
}

/* What the check pass learns about the program headers. */
struct elf_scan {
	bool probe;   /* our probe's note is present */
	uint64_t end; /* first byte past the highest loaded segment */
};

static bool is_loaded(const Elf64_Phdr *ph)
{
	return ph->p_type == PT_LOAD && ph->p_memsz != 0;
}

/* Check every segment before anything is written: each loaded one fits
 * RAM above 1 MiB, and the entry lies inside one, below 4 GiB. */
static int scan_segments(const struct guest_mem *mem, const uint8_t *file, size_t len,
			 const Elf64_Ehdr *eh, const Elf64_Phdr *ph, struct elf_scan *scan,
			 char *err, size_t errlen)
{
	bool entry_ok = false;
	unsigned nr_load = 0;

	scan->probe = false;
	scan->end = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_NOTE) {
			uint64_t note_end;

			if (!__builtin_add_overflow(ph[i].p_offset, ph[i].p_filesz, &note_end) &&
			    note_end <= len && has_probe_note(file, &ph[i]))
				scan->probe = true;
			continue;
		}
		if (!is_loaded(&ph[i]))
			continue;
		if (check_load(mem, &ph[i], i, len, err, errlen))
			return -1;
		nr_load++;
		if (eh->e_entry >= ph[i].p_paddr && eh->e_entry - ph[i].p_paddr < ph[i].p_memsz)
			entry_ok = true;
		if (ph[i].p_paddr + ph[i].p_memsz > scan->end)
			scan->end = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (nr_load == 0) {
		boot_err(err, errlen, "kernel: ELF has no loadable segment");
		return -1;
	}
	if (!entry_ok || eh->e_entry >= MEM_HOLE_END) {
		boot_err(err, errlen,
			 "kernel: ELF entry 0x%llx is not inside a loaded segment below 4 GiB",
			 (unsigned long long)eh->e_entry);
		return -1;
	}
	return 0;
}

/* Copy the checked segments to their physical addresses. */
static void copy_segments(const struct guest_mem *mem, const uint8_t *file, unsigned phnum,
			  const Elf64_Phdr *ph, bool ram_is_zero)
{
	for (unsigned i = 0; i < phnum; i++) {
		uint8_t *dst;

		if (!is_loaded(&ph[i]))
			continue;
		dst = guest_mem_ptr(mem, ph[i].p_paddr, ph[i].p_memsz); /* checked */
		memcpy(dst, file + ph[i].p_offset, ph[i].p_filesz);
		/* Fresh anonymous RAM is already zero: writing the bss would only
		 * fault in pages the guest may never touch (each first touch
		 * costs microseconds on nested hosts). */
		if (!ram_is_zero)
			memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
}

/* No setup header in a vmlinux: write the fields Linux reads. */
static void write_setup_header(struct setup_header *hdr)
{
	hdr->boot_flag = BOOT_FLAG_MAGIC;
	hdr->header = BOOT_HDRS_MAGIC;
	hdr->version = BOOT_PROTOCOL_64BIT;
	hdr->type_of_loader = BOOT_LOADER_UNKNOWN;
	hdr->kernel_alignment = 0x1000000;
	hdr->cmdline_size = BOOT_CMDLINE_MAX - 1;
	hdr->initrd_addr_max = 0x7fffffff;
}

int boot_load_elf64(const struct guest_mem *mem, const struct boot_config *cfg,
		    struct boot_params *bp, struct boot_kernel *k, char *err, size_t errlen)
{
	const uint8_t *file = cfg->kernel;
	size_t len = cfg->kernel_len;
	Elf64_Phdr ph[ELF_MAX_PHDRS];
	struct elf_scan scan;
	Elf64_Ehdr eh;

	if (len < sizeof(eh)) {
		boot_err(err, errlen, "kernel: ELF header truncated (%zu bytes)", len);
		return -1;
	}
	memcpy(&eh, file, sizeof(eh));
	if (check_ehdr(&eh, len, err, errlen))
		return -1;
	memcpy(ph, file + eh.e_phoff, (size_t)eh.e_phnum * sizeof(Elf64_Phdr));
	if (scan_segments(mem, file, len, &eh, ph, &scan, err, errlen))
		return -1;
	copy_segments(mem, file, eh.e_phnum, ph, cfg->ram_is_zero);
	write_setup_header(&bp->hdr);

	k->entry = eh.e_entry;
	k->end = boot_align_page(scan.end);
	k->initrd_max = bp->hdr.initrd_addr_max;
	k->cmdline_max = BOOT_CMDLINE_MAX - 1;
	k->is_linux = !scan.probe;
	k->format = "ELF64";
	return 0;
}
