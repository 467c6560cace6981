/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ini reader of --extra-opts: any bytes, NULs and endless lines included,
 * give either entries that hold what the format promises or a numbered
 * refusal. */
#include "fuzz.h"
#include "ini.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void check_entries(const struct ini_section *s, size_t size)
{
	unsigned last = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct ini_entry *x = &s->v[i];
		size_t k = strlen(x->key);
		FUZZ_ASSERT(k > 0 && k <= INI_LINE_MAX);
		FUZZ_ASSERT(strchr(x->key, '=') == NULL && strchr(x->key, '\n') == NULL);
		FUZZ_ASSERT(!blank(x->key[0]) && !blank(x->key[k - 1]));
		FUZZ_ASSERT(x->key[0] != '#' && x->key[0] != ';' && x->key[0] != '[');
		FUZZ_ASSERT(x->value == NULL ||
		            (strlen(x->value) <= INI_LINE_MAX && strchr(x->value, '\n') == NULL));
		FUZZ_ASSERT(x->line > last && x->line <= size + 1);
		last = x->line;
	}
	FUZZ_ASSERT(s->n == 0 || s->found);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the section name comes first, up to a newline; the file after it */
	const uint8_t *nl = memchr(data, '\n', size < 64 ? size : 64);
	size_t name_len = nl != NULL ? (size_t)(nl - data) : 0;
	char *name = fuzz_cstr(data, name_len);
	const uint8_t *text = nl != NULL ? nl + 1 : data;
	size_t len = size - (size_t)(text - data);
	/* an exact-size copy, so that reading past the end is caught */
	char *copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, text, len);

	struct ini_section s;
	struct err e;
	e.kind = ERR_NONE;
	if (ini_read_section(copy, len, name[0] != '\0' ? name : "check_entra_sync", &s, &e) == 0) {
		check_entries(&s, len);
		ini_section_free(&s);
	} else {
		FUZZ_ASSERT(e.kind == ERR_USAGE && strncmp(e.msg, "line ", 5) == 0);
		FUZZ_ASSERT(s.n == 0 && s.v == NULL);
	}
	free(copy);
	free(name);
	return 0;
}
