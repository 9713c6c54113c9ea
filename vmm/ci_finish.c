/* The end of a CI run: the final status and its reason, the timeout's
 * screenshots and registers, the --result file. */
#include <limits.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "vmm/ci.h"
#include "vmm/ci_result.h"
#include "vmm/exit_status.h"
#include "vmm/version.h"

static const char *const reason_names[] = {
    [VM_STOP_HOST] = "host-stop",
    [VM_STOP_REBOOT] = "reboot",
    [VM_STOP_POWEROFF] = "poweroff",
    [VM_STOP_TEST_EXIT] = "test-exit",
    [VM_STOP_CRASH] = "crash",
    [VM_STOP_SIGNAL] = "signal",
    [VM_STOP_SETUP_ERROR] = "setup-error",
    [VM_STOP_RUNNER] = "timeout",
};

static const char *why_text(enum vm_stop_reason why)
{
	switch (why) {
	case VM_STOP_HOST:
		return "stopped by the host (lkvm-gpu stop, Ctrl-A x or the window closed)";
	case VM_STOP_REBOOT:
		return "the guest rebooted";
	case VM_STOP_POWEROFF:
		return "the guest powered off";
	case VM_STOP_TEST_EXIT:
		return "the guest ended through the test-exit port";
	case VM_STOP_CRASH:
		return "the guest crashed (the reason is on stderr)";
	case VM_STOP_SIGNAL:
		return "stopped by a signal";
	case VM_STOP_SETUP_ERROR:
		return "the VM could not start";
	case VM_STOP_RUNNER:
		break;
	}
	return "--timeout ran out";
}

/* What the run waited for, in words: "--expect", "--expect-screen" or both. */
static const char *wanted(const struct ci *ci)
{
	if (!ci->screen.n)
		return "--expect";
	return ci->match.nr_expects ? "--expect and --expect-screen" : "--expect-screen";
}

/* The verdict: what the console showed first, then how the VM ended. */
static void decide(struct ci *ci, struct ci_report *r, int status, enum vm_stop_reason why)
{
	const struct ci_match *m = &ci->match;
	unsigned seen = m->next_expect + ci->screen.next, want = m->nr_expects + ci->screen.n;

	r->status = status;
	r->reason = reason_names[why];
	if (m->verdict == CI_FAIL_SEEN) {
		r->status = EXIT_STATUS_FAIL_ON;
		r->reason = "fail-on";
		snprintf(r->detail, sizeof(r->detail), "--fail-on '%s' matched at %.3f s",
			 m->fail_ons[m->fail_index].text, m->fail_ons[m->fail_index].time_s);
		return;
	}
	if (ci_expects_met(ci)) {
		double last = m->nr_expects ? m->expects[m->nr_expects - 1].time_s : 0;

		if (ci->screen.n && ci->screen.e[ci->screen.n - 1].time_s > last)
			last = ci->screen.e[ci->screen.n - 1].time_s;
		r->status = EXIT_STATUS_OK;
		r->reason = "expect";
		snprintf(r->detail, sizeof(r->detail), "every %s seen (%u), the last at %.3f s",
			 wanted(ci), want, last);
		return;
	}
	if (why == VM_STOP_SIGNAL && status > EXIT_STATUS_SIGNAL_BASE)
		r->signal = status - EXIT_STATUS_SIGNAL_BASE;
	if (why == VM_STOP_RUNNER)
		r->status = EXIT_STATUS_TIMEOUT; /* the only stop of ours without a verdict */
	if (want && r->status == EXIT_STATUS_OK)
		r->status = EXIT_STATUS_EXPECT_UNMET;
	snprintf(r->detail, sizeof(r->detail), "%s%s, %u of %u %s seen", why_text(why),
		 r->status == EXIT_STATUS_EXPECT_UNMET ? " before all was seen" : "", seen, want,
		 wanted(ci));
}

/* Output i of a screenshot named path, as display_screenshot_all() names
 * it: FILE for output 0, FILE-i.EXT for the others. */
static void output_path(char *buf, size_t len, const char *path, unsigned i)
{
	const char *dot = strrchr(path, '.');
	size_t stem = dot ? (size_t)(dot - path) : strlen(path);

	if (i == 0)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%.*s-%u%s", (int)stem, path, i, dot ? dot : "");
}

/* The files of a screenshot written during this run (outputs the guest
 * never used have none; an older file of that name is not ours). */
static void list_screenshots(struct ci *ci, struct ci_report *r, const char *path)
{
	char name[PATH_MAX];
	struct stat st;

	for (unsigned i = 0; i < ci->o->gpu_outputs && r->nr_screenshots < CI_MAX_SCREENSHOTS;
	     i++) {
		output_path(name, sizeof(name), path, i);
		if (stat(name, &st) || st.st_mtim.tv_sec < ci->wall0.tv_sec)
			continue;
		r->screenshots[r->nr_screenshots] = strdup(name);
		if (r->screenshots[r->nr_screenshots])
			r->nr_screenshots++;
	}
}

static void keep_registers(struct vcpu *v, struct ci_cpu_regs *out, unsigned *n)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	if (vcpu_get_regs(v, &r, &s))
		return;
	*out = (struct ci_cpu_regs){
	    .cpu = v->id,
	    .v = {r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi,
		  r.rdi, r.rbp, r.r8,	  r.r9,	 r.r10, r.r11, r.r12, r.r13,
		  r.r14, r.r15, s.cr0,	  s.cr2, s.cr3, s.cr4, s.efer},
	};
	(*n)++;
}

/* The result's name without its extension: where evidence files go. */
static void result_stem(char *buf, size_t len, const char *result)
{
	const char *dot = strrchr(result, '.');

	snprintf(buf, len, "%.*s",
		 (int)(dot && !strchr(dot, '/') ? (size_t)(dot - result) : strlen(result)), result);
}

/* At a timeout: where the guest was. The screenshot of each output goes to
 * --screenshot if given (run.c writes it at exit), else beside --result. */
static void timeout_evidence(struct ci *ci, struct machine *m, struct ci_report *r)
{
	const char *result = ci->o->result;
	char path[PATH_MAX], err[512];
	const char *dot;

	for (unsigned i = 0; i < m->nr_vcpus; i++) {
		vcpu_dump_regs(&m->vcpus[i]);
		if (r->nr_regs < CI_MAX_CPUS)
			keep_registers(&m->vcpus[i], &r->regs[r->nr_regs], &r->nr_regs);
	}
	if (!m->gpu || ci->o->screenshot)
		return;
	if (!result) {
		log_info("--timeout: no screenshot (give --screenshot or --result for one)");
		return;
	}
	dot = strrchr(result, '.');
	snprintf(path, sizeof(path), "%.*s-timeout.png",
		 (int)(dot && !strchr(dot, '/') ? (size_t)(dot - result) : strlen(result)), result);
	if (machine_screenshot(m, path, err, sizeof(err)))
		log_error("--timeout screenshot %s: %s", path, err);
	else
		list_screenshots(ci, r, path);
}

static void fill_identity(struct ci *ci, struct ci_report *r, char *name, size_t len)
{
	struct tm tm;
	char when[32];

	gmtime_r(&ci->wall0.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(r->started_at, sizeof(r->started_at), "%.20s.%03dZ", when,
		 (int)(ci->wall0.tv_nsec / 1000000) % 1000);
	snprintf(name, len, "guest-%d", (int)getpid()); /* machine_build's default */
	r->vm_name = ci->o->name ? ci->o->name : name;
	r->version = LKVM_GPU_VERSION;
	r->argc = ci->o->argc;
	r->argv = ci->o->argv;
}

static void write_result(struct ci *ci, struct ci_report *r)
{
	char err[PATH_MAX + 128];

	if (ci_result_write_file(ci->o->result, r, err, sizeof(err)))
		log_error("--result: %s", err);
}

int ci_finish(struct ci *ci, struct machine *m, int status, enum vm_stop_reason why)
{
	struct ci_report *r = calloc(1, sizeof(*r));
	char name[32];
	int final;

	ci_drain_last(ci); /* for `lkvm-gpu wait` clients too */
	if (m)
		ci_screen_finish(&ci->screen);
	if (!ci->judging || !r) {
		free(r);
		return status;
	}
	decide(ci, r, status, why);
	if (why != VM_STOP_SETUP_ERROR) /* that error said it all already */
		log_info("%s: exit status %d", r->detail, r->status);
	if (m && !strcmp(r->reason, "timeout"))
		timeout_evidence(ci, m, r);
	if (m && m->gpu && ci->o->screenshot)
		list_screenshots(ci, r, ci->o->screenshot);
	if (m && r->status != EXIT_STATUS_OK) {
		char stem[PATH_MAX];

		if (ci->o->result)
			result_stem(stem, sizeof(stem), ci->o->result);
		ci_screen_evidence(&ci->screen, ci->o->result ? stem : NULL);
	}
	r->screen = &ci->screen;
	fill_identity(ci, r, name, sizeof(name));
	r->match = &ci->match;
	r->dropped_bytes = console_tap_dropped(&ci->tap);
	r->duration_s = ci_elapsed_s(ci);
	if (ci->o->result)
		write_result(ci, r);
	final = r->status;
	for (unsigned i = 0; i < r->nr_screenshots; i++)
		free(r->screenshots[i]);
	free(r);
	return final;
}
