/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ini.h"

#include <stdlib.h>
#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* [*s, *end) without the blanks at either side. */
static void trim(const char **s, const char **end)
{
	while (*s < *end && blank(**s))
		(*s)++;
	while (*end > *s && blank((*end)[-1]))
		(*end)--;
}

static bool comment(char c)
{
	return c == '#' || c == ';';
}

/* "[name]" with an optional comment after it; -1 when the line is not one. */
static int header(const char *s, const char *end, const char **name, const char **name_end)
{
	const char *close = memchr(s, ']', (size_t)(end - s));
	if (close == NULL)
		return -1;
	*name = s + 1;
	*name_end = close;
	trim(name, name_end);
	const char *rest = close + 1;
	trim(&rest, &end);
	if (*name == *name_end || (rest < end && !comment(*rest)))
		return -1;
	return 0;
}

static int add(struct ini_section *out, const char *key, size_t klen, const char *val, size_t vlen,
               bool has_value, unsigned line, struct err *e)
{
	struct ini_entry *v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (v == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	out->v = v;
	struct ini_entry *x = &v[out->n];
	x->key = strndup(key, klen);
	x->value = has_value ? strndup(val, vlen) : NULL;
	x->line = line;
	if (x->key == NULL || (has_value && x->value == NULL)) {
		free(x->key);
		free(x->value);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	out->n++;
	return 0;
}

/* "name", "name =", "name = value", "name = 'value'". */
static int entry(const char *s, const char *end, unsigned line, struct ini_section *out,
                 struct err *e)
{
	const char *eq = memchr(s, '=', (size_t)(end - s));
	const char *key_end = eq != NULL ? eq : end;
	trim(&s, &key_end);
	if (s == key_end)
		return err_set(e, ERR_USAGE, "line %u: '=' without an option name before it", line);
	if (eq == NULL)
		return add(out, s, (size_t)(key_end - s), NULL, 0, false, line, e);
	const char *v = eq + 1;
	trim(&v, &end);
	if (end - v >= 2 && (*v == '"' || *v == '\'') && end[-1] == *v) {
		v++;
		end--;
	}
	return add(out, s, (size_t)(key_end - s), v, (size_t)(end - v), true, line, e);
}

struct reader {
	const char *name;
	bool any_header, in_section;
	struct ini_section *out;
};

static int one_line(struct reader *r, const char *s, const char *end, unsigned line, struct err *e)
{
	if ((size_t)(end - s) > INI_LINE_MAX)
		return err_set(e, ERR_USAGE, "line %u is longer than %u bytes", line, INI_LINE_MAX);
	if (memchr(s, '\0', (size_t)(end - s)) != NULL)
		return err_set(e, ERR_USAGE, "line %u holds a NUL byte", line);
	trim(&s, &end);
	if (s == end || comment(*s))
		return 0;
	if (*s == '[') {
		const char *n, *n_end;
		if (header(s, end, &n, &n_end) < 0)
			return err_set(e, ERR_USAGE, "line %u: a section header reads [NAME]",
			               line);
		r->any_header = true;
		r->in_section = (size_t)(n_end - n) == strlen(r->name) &&
		                memcmp(n, r->name, (size_t)(n_end - n)) == 0;
		r->out->found |= r->in_section;
		return 0;
	}
	if (!r->any_header)
		return err_set(e, ERR_USAGE, "line %u: an option before the first [section]", line);
	return r->in_section ? entry(s, end, line, r->out, e) : 0;
}

int ini_read_section(const char *text, size_t len, const char *name, struct ini_section *out,
                     struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct reader r = {.name = name, .out = out};
	const char *p = text, *stop = text + len;
	for (unsigned line = 1; p < stop; line++) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *end = nl != NULL ? nl : stop;
		if (end > p && end[-1] == '\r')
			end--;
		if (one_line(&r, p, end, line, e) < 0) {
			ini_section_free(out);
			return -1;
		}
		p = nl != NULL ? nl + 1 : stop;
	}
	return 0;
}

void ini_section_free(struct ini_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].value);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
