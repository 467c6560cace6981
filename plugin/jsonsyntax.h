/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The RFC 8259 syntax of a JSON text, checked the same way whatever json-c
 * the plugin is built with: grammar, UTF-8, nesting depth, duplicated keys. */
#ifndef CES_JSONSYNTAX_H
#define CES_JSONSYNTAX_H

#include <stddef.h>

enum json_flaw {
	JSON_FLAW_NONE = 0,
	JSON_FLAW_TRUNCATED,     /* the text ends inside a value */
	JSON_FLAW_TOO_DEEP,      /* a value deeper than the limit */
	JSON_FLAW_SYNTAX,        /* a byte the grammar does not allow there */
	JSON_FLAW_UTF8,          /* a string byte that is not valid UTF-8 */
	JSON_FLAW_CONTROL,       /* a raw control character in a string */
	JSON_FLAW_TRAILING,      /* something after the value */
	JSON_FLAW_NOT_CONTAINER, /* the value is not an object or an array */
	JSON_FLAW_DUPLICATE_KEY, /* one object has a key twice (as written) */
	JSON_FLAW_NO_MEMORY,
};

struct json_syntax {
	enum json_flaw flaw;
	size_t at;       /* byte offset of the flaw */
	const char *key; /* JSON_FLAW_DUPLICATE_KEY: the key as written (not */
	size_t key_len;  /* NUL-terminated), pointing into the text */
	size_t keys;     /* every key written in the text (when no flaw) */
};

/* Checks that the len bytes at text are one JSON object or array (RFC 8259:
 * no comments, single quotes, trailing commas, NaN, leading zeros; strings
 * valid UTF-8 without raw control characters), with white space around it
 * only, no value nested deeper than max_depth (the top level is 1), and no
 * object that repeats a key as written. 0 when it is, else -1 and *out
 * says what and where. */
int json_syntax_check(const char *text, size_t len, int max_depth, struct json_syntax *out);

#endif
