#include "lib/report.h"
#include "lib/fmt.h"
#include "lib/serial.h"
#include "lib/string.h"

#include <stdarg.h>

#define PREFIX "PROBE: "

static void emit(const char *head, const char *fmt, va_list ap)
{
	char line[REPORT_LINE_MAX];
	size_t n = fmt_snprintf(line, sizeof(line) - 1, "%s%s", PREFIX, head);

	n += fmt_vsnprintf(line + n, sizeof(line) - 1 - n, fmt, ap);
	line[n++] = '\n';
	serial_write(line, n);
}

void report_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void report_info(const char *key, const char *fmt, ...)
{
	char head[64];
	va_list ap;

	fmt_snprintf(head, sizeof(head), "info %s=", key);
	va_start(ap, fmt);
	emit(head, fmt, ap);
	va_end(ap);
}

void report_info_long(const char *key, const char *value)
{
	size_t len = strlen(value);
	const size_t chunk = REPORT_LINE_MAX - 96;
	size_t off = 0;

	do {
		size_t n = len - off < chunk ? len - off : chunk;
		report_line("info %s%s%.*s", key, off ? "+=" : "=", (int)n, value + off);
		off += n;
	} while (off < len);
}
