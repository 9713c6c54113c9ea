/* util/json: the writer's structure and its escaping of hostile bytes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"

/* The escaped form of len bytes, as a malloc'ed C string. */
static char *escaped(const void *buf, size_t len)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	json_write_escaped(f, buf, len);
	fclose(f);
	return out;
}

static void expect_escape(const char *in, size_t len, const char *want)
{
	char *got = escaped(in, len);

	cr_expect_str_eq(got, want);
	free(got);
}

#define ESC(lit, want) expect_escape(lit, sizeof(lit) - 1, want)

Test(json, quotes_backslashes_and_named_controls)
{
	ESC("plain", "\"plain\"");
	ESC("a\"b\\c", "\"a\\\"b\\\\c\"");
	ESC("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	ESC("\x01\x1b[0m\x1f\x7f", "\"\\u0001\\u001b[0m\\u001f\\u007f\"");
	ESC("a\0b", "\"a\\u0000b\"");
}

Test(json, valid_utf8_passes_through)
{
	ESC("\xc3\xa9", "\"\xc3\xa9\"");		 /* é */
	ESC("\xe2\x82\xac", "\"\xe2\x82\xac\"");	 /* € */
	ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
	ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	ESC("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
}

Test(json, each_byte_of_invalid_utf8_becomes_one_replacement)
{
	ESC("\x80", "\"\\ufffd\"");				     /* lone continuation */
	ESC("\xc0\x80", "\"\\ufffd\\ufffd\"");			     /* overlong NUL */
	ESC("\xc1\xbf", "\"\\ufffd\\ufffd\"");			     /* overlong */
	ESC("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	     /* overlong '/' */
	ESC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	     /* surrogate D800 */
	ESC("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* past U+10FFFF */
	ESC("\xf5\xff\xfe", "\"\\ufffd\\ufffd\\ufffd\"");
	ESC("\xe2\x82", "\"\\ufffd\\ufffd\"");	 /* truncated at the end */
	ESC("\xe2\x82z", "\"\\ufffd\\ufffdz\""); /* truncated before ASCII */
	ESC("\xc3\"", "\"\\ufffd\\\"\"");	 /* a quote is never swallowed */
}

Test(json, every_single_byte_by_hand)
{
	for (unsigned b = 0; b < 256; b++) {
		char in = (char)b, want[16];
		char *got = escaped(&in, 1);

		if (b == '"' || b == '\\')
			snprintf(want, sizeof(want), "\"\\%c\"", b);
		else if (b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t')
			snprintf(want, sizeof(want), "\"\\%c\"", "btn\0fr"[b - 8]); /* 8..13 */
		else if (b < 0x20 || b == 0x7f)
			snprintf(want, sizeof(want), "\"\\u%04x\"", b);
		else if (b < 0x80)
			snprintf(want, sizeof(want), "\"%c\"", b);
		else
			snprintf(want, sizeof(want), "\"\\ufffd\"");
		cr_expect_str_eq(got, want, "byte 0x%02x", b);
		free(got);
	}
}

Test(json, the_writer_places_commas_and_nests)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	struct json_writer w;

	json_init(&w, f);
	json_object_begin(&w);
	json_key(&w, "a");
	json_int(&w, -3);
	json_key(&w, "b");
	json_array_begin(&w);
	json_uint(&w, 18446744073709551615ull);
	json_double(&w, 1.5, 3);
	json_bool(&w, true);
	json_null(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_begin(&w);
	json_array_end(&w);
	json_array_end(&w);
	json_key(&w, "c\n");
	json_string(&w, NULL);
	json_key(&w, "d");
	json_double(&w, 0.0 / 0.0, 3);
	json_object_end(&w);
	fclose(f);
	cr_expect_str_eq(out, "{\"a\":-3,\"b\":[18446744073709551615,1.500,true,null,{},[]],"
			      "\"c\\n\":null,\"d\":null}");
	free(out);
}

/* Python's json module parses what we write for every byte value, alone
 * and in one string, and decodes it as a strict UTF-8 decoder with
 * replacement would. */
Test(json, python_reads_back_every_byte)
{
	char path[] = "/tmp/lkvm-json-XXXXXX";
	char all[256], cmd[512];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct json_writer w;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		cr_skip_test("python3 missing");
	for (int b = 0; b < 256; b++)
		all[b] = (char)b;
	json_init(&w, f);
	json_array_begin(&w);
	for (int b = 0; b < 256; b++)
		json_string_bytes(&w, &all[b], 1);
	json_string_bytes(&w, all, sizeof(all));
	json_string(&w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8");
	json_array_end(&w);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json, sys\n"
		 "raw = open(sys.argv[1], \"rb\").read()\n"
		 "got = json.loads(raw.decode(\"utf-8\"))\n"
		 "want = [bytes([b]).decode(\"utf-8\", \"replace\") for b in range(256)]\n"
		 "want.append(bytes(range(256)).decode(\"utf-8\", \"replace\"))\n"
		 "want.append(\"caf\\u00e9 \\u20ac \\U0001f600 \\u2028\")\n"
		 "sys.exit(0 if got == want else 1)' %s",
		 path);
	cr_expect_eq(system(cmd), 0, "python3 read back something else (file %s)", path);
	unlink(path);
}
