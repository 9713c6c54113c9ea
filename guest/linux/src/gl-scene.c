// gl-scene: runs in the L2 test guest, dynamically linked against the
// guest's Mesa (GBM + EGL + GLES2 on KMS). Draws one known scene with
// OpenGL ES 2 into a GBM surface on /dev/dri/card0, shows the front buffer
// with SETCRTC, and holds the DRM file open until the VM ends (kms.h), so
// the screenshot lkvm-gpu writes at exit must match
// tests/nested/png_gl_scene.py, which computes the same scene from this
// definition:
//
//   - the whole output cleared to RGB (32, 64, 160);
//   - one triangle in RGB (255, 192, 0), vertices in output pixels with the
//     origin at the top-left corner: (64, 40), (416, 40), (160, 300).
//
// Colours are k/255, so the float -> unorm8 conversion gives k exactly.
// Every vertex is on an integer pixel corner, and for each edge the
// differences dx and dy have different powers of two (or one of them is
// 0), so no pixel centre lies on an edge: a pixel is the triangle's colour
// exactly when its centre is inside, whatever the rasteriser's tie rule.
// The triangle sits in the top half with its flat side up, so a picture
// shown upside down fails the check.
//
// With -n N it then draws N more frames (the same scene, the triangle's
// colour unchanged) through eglSwapBuffers and reports the rate; the last
// frame shown is the scene above.
//
// Prints one line: "renderer=<GL_RENDERER> mode=WxH fb=N probe=ok ..." and
// exits 0, or the failing step and exits 1. "probe" is glReadPixels of
// three points (clear colour, triangle, clear colour below the apex) read
// back in the guest before the swap.
#define _GNU_SOURCE
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <gbm.h>
#include <time.h>

#include "kms.h"

static const uint8_t CLEAR_RGB[3] = {32, 64, 160};
static const uint8_t TRI_RGB[3] = {255, 192, 0};
static const int TRI_XY[3][2] = {{64, 40}, {416, 40}, {160, 300}};

static int frames;

static const char *VS = "attribute vec2 pos;\n"
			"void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n";
static const char *FS = "precision mediump float;\n"
			"uniform vec4 color;\n"
			"void main() { gl_FragColor = color; }\n";

static GLuint shader(GLenum kind, const char *text, char *msg, size_t msglen)
{
	GLuint s = glCreateShader(kind);
	glShaderSource(s, 1, &text, NULL);
	glCompileShader(s);
	GLint ok = 0;
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		char log[200] = "";
		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		snprintf(msg, msglen, "compile %s shader: %s",
			 kind == GL_VERTEX_SHADER ? "vertex" : "fragment", log);
		return 0;
	}
	return s;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

// Reads the pixel at output (x, y) (top-left origin) from the GL
// framebuffer (bottom-left origin) and compares it with want.
static int probe(int x, int y, int h, const uint8_t want[3], char *msg, size_t msglen)
{
	uint8_t px[4] = {0};
	glReadPixels(x, h - 1 - y, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, px);
	if (px[0] != want[0] || px[1] != want[1] || px[2] != want[2]) {
		snprintf(msg, msglen, "glReadPixels at (%d,%d): %u,%u,%u, want %u,%u,%u", x, y,
			 px[0], px[1], px[2], want[0], want[1], want[2]);
		return -1;
	}
	return 0;
}

static int draw_scene(int fd, char *msg, size_t msglen)
{
	struct kms_output out;
	if (kms_find_output(fd, &out, msg, msglen) < 0)
		return -1;
	int w = out.mode.hdisplay, h = out.mode.vdisplay;

	struct gbm_device *gbm = gbm_create_device(fd);
	if (!gbm)
		return snprintf(msg, msglen, "gbm_create_device failed"), -1;
	struct gbm_surface *gs = gbm_surface_create(gbm, w, h, GBM_FORMAT_XRGB8888,
						    GBM_BO_USE_SCANOUT | GBM_BO_USE_RENDERING);
	if (!gs)
		return snprintf(msg, msglen, "gbm_surface_create %dx%d failed", w, h), -1;

	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
	    (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
	EGLDisplay dpy = get_display ? get_display(EGL_PLATFORM_GBM_MESA, gbm, NULL)
				     : eglGetDisplay((EGLNativeDisplayType)gbm);
	EGLint major, minor;
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor))
		return snprintf(msg, msglen, "eglInitialize: 0x%x", eglGetError()), -1;
	if (!eglBindAPI(EGL_OPENGL_ES_API))
		return snprintf(msg, msglen, "eglBindAPI: 0x%x", eglGetError()), -1;

	// The config whose native visual is the surface's format.
	static const EGLint cfg_attr[] = {EGL_SURFACE_TYPE, EGL_WINDOW_BIT, EGL_RED_SIZE, 8,
					  EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
					  EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE};
	EGLConfig cfgs[64], cfg = NULL;
	EGLint n = 0;
	if (!eglChooseConfig(dpy, cfg_attr, cfgs, 64, &n) || n == 0)
		return snprintf(msg, msglen, "eglChooseConfig: no config (0x%x)", eglGetError()), -1;
	for (EGLint i = 0; i < n && !cfg; i++) {
		EGLint id;
		if (eglGetConfigAttrib(dpy, cfgs[i], EGL_NATIVE_VISUAL_ID, &id) &&
		    id == GBM_FORMAT_XRGB8888)
			cfg = cfgs[i];
	}
	if (!cfg)
		return snprintf(msg, msglen, "no EGL config for XRGB8888 among %d", n), -1;
	static const EGLint ctx_attr[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
	EGLContext ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, ctx_attr);
	if (ctx == EGL_NO_CONTEXT)
		return snprintf(msg, msglen, "eglCreateContext: 0x%x", eglGetError()), -1;
	EGLSurface surf = eglCreateWindowSurface(dpy, cfg, (EGLNativeWindowType)gs, NULL);
	if (surf == EGL_NO_SURFACE)
		return snprintf(msg, msglen, "eglCreateWindowSurface: 0x%x", eglGetError()), -1;
	if (!eglMakeCurrent(dpy, surf, surf, ctx))
		return snprintf(msg, msglen, "eglMakeCurrent: 0x%x", eglGetError()), -1;
	const char *renderer = (const char *)glGetString(GL_RENDERER);

	GLuint vs = shader(GL_VERTEX_SHADER, VS, msg, msglen);
	GLuint fs = vs ? shader(GL_FRAGMENT_SHADER, FS, msg, msglen) : 0;
	if (!fs)
		return -1;
	GLuint prog = glCreateProgram();
	glAttachShader(prog, vs);
	glAttachShader(prog, fs);
	glBindAttribLocation(prog, 0, "pos");
	glLinkProgram(prog);
	GLint linked = 0;
	glGetProgramiv(prog, GL_LINK_STATUS, &linked);
	if (!linked)
		return snprintf(msg, msglen, "glLinkProgram failed"), -1;
	glUseProgram(prog);
	glUniform4f(glGetUniformLocation(prog, "color"), TRI_RGB[0] / 255.0f,
		    TRI_RGB[1] / 255.0f, TRI_RGB[2] / 255.0f, 1.0f);

	// Output pixels (top-left origin) to clip space (y up).
	GLfloat verts[6];
	for (int i = 0; i < 3; i++) {
		verts[2 * i] = 2.0f * TRI_XY[i][0] / w - 1.0f;
		verts[2 * i + 1] = 1.0f - 2.0f * TRI_XY[i][1] / h;
	}
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, verts);
	glEnableVertexAttribArray(0);
	glViewport(0, 0, w, h);
	glDisable(GL_DITHER);

	double t0 = now_s();
	struct gbm_bo *bo = NULL;
	for (int f = 0; f <= frames; f++) {
		glClearColor(CLEAR_RGB[0] / 255.0f, CLEAR_RGB[1] / 255.0f, CLEAR_RGB[2] / 255.0f,
			     1.0f);
		glClear(GL_COLOR_BUFFER_BIT);
		glDrawArrays(GL_TRIANGLES, 0, 3);
		if (f == 0) {
			// Before the first swap: the back buffer holds the scene.
			if (probe(8, 8, h, CLEAR_RGB, msg, msglen) < 0 ||
			    probe(213, 127, h, TRI_RGB, msg, msglen) < 0 ||
			    probe(160, 310, h, CLEAR_RGB, msg, msglen) < 0)
				return -1;
		}
		if (glGetError() != GL_NO_ERROR)
			return snprintf(msg, msglen, "GL error in frame %d", f), -1;
		if (!eglSwapBuffers(dpy, surf))
			return snprintf(msg, msglen, "eglSwapBuffers: 0x%x", eglGetError()), -1;
		// GBM surfaces hand out a few buffers: give back all but the last.
		if (bo)
			gbm_surface_release_buffer(gs, bo);
		bo = gbm_surface_lock_front_buffer(gs);
		if (!bo)
			return snprintf(msg, msglen, "gbm_surface_lock_front_buffer failed"), -1;
	}
	double secs = now_s() - t0;

	uint32_t fb_id;
	if (kms_show(fd, &out, gbm_bo_get_handle(bo).u32, gbm_bo_get_stride(bo), &fb_id, msg,
		     msglen) < 0)
		return -1;
	snprintf(msg, msglen, "renderer=\"%s\" egl=%d.%d mode=%dx%d fb=%u probe=ok frames=%d fps=%.1f",
		 renderer ? renderer : "?", major, minor, w, h, fb_id, frames + 1,
		 (frames + 1) / (secs > 0 ? secs : 1e-9));
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/dri/card0";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			frames = atoi(argv[++i]);
		else
			dev = argv[i];
	}
	return kms_run_held(dev, draw_scene, "gl-scene");
}
