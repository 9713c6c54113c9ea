/* --serial-log FILE: the guest's whole console as it comes, each line
 * prefixed with the host's UTC time when its first bytes arrived and the
 * console it came from:
 *
 *   2026-12-02T10:05:38.123456Z ttyS0| Linux version 6.1.0 ...
 *
 * Bytes are written unchanged (the guest's own bytes, even invalid ones)
 * and flushed after every read, so the file is current while the VM runs.
 * A line that the other console interrupts continues on a new line with a
 * new prefix. Notes from lkvm-gpu itself use the source name "lkvm-gpu". */
#ifndef LKVM_VMM_SERIAL_LOG_H
#define LKVM_VMM_SERIAL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "vmm/ci_match.h"

struct serial_log {
	FILE *f;
	bool mid_line[CI_NR_SOURCES];
	int last_src; /* -1: none yet */
	bool failed;  /* a write failed: said once, then the log stops */
};

/* 0, or -1 with one line in err. */
int serial_log_open(struct serial_log *l, const char *path, char *err, size_t errlen);
void serial_log_write(struct serial_log *l, enum ci_source src, const void *buf, size_t len,
		      const struct timespec *wall);
/* A line of our own (dropped bytes). */
void serial_log_note(struct serial_log *l, const char *text, const struct timespec *wall);
void serial_log_close(struct serial_log *l);

#endif
