/* The --result file: one JSON object that tells a CI system how a run
 * ended, written once at the end and atomically (a temporary file in the
 * same directory, fsync'ed, then renamed), so a reader sees the whole
 * object or nothing. Its schema is docs/result.schema.json. */
#ifndef LKVM_VMM_CI_RESULT_H
#define LKVM_VMM_CI_RESULT_H

#include <stddef.h>
#include <stdio.h>

#include "vmm/ci_match.h"

#define CI_RESULT_SCHEMA   1
#define CI_MAX_SCREENSHOTS 34 /* every output, at exit and at the timeout */

struct ci_report {
	int status;
	const char *reason; /* see docs/result.schema.json */
	char detail[512];   /* one sentence for people */
	int signal;	    /* with reason "signal" */
	char started_at[40];
	double duration_s;
	const struct ci_match *match; /* NULL: no console was watched */
	unsigned long long dropped_bytes;
	char *screenshots[CI_MAX_SCREENSHOTS];
	unsigned nr_screenshots;
	const char *version, *vm_name;
	int argc;
	char *const *argv;
};

/* Can the result be written there? Checked before the VM starts. */
int ci_result_check_path(const char *path, char *err, size_t errlen);
/* 0, or -1 with one line in err. */
int ci_result_write_file(const char *path, const struct ci_report *r, char *err, size_t errlen);
/* The object itself, followed by a newline. */
void ci_result_write(FILE *f, const struct ci_report *r);

#endif
