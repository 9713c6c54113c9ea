#include "vmm/ci_result.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"

static void write_patterns(struct json_writer *w, const char *key, const struct ci_pattern *p,
			   unsigned n)
{
	json_key(w, key);
	json_array_begin(w);
	for (unsigned i = 0; i < n; i++) {
		json_object_begin(w);
		json_key(w, "pattern");
		json_string(w, p[i].text);
		json_key(w, "matched");
		json_bool(w, p[i].matched);
		json_key(w, "time_s");
		if (p[i].matched)
			json_double(w, p[i].time_s, 3);
		else
			json_null(w);
		json_key(w, "line");
		json_string(w, p[i].matched ? p[i].line : NULL);
		json_object_end(w);
	}
	json_array_end(w);
}

static void write_rect(struct json_writer *w, const struct ci_screen_spec *s)
{
	json_key(w, "rect");
	if (!s->has_rect) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_key(w, "x");
	json_uint(w, s->rect.x);
	json_key(w, "y");
	json_uint(w, s->rect.y);
	json_key(w, "w");
	json_uint(w, s->rect.w);
	json_key(w, "h");
	json_uint(w, s->rect.h);
	json_object_end(w);
}

/* What the last comparison found (null members: no frame of the right
 * size was ever compared). */
static void write_last(struct json_writer *w, const struct ci_screen_expect *e)
{
	json_key(w, "mismatched_pixels");
	if (e->compared)
		json_uint(w, e->last.mismatched);
	else
		json_null(w);
	json_key(w, "max_delta");
	if (e->compared)
		json_uint(w, e->last.max_delta);
	else
		json_null(w);
	json_key(w, "frame_size");
	if (e->frame_w) {
		json_array_begin(w);
		json_uint(w, e->frame_w);
		json_uint(w, e->frame_h);
		json_array_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "frame");
	json_string(w, e->frame_path);
	json_key(w, "diff");
	json_string(w, e->diff_path);
}

static void write_screens(struct json_writer *w, const struct ci_screen *s)
{
	json_key(w, "expect_screen");
	json_array_begin(w);
	for (unsigned i = 0; s && i < s->n; i++) {
		const struct ci_screen_expect *e = &s->e[i];

		json_object_begin(w);
		json_key(w, "reference");
		json_string(w, e->spec.path);
		json_key(w, "output");
		json_uint(w, e->spec.output);
		json_key(w, "tolerance");
		json_uint(w, e->spec.tolerance);
		write_rect(w, &e->spec);
		json_key(w, "matched");
		json_bool(w, e->matched);
		json_key(w, "time_s");
		if (e->matched)
			json_double(w, e->time_s, 3);
		else
			json_null(w);
		json_key(w, "checks");
		json_uint(w, e->checks);
		write_last(w, e);
		json_object_end(w);
	}
	json_array_end(w);
}

static void write_console(struct json_writer *w, const struct ci_report *r)
{
	const struct ci_match *m = r->match;
	const char *line;
	unsigned n = m ? ci_match_tail(m, 0, &line) : 0;

	json_key(w, "console");
	json_object_begin(w);
	json_key(w, "lines");
	json_uint(w, m ? m->lines : 0);
	json_key(w, "line_max");
	json_uint(w, CI_LINE_MAX);
	json_key(w, "long_lines");
	json_uint(w, m ? m->long_lines : 0);
	json_key(w, "dropped_bytes");
	json_uint(w, r->dropped_bytes);
	json_key(w, "tail");
	json_array_begin(w);
	for (unsigned i = 0; i < n; i++) {
		ci_match_tail(m, i, &line);
		json_string(w, line);
	}
	json_array_end(w);
	json_object_end(w);
}

const char *const ci_reg_names[CI_NR_REGS] = {
    "rip", "rsp", "rflags", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",   "r9",
    "r10", "r11", "r12",    "r13", "r14", "r15", "cr0", "cr2", "cr3", "cr4", "efer",
};

/* As hex strings: JSON numbers lose 64-bit precision in most readers. */
static void write_registers(struct json_writer *w, const struct ci_report *r)
{
	char hex[24];

	json_key(w, "registers");
	json_array_begin(w);
	for (unsigned i = 0; i < r->nr_regs; i++) {
		json_object_begin(w);
		json_key(w, "cpu");
		json_uint(w, r->regs[i].cpu);
		for (unsigned k = 0; k < CI_NR_REGS; k++) {
			snprintf(hex, sizeof(hex), "0x%016llx", r->regs[i].v[k]);
			json_key(w, ci_reg_names[k]);
			json_string(w, hex);
		}
		json_object_end(w);
	}
	json_array_end(w);
}

static void write_vmm(struct json_writer *w, const struct ci_report *r)
{
	json_key(w, "vmm");
	json_object_begin(w);
	json_key(w, "name");
	json_string(w, "lkvm-gpu");
	json_key(w, "version");
	json_string(w, r->version);
	json_key(w, "vm_name");
	json_string(w, r->vm_name);
	json_key(w, "argv");
	json_array_begin(w);
	for (int i = 0; i < r->argc; i++)
		json_string(w, r->argv[i]);
	json_array_end(w);
	json_object_end(w);
}

void ci_result_write(FILE *f, const struct ci_report *r)
{
	struct json_writer w;

	json_init(&w, f);
	json_object_begin(&w);
	json_key(&w, "schema");
	json_int(&w, CI_RESULT_SCHEMA);
	json_key(&w, "status");
	json_int(&w, r->status);
	json_key(&w, "reason");
	json_string(&w, r->reason);
	json_key(&w, "detail");
	json_string(&w, r->detail);
	json_key(&w, "signal");
	if (r->signal)
		json_int(&w, r->signal);
	else
		json_null(&w);
	json_key(&w, "started_at");
	json_string(&w, r->started_at);
	json_key(&w, "duration_s");
	json_double(&w, r->duration_s, 3);
	write_patterns(&w, "expect", r->match ? r->match->expects : NULL,
		       r->match ? r->match->nr_expects : 0);
	write_patterns(&w, "fail_on", r->match ? r->match->fail_ons : NULL,
		       r->match ? r->match->nr_fail_ons : 0);
	write_screens(&w, r->screen);
	write_console(&w, r);
	json_key(&w, "screenshots");
	json_array_begin(&w);
	for (unsigned i = 0; i < r->nr_screenshots; i++)
		json_string(&w, r->screenshots[i]);
	json_array_end(&w);
	write_registers(&w, r);
	write_vmm(&w, r);
	json_object_end(&w);
	fputc('\n', f);
}

/* The temporary file beside path: a rename within one directory is atomic. */
static int temp_path(char *buf, size_t len, const char *path)
{
	int n = snprintf(buf, len, "%s.tmp-%d", path, (int)getpid());

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int ci_result_check_path(const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int fd;

	if (temp_path(tmp, sizeof(tmp), path)) {
		snprintf(err, errlen, "--result %s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "--result %s: cannot create a file there: %s", path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

int ci_result_write_file(const char *path, const struct ci_report *r, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	FILE *f;
	int bad;

	if (temp_path(tmp, sizeof(tmp), path)) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	f = fopen(tmp, "we");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	ci_result_write(f, r);
	bad = fflush(f) || ferror(f) || fsync(fileno(f));
	bad = fclose(f) || bad;
	if (bad || rename(tmp, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
