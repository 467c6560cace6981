/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* memmem */
#include "redact.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "url.h"

static const char *const secret_keys[] = {
    "access_token",     "refresh_token", "id_token", "client_secret",
    "client_assertion", "assertion",     "password", NULL,
};

static bool is_secret_name(const char *name, size_t len)
{
	for (size_t i = 0; secret_keys[i] != NULL; i++) {
		if (strlen(secret_keys[i]) == len && strncasecmp(secret_keys[i], name, len) == 0)
			return true;
	}
	return false;
}

/* The name between the quotes of a JSON string (s, len bytes without the
 * quotes) with its escapes decoded. Only ASCII matters for the comparison:
 * a backslash-u escape beyond it can never spell a secret member's name. */
static bool is_secret_json_key(const char *s, size_t len)
{
	char name[64];
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < len) {
			char x = s[++i];
			if (x == 'u' && i + 4 < len) {
				int v = 0;
				for (int k = 1; k <= 4; k++) {
					int d = url_hex_value(s[i + k]);
					v = d < 0 ? -1 : (v < 0 ? -1 : v * 16 + d);
				}
				if (v < 0 || v >= 0x80)
					return false;
				c = (char)v;
				i += 4;
			} else {
				c = x;
			}
		}
		if (o >= sizeof(name))
			return false;
		name[o++] = c;
	}
	return is_secret_name(name, o);
}

/* A form field name with its percent escapes (and '+') decoded. */
static bool is_secret_form_key(const char *s, size_t len)
{
	char name[64];
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int hi, lo;
		if (c == '%' && i + 2 < len + 0 && (hi = url_hex_value(s[i + 1])) >= 0 &&
		    (lo = url_hex_value(s[i + 2])) >= 0) {
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (o >= sizeof(name))
			return false;
		name[o++] = c;
	}
	return is_secret_name(name, o);
}

int redact_header_line(const char *line, size_t len, struct buf *out)
{
	const char *colon = memchr(line, ':', len);
	if (colon == NULL)
		return buf_append(out, line, len);
	size_t name_len = (size_t)(colon - line);
	bool keep_scheme = (name_len == 13 && strncasecmp(line, "Authorization", 13) == 0) ||
	                   (name_len == 19 && strncasecmp(line, "Proxy-Authorization", 19) == 0);
	bool drop_all = (name_len == 6 && strncasecmp(line, "Cookie", 6) == 0) ||
	                (name_len == 10 && strncasecmp(line, "Set-Cookie", 10) == 0);
	if (!keep_scheme && !drop_all)
		return buf_append(out, line, len);

	const char *p = colon + 1;
	const char *end = line + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (keep_scheme) {
		/* The scheme is one token; everything after it is the credential. */
		const char *s = p;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		if (s < end)
			p = s + 1;
	}
	if (buf_append(out, line, (size_t)(p - line)) < 0)
		return -1;
	return buf_puts(out, REDACTED);
}

/* At body[i] a JSON string starts ('"'). Returns the index just past its
 * closing quote, or len when it is unterminated. */
static size_t json_string_end(const char *body, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (body[i] == '\\')
			i++;
		else if (body[i] == '"')
			return i + 1;
	}
	return len;
}

/* At body[i] a JSON value other than a string starts: returns the index of
 * the ',' or closing bracket that ends it, or len. */
static size_t json_value_end(const char *body, size_t len, size_t i)
{
	int depth = 0;
	while (i < len) {
		char c = body[i];
		if (c == '"') {
			i = json_string_end(body, len, i);
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth-- == 0)
			return i;
		else if (c == ',' && depth == 0)
			return i;
		i++;
	}
	return len;
}

static size_t skip_ws(const char *body, size_t len, size_t i)
{
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	return i;
}

/* A JSON member "key" : "value" with a secret key starting at the quote at i:
 * appends the key and [redacted], returns the index after the value; 0 when
 * this is not such a member. */
static size_t redact_json_member(const char *body, size_t len, size_t i, struct buf *out, int *rc)
{
	size_t key_end = json_string_end(body, len, i);
	if (key_end >= len || !is_secret_json_key(body + i + 1, key_end - i - 2))
		return 0;
	size_t j = skip_ws(body, len, key_end);
	if (j >= len || body[j] != ':')
		return 0;
	j = skip_ws(body, len, j + 1);
	if (j >= len)
		return 0;
	size_t value_end =
	    body[j] == '"' ? json_string_end(body, len, j) : json_value_end(body, len, j);
	if (buf_append(out, body + i, j - i) < 0 || buf_puts(out, "\"" REDACTED "\"") < 0)
		*rc = -1;
	return value_end;
}

/* A form field key=value with a secret key starting at i (start of input or
 * after '&'): appends key=[redacted], returns the index of the next '&' or len;
 * 0 when the field is not secret. */
static size_t redact_form_field(const char *body, size_t len, size_t i, struct buf *out, int *rc)
{
	size_t k = i;
	while (k < len && body[k] != '=' && body[k] != '&')
		k++;
	if (k >= len || body[k] != '=' || !is_secret_form_key(body + i, k - i))
		return 0;
	size_t v = k + 1;
	while (v < len && body[v] != '&')
		v++;
	if (buf_append(out, body + i, k + 1 - i) < 0 || buf_puts(out, REDACTED) < 0)
		*rc = -1;
	return v;
}

static int redact_json(const char *body, size_t len, struct buf *out)
{
	int rc = 0;
	size_t i = 0;
	while (i < len && rc == 0) {
		if (body[i] != '"') {
			size_t end = i;
			while (end < len && body[end] != '"')
				end++;
			rc = buf_append(out, body + i, end - i);
			i = end;
			continue;
		}
		size_t next = redact_json_member(body, len, i, out, &rc);
		if (next == 0) {
			next = json_string_end(body, len, i);
			rc = rc < 0 ? rc : buf_append(out, body + i, next - i);
		}
		i = next;
	}
	return rc;
}

static int redact_form(const char *body, size_t len, struct buf *out)
{
	int rc = 0;
	size_t i = 0;
	while (i < len && rc == 0) {
		size_t next = redact_form_field(body, len, i, out, &rc);
		if (next == 0) {
			next = i;
			while (next < len && body[next] != '&')
				next++;
			rc = buf_append(out, body + i, next - i);
		}
		if (next < len)
			rc = rc < 0 ? rc : buf_append(out, "&", 1);
		i = next + 1;
	}
	return rc;
}

int redact_body(const char *body, size_t len, struct buf *out)
{
	size_t i = skip_ws(body, len, 0);
	if (i < len && (body[i] == '{' || body[i] == '['))
		return redact_json(body, len, out);
	return redact_form(body, len, out);
}

#define SCRUB_MIN 8

/* Length of the longest run (at least SCRUB_MIN) starting at text that also
 * occurs in secret, or 0. */
static size_t common_run(const char *text, const char *secret, size_t slen)
{
	size_t have = strnlen(text, SCRUB_MIN);
	if (have < SCRUB_MIN || memmem(secret, slen, text, SCRUB_MIN) == NULL)
		return 0;
	size_t run = SCRUB_MIN;
	while (run < slen && text[run] != '\0' && memmem(secret, slen, text, run + 1) != NULL)
		run++;
	return run;
}

static bool b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Length of a JWT-shaped string at p ("eyJ" base64url "." base64url "."
 * base64url), or 0. */
static size_t jwt_at(const char *p)
{
	if (strncmp(p, "eyJ", 3) != 0)
		return 0;
	size_t i = 0;
	for (int part = 0; part < 3; part++) {
		size_t start = i;
		while (b64url_char(p[i]))
			i++;
		if (i == start && part < 2)
			return 0;
		if (part < 2) {
			if (p[i] != '.')
				return 0;
			i++;
		}
	}
	return i;
}

static bool word_char(char c)
{
	unsigned char u = (unsigned char)c;
	return u > 0x20 && u != 0x7f && strchr("\"'<>`", c) == NULL;
}

/* Where the credentials of the word [w, end) start, with *at at their '@';
 * NULL when it carries none. */
static char *userinfo_at(char *w, char *end, char **at)
{
	*at = NULL;
	for (char *p = w; p < end; p++)
		if (*p == '@')
			*at = p;
	if (*at == NULL)
		return NULL;
	for (char *p = w; p + 3 <= *at; p++)
		if (memcmp(p, "://", 3) == 0)
			return p + 3;
	return memchr(w, ':', (size_t)(*at - w)) != NULL ? w : NULL;
}

void redact_userinfo(char *text)
{
	if (text == NULL)
		return;
	char *r = text, *w = text;
	while (*r) {
		if (!word_char(*r)) {
			*w++ = *r++;
			continue;
		}
		char *end = r;
		while (*end && word_char(*end))
			end++;
		char *at;
		char *from = userinfo_at(r, end, &at);
		if (from != NULL) {
			memmove(w, r, (size_t)(from - r));
			w += from - r;
			r = at + 1;
		}
		memmove(w, r, (size_t)(end - r));
		w += end - r;
		r = end;
	}
	*w = '\0';
}

void redact_scrub(char *text, const char *const *secrets, size_t n)
{
	if (text == NULL)
		return;
	redact_userinfo(text);
	char *r = text, *w = text;
	while (*r) {
		size_t cut = jwt_at(r);
		for (size_t k = 0; k < n && cut == 0; k++) {
			if (secrets[k] == NULL)
				continue;
			size_t slen = strlen(secrets[k]);
			if (slen >= SCRUB_MIN)
				cut = common_run(r, secrets[k], slen);
			else if (slen >= 4 && strncmp(r, secrets[k], slen) == 0)
				cut = slen; /* a short secret counts whole; "***" never grows the
				               text */
		}
		if (cut == 0) {
			*w++ = *r++;
			continue;
		}
		memcpy(w, "***", 3);
		w += 3;
		r += cut;
	}
	*w = '\0';
}

char *redact_scrubbed_prefix(const char *s, size_t len, size_t max, const char *const *secrets,
                             size_t n)
{
	size_t longest = 0;
	for (size_t k = 0; k < n; k++)
		if (secrets[k] != NULL && strlen(secrets[k]) > longest)
			longest = strlen(secrets[k]);
	size_t keep = 16 * max + 2 * longest;
	const char *nul = memchr(s, '\0', len);
	if (nul != NULL)
		len = (size_t)(nul - s);
	if (len > keep)
		len = keep;
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	redact_scrub(copy, secrets, n);
	return copy;
}
