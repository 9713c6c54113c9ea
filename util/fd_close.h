/* Closing the file descriptors a parent leaked into us (README "Sandbox"):
 * `lkvm-gpu run` starts with stdin, stdout and stderr, the fds its
 * command line names and WAYLAND_SOCKET's; every other inherited fd (a
 * socket, a file, a make jobserver pipe) is closed before anything is
 * opened, so none of them is ever in reach of a compromised VMM. */
#ifndef LKVM_FD_CLOSE_H
#define LKVM_FD_CLOSE_H

#include <stddef.h>

#define FD_KEEP_MAX 32

/* The fds above 2 asked for: each argument's /dev/fd/N, /proc/self/fd/N
 * or /proc/PID/fd/N with our PID (bash's process substitution gives
 * `--serial-log >(tee log)` as /dev/fd/63), and WAYLAND_SOCKET (a
 * compositor that starts us hands us our connection there). Up to max
 * into keep; returns how many. */
size_t fd_keep_asked(char *const *argv, int argc, const char *wayland_socket, int *keep,
		     size_t max);

/* Close every fd from 3 up but keep[0..n): close_range() between them,
 * or /proc/self/fd where the kernel lacks it. 0, or -errno. */
int fd_close_stray(const int *keep, size_t n);

/* The /proc/self/fd walk alone (tests: the fallback). */
int fd_close_stray_proc(const int *keep, size_t n);

#endif
