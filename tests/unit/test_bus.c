#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "kvm/bus.h"
#include "kvm/guest_mem.h"
#include "vmm/term.h"

struct rec {
	uint64_t off;
	uint32_t size;
	bool write;
	int calls;
};

static void rec_io(void *owner, uint64_t off, void *data, uint32_t size, bool w)
{
	struct rec *r = owner;

	r->off = off;
	r->size = size;
	r->write = w;
	r->calls++;
	if (!w)
		memset(data, 0xab, size);
}

Test(bus, dispatch_finds_range_and_offset)
{
	struct bus b;
	struct rec a = {0}, c = {0};
	uint32_t v = 0;

	bus_init(&b);
	cr_assert_eq(bus_register(&b, 0x1000, 0x100, rec_io, &a), 0);
	cr_assert_eq(bus_register(&b, 0x3000, 0x10, rec_io, &c), 0);
	cr_assert(bus_dispatch(&b, 0x1010, &v, 4, false));
	cr_assert_eq(a.off, 0x10);
	cr_assert_eq(v, 0xabababab);
	cr_assert(bus_dispatch(&b, 0x300c, &v, 4, true));
	cr_assert_eq(c.off, 0xc);
	cr_assert_not(bus_dispatch(&b, 0x300e, &v, 4, true), "access crossing the end");
	cr_assert_not(bus_dispatch(&b, 0x2000, &v, 4, false));
	cr_assert_not(bus_dispatch(&b, 0xfff, &v, 1, false));
	bus_destroy(&b);
}

Test(bus, overlap_and_wrap_refused)
{
	struct bus b;
	struct rec a = {0};

	bus_init(&b);
	cr_assert_eq(bus_register(&b, 0x1000, 0x100, rec_io, &a), 0);
	cr_assert_eq(bus_register(&b, 0x10ff, 1, rec_io, &a), -EEXIST);
	cr_assert_eq(bus_register(&b, 0xf00, 0x101, rec_io, &a), -EEXIST);
	cr_assert_eq(bus_register(&b, 0x0, 0, rec_io, &a), -EINVAL);
	cr_assert_eq(bus_register(&b, UINT64_MAX - 1, 4, rec_io, &a), -EINVAL);
	cr_assert_eq(bus_register(&b, UINT64_MAX, 1, rec_io, &a), 0);
	cr_assert_eq(bus_unregister(&b, 0x1000, &a), 0);
	cr_assert_eq(bus_unregister(&b, 0x1000, &a), -ENOENT);
	cr_assert_eq(bus_register(&b, 0x10ff, 1, rec_io, &a), 0);
	bus_destroy(&b);
}

Test(guest_mem, ranges_checked_without_overflow)
{
	static uint8_t lo[4096], hi[4096];
	struct guest_mem m;

	guest_mem_init_flat(&m, 0, lo, sizeof(lo));
	cr_assert_eq(guest_mem_add_region(&m, 1ull << 32, hi, sizeof(hi)), 0);
	cr_assert_eq(guest_mem_ptr(&m, 0, 4096), lo);
	cr_assert_eq(guest_mem_ptr(&m, 4095, 1), lo + 4095);
	cr_assert_null(guest_mem_ptr(&m, 4095, 2));
	cr_assert_null(guest_mem_ptr(&m, 4096, 0));
	cr_assert_null(guest_mem_ptr(&m, 8, UINT64_MAX));
	cr_assert_null(guest_mem_ptr(&m, UINT64_MAX, 2));
	cr_assert_eq(guest_mem_ptr(&m, (1ull << 32) + 10, 10), hi + 10);
	cr_assert_null(guest_mem_ptr(&m, (1ull << 32) - 1, 2));
	cr_assert_eq(guest_mem_total(&m), 8192);
}

Test(term, ctrl_a_escapes)
{
	struct term_escape e = {0};
	uint8_t out[16];
	bool quit;
	size_t n;

	n = term_escape_filter(&e,
			       (const uint8_t *)"ab\x01\x01"
						"c",
			       5, out, &quit);
	cr_assert_eq(n, 4);
	cr_assert_eq(memcmp(out,
			    "ab\x01"
			    "c",
			    4),
		     0);
	cr_assert_not(quit);
	n = term_escape_filter(&e, (const uint8_t *)"z\x01", 2, out, &quit);
	cr_assert_eq(n, 1);
	cr_assert(e.pending, "escape carries across reads");
	n = term_escape_filter(&e, (const uint8_t *)"x", 1, out, &quit);
	cr_assert(quit);
}
