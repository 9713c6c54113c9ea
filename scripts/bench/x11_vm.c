/* What a VMM's X11 window does, seen from the X server, so that lkvm-gpu
 * and QEMU are measured by the same yardstick on the same server:
 *
 *   x11_vm presents SECS NAME W H
 *     The window whose title contains NAME: the area the server reports
 *     drawn into it (DAMAGE, raw rectangles) over SECS seconds, in
 *     W x H frames per second. A frame drawn in bands, or a VMM that
 *     redraws only what changed, counts as the area it covered, so a
 *     display that skips frames counts as fewer.
 *
 *   x11_vm latency N NAME -- CMD...
 *     Runs CMD (a VMM running the probe's input_events test) with its
 *     output on a pipe, waits for "input_ready=", then N times presses A
 *     through XTEST into the window titled NAME and times until the probe
 *     prints that press as an evdev event (kbd:1:30:1); releases it, waits
 *     for the release, and ends with Esc (the probe's end). Presses
 *     first until one arrives, uncounted (the window may come late). Prints p50,
 *     p99 and max in microseconds. The time includes the guest's serial
 *     line, the same for every VMM.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xcb/damage.h>
#include <xcb/xcb.h>
#include <xcb/xtest.h>

/* Evdev + 8 on an evdev server such as Xvfb's default keymap. */
#define XKEY_A	 38
#define XKEY_ESC 9

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *why)
{
	fprintf(stderr, "x11_vm: %s\n", why);
	exit(2);
}

static bool title_has(xcb_connection_t *c, xcb_window_t w, xcb_atom_t prop, const char *name)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
	    c, xcb_get_property(c, 0, w, prop, XCB_GET_PROPERTY_TYPE_ANY, 0, 256), NULL);
	bool has = false;

	if (r) {
		int len = xcb_get_property_value_length(r);
		char buf[1025];

		if (len > 0 && len < (int)sizeof(buf)) {
			memcpy(buf, xcb_get_property_value(r), (size_t)len);
			buf[len] = 0;
			has = strstr(buf, name) != NULL;
		}
		free(r);
	}
	return has;
}

static xcb_atom_t atom(xcb_connection_t *c, const char *name)
{
	xcb_intern_atom_reply_t *r =
	    xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, (uint16_t)strlen(name), name), NULL);
	xcb_atom_t a = r ? r->atom : XCB_NONE;

	free(r);
	return a;
}

/* A top-level window (no window manager here) or one of its children. */
static xcb_window_t find_in(xcb_connection_t *c, xcb_window_t parent, const char *name,
			    xcb_atom_t net_name, int depth)
{
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, parent), NULL);
	xcb_window_t found = XCB_NONE;

	if (!t)
		return XCB_NONE;
	xcb_window_t *kids = xcb_query_tree_children(t);
	for (int i = 0; i < xcb_query_tree_children_length(t) && !found; i++) {
		if (title_has(c, kids[i], XCB_ATOM_WM_NAME, name) ||
		    (net_name && title_has(c, kids[i], net_name, name)))
			found = kids[i];
		else if (depth > 0)
			found = find_in(c, kids[i], name, net_name, depth - 1);
	}
	free(t);
	return found;
}

static xcb_window_t wait_window(xcb_connection_t *c, xcb_window_t root, const char *name,
				double secs)
{
	xcb_atom_t net_name = atom(c, "_NET_WM_NAME");
	double end = now() + secs;

	for (;;) {
		xcb_window_t w = find_in(c, root, name, net_name, 1);

		if (w)
			return w;
		if (now() > end)
			die("no window with that title");
		usleep(100 * 1000);
	}
}

static int presents(xcb_connection_t *c, xcb_window_t root, int argc, char **argv)
{
	if (argc < 6)
		die("usage: x11_vm presents SECS NAME W H");
	double secs = atof(argv[2]), area = 0, t0, t;
	double frame = atof(argv[4]) * atof(argv[5]);
	xcb_window_t w = wait_window(c, root, argv[3], 120);
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(c, &xcb_damage_id);

	if (!ext || !ext->present)
		die("the server has no DAMAGE");
	free(xcb_damage_query_version_reply(c, xcb_damage_query_version(c, 1, 1), NULL));
	xcb_damage_damage_t dmg = xcb_generate_id(c);
	xcb_damage_create(c, dmg, w, XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES);
	xcb_flush(c);
	t0 = now();
	while ((t = now()) - t0 < secs) {
		xcb_generic_event_t *ev;
		struct pollfd p = {xcb_get_file_descriptor(c), POLLIN, 0};

		poll(&p, 1, 50);
		while ((ev = xcb_poll_for_event(c))) {
			if ((ev->response_type & 0x7f) == ext->first_event + XCB_DAMAGE_NOTIFY) {
				xcb_damage_notify_event_t *d = (xcb_damage_notify_event_t *)ev;

				area += (double)d->area.width * d->area.height;
			}
			free(ev);
		}
		if (xcb_connection_has_error(c))
			die("the X connection broke");
	}
	printf("presents %s %.1f fps (%.0f frames' area in %.2f s)\n", argv[3],
	       area / frame / (t - t0), area / frame, t - t0);
	return 0;
}

/* The child's output, a line at a time, with a deadline. */
struct lines {
	int fd;
	char buf[8192];
	size_t len;
};

/* Returns true when a line containing want arrived before the deadline
 * (want NULL: none is wanted, lines are read and dropped until then). */
static bool wait_line(struct lines *l, const char *want, double deadline, bool echo)
{
	for (;;) {
		char *nl;

		while ((nl = memchr(l->buf, '\n', l->len))) {
			*nl = 0;
			bool hit = want && strstr(l->buf, want) != NULL;

			if (echo)
				fprintf(stderr, "%s\n", l->buf);
			l->len -= (size_t)(nl + 1 - l->buf);
			memmove(l->buf, nl + 1, l->len);
			if (hit)
				return true;
		}
		if (l->len == sizeof(l->buf))
			l->len = 0; /* a line longer than the buffer: dropped */
		double left = deadline - now();
		if (left <= 0)
			return false;
		struct pollfd p = {l->fd, POLLIN, 0};
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		ssize_t n = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (n <= 0)
			return false;
		l->len += (size_t)n;
	}
}

/* Reads and drops the guest's lines for a while: late events from the
 * priming presses must not be taken for the first timed press's. */
static void drain_lines(struct lines *l, double seconds)
{
	wait_line(l, NULL, now() + seconds, false);
}

static void key(xcb_connection_t *c, uint8_t code, bool down)
{
	xcb_test_fake_input(c, down ? XCB_KEY_PRESS : XCB_KEY_RELEASE, code, XCB_CURRENT_TIME,
			    XCB_NONE, 0, 0, 0);
	xcb_flush(c);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int latency(xcb_connection_t *c, xcb_window_t root, int argc, char **argv)
{
	if (argc < 6 || strcmp(argv[4], "--"))
		die("usage: x11_vm latency N NAME -- CMD...");
	int n = atoi(argv[2]), fds[2], got = 0, status = 0;
	double *lat = calloc((size_t)(n > 0 ? n : 1), sizeof(*lat));
	struct lines l = {0};
	pid_t pid;

	if (n <= 0 || !lat || pipe(fds))
		die("bad N or no memory");
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[5], argv + 5);
		_exit(127);
	}
	close(fds[1]);
	l.fd = fds[0];
	if (!wait_line(&l, "input_ready=", now() + 180, true))
		die("the guest never said input_ready");
	xcb_window_t w = wait_window(c, root, argv[3], 60);
	/* Keys go to the focus; the pointer in the window too, for VMMs that
	 * follow the pointer rather than the focus. */
	xcb_map_window(c, w);
	xcb_warp_pointer(c, XCB_NONE, w, 0, 0, 0, 0, 10, 10);
	xcb_set_input_focus(c, XCB_INPUT_FOCUS_POINTER_ROOT, w, XCB_CURRENT_TIME);
	xcb_flush(c);
	usleep(500 * 1000);
	/* A window may be mapped (and focused by a compositor) only after the
	 * guest said input_ready, slowly under TCG: press until one press
	 * arrives (not counted), then let anything late go by. */
	bool primed = false;
	for (double until = now() + 120; !primed && now() < until;) {
		key(c, XKEY_A, true);
		primed = wait_line(&l, "input_event=kbd:1:30:1", now() + 2, false);
		key(c, XKEY_A, false);
	}
	if (!primed)
		fprintf(stderr, "x11_vm: no press reached the guest in 120 s\n");
	drain_lines(&l, 1);
	for (int i = 0; primed && i < n; i++) {
		double t0 = now();

		key(c, XKEY_A, true);
		if (!wait_line(&l, "input_event=kbd:1:30:1", t0 + 5, false))
			break;
		lat[got++] = (now() - t0) * 1e6;
		key(c, XKEY_A, false);
		if (!wait_line(&l, "input_event=kbd:1:30:0", now() + 5, false))
			break;
		/* Apart, so that each press meets an idle VMM and guest. */
		usleep(10 * 1000 + (unsigned)(rand() % 10000));
	}
	key(c, XKEY_ESC, true);
	key(c, XKEY_ESC, false);
	wait_line(&l, "input_events=", now() + 10, false);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (got < n) {
		fprintf(stderr, "x11_vm: %d of %d presses arrived\n", got, n);
		if (!got)
			return 1;
	}
	qsort(lat, (size_t)got, sizeof(*lat), cmp_double);
	printf("latency %s n=%d p50=%.0f us p99=%.0f us max=%.0f us\n", argv[3], got, lat[got / 2],
	       lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1], lat[got - 1]);
	free(lat);
	return got == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	xcb_connection_t *c = xcb_connect(NULL, NULL);

	if (argc < 2 || xcb_connection_has_error(c))
		die(argc < 2 ? "usage: x11_vm presents|latency ..." : "cannot open DISPLAY");
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "presents"))
		return presents(c, root, argc, argv);
	if (!strcmp(argv[1], "latency"))
		return latency(c, root, argc, argv);
	die("usage: x11_vm presents|latency ...");
	return 2;
}
