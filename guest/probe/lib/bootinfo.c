#include "lib/bootinfo.h"
#include "arch/layout.h"
#include "lib/fmt.h"
#include "lib/string.h"

struct bootinfo bootinfo;

/* boot_params ("zero page") offsets, Linux Documentation/arch/x86/zero-page. */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES	     0x1e8
#define BP_RAMDISK_IMAGE     0x218
#define BP_RAMDISK_SIZE	     0x21c
#define BP_CMD_LINE_PTR	     0x228
#define BP_E820_TABLE	     0x2d0
#define BP_E820_ENTRY_SIZE   20
#define BP_E820_MAX	     128

/* struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h). */
#define HVM_START_MAGIC	   0x336ec578
#define HVM_NR_MODULES	   12
#define HVM_MODLIST_PADDR  16
#define HVM_CMDLINE_PADDR  24
#define HVM_RSDP_PADDR	   32
#define HVM_MEMMAP_PADDR   40
#define HVM_MEMMAP_ENTRIES 48
#define HVM_VERSION	   4
#define HVM_MODLIST_ENTRY  32 /* paddr, size, cmdline_paddr, reserved */
#define HVM_MEMMAP_ENTRY   24 /* addr, size, type, reserved */

/* Only the identity-mapped 4 GiB is reachable. */
#define MAPPED_LIMIT 0x100000000ULL

static uint32_t rd32(uint64_t a)
{
	return *(const volatile uint32_t *)(uintptr_t)a;
}

static uint64_t rd64(uint64_t a)
{
	return *(const volatile uint64_t *)(uintptr_t)a;
}

static void fail(const char *what)
{
	if (!bootinfo.error[0])
		strlcpy(bootinfo.error, what, sizeof(bootinfo.error));
}

static void copy_cmdline(uint64_t pa)
{
	struct bootinfo *b = &bootinfo;

	if (!pa)
		return;
	if (pa >= MAPPED_LIMIT) {
		fail("command line above 4 GiB");
		return;
	}
	const char *s = (const char *)(uintptr_t)pa;
	uint64_t room = MAPPED_LIMIT - pa;
	size_t max = room < sizeof(b->cmdline) - 1 ? (size_t)room : sizeof(b->cmdline) - 1;
	size_t n = strnlen(s, max);

	memcpy(b->cmdline, s, n);
	b->cmdline[n] = 0;
	b->cmdline_present = true;
	b->cmdline_truncated = n == max && (n == room || s[n] != 0);
}

static void add_e820(uint64_t addr, uint64_t size, uint32_t type)
{
	struct bootinfo *b = &bootinfo;

	if (b->nr_e820 == BOOTINFO_E820_MAX) {
		fail("too many e820 entries");
		return;
	}
	b->e820[b->nr_e820++] = (struct e820_entry){addr, size, type};
}

static void parse_boot_params(uint64_t bp)
{
	struct bootinfo *b = &bootinfo;

	b->protocol = "linux64";
	if (bp == 0 || bp >= MAPPED_LIMIT - 4096) {
		fail("no boot_params pointer in RSI");
		return;
	}
	copy_cmdline((uint64_t)rd32(bp + BP_EXT_CMD_LINE_PTR) << 32 | rd32(bp + BP_CMD_LINE_PTR));

	unsigned n = *(const volatile uint8_t *)(uintptr_t)(bp + BP_E820_ENTRIES);
	if (n > BP_E820_MAX) {
		fail("boot_params e820_entries above 128");
		n = BP_E820_MAX;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;
		add_e820(rd64(e), rd64(e + 8), rd32(e + 16));
	}
	b->initrd_addr =
	    (uint64_t)rd32(bp + BP_EXT_RAMDISK_IMAGE) << 32 | rd32(bp + BP_RAMDISK_IMAGE);
	b->initrd_size =
	    (uint64_t)rd32(bp + BP_EXT_RAMDISK_SIZE) << 32 | rd32(bp + BP_RAMDISK_SIZE);
}

/* QEMU microvm's firmware hands PVH guests an unsorted map with an empty
 * entry (Linux sanitises it too). Sort it and drop empty entries so the e820
 * test checks the layout; lkvm-gpu's own map (boot_params) stays as given. */
static void sanitise_e820(void)
{
	struct bootinfo *b = &bootinfo;
	unsigned n = 0;

	for (unsigned i = 0; i < b->nr_e820; i++)
		if (b->e820[i].size)
			b->e820[n++] = b->e820[i];
	b->nr_e820 = n;
	for (unsigned i = 1; i < n; i++) {
		struct e820_entry e = b->e820[i];
		unsigned j = i;
		for (; j > 0 && b->e820[j - 1].addr > e.addr; j--)
			b->e820[j] = b->e820[j - 1];
		b->e820[j] = e;
	}
}

static void parse_pvh(uint64_t si)
{
	struct bootinfo *b = &bootinfo;

	b->protocol = "pvh";
	if (si == 0 || si >= MAPPED_LIMIT - 64 || rd32(si) != HVM_START_MAGIC) {
		fail("bad hvm_start_info magic");
		return;
	}
	copy_cmdline(rd64(si + HVM_CMDLINE_PADDR));
	b->rsdp = rd64(si + HVM_RSDP_PADDR);
	if (rd32(si + HVM_NR_MODULES) > 0) {
		uint64_t m = rd64(si + HVM_MODLIST_PADDR);
		if (m && m < MAPPED_LIMIT - HVM_MODLIST_ENTRY) {
			b->initrd_addr = rd64(m);
			b->initrd_size = rd64(m + 8);
		} else {
			fail("hvm_start_info module list out of reach");
		}
	}
	if (rd32(si + HVM_VERSION) < 1)
		return; /* version 0 has no memory map */
	uint64_t map = rd64(si + HVM_MEMMAP_PADDR);
	uint32_t n = rd32(si + HVM_MEMMAP_ENTRIES);
	if (n > BOOTINFO_E820_MAX) {
		fail("hvm_start_info memmap_entries above 128");
		n = BOOTINFO_E820_MAX;
	}
	if (n && (!map || map >= MAPPED_LIMIT - (uint64_t)n * HVM_MEMMAP_ENTRY)) {
		fail("hvm_start_info memory map out of reach");
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = map + (uint64_t)i * HVM_MEMMAP_ENTRY;
		add_e820(rd64(e), rd64(e + 8), rd32(e + 16));
	}
	sanitise_e820();
}

void bootinfo_parse(unsigned kind, uint64_t ptr)
{
	if (kind == BOOT_KIND_PVH)
		parse_pvh(ptr);
	else
		parse_boot_params(ptr);
}
