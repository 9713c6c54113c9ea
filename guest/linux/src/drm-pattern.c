// drm-pattern: runs in the L2 test guest. Draws a known pattern into a DRM
// dumb buffer, shows it on the first connected output with SETCRTC, and
// keeps the DRM file open (a background child holds it until the VM ends:
// closing it would let fbcon take the screen back), so the screenshot
// lkvm-gpu writes at exit must match tests/nested/png_pattern.py's formula
// pixel for pixel.
//
// Usage: drm-pattern [CARD [WxH]]. With WxH it shows that mode of the
// connector's list instead of the preferred one (a mode switch).
//
// Prints one line: "mode=WxH fb=N pattern=v1" and exits 0, or the failing
// step and exits 1.
#define _GNU_SOURCE
#include <sys/mman.h>

#include "kms.h"

// The pattern, shared with tests/nested/png_pattern.py: XRGB8888.
static uint32_t pattern(uint32_t x, uint32_t y)
{
	uint32_t r = (x * 3 + y) & 0xff, g = (x ^ y) & 0xff, b = (y * 5 + 255 - (x & 0xff)) & 0xff;
	return r << 16 | g << 8 | b;
}

static unsigned want_w, want_h; // 0: the preferred mode

// Replaces out->mode with the connector's want_w x want_h mode.
static int pick_mode(int fd, struct kms_output *out, char *msg, size_t msglen)
{
	struct drm_mode_modeinfo modes[MAX_MODES];
	struct drm_mode_get_connector conn = {.connector_id = out->conn_id,
					      .modes_ptr = (uintptr_t)modes,
					      .count_modes = MAX_MODES};
	if (xioctl(fd, IOCTL_GETCONNECTOR, &conn) < 0)
		return snprintf(msg, msglen, "GETCONNECTOR: %s", strerror(errno)), -1;
	for (uint32_t i = 0; i < conn.count_modes && i < MAX_MODES; i++)
		if (modes[i].hdisplay == want_w && modes[i].vdisplay == want_h) {
			out->mode = modes[i];
			return 0;
		}
	return snprintf(msg, msglen, "no %ux%u among the connector's %u modes", want_w, want_h,
			conn.count_modes),
	       -1;
}

// Does the work; on success writes the result line into msg and returns 0.
static int show_pattern(int fd, char *msg, size_t msglen)
{
	struct kms_output out;
	if (kms_find_output(fd, &out, msg, msglen) < 0)
		return -1;
	if (want_w && pick_mode(fd, &out, msg, msglen) < 0)
		return -1;
	uint32_t w = out.mode.hdisplay, h = out.mode.vdisplay;
	struct drm_mode_create_dumb dumb = {.width = w, .height = h, .bpp = 32};
	if (xioctl(fd, IOCTL_CREATE_DUMB, &dumb) < 0)
		return snprintf(msg, msglen, "CREATE_DUMB %ux%u: %s", w, h, strerror(errno)), -1;
	struct drm_mode_map_dumb map = {.handle = dumb.handle};
	if (xioctl(fd, IOCTL_MAP_DUMB, &map) < 0)
		return snprintf(msg, msglen, "MAP_DUMB: %s", strerror(errno)), -1;
	uint8_t *px =
	    mmap(NULL, dumb.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (px == MAP_FAILED)
		return snprintf(msg, msglen, "mmap dumb buffer: %s", strerror(errno)), -1;
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(px + (size_t)y * dumb.pitch);
		for (uint32_t x = 0; x < w; x++)
			row[x] = pattern(x, y);
	}
	uint32_t fb_id;
	if (kms_show(fd, &out, dumb.handle, dumb.pitch, &fb_id, msg, msglen) < 0)
		return -1;
	snprintf(msg, msglen, "mode=%ux%u fb=%u pattern=v1", w, h, fb_id);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && sscanf(argv[2], "%ux%u", &want_w, &want_h) != 2) {
		fprintf(stderr, "drm-pattern: bad mode %s (want WxH)\n", argv[2]);
		return 2;
	}
	return kms_run_held(argc > 1 ? argv[1] : "/dev/dri/card0", show_pattern, "drm-pattern");
}
