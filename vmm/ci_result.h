/* The --result file: one JSON object that tells a CI system how a run
 * ended, written once at the end and atomically (a temporary file in the
 * same directory, fsync'ed, then renamed), so a reader sees the whole
 * object or nothing. Its schema is docs/result.schema.json. */
#ifndef LKVM_VMM_CI_RESULT_H
#define LKVM_VMM_CI_RESULT_H

#include <stddef.h>
#include <stdio.h>

#include "vmm/ci_match.h"
#include "vmm/ci_screen.h"

#define CI_RESULT_SCHEMA   1
#define CI_MAX_SCREENSHOTS 34 /* every output, at exit and at the timeout */
#define CI_MAX_CPUS	   64 /* registers kept at a timeout */

/* The registers a --result keeps of a vCPU at a timeout, in this order. */
enum ci_reg {
	CI_RIP,
	CI_RSP,
	CI_RFLAGS,
	CI_RAX,
	CI_RBX,
	CI_RCX,
	CI_RDX,
	CI_RSI,
	CI_RDI,
	CI_RBP,
	CI_R8,
	CI_R9,
	CI_R10,
	CI_R11,
	CI_R12,
	CI_R13,
	CI_R14,
	CI_R15,
	CI_CR0,
	CI_CR2,
	CI_CR3,
	CI_CR4,
	CI_EFER,
	CI_NR_REGS
};
extern const char *const ci_reg_names[CI_NR_REGS];

struct ci_cpu_regs {
	unsigned cpu;
	unsigned long long v[CI_NR_REGS];
};

struct ci_report {
	int status;
	const char *reason; /* see docs/result.schema.json */
	char detail[512];   /* one sentence for people */
	int signal;	    /* with reason "signal" */
	char started_at[40];
	double duration_s;
	const struct ci_match *match;	/* NULL: no console was watched */
	const struct ci_screen *screen; /* NULL: no --expect-screen */
	unsigned long long dropped_bytes;
	char *screenshots[CI_MAX_SCREENSHOTS];
	unsigned nr_screenshots;
	struct ci_cpu_regs regs[CI_MAX_CPUS]; /* at a timeout: where each vCPU was */
	unsigned nr_regs;
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
