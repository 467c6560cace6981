/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
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

/* The escape of one ASCII byte that plain_run stops at, into esc (8 bytes). */
static void json_escape_ascii(unsigned char c, char *esc)
{
	switch (c) {
	case '"':
		strcpy(esc, "\\\"");
		break;
	case '\\':
		strcpy(esc, "\\\\");
		break;
	case '\n':
		strcpy(esc, "\\n");
		break;
	case '\t':
		strcpy(esc, "\\t");
		break;
	case '\r':
		strcpy(esc, "\\r");
		break;
	default:
		snprintf(esc, 8, "\\u%04x", c);
		break;
	}
}

int text_json_string(const char *str, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)(str != NULL ? str : "");
	int rc = buf_append(out, "\"", 1);
	while (*s && rc == 0) {
		size_t run = plain_run(s);
		if (run > 0) {
			rc = buf_append(out, s, run);
			s += run;
			continue;
		}
		size_t n = utf8_len(s);
		char esc[8];
		if (n == 1) {
			json_escape_ascii(*s, esc);
			rc = buf_puts(out, esc);
		} else if (n == 0) {
			rc = buf_puts(out, "\\ufffd");
		} else if (is_hidden(code_point(s, n))) {
			snprintf(esc, sizeof(esc), "\\u%04lx", code_point(s, n));
			rc = buf_puts(out, esc);
		} else {
			rc = buf_append(out, s, n);
		}
		s += n == 0 ? 1 : n;
	}
	return rc == 0 ? buf_append(out, "\"", 1) : rc;
}

int text_label_value(const char *str, struct buf *out)
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
		if (n == 1 && (*s == '"' || *s == '\\'))
			rc = buf_append(out, *s == '"' ? "\\\"" : "\\\\", 2);
		else if (n == 1 || (n > 1 && is_hidden(code_point(s, n))))
			rc = buf_append(out, " ", 1);
		else if (n == 0)
			rc = buf_puts(out, "\xef\xbf\xbd");
		else
			rc = buf_append(out, s, n);
		s += n == 0 ? 1 : n;
	}
	return rc;
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
