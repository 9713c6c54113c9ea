// kms.h: the little of the kernel's KMS uAPI our L2 programs use
// (drm-pattern.c, gl-scene.c), and the steps they share: pick the first
// connected output, show a framebuffer on it, and hold the DRM file open
// until the VM ends.
//
// The Debian build machine has no libdrm headers, so the few structures and
// ioctl numbers of the kernel's stable DRM uAPI (include/uapi/drm) that we
// need are declared here; the size checks pin their layout.
#ifndef L2_KMS_H
#define L2_KMS_H
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct drm_mode_card_res {
	uint64_t fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
	uint32_t count_fbs, count_crtcs, count_connectors, count_encoders;
	uint32_t min_width, max_width, min_height, max_height;
};

struct drm_mode_modeinfo {
	uint32_t clock;
	uint16_t hdisplay, hsync_start, hsync_end, htotal, hskew;
	uint16_t vdisplay, vsync_start, vsync_end, vtotal, vscan;
	uint32_t vrefresh, flags, type;
	char name[32];
};

struct drm_mode_crtc {
	uint64_t set_connectors_ptr;
	uint32_t count_connectors, crtc_id, fb_id, x, y, gamma_size, mode_valid;
	struct drm_mode_modeinfo mode;
};

struct drm_mode_get_encoder {
	uint32_t encoder_id, encoder_type, crtc_id, possible_crtcs, possible_clones;
};

struct drm_mode_get_connector {
	uint64_t encoders_ptr, modes_ptr, props_ptr, prop_values_ptr;
	uint32_t count_modes, count_props, count_encoders;
	uint32_t encoder_id, connector_id, connector_type, connector_type_id;
	uint32_t connection, mm_width, mm_height, subpixel, pad;
};

struct drm_mode_fb_cmd {
	uint32_t fb_id, width, height, pitch, bpp, depth, handle;
};

struct drm_mode_fb_dirty_cmd {
	uint32_t fb_id, flags, color, num_clips;
	uint64_t clips_ptr;
};

struct drm_mode_create_dumb {
	uint32_t height, width, bpp, flags, handle, pitch;
	uint64_t size;
};

struct drm_mode_map_dumb {
	uint32_t handle, pad;
	uint64_t offset;
};

_Static_assert(sizeof(struct drm_mode_card_res) == 64, "card_res");
_Static_assert(sizeof(struct drm_mode_modeinfo) == 68, "modeinfo");
_Static_assert(sizeof(struct drm_mode_crtc) == 104, "crtc");
_Static_assert(sizeof(struct drm_mode_get_encoder) == 20, "encoder");
_Static_assert(sizeof(struct drm_mode_get_connector) == 80, "connector");
_Static_assert(sizeof(struct drm_mode_fb_cmd) == 28, "fb_cmd");
_Static_assert(sizeof(struct drm_mode_fb_dirty_cmd) == 24, "fb_dirty_cmd");
_Static_assert(sizeof(struct drm_mode_create_dumb) == 32, "create_dumb");
_Static_assert(sizeof(struct drm_mode_map_dumb) == 16, "map_dumb");

#define DRM_IOWR_MODE(nr, type) _IOWR('d', nr, type)
#define IOCTL_GETRESOURCES	DRM_IOWR_MODE(0xA0, struct drm_mode_card_res)
#define IOCTL_SETCRTC		DRM_IOWR_MODE(0xA2, struct drm_mode_crtc)
#define IOCTL_GETENCODER	DRM_IOWR_MODE(0xA6, struct drm_mode_get_encoder)
#define IOCTL_GETCONNECTOR	DRM_IOWR_MODE(0xA7, struct drm_mode_get_connector)
#define IOCTL_ADDFB		DRM_IOWR_MODE(0xAE, struct drm_mode_fb_cmd)
#define IOCTL_DIRTYFB		DRM_IOWR_MODE(0xB1, struct drm_mode_fb_dirty_cmd)
#define IOCTL_CREATE_DUMB	DRM_IOWR_MODE(0xB2, struct drm_mode_create_dumb)
#define IOCTL_MAP_DUMB		DRM_IOWR_MODE(0xB3, struct drm_mode_map_dumb)
#define CONNECTED		1
#define MAX_IDS			16
#define MAX_MODES		64

static inline int xioctl(int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r;
}

// The output a program draws on: a connected connector, the CRTC to drive
// it, and its preferred mode (the first one listed).
struct kms_output {
	uint32_t conn_id, crtc_id;
	struct drm_mode_modeinfo mode;
};

// Finds the first connected output with a mode; 0, or -1 with msg set.
static inline int kms_find_output(int fd, struct kms_output *out, char *msg, size_t msglen)
{
	uint32_t crtcs[MAX_IDS], conns[MAX_IDS];
	struct drm_mode_card_res res = {0};
	if (xioctl(fd, IOCTL_GETRESOURCES, &res) < 0)
		return snprintf(msg, msglen, "GETRESOURCES: %s", strerror(errno)), -1;
	if (res.count_crtcs == 0 || res.count_connectors == 0)
		return snprintf(msg, msglen, "no CRTC or connector"), -1;
	if (res.count_crtcs > MAX_IDS)
		res.count_crtcs = MAX_IDS;
	if (res.count_connectors > MAX_IDS)
		res.count_connectors = MAX_IDS;
	struct drm_mode_card_res ids = {
	    .crtc_id_ptr = (uintptr_t)crtcs,
	    .connector_id_ptr = (uintptr_t)conns,
	    .count_crtcs = res.count_crtcs,
	    .count_connectors = res.count_connectors,
	};
	if (xioctl(fd, IOCTL_GETRESOURCES, &ids) < 0)
		return snprintf(msg, msglen, "GETRESOURCES ids: %s", strerror(errno)), -1;

	struct drm_mode_modeinfo modes[MAX_MODES];
	struct drm_mode_get_connector conn;
	uint32_t i;
	for (i = 0; i < res.count_connectors; i++) {
		memset(&conn, 0, sizeof(conn));
		conn.connector_id = conns[i];
		if (xioctl(fd, IOCTL_GETCONNECTOR, &conn) < 0)
			continue;
		if (conn.connection != CONNECTED || conn.count_modes == 0)
			continue;
		uint32_t n = conn.count_modes < MAX_MODES ? conn.count_modes : MAX_MODES;
		memset(&conn, 0, sizeof(conn));
		conn.connector_id = conns[i];
		conn.modes_ptr = (uintptr_t)modes;
		conn.count_modes = n;
		if (xioctl(fd, IOCTL_GETCONNECTOR, &conn) == 0 && conn.count_modes > 0)
			break;
	}
	if (i == res.count_connectors)
		return snprintf(msg, msglen, "no connected output with a mode"), -1;

	out->conn_id = conn.connector_id;
	out->crtc_id = crtcs[0];
	struct drm_mode_get_encoder enc = {.encoder_id = conn.encoder_id};
	if (conn.encoder_id && xioctl(fd, IOCTL_GETENCODER, &enc) == 0 && enc.crtc_id)
		out->crtc_id = enc.crtc_id;
	out->mode = modes[0]; // the preferred mode comes first
	return 0;
}

// Makes a framebuffer of a buffer object (32 bpp, depth 24) and shows it on
// the output with SETCRTC; 0, or -1 with msg set.
static inline int kms_show(int fd, struct kms_output *out, uint32_t handle, uint32_t pitch,
			   uint32_t *fb_id, char *msg, size_t msglen)
{
	struct drm_mode_fb_cmd fb = {.width = out->mode.hdisplay,
				     .height = out->mode.vdisplay,
				     .pitch = pitch,
				     .bpp = 32,
				     .depth = 24,
				     .handle = handle};
	if (xioctl(fd, IOCTL_ADDFB, &fb) < 0)
		return snprintf(msg, msglen, "ADDFB: %s", strerror(errno)), -1;
	struct drm_mode_crtc set = {
	    .set_connectors_ptr = (uintptr_t)&out->conn_id,
	    .count_connectors = 1,
	    .crtc_id = out->crtc_id,
	    .fb_id = fb.fb_id,
	    .mode_valid = 1,
	    .mode = out->mode,
	};
	if (xioctl(fd, IOCTL_SETCRTC, &set) < 0)
		return snprintf(msg, msglen, "SETCRTC: %s", strerror(errno)), -1;
	// SETCRTC already sends the whole frame; DIRTYFB makes sure of it.
	struct drm_mode_fb_dirty_cmd dirty = {.fb_id = fb.fb_id};
	xioctl(fd, IOCTL_DIRTYFB, &dirty);
	*fb_id = fb.fb_id;
	return 0;
}

// Runs work(fd, msg) in a child process that opens dev and, when work
// succeeds, keeps the DRM file open until the VM ends (closing it would let
// fbcon take the screen back). The parent prints the child's one-line
// message and returns 0 or 1 as work did, so a shell's $(...) can take it.
static inline int kms_run_held(const char *dev, int (*work)(int fd, char *msg, size_t msglen),
			       const char *name)
{
	int p[2];
	if (pipe(p) < 0) {
		fprintf(stderr, "%s: pipe: %s\n", name, strerror(errno));
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		char msg[512];
		int ok = -1;
		close(p[0]);
		// Let go of the caller's stdout: a shell's $(...) waits for it.
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
		int fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			snprintf(msg, sizeof(msg), "open %s: %s", dev, strerror(errno));
		else
			ok = work(fd, msg, sizeof(msg));
		dprintf(p[1], "%c%s\n", ok == 0 ? '+' : '-', msg);
		close(p[1]);
		if (ok != 0)
			_exit(1);
		setsid();
		for (;;)
			pause();
	}
	close(p[1]);
	char buf[600];
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	if (n <= 1) {
		fprintf(stderr, "%s: the drawing process died\n", name);
		return 1;
	}
	buf[n] = '\0';
	fputs(buf + 1, stdout);
	return buf[0] == '+' ? 0 : 1;
}
#endif
