/* `lkvm-gpu wait NAME --expect REGEX --timeout S` on the VM's side: the
 * control socket keeps the client's connection open and answers when a
 * console line matches ("ok LINE"), when the time is up ("timeout"), or
 * when the VM ends ("ended STATUS"). Lines already seen count too, as far
 * back as the console's kept tail (CI_TAIL_LINES lines). Served by the
 * main thread; at most CONTROL_MAX_WAITERS clients wait at once. */
#ifndef LKVM_VMM_CONTROL_WAIT_H
#define LKVM_VMM_CONTROL_WAIT_H

#include <regex.h>
#include <stdbool.h>

#define CONTROL_MAX_WAITERS 8

struct control_waiter {
	bool used; /* zeroed memory is a free slot */
	int fd;
	regex_t re;
	long long deadline_ms; /* CLOCK_MONOTONIC ms; 0: none */
};

struct control_waits {
	struct control_waiter w[CONTROL_MAX_WAITERS];
};

/* The console lines seen so far, oldest first (vmm/ci_match.h's tail). */
struct control_console {
	unsigned (*tail)(void *ctx, unsigned i, const char **line);
	void *ctx;
};

/* A "wait MS REGEX" request on fd (MS 0: no deadline). Takes fd: it is
 * answered now (a match in the tail, an error) or kept until later. */
void control_wait_add(struct control_waits *ws, int fd, const char *args,
		      const struct control_console *con, long long now_ms);
/* A console line completed: answer the waiters it matches. */
void control_wait_line(struct control_waits *ws, const char *line);
/* Answer the waiters whose time is up; returns ms until the next deadline,
 * -1 if none. */
int control_wait_expire(struct control_waits *ws, long long now_ms);
/* The VM ended: answer everyone still waiting. */
void control_wait_end(struct control_waits *ws, int status);

#endif
