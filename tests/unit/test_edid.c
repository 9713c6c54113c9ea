#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
	/* Every 18-byte descriptor after the first is a detailed timing
	 * (non-zero clock) or a display descriptor (tag 0x10 dummy or >=
	 * 0xf8..0xff, EDID 1.4 section 3.10.3). */
	for (int i = 72; i < 126; i += 18)
		cr_assert((e[i] | e[i + 1]) != 0 || (e[i + 2] == 0 && e[i + 4] == 0 &&
						     (e[i + 3] == 0x10 || e[i + 3] >= 0xf7)),
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

/* ---- the modes offered, decoded here from the EDID 1.4 spec ---- */

struct mode {
	uint32_t w, h;
};

/* Established timings I and II (EDID 1.4 table 3.18): byte 35 bit 7 first. */
static const struct mode est_modes[16] = {
    {720, 400},	 {720, 400},  {640, 480},  {640, 480},	 {640, 480}, {640, 480},
    {800, 600},	 {800, 600},  {800, 600},  {800, 600},	 {832, 624}, {1024, 768},
    {1024, 768}, {1024, 768}, {1024, 768}, {1280, 1024},
};
/* Their refresh rates: only the 60 Hz ones count here. */
static const uint8_t est_hz[16] = {70, 88, 60, 67, 72, 75, 56, 60, 72, 75, 75, 87, 60, 70, 75, 75};

/* Every mode the block offers at 60 Hz (DTDs: any refresh), in the order
 * established, standard, detailed. */
static unsigned decode_modes(const uint8_t *e, struct mode *out, unsigned max)
{
	unsigned n = 0;

	for (int b = 0; b < 16; b++)
		if ((e[35 + b / 8] >> (7 - b % 8)) & 1) {
			cr_assert_eq(est_hz[b], 60, "only 60 Hz established modes (bit %d)", b);
			if (n < max)
				out[n++] = est_modes[b];
		}
	for (int i = 38; i < 54; i += 2) {
		uint32_t w, h;

		if (e[i] == 0x01 && e[i + 1] == 0x01)
			continue;
		cr_assert_neq(e[i], 0, "0x00 is reserved in standard timings");
		w = (e[i] + 31u) * 8;
		switch (e[i + 1] >> 6) { /* EDID 1.4: 16:10, 4:3, 5:4, 16:9 */
		case 0:
			h = w * 10 / 16;
			break;
		case 1:
			h = w * 3 / 4;
			break;
		case 2:
			h = w * 4 / 5;
			break;
		default:
			h = w * 9 / 16;
			break;
		}
		cr_assert_eq((e[i + 1] & 0x3f) + 60, 60, "60 Hz");
		if (n < max)
			out[n++] = (struct mode){w, h};
	}
	for (int i = 54; i < 126; i += 18)
		if (e[i] | e[i + 1]) {
			uint32_t w = e[i + 2] | (e[i + 4] >> 4) << 8;
			uint32_t h = e[i + 5] | (e[i + 7] >> 4) << 8;

			if (n < max)
				out[n++] = (struct mode){w, h};
		}
	return n;
}

static bool has(const struct mode *m, unsigned n, uint32_t w, uint32_t h)
{
	for (unsigned i = 0; i < n; i++)
		if (m[i].w == w && m[i].h == h)
			return true;
	return false;
}

/* The common desktop modes, and which of them fit a size. */
static const struct mode common[] = {
    {640, 480},	  {800, 600},  {1024, 768}, {1280, 720}, {1280, 800},  {1280, 960},
    {1280, 1024}, {1366, 768}, {1440, 900}, {1600, 900}, {1680, 1050}, {1920, 1080},
};

static void check_modes(uint32_t w, uint32_t h)
{
	uint8_t e[GPU_EDID_SIZE];
	struct mode m[64];
	unsigned n, want = 0;

	gpu_edid_build(e, w, h, 0);
	n = decode_modes(e, m, 64);
	/* The first detailed timing (the preferred mode) is the size. */
	cr_assert_eq(e[54 + 2] | (e[54 + 4] >> 4) << 8, w);
	cr_assert_eq(e[54 + 5] | (e[54 + 7] >> 4) << 8, h);
	for (unsigned i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		bool fit = common[i].w <= w && common[i].h <= h;

		cr_assert_eq(has(m, n, common[i].w, common[i].h), fit, "%ux%u: %ux%u %s", w, h,
			     common[i].w, common[i].h, fit ? "missing" : "offered but too big");
		want += fit;
	}
	for (unsigned i = 0; i < n; i++)
		cr_assert(m[i].w <= w && m[i].h <= h, "%ux%u offered for %ux%u", m[i].w, m[i].h, w,
			  h);
	cr_assert_geq(n, want);
}

Test(edid, common_modes_up_to_the_output_size)
{
	check_modes(640, 480);
	check_modes(800, 600);
	check_modes(1024, 768);
	check_modes(1280, 800);
	check_modes(1366, 768);
	check_modes(1920, 1080);
	check_modes(2560, 1600);
	check_modes(700, 500);
}

Test(edid, a_1080p_output_offers_640x480_to_1920x1080)
{
	uint8_t e[GPU_EDID_SIZE];
	struct mode m[64];
	unsigned n;

	gpu_edid_build(e, 1920, 1080, 0);
	n = decode_modes(e, m, 64);
	/* 3 established + 8 standard + the preferred and 1366x768 DTDs. */
	cr_assert_eq(n, 13);
	cr_assert(has(m, n, 640, 480) && has(m, n, 1920, 1080) && has(m, n, 1366, 768));
}

/* An independent decoder: edid-decode (Debian package edid-decode) checks
 * the block against EDID 1.4 and the DMT/CVT rules, and must find no
 * failure and no warning. */
static void edid_decode_clean(uint32_t w, uint32_t h)
{
	char path[] = "/tmp/lkvm-edid-XXXXXX", cmd[160], line[512];
	uint8_t e[GPU_EDID_SIZE];
	bool pass = false;
	unsigned bad = 0;
	FILE *f;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	gpu_edid_build(e, w, h, 1);
	cr_assert_eq(write(fd, e, sizeof(e)), (ssize_t)sizeof(e));
	close(fd);
	snprintf(cmd, sizeof(cmd), "edid-decode --check %s 2>&1", path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "EDID conformity: PASS"))
			pass = true;
		if (strcasestr(line, "warning") || strcasestr(line, "fail")) {
			cr_log_error("edid-decode on %ux%u: %s", w, h, line);
			bad++;
		}
	}
	cr_assert_eq(WEXITSTATUS(pclose(f)), 0, "edid-decode --check failed for %ux%u", w, h);
	unlink(path);
	cr_assert(pass, "no PASS from edid-decode for %ux%u", w, h);
	cr_assert_eq(bad, 0, "%u warning or failure lines for %ux%u", bad, w, h);
}

Test(edid, edid_decode_finds_no_errors_or_warnings)
{
	if (system("command -v edid-decode >/dev/null 2>&1")) {
		fprintf(stderr, "SKIP: edid-decode missing (apt-get install edid-decode)\n");
		cr_skip_test("edid-decode missing");
	}
	edid_decode_clean(640, 480);
	edid_decode_clean(800, 600);
	edid_decode_clean(1024, 768);
	edid_decode_clean(1280, 800);
	edid_decode_clean(1366, 768);
	edid_decode_clean(1920, 1080);
	edid_decode_clean(2560, 1440);
	edid_decode_clean(3840, 2160);
}
