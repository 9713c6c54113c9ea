#include "gpu/virgl_egl.h"

#include <dlfcn.h>
#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <errno.h>
#include <fcntl.h>
#include <gbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

struct gpu_egl {
	EGLDisplay dpy;
	EGLConfig config; /* EGL_NO_CONFIG_KHR when the display allows it */
	int drm_fd;	  /* render node, -1 on surfaceless */
	EGLContext root;  /* every context shares objects with it, never current */
	struct gbm_device *gbm;
	const char *platform;
	char renderer[128];
};

static bool has_ext(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* The first render node that opens and gives a GBM device, or -1. */
static int open_render_node(struct gbm_device **gbm)
{
	char path[32];

	for (int minor = 128; minor < 192; minor++) {
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		*gbm = gbm_create_device(fd);
		if (*gbm)
			return fd;
		close(fd);
	}
	return -1;
}

static EGLDisplay platform_display(struct gpu_egl *e)
{
	const char *cext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);

	if (!has_ext(cext, "EGL_EXT_platform_base"))
		return EGL_NO_DISPLAY;
	e->drm_fd = open_render_node(&e->gbm);
	if (e->drm_fd >= 0 &&
	    (has_ext(cext, "EGL_KHR_platform_gbm") || has_ext(cext, "EGL_MESA_platform_gbm"))) {
		e->platform = "gbm";
		EGLDisplay d = eglGetPlatformDisplayEXT(EGL_PLATFORM_GBM_KHR, e->gbm, NULL);
		if (d != EGL_NO_DISPLAY)
			return d;
	}
	/* No GPU (or its EGL failed): Mesa's software rasteriser. */
	if (!has_ext(cext, "EGL_MESA_platform_surfaceless"))
		return EGL_NO_DISPLAY;
	e->platform = "surfaceless";
	return eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
}

/* virglrenderer draws only into its own FBOs, so contexts need no surface;
 * a config is needed only where EGL_KHR_no_config_context is missing. */
static int pick_config(struct gpu_egl *e)
{
	const char *ext = eglQueryString(e->dpy, EGL_EXTENSIONS);
	static const EGLint attrs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE};
	EGLint n = 0;

	if (!has_ext(ext, "EGL_KHR_surfaceless_context") ||
	    !has_ext(ext, "EGL_KHR_create_context")) {
		log_error("virgl: EGL lacks surfaceless or create_context contexts");
		return -ENODEV;
	}
	if (has_ext(ext, "EGL_KHR_no_config_context")) {
		e->config = EGL_NO_CONFIG_KHR;
		return 0;
	}
	if (!eglChooseConfig(e->dpy, attrs, &e->config, 1, &n) || n < 1) {
		log_error("virgl: no EGL config for desktop GL");
		return -ENODEV;
	}
	return 0;
}

/* The root of the share group (made current once, to name the renderer). */
static int make_root(struct gpu_egl *e)
{
	e->root = gpu_egl_context_create(e, 3, 3);
	if (!e->root || gpu_egl_make_current(e, e->root) != 0) {
		log_error("virgl: cannot create a GL 3.3 core context");
		return -ENODEV;
	}
	const char *r = (const char *)glGetString(GL_RENDERER);
	snprintf(e->renderer, sizeof(e->renderer), "%s", r ? r : "?");
	gpu_egl_make_current(e, NULL);
	return 0;
}

/* libepoxy loads libEGL (and a GL library) on first use and abort()s when
 * it cannot: look first, so a host without them gets an error, not a
 * crash. */
static bool can_load(const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		void *h = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);

		if (h) {
			dlclose(h);
			return true;
		}
	}
	log_error("virgl: cannot load %s (install Mesa's EGL and GL libraries)", names[0]);
	return false;
}

static bool libraries_present(void)
{
	static const char *const egl[] = {"libEGL.so.1"};
	static const char *const gl[] = {"libOpenGL.so.0", "libGL.so.1"};

	return can_load(egl, 1) && can_load(gl, 2);
}

int gpu_egl_open(struct gpu_egl **out)
{
	struct gpu_egl *e;
	EGLint major, minor;
	int err = -ENODEV;

	if (!libraries_present())
		return -ENODEV;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->drm_fd = -1;
	e->dpy = platform_display(e);
	if (e->dpy == EGL_NO_DISPLAY) {
		log_error("virgl: no EGL display (neither GBM nor surfaceless)");
		goto fail;
	}
	if (!eglInitialize(e->dpy, &major, &minor)) {
		log_error("virgl: eglInitialize failed (0x%x)", eglGetError());
		e->dpy = EGL_NO_DISPLAY;
		goto fail;
	}
	err = pick_config(e);
	if (err)
		goto fail;
	err = make_root(e);
	if (err)
		goto fail;
	log_info("virgl: EGL %d.%d on %s, GL renderer: %s", major, minor, e->platform, e->renderer);
	*out = e;
	return 0;
fail:
	gpu_egl_close(e);
	return err;
}

void gpu_egl_close(struct gpu_egl *e)
{
	if (!e)
		return;
	if (e->dpy != EGL_NO_DISPLAY) {
		eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
		if (e->root)
			eglDestroyContext(e->dpy, e->root);
		eglTerminate(e->dpy);
		eglReleaseThread();
	}
	if (e->gbm)
		gbm_device_destroy(e->gbm);
	if (e->drm_fd >= 0)
		close(e->drm_fd);
	free(e);
}

void *gpu_egl_display(const struct gpu_egl *e)
{
	return e->dpy;
}

const char *gpu_egl_renderer(const struct gpu_egl *e)
{
	return e->renderer;
}

const char *gpu_egl_platform(const struct gpu_egl *e)
{
	return e->platform;
}

void *gpu_egl_context_create(struct gpu_egl *e, int major, int minor)
{
	const EGLint attrs[] = {
	    EGL_CONTEXT_MAJOR_VERSION_KHR,
	    major,
	    EGL_CONTEXT_MINOR_VERSION_KHR,
	    minor,
	    EGL_CONTEXT_OPENGL_PROFILE_MASK_KHR,
	    EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT_KHR,
	    EGL_NONE,
	};
	/* One share group for all, whatever virglrenderer asks (as QEMU
	 * does): a display context made here later reaches every texture. */
	EGLContext share = e->root ? e->root : EGL_NO_CONTEXT;

	/* The bound API is per thread: bind it on every thread we serve. */
	if (!eglBindAPI(EGL_OPENGL_API))
		return NULL;
	EGLContext ctx = eglCreateContext(e->dpy, e->config, share, attrs);
	return ctx == EGL_NO_CONTEXT ? NULL : ctx;
}

void gpu_egl_context_destroy(struct gpu_egl *e, void *ctx)
{
	if (ctx)
		eglDestroyContext(e->dpy, ctx);
}

int gpu_egl_make_current(struct gpu_egl *e, void *ctx)
{
	EGLContext c = ctx ? ctx : EGL_NO_CONTEXT;

	if (!eglBindAPI(EGL_OPENGL_API))
		return -1;
	return eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, c) ? 0 : -1;
}
