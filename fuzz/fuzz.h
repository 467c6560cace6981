/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the libFuzzer harnesses. */
#ifndef CES_FUZZ_H
#define CES_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string: the parsers under test take NUL-terminated text,
 * so the input ends at its first NUL. Aborts on ENOMEM (not a finding). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A finding that is not a memory error: a broken promise of the interface. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* True when s holds no byte below 0x20 (text meant for one output line). */
static inline int fuzz_one_line(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return 0;
	return 1;
}

/* Length of the valid UTF-8 sequence at s, 0 when it is not one (the same
 * rules as text.c, written again here so the check does not trust it). */
static inline size_t fuzz_utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n = c < 0x80                   ? 1
	           : (c >= 0xc2 && c <= 0xdf) ? 2
	           : (c >= 0xe0 && c <= 0xef) ? 3
	           : (c >= 0xf0 && c <= 0xf4) ? 4
	                                      : 0;
	if (n == 0 || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f)))
		return 0;
	if (n == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)))
		return 0;
	return n;
}

/* True when the len bytes at s are valid UTF-8. */
static inline bool fuzz_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_seq(u + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* Plugin output text: valid UTF-8, and no control character (C0, DEL, C1,
 * U+2028, U+2029) but the line ends, no bidi control (U+061C, U+200E/F,
 * U+202A-U+202E, U+2066-U+2069) and no zero-width character (U+200B-
 * U+200D, U+2060, U+FEFF). Written byte by byte, apart from text.c. */
static inline void fuzz_check_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_seq(s + i, len - i);
		FUZZ_ASSERT(n > 0);
		if (n == 1)
			FUZZ_ASSERT(s[i] == '\n' || (s[i] >= 0x20 && s[i] != 0x7f));
		if (n == 2) {
			FUZZ_ASSERT(!(s[i] == 0xc2 && s[i + 1] <= 0x9f));
			FUZZ_ASSERT(!(s[i] == 0xd8 && s[i + 1] == 0x9c));
		}
		if (n == 3 && s[i] == 0xe2 && s[i + 1] == 0x80)
			FUZZ_ASSERT(!((s[i + 2] >= 0x8b && s[i + 2] <= 0x8f) ||
			              (s[i + 2] >= 0xa8 && s[i + 2] <= 0xae)));
		if (n == 3 && s[i] == 0xe2 && s[i + 1] == 0x81)
			FUZZ_ASSERT(!(s[i + 2] == 0xa0 || (s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)));
		if (n == 3)
			FUZZ_ASSERT(!(s[i] == 0xef && s[i + 1] == 0xbb && s[i + 2] == 0xbf));
		i += n;
	}
}

/* A perfdata number: -?digits(.digits)?, no exponent. Advances *p. */
static inline bool fuzz_is_number(const char **p)
{
	const char *s = *p;
	if (*s == '-')
		s++;
	const char *digits = s;
	while (*s >= '0' && *s <= '9')
		s++;
	if (s == digits) {
		*p = s;
		return false;
	}
	if (*s == '.') {
		s++;
		const char *frac = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == frac)
			return false;
	}
	*p = s;
	return true;
}

/* A threshold field: empty, or [@][~|N][:[N]]. */
static inline bool fuzz_is_range(const char *s, const char *end)
{
	if (s == end)
		return true;
	if (*s == '@')
		s++;
	if (*s == '~')
		s++;
	else if (*s != ':' && !fuzz_is_number(&s))
		return false;
	if (s < end && *s == ':') {
		s++;
		if (s < end && !fuzz_is_number(&s))
			return false;
	}
	return s == end;
}

#define FUZZ_LABELS_MAX 128

/* The perfdata from perf to stop in the strict grammar
 * label=value[uom];warn;crit;min;max: labels of [A-Za-z0-9_]{1,label_max}
 * (label_max < 64), unique; units s, % or none. */
static inline void fuzz_check_perfdata(const char *perf, const char *stop, size_t label_max)
{
	char labels[FUZZ_LABELS_MAX][64];
	size_t n = 0;
	const char *p = perf;
	FUZZ_ASSERT(label_max < sizeof(labels[0]));
	while (p < stop) {
		while (p < stop && *p == ' ')
			p++;
		if (p >= stop)
			break;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		FUZZ_ASSERT(eq != NULL);
		size_t llen = (size_t)(eq - p);
		FUZZ_ASSERT(llen >= 1 && llen <= label_max);
		for (const char *c = p; c < eq; c++)
			FUZZ_ASSERT((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			            (*c >= '0' && *c <= '9') || *c == '_');
		FUZZ_ASSERT(n < FUZZ_LABELS_MAX);
		memcpy(labels[n], p, llen);
		labels[n][llen] = '\0';
		for (size_t k = 0; k < n; k++)
			FUZZ_ASSERT(strcmp(labels[k], labels[n]) != 0);
		n++;
		const char *v = eq + 1;
		const char *item_end = memchr(v, ' ', (size_t)(stop - v));
		if (item_end == NULL)
			item_end = stop;
		const char *q = v;
		FUZZ_ASSERT(fuzz_is_number(&q));
		if (*q == 's' || *q == '%')
			q++;
		FUZZ_ASSERT(q == item_end || *q == ';');
		for (int f = 0; f < 4 && q < item_end; f++) {
			FUZZ_ASSERT(*q == ';');
			q++;
			const char *fe = memchr(q, ';', (size_t)(item_end - q));
			if (fe == NULL)
				fe = item_end;
			if (f < 2) {
				FUZZ_ASSERT(fuzz_is_range(q, fe));
			} else {
				const char *r = q;
				FUZZ_ASSERT(q == fe || (fuzz_is_number(&r) && r == fe));
			}
			q = fe;
		}
		FUZZ_ASSERT(q == item_end);
		p = item_end;
	}
}

/* A check's whole output (len bytes, budget at most): text as
 * fuzz_check_text wants it, ending in a newline; a first line
 * "<prefix> <STATE> - <summary> |<perfdata>" with state_word the state
 * returned, its '|' within head_max + 1 bytes and the only one of the
 * output. */
static inline void fuzz_check_plugin_output(const char *text, size_t len, size_t budget,
                                            const char *prefix, const char *state_word,
                                            size_t head_max, size_t label_max)
{
	char head[64];
	FUZZ_ASSERT(len <= budget);
	FUZZ_ASSERT(memchr(text, '\0', len) == NULL);
	fuzz_check_text(text, len);
	snprintf(head, sizeof(head), "%s %s - ", prefix, state_word);
	FUZZ_ASSERT(len >= strlen(head) && strncmp(text, head, strlen(head)) == 0);
	const char *nl = memchr(text, '\n', len);
	FUZZ_ASSERT(nl != NULL && text[len - 1] == '\n');
	const char *bar = memchr(text, '|', (size_t)(nl - text));
	FUZZ_ASSERT(bar != NULL && (size_t)(bar - text) <= head_max + 1);
	FUZZ_ASSERT(memchr(bar + 1, '|', len - (size_t)(bar + 1 - text)) == NULL);
	fuzz_check_perfdata(bar + 1, nl, label_max);
}

/* The characters a Prometheus metric or label name may hold ([a-zA-Z_:]
 * first; digits after), from *p; advances it. colon: ':' allowed. */
static inline bool fuzz_prom_name(const char **p, bool colon)
{
	const char *s = *p;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
	       (colon && *s == ':') || (s > *p && *s >= '0' && *s <= '9'))
		s++;
	bool any = s > *p;
	*p = s;
	return any;
}

#define FUZZ_FAMILIES_MAX 64

/* A Prometheus text exposition (version 0.0.4) as this plugin writes it:
 * text as fuzz_check_text wants it, every line a comment or a sample
 * name{label="value",...} number; each family's # HELP and # TYPE once,
 * then all its samples (a sample names the family of the last # TYPE);
 * label values escaped (only \\, \" and \n after a backslash); never the
 * label "job"; numbers plain decimals (no NaN). */
static inline void fuzz_check_exposition(const char *text, size_t len)
{
	char family[FUZZ_FAMILIES_MAX][128];
	size_t n_families = 0;
	FUZZ_ASSERT(memchr(text, '\0', len) == NULL);
	fuzz_check_text(text, len);
	FUZZ_ASSERT(len > 0 && text[len - 1] == '\n');
	for (const char *line = text; line < text + len;) {
		const char *nl = memchr(line, '\n', (size_t)(text + len - line));
		const char *p = line;
		if (strncmp(p, "# TYPE ", 7) == 0) {
			p += 7;
			const char *name = p;
			FUZZ_ASSERT(fuzz_prom_name(&p, true) && (size_t)(p - name) < 128);
			FUZZ_ASSERT(strncmp(p, " gauge\n", 7) == 0);
			FUZZ_ASSERT(n_families < FUZZ_FAMILIES_MAX);
			memcpy(family[n_families], name, (size_t)(p - name));
			family[n_families][p - name] = '\0';
			for (size_t k = 0; k < n_families; k++)
				FUZZ_ASSERT(strcmp(family[k], family[n_families]) != 0);
			n_families++;
		} else if (*p == '#') {
			FUZZ_ASSERT(p[1] == ' ' || p[1] == '\n');
		} else {
			const char *name = p;
			FUZZ_ASSERT(fuzz_prom_name(&p, true) && n_families > 0);
			FUZZ_ASSERT(strlen(family[n_families - 1]) == (size_t)(p - name) &&
			            strncmp(family[n_families - 1], name, (size_t)(p - name)) == 0);
			if (*p == '{') {
				do {
					p++;
					const char *label = p;
					FUZZ_ASSERT(fuzz_prom_name(&p, false));
					FUZZ_ASSERT(
					    !(p - label == 3 && strncmp(label, "job", 3) == 0));
					FUZZ_ASSERT(p[0] == '=' && p[1] == '"');
					for (p += 2; *p != '"'; p++) {
						FUZZ_ASSERT(*p != '\n');
						if (*p == '\\') {
							p++;
							FUZZ_ASSERT(*p == '\\' || *p == '"' ||
							            *p == 'n');
						}
					}
					p++;
				} while (*p == ',');
				FUZZ_ASSERT(*p == '}');
				p++;
			}
			FUZZ_ASSERT(*p == ' ');
			p++;
			FUZZ_ASSERT(fuzz_is_number(&p) && *p == '\n');
		}
		line = nl + 1;
	}
}

#endif
