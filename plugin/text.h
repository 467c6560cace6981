/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Text the plugin prints: valid UTF-8, no control characters, cut on
 * character boundaries. Every line that reaches stdout or syslog goes
 * through here. All pure. */
#ifndef CES_TEXT_H
#define CES_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

/* Makes s safe for plugin output in place (it never grows): invalid UTF-8
 * bytes become '?'; C0 and C1 control characters, DEL, U+2028 and U+2029,
 * the bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
 * and the zero-width characters (U+200B-U+200D, U+2060, U+FEFF) become a
 * space; and '|' (the perfdata separator) becomes '/'. */
void text_clean(char *s);

/* text_clean but for '|': for the -vvv trace, which is no plugin output
 * and shows bodies as they were. */
void text_clean_trace(char *s);

/* JSON text (as json-c wrote it) made safe to print without changing the
 * value it stands for: each character text_clean would hide that json-c
 * leaves raw becomes its \uXXXX escape, and each byte that is not UTF-8
 * \ufffd (outside its strings JSON text is ASCII, so only strings change).
 * Appends to out; 0 or -1 (ENOMEM). */
int text_json_safe(const char *json, struct buf *out);

/* s as a JSON string (RFC 8259), quotes included, appended to out: '"',
 * '\\' and the C0 controls escaped; each character text_clean would hide
 * (DEL, C1 controls, U+2028/9, bidi controls, zero-width characters)
 * escaped as \uXXXX rather than dropped, so a script still gets the value;
 * each byte that is not UTF-8 \ufffd. 0 or -1 (ENOMEM). */
int text_json_string(const char *s, struct buf *out);

/* s as the value of a Prometheus label, without its quotes, appended to out:
 * made safe as text_clean does ('|' aside, which means nothing there; a
 * byte that is not UTF-8 becomes U+FFFD), then '\\' and '"' escaped as the
 * text exposition format says. A newline is a control: a space. 0 or -1. */
int text_label_value(const char *s, struct buf *out);

/* text_clean for a buffer from byte start on, its length kept true. */
void text_clean_buf(struct buf *b, size_t start);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the n bytes
 * there (n >= 1) do not start one: overlong forms, surrogates and code
 * points above U+10FFFF are invalid. */
size_t utf8_char_len(const char *s, size_t n);

/* The length of the longest prefix of s (at most max bytes) that does not
 * split a UTF-8 character. */
size_t utf8_prefix(const char *s, size_t max);

/* Copies src into dst (size n) cleaned as text_clean does, cut on a
 * character boundary with "..." when it does not fit (n >= 4). */
void text_copy(char *dst, size_t n, const char *src);

/* True when s (len bytes) is a plausible bearer token: printable ASCII
 * without spaces, and not empty. */
bool text_is_token(const char *s, size_t len);

/* True when s (len bytes) is a GUID: 8-4-4-4-12 hex digits, either case. */
bool text_is_guid(const char *s, size_t len);

#endif
