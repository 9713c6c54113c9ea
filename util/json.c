#include "util/json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

void json_init(struct json_writer *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* Before any value or key: the comma that separates it from the previous
 * item, unless it is the value of a key just written. */
static void separate(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->has_items[w->depth])
		fputc(',', w->f);
	w->has_items[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	separate(w);
	fputc(c, w->f);
	/* Deeper than the bound still writes valid JSON, but commas of the
	 * levels past it are tracked on the last level: callers stay shallow. */
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void json_object_begin(struct json_writer *w)
{
	open_container(w, '{');
}

void json_object_end(struct json_writer *w)
{
	close_container(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	open_container(w, '[');
}

void json_array_end(struct json_writer *w)
{
	close_container(w, ']');
}

void json_key(struct json_writer *w, const char *key)
{
	separate(w);
	json_write_escaped(w->f, key, strlen(key));
	fputc(':', w->f);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	json_string_bytes(w, s, strlen(s));
}

void json_string_bytes(struct json_writer *w, const void *buf, size_t len)
{
	separate(w);
	json_write_escaped(w->f, buf, len);
}

void json_int(struct json_writer *w, long long v)
{
	separate(w);
	fprintf(w->f, "%lld", v);
}

void json_uint(struct json_writer *w, unsigned long long v)
{
	separate(w);
	fprintf(w->f, "%llu", v);
}

void json_double(struct json_writer *w, double v, int decimals)
{
	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	separate(w);
	fprintf(w->f, "%.*f", decimals, v);
}

void json_bool(struct json_writer *w, bool v)
{
	separate(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(struct json_writer *w)
{
	separate(w);
	fputs("null", w->f);
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if the
 * bytes there are not one: overlong forms, surrogates, code points past
 * U+10FFFF and truncated sequences are all invalid (RFC 3629). */
static size_t utf8_valid_len(const uint8_t *p, size_t n)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range is narrower after these leads. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

static void write_escape(FILE *f, uint8_t c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		return;
	case '\\':
		fputs("\\\\", f);
		return;
	case '\b':
		fputs("\\b", f);
		return;
	case '\f':
		fputs("\\f", f);
		return;
	case '\n':
		fputs("\\n", f);
		return;
	case '\r':
		fputs("\\r", f);
		return;
	case '\t':
		fputs("\\t", f);
		return;
	}
	fprintf(f, "\\u%04x", c);
}

void json_write_escaped(FILE *f, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		size_t n = utf8_valid_len(p + i, len - i);

		if (n == 0) {
			fputs("\\ufffd", f); /* one replacement per bad byte */
			i++;
		} else if (n == 1 && (p[i] < 0x20 || p[i] == '"' || p[i] == '\\' || p[i] == 0x7f)) {
			write_escape(f, p[i++]);
		} else if (n == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
			   (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			/* U+2028/U+2029 are valid JSON but end lines in JavaScript. */
			fprintf(f, "\\u%04x", 0x2000 | (p[i + 2] - 0x80));
			i += 3;
		} else {
			fwrite(p + i, 1, n, f);
			i += n;
		}
	}
	fputc('"', f);
}
