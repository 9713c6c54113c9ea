/* evdev-read: what the L2 guest's input devices say, for the nested tests.
 *
 *   evdev-read list
 *       one line per /dev/input/event*: its name and the bitmap of event
 *       types it offers (EVIOCGBIT 0), e.g.
 *       L2: evdev event0 name='lkvm-gpu keyboard' ev=0x120003
 *   evdev-read keys SECONDS
 *       grabs every device (so the VT does not see the keys too), prints
 *       "L2: evdev ready", then each key event as "L2: key CODE VALUE"
 *       until Esc is released (KEY_ESC 1, value 0) or SECONDS pass.
 *       Exit 0 at Esc, 1 on timeout or error.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVS 16

static int open_all(int *fds, char names[][32])
{
	DIR *d = opendir("/dev/input");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < MAX_DEVS) {
		char path[300];

		if (strncmp(e->d_name, "event", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/input/%s", e->d_name);
		fds[n] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fds[n] < 0)
			continue;
		snprintf(names[n], 32, "%.20s", e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int list(void)
{
	int fds[MAX_DEVS];
	char names[MAX_DEVS][32];
	int n = open_all(fds, names);

	for (int i = 0; i < n; i++) {
		char name[256] = "";
		unsigned long ev = 0;

		if (ioctl(fds[i], EVIOCGNAME(sizeof(name) - 1), name) < 0 ||
		    ioctl(fds[i], EVIOCGBIT(0, sizeof(ev)), &ev) < 0) {
			printf("L2: evdev %s: ioctl failed\n", names[i]);
			continue;
		}
		printf("L2: evdev %s name='%s' ev=0x%lx\n", names[i], name, ev);
		close(fds[i]);
	}
	printf("L2: evdev devices=%d\n", n);
	return 0;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int keys(int seconds)
{
	int fds[MAX_DEVS];
	char names[MAX_DEVS][32];
	struct pollfd p[MAX_DEVS];
	int n = open_all(fds, names);
	long long deadline = now_ms() + seconds * 1000LL;

	for (int i = 0; i < n; i++) {
		ioctl(fds[i], EVIOCGRAB, 1);
		p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	}
	printf("L2: evdev ready\n");
	fflush(stdout);
	while (now_ms() < deadline) {
		if (poll(p, n, (int)(deadline - now_ms())) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			struct input_event ev;

			if (!(p[i].revents & POLLIN))
				continue;
			while (read(fds[i], &ev, sizeof(ev)) == sizeof(ev)) {
				if (ev.type != EV_KEY)
					continue;
				printf("L2: key %u %d\n", ev.code, ev.value);
				fflush(stdout);
				if (ev.code == KEY_ESC && ev.value == 0)
					return 0;
			}
		}
	}
	printf("L2: evdev timeout\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list"))
		return list();
	if (argc == 3 && !strcmp(argv[1], "keys"))
		return keys(atoi(argv[2]));
	fprintf(stderr, "usage: evdev-read list | keys SECONDS\n");
	return 2;
}
