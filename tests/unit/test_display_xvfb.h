/* A private Xvfb for tests: started per test on a display number nobody
 * uses (no clash with other suites or other users' servers), killed with
 * the test; xdotool injects input; a second xcb connection reads pixels
 * back (GetImage) and plays window manager. Missing Xvfb or xdotool makes
 * every test a loud Criterion skip, never a pass. */
#ifndef TESTS_DISPLAY_XVFB_H
#define TESTS_DISPLAY_XVFB_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/xcb.h>

#include "display/display.h"
#include "display/x11_priv.h"

static pid_t xvfb = -1;
static char xvfb_missing[128];
static char xvfb_display[32];
static const char *xvfb_screen = "1024x768x24"; /* set before start */
static xcb_connection_t *tc;			/* the test's own connection */

static inline bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Fork Xvfb on display n; 0 once it listens, -1 if it died first
 * (the number was taken after all). */
static inline int try_xvfb(int n, const char *const *extra)
{
	char sock[64];

	snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", n);
	xvfb = fork();
	cr_assert_geq(xvfb, 0);
	if (xvfb == 0) {
		const char *argv[32] = {"Xvfb",	   NULL, "-nolisten", "tcp",
					"-screen", "0",	 xvfb_screen, "-noreset"};
		char dpy[16];
		int k = 8;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(dpy, sizeof(dpy), ":%d", n);
		argv[1] = dpy;
		for (int i = 0; extra && extra[i] && k < 30; i++)
			argv[k++] = extra[i];
		argv[k] = NULL;
		if (!freopen("/dev/null", "w", stderr))
			_exit(126);
		execvp("Xvfb", (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		if (waitpid(xvfb, NULL, WNOHANG) == xvfb) {
			xvfb = -1;
			return -1;
		}
		if (access(sock, F_OK) == 0)
			return 0;
		usleep(10000);
	}
	kill(xvfb, SIGKILL);
	waitpid(xvfb, NULL, 0);
	xvfb = -1;
	return -1;
}

/* Start Xvfb with extra arguments (NULL-terminated) on a display number
 * nobody uses (no socket, no lock: other suites and other users' servers
 * run on this machine too), set DISPLAY. */
static inline void start_xvfb_args(const char *const *extra)
{
	int n = -1;

	xvfb_missing[0] = 0;
	tc = NULL;
	if (!have_tool("Xvfb") || !have_tool("xdotool")) {
		snprintf(xvfb_missing, sizeof(xvfb_missing),
			 "Xvfb or xdotool missing (apt-get install xvfb xdotool)");
		return;
	}
	for (int attempt = 0; attempt < 40; attempt++) {
		char sock[64], lock[64];
		int cand = 300 + (int)((getpid() * 7u + attempt * 131u) % 600);

		snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", cand);
		snprintf(lock, sizeof(lock), "/tmp/.X%d-lock", cand);
		if (access(sock, F_OK) == 0 || access(lock, F_OK) == 0)
			continue;
		if (try_xvfb(cand, extra) == 0) {
			n = cand;
			break;
		}
	}
	cr_assert_geq(n, 0, "Xvfb did not start");
	snprintf(xvfb_display, sizeof(xvfb_display), ":%d", n);
	setenv("DISPLAY", xvfb_display, 1);
	unsetenv(X11_NO_SHM_ENV);
	tc = xcb_connect(xvfb_display, NULL);
	cr_assert_eq(xcb_connection_has_error(tc), 0, "cannot connect to Xvfb %s", xvfb_display);
}

static inline void start_xvfb(void)
{
	start_xvfb_args(NULL);
}

static inline void stop_xvfb(void)
{
	if (tc)
		xcb_disconnect(tc);
	tc = NULL;
	if (xvfb > 0) {
		kill(xvfb, SIGTERM);
		waitpid(xvfb, NULL, 0);
		xvfb = -1;
	}
}

/* At the top of every test: skip loudly when the tools are missing. */
static inline void require_xvfb(void)
{
	if (xvfb_missing[0]) {
		fprintf(stderr, "SKIP: %s\n", xvfb_missing);
		cr_skip_test("SKIP: %s", xvfb_missing);
	}
}

/* Run xdotool with printf-style arguments on the test's server. */
static inline void xdo(const char *fmt, ...)
{
	char args[512], cmd[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "DISPLAY=%s xdotool %s", xvfb_display, args);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
}

/* The window's pixels (0x00RRGGBB, w x h) as the server has them. */
static inline uint32_t *window_pixels(xcb_window_t win, uint32_t w, uint32_t h)
{
	xcb_get_image_reply_t *r = xcb_get_image_reply(
	    tc, xcb_get_image(tc, XCB_IMAGE_FORMAT_Z_PIXMAP, win, 0, 0, w, h, ~0u), NULL);
	uint32_t *px;

	cr_assert_not_null(r, "GetImage failed");
	cr_assert_eq(xcb_get_image_data_length(r), (int)(w * h * 4));
	px = malloc((size_t)w * h * 4);
	memcpy(px, xcb_get_image_data(r), (size_t)w * h * 4);
	for (size_t i = 0; i < (size_t)w * h; i++)
		px[i] &= 0xffffff;
	free(r);
	return px;
}

/* The window's WM_NAME. */
static inline void window_title(xcb_window_t win, char *buf, size_t len)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    tc, xcb_get_property(tc, 0, win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 0, 256), NULL);
	int n;

	cr_assert_not_null(r);
	n = xcb_get_property_value_length(r);
	snprintf(buf, len, "%.*s", n, (const char *)xcb_get_property_value(r));
	free(r);
}

#endif
