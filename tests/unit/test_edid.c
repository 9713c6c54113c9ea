#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "gpu/edid.h"

static uint8_t sum(const uint8_t *e)
{
	uint8_t s = 0;

	for (int i = 0; i < GPU_EDID_SIZE; i++)
		s += e[i];
	return s;
}

static void check(uint32_t w, uint32_t h)
{
	uint8_t e[GPU_EDID_SIZE];
	const uint8_t *d = e + 54;

	gpu_edid_build(e, w, h, 3);
	cr_assert_eq(sum(e), 0, "checksum for %ux%u", w, h);
	cr_assert_arr_eq(e, ((uint8_t[]){0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}), 8);
	cr_assert_eq(e[18], 1);
	cr_assert_eq(e[19], 4);
	cr_assert(e[20] & 0x80, "digital input");
	cr_assert(e[24] & 0x02, "first detailed timing is preferred");
	/* First detailed timing: active size, non-zero clock. */
	cr_assert_neq(d[0] | d[1], 0);
	cr_assert_eq(d[2] | (d[4] >> 4) << 8, w > 4095 ? 4095 : w);
	cr_assert_eq(d[5] | (d[7] >> 4) << 8, h > 4095 ? 4095 : h);
	/* Refresh close to 60 Hz for sizes whose clock fits. */
	uint32_t clk = (d[0] | d[1] << 8) * 10000u;
	uint32_t htot = (d[2] | (d[4] >> 4) << 8) + (d[3] | (d[4] & 0xf) << 8);
	uint32_t vtot = (d[5] | (d[7] >> 4) << 8) + (d[6] | (d[7] & 0xf) << 8);
	if (clk < 655350000u) {
		double hz = (double)clk / htot / vtot;

		cr_assert(hz > 59.0 && hz < 61.0, "%ux%u refresh %f", w, h, hz);
	}
	/* Every 18-byte descriptor after the timing is a display descriptor. */
	for (int i = 72; i < 126; i += 18)
		cr_assert(e[i] == 0 && e[i + 1] == 0 && e[i + 2] == 0 && e[i + 3] >= 0xf0,
			  "descriptor at %d", i);
	cr_assert_eq(e[126], 0, "no extensions");
}

Test(edid, checksum_and_preferred_mode_common_sizes)
{
	check(1280, 800);
	check(1920, 1080);
	check(640, 480);
	check(1024, 768);
	check(3840, 2160);
}

Test(edid, odd_and_extreme_sizes_still_valid)
{
	check(1, 1);
	check(37, 4095);
	check(4096, 4096);
	check(16384, 16384);
}

Test(edid, monitor_name_present)
{
	uint8_t e[GPU_EDID_SIZE];
	int found = 0;

	gpu_edid_build(e, 1280, 800, 0);
	for (int i = 54; i < 126; i += 18)
		if (e[i + 3] == 0xfc && !memcmp(e + i + 5, "lkvm-gpu\n", 9))
			found++;
	cr_assert_eq(found, 1);
}
