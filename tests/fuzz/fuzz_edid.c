/* libFuzzer: the EDID block for any output size and index.
 *
 * EDID is generated, never parsed: the guest picks only the scanout (its
 * id is checked against the output count before gpu_edid_build), while
 * the size comes from --size and the host window. So the fuzzer feeds any
 * size and index and checks the block against the EDID 1.4 layout read
 * back here (VESA E-EDID): the fixed header, a zero checksum, a first
 * detailed timing that decodes to the size (clamped to 12 bits), and
 * standard timings that are unused (0x0101) or name a mode that fits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/edid.h"

static uint32_t clamp12(uint32_t v)
{
	return v > 4095 ? 4095 : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t header[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
	uint8_t e[GPU_EDID_SIZE + 16], sum = 0;
	uint32_t w, h, out;

	if (size < 12)
		return 0;
	memcpy(&w, data, 4);
	memcpy(&h, data + 4, 4);
	memcpy(&out, data + 8, 4);
	if (data[0] & 1) { /* mostly sizes a screen has */
		w %= 20000;
		h %= 20000;
	}
	memset(e, 0xa5, sizeof(e));
	gpu_edid_build(e, w, h, out);
	for (size_t i = GPU_EDID_SIZE; i < sizeof(e); i++)
		if (e[i] != 0xa5)
			abort(); /* wrote past the block */
	if (memcmp(e, header, sizeof(header)))
		abort();
	for (unsigned i = 0; i < GPU_EDID_SIZE; i++)
		sum += e[i];
	if (sum != 0 || e[126] != 0)
		abort();
	/* Preferred timing: the output's size. */
	const uint8_t *d = e + 54;
	uint32_t hact = d[2] | (uint32_t)(d[4] >> 4) << 8, vact = d[5] | (uint32_t)(d[7] >> 4) << 8;

	if ((d[0] | d[1]) == 0 || hact != clamp12(w) || vact != clamp12(h))
		abort();
	/* Standard timings: width = (b0 + 31) * 8, aspect in b1's top bits
	 * (16:10, 4:3, 5:4, 16:9), refresh = (b1 & 63) + 60. */
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *st = e + 38 + 2 * i;
		static const uint32_t num[4] = {10, 3, 4, 9}, den[4] = {16, 4, 5, 16};
		uint32_t sw, sh;

		if (st[0] == 1 && st[1] == 1)
			continue;
		if (st[0] == 0)
			abort(); /* 0 is reserved */
		sw = (st[0] + 31u) * 8;
		sh = sw * num[st[1] >> 6] / den[st[1] >> 6];
		if (sw > clamp12(w) || sh > clamp12(h) || (st[1] & 63) != 0)
			abort();
	}
	return 0;
}
