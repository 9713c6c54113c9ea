/* The EDID a virtio-gpu output reports (EDID 1.4, one 128-byte block):
 * the preferred mode is the output's current size, and the common desktop
 * modes that fit inside it are offered beside it, so a guest can change
 * resolution. */
#include "gpu/edid.h"

#include <stdio.h>
#include <string.h>

/* Reduced-blanking style timings: enough blanking for any decoder, small
 * enough that the pixel clock stays low. */
#define H_FRONT 48
#define H_SYNC	32
#define H_BACK	80
#define V_FRONT 3
#define V_SYNC	6
#define V_BACK	14
#define REFRESH 60

/* Detailed timings hold 12-bit sizes. */
static uint32_t clamp12(uint32_t v)
{
	return v > 4095 ? 4095 : v;
}

static void detailed_timing(uint8_t *d, uint32_t w, uint32_t h, uint32_t w_mm, uint32_t h_mm)
{
	uint32_t hblank = H_FRONT + H_SYNC + H_BACK, vblank = V_FRONT + V_SYNC + V_BACK;
	uint64_t clock = (uint64_t)(w + hblank) * (h + vblank) * REFRESH / 10000; /* 10 kHz */

	if (clock > 0xffff)
		clock = 0xffff;
	d[0] = clock & 0xff;
	d[1] = clock >> 8;
	d[2] = w & 0xff;
	d[3] = hblank & 0xff;
	d[4] = (w >> 8) << 4 | (hblank >> 8);
	d[5] = h & 0xff;
	d[6] = vblank & 0xff;
	d[7] = (h >> 8) << 4 | (vblank >> 8);
	d[8] = H_FRONT;
	d[9] = H_SYNC;
	d[10] = (V_FRONT & 0xf) << 4 | (V_SYNC & 0xf);
	d[11] = 0; /* high bits of the porches: all zero here */
	d[12] = w_mm & 0xff;
	d[13] = h_mm & 0xff;
	d[14] = (w_mm >> 8) << 4 | (h_mm >> 8);
	d[15] = 0;
	d[16] = 0;
	d[17] = 0x1a; /* digital separate sync, +hsync, -vsync */
}

static void text_descriptor(uint8_t *d, uint8_t tag, const char *text)
{
	size_t n = strlen(text);

	memset(d, 0, 18);
	d[3] = tag;
	memset(d + 5, ' ', 13);
	if (n > 13)
		n = 13;
	memcpy(d + 5, text, n);
	if (n < 13)
		d[5 + n] = '\n';
}

static void range_limits(uint8_t *d)
{
	memset(d, 0, 18);
	d[3] = 0xfd;
	d[5] = 50;    /* min vertical Hz */
	d[6] = 75;    /* max vertical Hz */
	d[7] = 30;    /* min horizontal kHz */
	d[8] = 255;   /* max horizontal kHz */
	d[9] = 66;    /* max pixel clock, 10 MHz units */
	d[10] = 0x01; /* range limits only */
	d[11] = '\n';
	memset(d + 12, ' ', 6);
}

/* Established timings (bytes 35..36): the VESA modes at 60 Hz. */
static const struct {
	uint16_t w, h;
	uint8_t byte, bit;
} established[] = {
    {640, 480, 35, 5},
    {800, 600, 35, 0},
    {1024, 768, 36, 3},
};

/* Standard timings (bytes 38..53, eight slots): DMT modes at 60 Hz. Aspect
 * codes of EDID 1.4: 0 16:10, 1 4:3, 2 5:4, 3 16:9. */
static const struct {
	uint16_t w, h;
	uint8_t aspect;
} standard[8] = {
    {1280, 720, 3}, {1280, 800, 0}, {1280, 960, 1},  {1280, 1024, 2},
    {1440, 900, 0}, {1600, 900, 3}, {1680, 1050, 0}, {1920, 1080, 3},
};

/* A common mode no standard timing can name (1366 is not a multiple of
 * 8): a second detailed timing. */
#define EXTRA_W 1366
#define EXTRA_H 768

static int fits(uint32_t w, uint32_t h, uint32_t max_w, uint32_t max_h)
{
	return w <= max_w && h <= max_h;
}

void gpu_edid_build(uint8_t e[GPU_EDID_SIZE], uint32_t width, uint32_t height, unsigned output)
{
	/* About 96 dpi: 0.2646 mm a pixel. */
	uint32_t w = clamp12(width), h = clamp12(height);
	uint32_t w_mm = clamp12((uint32_t)((uint64_t)width * 2646 / 10000));
	uint32_t h_mm = clamp12((uint32_t)((uint64_t)height * 2646 / 10000));
	unsigned slot = 0;
	uint8_t sum = 0;

	memset(e, 0, GPU_EDID_SIZE);
	memcpy(e, "\x00\xff\xff\xff\xff\xff\xff\x00", 8);
	/* Manufacturer "LKV": three 5-bit letters, big-endian. */
	uint16_t mfg = ('L' - '@') << 10 | ('K' - '@') << 5 | ('V' - '@');
	e[8] = mfg >> 8;
	e[9] = mfg & 0xff;
	e[10] = 0x01; /* product code */
	e[11] = 0x00;
	e[12] = output & 0xff; /* serial number */
	e[16] = 1;	       /* week */
	e[17] = 2024 - 1990;   /* year */
	e[18] = 1;	       /* EDID 1.4 */
	e[19] = 4;
	e[20] = 0xa5; /* digital, 8 bits per colour, DisplayPort */
	e[21] = (w_mm + 5) / 10 > 255 ? 255 : (w_mm + 5) / 10; /* cm */
	e[22] = (h_mm + 5) / 10 > 255 ? 255 : (h_mm + 5) / 10;
	e[23] = 120;  /* gamma 2.2 */
	e[24] = 0x06; /* RGB 4:4:4, sRGB default, preferred timing is native */
	/* sRGB chromaticity (10-bit fixed point of the CIE xy coordinates). */
	static const uint8_t chroma[10] = {0xee, 0x91, 0xa3, 0x54, 0x4c,
					   0x99, 0x26, 0x0f, 0x50, 0x54};
	memcpy(e + 25, chroma, sizeof(chroma));
	/* The common modes up to the output's size: the window is the most
	 * a guest mode should need. */
	for (unsigned i = 0; i < sizeof(established) / sizeof(established[0]); i++)
		if (fits(established[i].w, established[i].h, w, h))
			e[established[i].byte] |= (uint8_t)(1u << established[i].bit);
	for (unsigned i = 0; i < 8; i++) {
		uint8_t *st = e + 38 + 2 * slot;

		if (!fits(standard[i].w, standard[i].h, w, h))
			continue;
		st[0] = (uint8_t)(standard[i].w / 8 - 31);
		st[1] = (uint8_t)(standard[i].aspect << 6 | (REFRESH - 60));
		slot++;
	}
	for (; slot < 8; slot++)
		e[38 + 2 * slot] = e[38 + 2 * slot + 1] = 0x01; /* unused */
	detailed_timing(e + 54, w, h, w_mm, h_mm);
	if (fits(EXTRA_W, EXTRA_H, w, h) && (w != EXTRA_W || h != EXTRA_H))
		detailed_timing(e + 72, EXTRA_W, EXTRA_H, w_mm, h_mm);
	else
		e[72 + 3] = 0x10; /* a dummy descriptor: all else zero */
	range_limits(e + 90);
	text_descriptor(e + 108, 0xfc, "lkvm-gpu");
	e[126] = 0; /* no extension blocks */
	for (int i = 0; i < GPU_EDID_SIZE - 1; i++)
		sum += e[i];
	e[127] = (uint8_t)(0x100 - sum);
}
