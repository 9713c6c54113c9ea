/* A private weston for tests: headless backend, pixman renderer, started
 * in its own XDG_RUNTIME_DIR and killed with the test; weston's
 * screenshooter (enabled by --debug) gives its output as pixels.
 *
 * For input, the headless backend has no seat: start_weston_x11() runs
 * weston's x11 backend in a private Xvfb instead, and xdotool injects X
 * input into weston's window, which weston's seat turns into Wayland
 * input for its clients. */
#ifndef TESTS_DISPLAY_WESTON_H
#define TESTS_DISPLAY_WESTON_H

#include <criterion/criterion.h>
#include <wayland-client.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "display/png.h"

#define OUT_W 640
#define OUT_H 480

static char dir[64];
static pid_t weston = -1;
static pid_t xvfb = -1;
static char x_display[24]; /* ":N" while start_weston_x11's Xvfb runs */

/* The weston backend start_weston_shell uses ("headless" unless
 * start_weston_x11 picked "x11"). */
static const char *weston_backend = "--backend=headless-backend.so";

/* The output's scale (HiDPI tests set 2 before starting weston): its size
 * stays OUT_W x OUT_H pixels, OUT_W / scale x OUT_H / scale in surface
 * units. */
static int weston_scale = 1;

static inline void start_weston_shell(const char *shell)
{
	char sock[128];

	strcpy(dir, "/tmp/lkvm-wl-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	chmod(dir, 0700);
	/* No startup fade or window animations: while weston's curtain fades
	 * out, every pixel on its output is dimmed by a few levels. */
	snprintf(sock, sizeof(sock), "%s/weston.ini", dir);
	FILE *ini = fopen(sock, "w");
	cr_assert_not_null(ini);
	fputs("[shell]\nstartup-animation=none\nanimation=none\nclose-animation=none\n", ini);
	fclose(ini);
	weston = fork();
	cr_assert_geq(weston, 0);
	if (weston == 0) {
		char w[32], h[32], logp[128], cfg[128], scale[32];

		snprintf(w, sizeof(w), "--width=%d", OUT_W / weston_scale);
		snprintf(h, sizeof(h), "--height=%d", OUT_H / weston_scale);
		snprintf(scale, sizeof(scale), "--scale=%d", weston_scale);
		snprintf(logp, sizeof(logp), "--log=%s/weston.log", dir);
		snprintf(cfg, sizeof(cfg), "--config=%s/weston.ini", dir);
		/* Never outlive the test, even when it times out. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setenv("XDG_RUNTIME_DIR", dir, 1);
		unsetenv("WAYLAND_DISPLAY");
		if (x_display[0])
			setenv("DISPLAY", x_display, 1);
		else
			unsetenv("DISPLAY");
		execlp("weston", "weston", cfg, weston_backend, "--use-pixman", shell,
		       "--socket=lkvm-test", "--idle-time=0", "--debug", w, h, logp,
		       weston_scale > 1 ? scale : (char *)NULL, (char *)NULL);
		_exit(127);
	}
	snprintf(sock, sizeof(sock), "%s/lkvm-test", dir);
	for (int i = 0; i < 500 && access(sock, F_OK); i++)
		usleep(10000);
	cr_assert_eq(access(sock, F_OK), 0, "weston did not start (see %s/weston.log)", dir);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	setenv("WAYLAND_DISPLAY", "lkvm-test", 1);
	/* The socket file exists from bind(), a moment before weston listens
	 * on it: a loaded machine (ASan, a CI run) saw a test connect in that
	 * moment and fail. Wait until a client gets in. */
	for (int i = 0; i < 500; i++) {
		struct wl_display *probe = wl_display_connect(NULL);

		if (probe) {
			wl_display_disconnect(probe);
			return;
		}
		usleep(10000);
	}
	cr_assert_fail("weston does not accept clients (see %s/weston.log)", dir);
}

static inline void stop_weston(void)
{
	char cmd[128];

	if (weston > 0) {
		kill(weston, SIGTERM);
		waitpid(weston, NULL, 0);
		weston = -1;
	}
	if (xvfb > 0) {
		kill(xvfb, SIGTERM);
		waitpid(xvfb, NULL, 0);
		xvfb = -1;
		x_display[0] = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Whether a program is on PATH. */
static inline bool have_program(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* The tools start_weston_x11 needs: NULL, or the first one missing. */
static inline const char *weston_x11_missing(void)
{
	static const char *const tools[] = {"Xvfb", "weston", "xdotool", "weston-screenshooter"};

	for (unsigned i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!have_program(tools[i]))
			return tools[i];
	return NULL;
}

/* Xvfb on a display number of its own choosing (-displayfd), then weston's
 * x11 backend on it (shell as for start_weston_shell). DISPLAY is set for
 * the test's xdotool. */
static inline void start_weston_x11(const char *shell)
{
	int p[2];
	char num[16] = "";
	ssize_t n;

	cr_assert_eq(pipe(p), 0);
	xvfb = fork();
	cr_assert_geq(xvfb, 0);
	if (xvfb == 0) {
		char fd[16];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		snprintf(fd, sizeof(fd), "%d", p[1]);
		execlp("Xvfb", "Xvfb", "-displayfd", fd, "-screen", "0", "1024x768x24", "-nolisten",
		       "tcp", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* Xvfb writes the number and the newline apart, and dies if the
	 * pipe is gone in between: read up to the newline. */
	for (size_t got = 0; got < sizeof(num) - 1 && !strchr(num, '\n'); got += (size_t)n) {
		n = read(p[0], num + got, sizeof(num) - 1 - got);
		cr_assert_gt(n, 0, "Xvfb did not start");
	}
	close(p[0]);
	num[strcspn(num, "\n")] = 0;
	snprintf(x_display, sizeof(x_display), ":%s", num);
	setenv("DISPLAY", x_display, 1);
	weston_backend = "--backend=x11-backend.so";
	start_weston_shell(shell);
}

/* Run an xdotool command line (arguments after "xdotool") on the test's
 * Xvfb. */
static inline void xdo(const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "xdotool %s", args);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
}

/* Weston's own X window (its output), for xdotool --window. */
static inline unsigned long weston_x_window(void)
{
	unsigned long id = 0;

	for (int i = 0; i < 100 && !id; i++) {
		FILE *f = popen("xdotool search --class weston 2>/dev/null", "r");

		cr_assert_not_null(f);
		if (fscanf(f, "%lu", &id) != 1)
			id = 0;
		pclose(f);
		if (!id)
			usleep(20000);
	}
	cr_assert_neq(id, 0, "weston's X window not found");
	return id;
}

/* Weston's view of its output, 0x00RRGGBB words. */
static inline uint32_t *compositor_shot(void)
{
	char latest[300] = "";
	uint32_t *px, w, h;
	pid_t pid = fork();
	int status;
	DIR *dd;
	struct dirent *e;

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (chdir(dir))
			_exit(126);
		execlp("weston-screenshooter", "weston-screenshooter", (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "screenshooter failed");
	dd = opendir(dir);
	while ((e = readdir(dd)))
		if (!strncmp(e->d_name, "wayland-screenshot", 18) && strcmp(e->d_name, latest) > 0)
			snprintf(latest, sizeof(latest), "%s", e->d_name);
	closedir(dd);
	cr_assert_neq(latest[0], 0, "no screenshot written");
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", dir, latest);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	if (getenv("LKVM_KEEP_SHOT"))
		rename(path, "/tmp/lkvm-last-shot.png");
	else
		unlink(path);
	cr_assert_eq(w, OUT_W);
	cr_assert_eq(h, OUT_H);
	return px;
}

/* Where a w x h frame's top-left pixel sits in shot: the first place
 * where its first row matches. */
static inline bool weston_find_frame(const uint32_t *shot, const uint32_t *frame, int fw, int fh,
				     int *ox, int *oy)
{
	for (int y = 0; y + fh <= OUT_H; y++)
		for (int x = 0; x + fw <= OUT_W; x++) {
			int i = 0;

			while (i < fw && shot[y * OUT_W + x + i] == (frame[i] & 0xffffff))
				i++;
			if (i == fw) {
				*ox = x;
				*oy = y;
				return true;
			}
		}
	return false;
}

/* The whole frame is on screen exactly. */
static inline bool weston_shows(const uint32_t *shot, const uint32_t *frame, int fw, int fh)
{
	int ox, oy;

	if (!weston_find_frame(shot, frame, fw, fh, &ox, &oy))
		return false;
	for (int y = 0; y < fh; y++)
		for (int x = 0; x < fw; x++)
			if (shot[(oy + y) * OUT_W + ox + x] != (frame[y * fw + x] & 0xffffff))
				return false;
	return true;
}

#endif
