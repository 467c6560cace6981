/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "jsonsyntax.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* A key as written, escapes not decoded. */
struct key_ref {
	const char *p;
	size_t len;
};

struct scan {
	const char *s;
	size_t len, i;
	int max_depth;
	struct key_ref *keys; /* the keys of the objects still open, innermost last */
	size_t nkeys, cap;
	struct json_syntax *out;
};

static int flaw(struct scan *sc, enum json_flaw f)
{
	/* Whatever the grammar wanted there, the text ran out first. */
	if (f == JSON_FLAW_SYNTAX && sc->i >= sc->len)
		f = JSON_FLAW_TRUNCATED;
	sc->out->flaw = f;
	sc->out->at = sc->i;
	return -1;
}

static int peek(const struct scan *sc)
{
	return sc->i < sc->len ? (unsigned char)sc->s[sc->i] : -1;
}

static bool one_of(int c, const char *set)
{
	return c > 0 && strchr(set, c) != NULL;
}

static void skip_space(struct scan *sc)
{
	while (one_of(peek(sc), " \t\n\r"))
		sc->i++;
}

static int digits(struct scan *sc)
{
	size_t start = sc->i;
	while (one_of(peek(sc), "0123456789"))
		sc->i++;
	return sc->i > start ? 0 : flaw(sc, JSON_FLAW_SYNTAX);
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; "01" stops after the 0,
 * and the caller refuses the 1. */
static int number(struct scan *sc)
{
	if (peek(sc) == '-')
		sc->i++;
	if (peek(sc) == '0')
		sc->i++;
	else if (digits(sc) < 0)
		return -1;
	if (peek(sc) == '.') {
		sc->i++;
		if (digits(sc) < 0)
			return -1;
	}
	if (one_of(peek(sc), "eE")) {
		sc->i++;
		if (one_of(peek(sc), "+-"))
			sc->i++;
		if (digits(sc) < 0)
			return -1;
	}
	return 0;
}

/* At the byte after a backslash. */
static int escape(struct scan *sc)
{
	if (peek(sc) == 'u') {
		for (int k = 0; k < 4; k++) {
			sc->i++;
			if (!one_of(peek(sc), "0123456789abcdefABCDEF"))
				return flaw(sc, JSON_FLAW_SYNTAX);
		}
	} else if (!one_of(peek(sc), "\"\\/bfnrt")) {
		return flaw(sc, JSON_FLAW_SYNTAX);
	}
	sc->i++;
	return 0;
}

/* At the opening quote; ends after the closing one. *key (when not NULL)
 * gets the bytes between the quotes. */
static int string(struct scan *sc, struct key_ref *key)
{
	size_t start = ++sc->i;
	for (;;) {
		int c = peek(sc);
		if (c == '"')
			break;
		if (c < 0)
			return flaw(sc, JSON_FLAW_SYNTAX);
		if (c == '\\') {
			sc->i++;
			if (escape(sc) < 0)
				return -1;
			continue;
		}
		if (c < 0x20)
			return flaw(sc, JSON_FLAW_CONTROL);
		size_t n = utf8_char_len(sc->s + sc->i, sc->len - sc->i);
		if (n == 0)
			return flaw(sc, JSON_FLAW_UTF8);
		sc->i += n;
	}
	if (key != NULL)
		*key = (struct key_ref){sc->s + start, sc->i - start};
	sc->i++;
	return 0;
}

static int literal(struct scan *sc, const char *word)
{
	for (; *word != '\0'; word++, sc->i++)
		if (peek(sc) != (unsigned char)*word)
			return flaw(sc, JSON_FLAW_SYNTAX);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int push_key(struct scan *sc, struct key_ref key)
{
	if (sc->nkeys == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		struct key_ref *k = realloc(sc->keys, cap * sizeof(*k));
		if (k == NULL)
			return flaw(sc, JSON_FLAW_NO_MEMORY);
		sc->keys = k;
		sc->cap = cap;
	}
	sc->keys[sc->nkeys++] = key;
	sc->out->keys++;
	return 0;
}

/* json-c keeps the last of duplicated keys silently; another reader may keep
 * the first. A document that can be read two ways could turn a quarantined
 * job into a healthy one, so an object that repeats a key is refused. Sorts
 * the keys of the object just closed (from base on) and forgets them. */
static int keys_unique(struct scan *sc, size_t base)
{
	struct key_ref *k = sc->keys + base;
	size_t n = sc->nkeys - base;
	sc->nkeys = base;
	if (n < 2)
		return 0;
	qsort(k, n, sizeof(*k), key_cmp);
	for (size_t i = 1; i < n; i++) {
		if (key_cmp(&k[i - 1], &k[i]) == 0) {
			sc->out->key = k[i].p;
			sc->out->key_len = k[i].len;
			sc->i = (size_t)(k[i].p - sc->s) - 1;
			return flaw(sc, JSON_FLAW_DUPLICATE_KEY);
		}
	}
	return 0;
}

static int value(struct scan *sc, int depth);

/* The members or elements after '{' or '[' up to the closing bracket. */
static int container(struct scan *sc, int depth, char close)
{
	size_t base = sc->nkeys;
	sc->i++;
	skip_space(sc);
	if (peek(sc) == close) {
		sc->i++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			struct key_ref key;
			if (peek(sc) != '"')
				return flaw(sc, JSON_FLAW_SYNTAX);
			if (string(sc, &key) < 0 || push_key(sc, key) < 0)
				return -1;
			skip_space(sc);
			if (peek(sc) != ':')
				return flaw(sc, JSON_FLAW_SYNTAX);
			sc->i++;
			skip_space(sc);
		}
		if (value(sc, depth + 1) < 0)
			return -1;
		skip_space(sc);
		if (peek(sc) != ',')
			break;
		sc->i++;
		skip_space(sc);
	}
	if (peek(sc) != close)
		return flaw(sc, JSON_FLAW_SYNTAX);
	sc->i++;
	return close == '}' ? keys_unique(sc, base) : 0;
}

/* json-c counts depth the same way: the top level is 1, and with a limit of
 * 64 an empty array 64 deep parses while a number inside it does not. */
static int value(struct scan *sc, int depth)
{
	int c = peek(sc);
	if (c >= 0 && depth > sc->max_depth)
		return flaw(sc, JSON_FLAW_TOO_DEEP);
	switch (c) {
	case '{':
		return container(sc, depth, '}');
	case '[':
		return container(sc, depth, ']');
	case '"':
		return string(sc, NULL);
	case 't':
		return literal(sc, "true");
	case 'f':
		return literal(sc, "false");
	case 'n':
		return literal(sc, "null");
	default:
		return c == '-' || one_of(c, "0123456789") ? number(sc)
		                                           : flaw(sc, JSON_FLAW_SYNTAX);
	}
}

int json_syntax_check(const char *text, size_t len, int max_depth, struct json_syntax *out)
{
	struct scan sc = {.s = text, .len = len, .max_depth = max_depth, .out = out};
	memset(out, 0, sizeof(*out));
	skip_space(&sc);
	size_t start = sc.i;
	bool container_first = one_of(peek(&sc), "{[");
	int rc = value(&sc, 1);
	if (rc == 0 && !container_first) {
		sc.i = start;
		rc = flaw(&sc, JSON_FLAW_NOT_CONTAINER);
	}
	if (rc == 0) {
		skip_space(&sc);
		if (sc.i < sc.len)
			rc = flaw(&sc, JSON_FLAW_TRAILING);
	}
	free(sc.keys);
	return rc;
}
