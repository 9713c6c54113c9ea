/* The probe's output protocol, one line each on COM1:
 *   PROBE: ready
 *   PROBE: info <key>=<value>
 *   PROBE: PASS <test> | FAIL <test>: <why> | SKIP <test>: <why>
 *   PROBE: done passed=N failed=M skipped=K
 * Lines are formatted in full first and written in one go. */
#ifndef PROBE_LIB_REPORT_H
#define PROBE_LIB_REPORT_H

#define REPORT_LINE_MAX 512

void report_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_info(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Long values (the command line, the e820 map) split into several lines
 * "PROBE: info key=..." with no limit on the total; only the first line
 * carries `key=`, the others `key+=` so the host can join them. */
void report_info_long(const char *key, const char *value);

#endif
