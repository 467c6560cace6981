/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char *state_name(enum state s)
{
	if ((unsigned)s > STATE_UNKNOWN)
		return "UNKNOWN";
	return state_names[s];
}

int state_parse(const char *text, enum state *out)
{
	if (text == NULL)
		return -1;
	for (int i = 0; i <= STATE_UNKNOWN; i++) {
		char digit[2] = {(char)('0' + i), '\0'};
		if (strcasecmp(text, state_names[i]) == 0 || strcmp(text, digit) == 0) {
			*out = (enum state)i;
			return 0;
		}
	}
	return -1;
}

int state_rank(enum state s)
{
	switch (s) {
	case STATE_OK:
		return 0;
	case STATE_UNKNOWN:
		return 1;
	case STATE_WARNING:
		return 2;
	case STATE_CRITICAL:
		return 3;
	}
	return 1;
}

enum state state_worst(enum state a, enum state b)
{
	return state_rank(a) >= state_rank(b) ? a : b;
}

int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	if (e == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	e->kind = kind;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->detail[0] = '\0';
	return -1;
}

void err_detail(struct err *e, const char *fmt, ...)
{
	if (e == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	if (e == NULL)
		return -1;
	char head[ERR_MSG_MAX];
	char old[ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", head, old);
	return -1;
}

static int buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

struct placed {
	const char *s;
	size_t at;
};

static int by_text_then_place(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int d = strcasecmp(x->s, y->s);
	return d != 0 ? d : (x->at > y->at) - (x->at < y->at);
}

int strv_mark_repeats(const char *const *v, size_t n, bool *repeat)
{
	for (size_t i = 0; i < n; i++)
		repeat[i] = false;
	if (n < 2)
		return 0;
	struct placed *order = malloc(n * sizeof(*order));
	if (order == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		order[i] = (struct placed){v[i], i};
	qsort(order, n, sizeof(*order), by_text_then_place);
	for (size_t k = 1, first = 0; k < n; k++) {
		if (strcasecmp(order[k].s, order[first].s) != 0)
			first = k;
		else
			repeat[order[k].at] = true; /* order[first] stood earlier */
	}
	free(order);
	return 0;
}

void str_copy(char *dst, size_t n, const char *src)
{
	if (n == 0)
		return;
	if (src == NULL)
		src = "";
	size_t len = strlen(src);
	if (len >= n) {
		len = n - 1;
		/* never leave half of a UTF-8 character behind */
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* At most a century either way: anything else is a typing error, ignored. */
static double clock_offset(void)
{
	const char *v = getenv("CHECK_ENTRA_SYNC_CLOCK_OFFSET");
	if (v == NULL || *v == '\0')
		return 0.0;
	char *end = NULL;
	double off = strtod(v, &end);
	return *end == '\0' && off > -3.2e9 && off < 3.2e9 ? off : 0.0;
}

double clock_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + clock_offset();
}

double clock_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_sleep(double s)
{
	if (!(s > 0))
		return;
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
