/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

size_t utf8_char_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0];
	size_t need = c < 0x80                 ? 1
	              : c >= 0xc2 && c <= 0xdf ? 2
	              : c >= 0xe0 && c <= 0xef ? 3
	              : c >= 0xf0 && c <= 0xf4 ? 4
	                                       : 0;
	if (need == 0 || need > n)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((u[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && u[1] < 0xa0) || (c == 0xed && u[1] > 0x9f) ||
	    (c == 0xf0 && u[1] < 0x90) || (c == 0xf4 && u[1] > 0x8f))
		return 0;
	return need;
}

/* utf8_char_len in a NUL-terminated string: the NUL is no continuation
 * byte, so no sequence reads past it. */
static size_t utf8_len(const unsigned char *s)
{
	return utf8_char_len((const char *)s, SIZE_MAX);
}

/* The code point of the valid sequence at s (len bytes, from utf8_len). */
static unsigned long code_point(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	unsigned long cp = s[0] & lead_mask[len];
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* Characters that are not what they look like: C1 controls; the line and
 * paragraph separators, which end a line for some readers; the bidi
 * controls (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069), which reorder
 * what follows them in a web UI; and the zero-width characters (U+200B-
 * U+200D, U+2060, U+FEFF), which hide a difference between two names. */
static bool is_hidden(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) || cp == 0x2060 ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* text_clean; bars: '|' becomes '/' too. */
static void clean(char *s, bool bars)
{
	if (s == NULL)
		return;
	unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
	while (*r) {
		size_t len = utf8_len(r);
		if (len == 0) {
			*w++ = '?';
			r++;
		} else if (len == 1) {
			unsigned char c = *r++;
			*w++ = c == '|' && bars ? '/' : (c < 0x20 || c == 0x7f) ? ' ' : c;
		} else if (is_hidden(code_point(r, len))) {
			*w++ = ' ';
			r += len;
		} else {
			memmove(w, r, len);
			w += len;
			r += len;
		}
	}
	*w = '\0';
}

void text_clean(char *s)
{
	clean(s, true);
}

void text_clean_trace(char *s)
{
	clean(s, false);
}

int text_json_safe(const char *json, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)json;
	int rc = 0;
	while (*s && rc == 0) {
		size_t n = utf8_len(s);
		if (n == 0)
			rc = buf_puts(out, "\\ufffd");
		else if (n > 1 && is_hidden(code_point(s, n)))
			rc = buf_printf(out, "\\u%04lx", code_point(s, n));
		else
			rc = buf_append(out, s, n);
		s += n == 0 ? 1 : n;
	}
	return rc;
}

/* The bytes at s that need no escaping in a JSON string or label value
 * (printable ASCII but for '"' and '\\'): how many. */
static size_t plain_run(const unsigned char *s)
{
	size_t n = 0;
	while (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
		n++;
	return n;
}

/* The escape of one ASCII byte that plain_run stops at, into esc (8 bytes):
 * the short form RFC 8259 has for it, else \u00XX. */
static void json_escape_ascii(unsigned char c, char *esc)
{
	static const char shorts[] = "\"\"\\\\\nn\tt\rr\bb\ff";
	for (size_t i = 0; shorts[i] != '\0'; i += 2)
		if ((unsigned char)shorts[i] == c) {
			esc[0] = '\\';
			esc[1] = shorts[i + 1];
			esc[2] = '\0';
			return;
		}
	snprintf(esc, 8, "\\u%04x", c);
}

/* One character that needs more than copying: the n bytes at s (n from
 * utf8_len, 0 for a byte that is not UTF-8), written to out its own way. */
typedef int escape_fn(const unsigned char *s, size_t n, struct buf *out);

/* str appended to out, plain runs copied, every other character through one. */
static int escape_each(const char *str, struct buf *out, escape_fn *one)
{
	const unsigned char *s = (const unsigned char *)(str != NULL ? str : "");
	int rc = 0;
	while (*s && rc == 0) {
		size_t run = plain_run(s);
		if (run > 0) {
			rc = buf_append(out, s, run);
			s += run;
			continue;
		}
		size_t n = utf8_len(s);
		rc = one(s, n, out);
		s += n == 0 ? 1 : n;
	}
	return rc;
}

static int json_one(const unsigned char *s, size_t n, struct buf *out)
{
	char esc[8];
	if (n == 0)
		return buf_puts(out, "\\ufffd");
	if (n > 1 && !is_hidden(code_point(s, n)))
		return buf_append(out, s, n);
	if (n == 1)
		json_escape_ascii(*s, esc);
	else
		snprintf(esc, sizeof(esc), "\\u%04lx", code_point(s, n));
	return buf_puts(out, esc);
}

int text_json_string(const char *str, struct buf *out)
{
	if (buf_append(out, "\"", 1) < 0 || escape_each(str, out, json_one) < 0)
		return -1;
	return buf_append(out, "\"", 1);
}

static int label_one(const unsigned char *s, size_t n, struct buf *out)
{
	if (n == 1 && (*s == '"' || *s == '\\'))
		return buf_append(out, *s == '"' ? "\\\"" : "\\\\", 2);
	if (n == 0)
		return buf_puts(out, "\xef\xbf\xbd");
	if (n == 1 || is_hidden(code_point(s, n)))
		return buf_append(out, " ", 1);
	return buf_append(out, s, n);
}

int text_label_value(const char *str, struct buf *out)
{
	return escape_each(str, out, label_one);
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t i = 0;
	while (s[i] != '\0') {
		size_t len = utf8_len((const unsigned char *)s + i);
		if (len == 0)
			len = 1;
		if (i + len > max)
			break;
		i += len;
	}
	return i;
}

void text_copy(char *dst, size_t n, const char *src)
{
	if (n == 0)
		return;
	str_copy(dst, n, src);
	text_clean(dst);
	if (src != NULL && strlen(src) >= n && n >= 4) {
		size_t keep = utf8_prefix(dst, n - 4);
		memcpy(dst + keep, "...", 4);
	}
}

bool text_is_token(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

bool text_is_guid(const char *s, size_t len)
{
	if (s == NULL || len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

void text_clean_buf(struct buf *b, size_t start)
{
	if (b->data == NULL || start > b->len)
		return;
	text_clean(b->data + start);
	b->len = start + strlen(b->data + start);
}
