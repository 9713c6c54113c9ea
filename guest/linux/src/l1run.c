// l1run: runs one VMM command inside the L1 guest of the nested runner.
//
//   l1run [-t SECONDS] [-f LINE] [-m TEXT] -- CMD [ARG...]
//
// CMD's stdout and stderr are copied to our stdout as they arrive (partial
// lines included, so a panic's last words are not lost). With -m, the first
// time a line containing TEXT completes, "L1: MARK +N ms" follows it: N is
// the time from starting CMD to reading that line, which is how the boot
// benchmark times the L2 init marker without the host's pipe delays.
// With -f, LINE is written to CMD's stdin once a second (a serial driver
// drops input that came before it opened the port); otherwise stdin is
// /dev/null. With -t, CMD is killed after SECONDS and we exit 124.
// Exit status: CMD's, or 128 + signal number.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: l1run [-t SECONDS] [-f LINE] [-m TEXT] -- CMD [ARG...]\n");
	exit(2);
}

// Tracks the current output line (up to a bound) to find the marker text.
struct marker {
	const char *text;
	char line[512];
	size_t len;
	long found_ms; // -1 until seen in the current line
	int done;
};

static void marker_feed(struct marker *m, const char *buf, size_t n, long t0)
{
	if (m->done) {
		write_all(1, buf, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (m->len < sizeof(m->line) - 1)
				m->line[m->len++] = buf[i];
			continue;
		}
		m->line[m->len] = '\0';
		if (!m->done && strstr(m->line, m->text)) {
			char note[64];
			int k = snprintf(note, sizeof(note), "L1: MARK +%ld ms\n", now_ms() - t0);
			write_all(1, buf, i + 1);
			write_all(1, note, (size_t)k);
			m->done = 1;
			marker_feed(m, buf + i + 1, n - i - 1, t0);
			return;
		}
		m->len = 0;
	}
	write_all(1, buf, n);
}

int main(int argc, char **argv)
{
	long timeout_s = 0;
	const char *feed = NULL;
	struct marker mark = {.text = NULL};
	int opt;

	while ((opt = getopt(argc, argv, "+t:f:m:")) != -1) {
		switch (opt) {
		case 't':
			timeout_s = strtol(optarg, NULL, 10);
			break;
		case 'f':
			feed = optarg;
			break;
		case 'm':
			mark.text = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	int out[2], in[2] = {-1, -1};
	if (pipe2(out, O_CLOEXEC) < 0 || (feed && pipe2(in, O_CLOEXEC) < 0)) {
		perror("l1run: pipe");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	long t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("l1run: fork");
		return 1;
	}
	if (pid == 0) {
		int fd0 = feed ? in[0] : open("/dev/null", O_RDONLY);
		dup2(fd0, 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "l1run: exec %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	if (feed)
		close(in[0]);

	char buf[4096];
	long next_feed = t0;
	int timed_out = 0;
	for (;;) {
		long t = now_ms();
		if (feed && in[1] >= 0 && t >= next_feed) {
			char line[512];
			int k = snprintf(line, sizeof(line), "%s\n", feed);
			if (write(in[1], line, (size_t)k) < 0) {
				close(in[1]);
				in[1] = -1;
			}
			next_feed = t + 1000;
		}
		if (timeout_s > 0 && t - t0 >= timeout_s * 1000) {
			kill(pid, SIGKILL);
			timed_out = 1;
			break;
		}
		struct pollfd p = {.fd = out[0], .events = POLLIN};
		int r = poll(&p, 1, 200);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = read(out[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (mark.text)
			marker_feed(&mark, buf, (size_t)n, t0);
		else
			write_all(1, buf, (size_t)n);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		char note[64];
		int k = snprintf(note, sizeof(note), "\nL1: TIMEOUT after %ld s\n", timeout_s);
		write_all(1, note, (size_t)k);
		return 124;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
