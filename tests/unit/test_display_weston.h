/* A private weston for tests: headless backend, pixman renderer, started
 * in its own XDG_RUNTIME_DIR and killed with the test; weston's
 * screenshooter (enabled by --debug) gives its output as pixels. */
#ifndef TESTS_DISPLAY_WESTON_H
#define TESTS_DISPLAY_WESTON_H

#include <criterion/criterion.h>
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
		char w[32], h[32], logp[128], cfg[128];

		snprintf(w, sizeof(w), "--width=%d", OUT_W);
		snprintf(h, sizeof(h), "--height=%d", OUT_H);
		snprintf(logp, sizeof(logp), "--log=%s/weston.log", dir);
		snprintf(cfg, sizeof(cfg), "--config=%s/weston.ini", dir);
		/* Never outlive the test, even when it times out. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setenv("XDG_RUNTIME_DIR", dir, 1);
		unsetenv("WAYLAND_DISPLAY");
		unsetenv("DISPLAY");
		execlp("weston", "weston", cfg, "--backend=headless-backend.so", "--use-pixman",
		       shell, "--socket=lkvm-test", "--idle-time=0", "--debug", w, h, logp,
		       (char *)NULL);
		_exit(127);
	}
	snprintf(sock, sizeof(sock), "%s/lkvm-test", dir);
	for (int i = 0; i < 500 && access(sock, F_OK); i++)
		usleep(10000);
	cr_assert_eq(access(sock, F_OK), 0, "weston did not start (see %s/weston.log)", dir);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	setenv("WAYLAND_DISPLAY", "lkvm-test", 1);
}

static inline void stop_weston(void)
{
	char cmd[128];

	if (weston > 0) {
		kill(weston, SIGTERM);
		waitpid(weston, NULL, 0);
		weston = -1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
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
