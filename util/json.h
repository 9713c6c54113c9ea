/* A tiny streaming JSON writer: objects, arrays, strings, numbers.
 *
 * Strings may be any bytes (a guest's console is hostile input): quotes,
 * backslashes and control bytes are escaped, valid UTF-8 passes through,
 * and every byte that is not part of a valid UTF-8 sequence becomes U+FFFD,
 * so the output is always valid JSON in valid UTF-8. The writer inserts
 * the commas; callers only say what comes next. */
#ifndef LKVM_JSON_H
#define LKVM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *f;
	unsigned depth;
	bool has_items[JSON_MAX_DEPTH]; /* a comma goes before the next item */
	bool after_key;			/* the next value completes a key */
};

void json_init(struct json_writer *w, FILE *f);
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
/* The key of the next member of the current object. */
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s); /* NULL writes null */
void json_string_bytes(struct json_writer *w, const void *buf, size_t len);
void json_int(struct json_writer *w, long long v);
void json_uint(struct json_writer *w, unsigned long long v);
/* Fixed-point with `decimals` digits; NaN and infinities become null. */
void json_double(struct json_writer *w, double v, int decimals);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* The escaped form of buf (quotes included) on f. */
void json_write_escaped(FILE *f, const void *buf, size_t len);

#endif
