/* PCI bus 0 as a driver sees it: enumerated through 0xCF8/0xCFC and through
 * ECAM (from the ACPI MCFG) with the same result; every capability list
 * well-formed; every BAR sized, naturally aligned and not overlapping another. */
#include "lib/acpi.h"
#include "lib/bootinfo.h"
#include "lib/pci.h"
#include "lib/report.h"
#include "lib/string.h"
#include "tests/tests.h"

#define MAX_FNS	 64
#define MAX_BARS (MAX_FNS * 6)

struct bar_seen {
	struct pci_fn *fn;
	unsigned index;
	struct pci_bar bar;
};

static struct pci_fn by_cf8[MAX_FNS], by_ecam[MAX_FNS];
static struct bar_seen bars[MAX_BARS];
static char line[REPORT_LINE_MAX];

static bool same_fn(const struct pci_fn *a, const struct pci_fn *b)
{
	return a->dev == b->dev && a->fn == b->fn && a->vendor == b->vendor &&
	       a->device == b->device && a->class_rev == b->class_rev &&
	       a->header_type == b->header_type;
}

static const char *kind_name(enum pci_bar_kind k)
{
	return k == PCI_BAR_IO ? "io" : k == PCI_BAR_MEM32 ? "mem32" : "mem64";
}

static bool overlap(const struct pci_bar *a, const struct pci_bar *b)
{
	bool a_io = a->kind == PCI_BAR_IO, b_io = b->kind == PCI_BAR_IO;

	return a_io == b_io && a->base < b->base + b->size && b->base < a->base + a->size;
}

/* Size every BAR of a type-0 function and check it; appends to bars[]. */
static enum test_result check_bars(struct test_ctx *ctx, const struct pci_access *acc,
				   struct pci_fn *f, unsigned *nr_bars)
{
	for (unsigned i = 0; i < 6;) {
		struct pci_bar bar;
		unsigned used = pci_bar_probe(acc, f->dev, f->fn, i, &bar);
		if (bar.kind != PCI_BAR_NONE) {
			if (bar.size & (bar.size - 1))
				return test_fail(ctx,
						 "%02x.%u BAR%u size 0x%lx is not a power of 2",
						 f->dev, f->fn, i, bar.size);
			if (bar.base & (bar.size - 1))
				return test_fail(ctx,
						 "%02x.%u BAR%u base 0x%lx not aligned to 0x%lx",
						 f->dev, f->fn, i, bar.base, bar.size);
			for (unsigned k = 0; k < *nr_bars; k++)
				if (bar.base && bars[k].bar.base && overlap(&bar, &bars[k].bar))
					return test_fail(ctx,
							 "%02x.%u BAR%u overlaps %02x.%u BAR%u",
							 f->dev, f->fn, i, bars[k].fn->dev,
							 bars[k].fn->fn, bars[k].index);
			if (*nr_bars < MAX_BARS)
				bars[(*nr_bars)++] = (struct bar_seen){f, i, bar};
			report_info("pci_bar", "%02x.%u:%u:%s%s:0x%lx:0x%lx", f->dev, f->fn, i,
				    kind_name(bar.kind), bar.prefetchable ? "-pf" : "", bar.base,
				    bar.size);
		}
		i += used;
	}
	return TEST_PASS;
}

struct cap_list {
	char *buf;
	size_t size, len;
};

static void note_cap(void *p, uint8_t id, uint8_t off)
{
	struct cap_list *c = p;

	c->len += fmt_snprintf(c->buf + c->len, c->size - c->len, "%s%02x@%02x", c->len ? "," : "",
			       id, off);
}

enum test_result test_pci(struct test_ctx *ctx)
{
	struct pci_access ecam;
	uint64_t ecam_base = acpi_ecam_base(bootinfo.rsdp);
	unsigned n_cf8 = pci_enumerate(&pci_cf8, by_cf8, MAX_FNS), n_ecam = 0;

	report_info("pci_ecam", "0x%lx", ecam_base);
	if (ecam_base) {
		pci_ecam_init(&ecam, ecam_base);
		n_ecam = pci_enumerate(&ecam, by_ecam, MAX_FNS);
	}
	if (n_cf8 == 0 && n_ecam == 0)
		return test_skip(ctx, "no PCI functions through 0xCF8%s",
				 ecam_base ? " or ECAM" : " (and no MCFG)");
	if (ecam_base) {
		if (n_cf8 != n_ecam)
			return test_fail(ctx, "0xCF8 finds %u functions, ECAM %u", n_cf8, n_ecam);
		for (unsigned i = 0; i < n_cf8; i++)
			if (!same_fn(&by_cf8[i], &by_ecam[i]))
				return test_fail(ctx, "function %u differs between 0xCF8 and ECAM",
						 i);
	}
	const struct pci_access *acc = ecam_base ? &ecam : &pci_cf8;
	size_t len = 0;
	for (unsigned i = 0; i < n_cf8; i++) {
		const struct pci_fn *f = &by_cf8[i];
		len += fmt_snprintf(line + len, sizeof(line) - len, "%s%02x.%u:%04x:%04x:%06x",
				    i ? "," : "", f->dev, f->fn, f->vendor, f->device,
				    f->class_rev >> 8);
	}
	report_info_long("pci", line);

	unsigned nr_bars = 0;
	for (unsigned i = 0; i < n_cf8; i++) {
		struct pci_fn *f = &by_cf8[i];
		char caps[160] = "";
		struct cap_list c = {caps, sizeof(caps), 0};
		if (pci_walk_caps(acc, f->dev, f->fn, note_cap, &c) < 0)
			return test_fail(ctx, "%02x.%u: malformed capability list", f->dev, f->fn);
		if (c.len)
			report_info("pci_caps", "%02x.%u:%s", f->dev, f->fn, caps);
		if ((f->header_type & 0x7f) != 0)
			continue; /* bridges: BARs differ, none on lkvm-gpu */
		enum test_result r = check_bars(ctx, acc, f, &nr_bars);
		if (r != TEST_PASS)
			return r;
	}
	return TEST_PASS;
}
