#include "lib/cmdline.h"
#include "lib/string.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

const char *cmdline_find(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *found = NULL;
	const char *p = cmdline;

	while (*p) {
		while (is_space(*p))
			p++;
		const char *word = p;
		while (*p && !is_space(*p))
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen > klen && !strncmp(word, key, klen) && word[klen] == '=') {
			found = word + klen + 1;
			*len = wlen - klen - 1;
		}
	}
	return found;
}

bool cmdline_u64(const char *cmdline, const char *key, uint64_t *out, bool *bad)
{
	size_t len;
	const char *v = cmdline_find(cmdline, key, &len);

	*bad = false;
	if (!v)
		return false;
	if (!parse_u64(v, len, out)) {
		*bad = true;
		return false;
	}
	return true;
}

bool list_contains(const char *list, size_t len, const char *item)
{
	size_t ilen = strlen(item);
	size_t i = 0;

	while (i <= len) {
		size_t j = i;
		while (j < len && list[j] != ',')
			j++;
		if (j - i == ilen && !strncmp(list + i, item, ilen))
			return true;
		i = j + 1;
	}
	return false;
}
