/* The EGL display virglrenderer renders on, owned by us (as QEMU does) so
 * that the display side can later reach the same GL objects: a GBM device
 * over a render node when /dev/dri/renderD* exists, else Mesa's
 * surfaceless platform (llvmpipe). Contexts are desktop GL, made for
 * virglrenderer's create/destroy/make_current callbacks. One per process
 * (virglrenderer is a process-wide singleton). */
#ifndef LKVM_GPU_VIRGL_EGL_H
#define LKVM_GPU_VIRGL_EGL_H

struct gpu_egl;

/* 0 or -errno (-ENODEV: no usable EGL platform). Logs one line naming the
 * GL renderer. */
int gpu_egl_open(struct gpu_egl **out);
/* Releases the current context, terminates the display, closes the node. */
void gpu_egl_close(struct gpu_egl *e);

void *gpu_egl_display(const struct gpu_egl *e);
const char *gpu_egl_renderer(const struct gpu_egl *e); /* GL_RENDERER */
const char *gpu_egl_platform(const struct gpu_egl *e); /* "gbm" or "surfaceless" */

/* A GL context of at least major.minor (core profile). All contexts share
 * objects with one root context made at open (as QEMU's do), so a context
 * the display makes here later can sample any renderer texture. NULL on
 * failure. */
void *gpu_egl_context_create(struct gpu_egl *e, int major, int minor);
void gpu_egl_context_destroy(struct gpu_egl *e, void *ctx);
/* Make ctx (NULL: none) current on the calling thread. 0 or -1. */
int gpu_egl_make_current(struct gpu_egl *e, void *ctx);

#endif
