/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared vocabulary: plugin states, error reporting, growable buffers. */
#ifndef CES_COMMON_H
#define CES_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLUGIN_NAME    "check_entra_sync"
#define PLUGIN_VERSION "0.1.0"
#define OUTPUT_PREFIX  "ENTRA SYNC"
/* --version's second line onwards: the licence, as GNU tools word it. */
#define PLUGIN_LICENSE                                                                             \
	"License GPL-3.0-or-later: GNU GPL version 3 or later "                                    \
	"<https://www.gnu.org/licenses/gpl.html>.\n"                                               \
	"This is free software: you are free to change and redistribute it.\n"                     \
	"There is NO WARRANTY, to the extent permitted by law."

/* A function its file keeps to itself but the unit tests and fuzz harnesses
 * call (curl's UNITTEST): static in the plugin, exported in their builds
 * (-DUNITTESTS), where its module's header declares it inside
 * #ifdef UNITTESTS. */
#ifdef UNITTESTS
#define UNITTEST
#else
#define UNITTEST static
#endif

enum state { STATE_OK = 0, STATE_WARNING = 1, STATE_CRITICAL = 2, STATE_UNKNOWN = 3 };

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *state_name(enum state s);
/* Accepts ok, warning, critical, unknown (any case) or 0-3. 0 on success, -1 otherwise. */
int state_parse(const char *text, enum state *out);
/* Monitoring Plugins order: CRITICAL > WARNING > UNKNOWN > OK. */
enum state state_worst(enum state a, enum state b);
/* Rank used for sorting, higher is worse: OK 0, UNKNOWN 1, WARNING 2, CRITICAL 3. */
int state_rank(enum state s);

enum err_kind {
	ERR_NONE = 0,
	ERR_USAGE,     /* bad command line or environment */
	ERR_CONFIG,    /* unreadable file, unsafe directory, ... */
	ERR_NETWORK,   /* connect, TLS, DNS, dropped connection */
	ERR_TIMEOUT,   /* the run's deadline passed */
	ERR_THROTTLED, /* 429/503/504 and the wait did not fit the deadline */
	ERR_AUTH,      /* sign-in refused */
	ERR_GRAPH,     /* Graph answered with an error status */
	ERR_PARSE,     /* malformed, truncated, oversized or wrong-shaped body */
	ERR_INTERNAL,  /* out of memory and the like */
};

#define ERR_MSG_MAX 1024

/* One failure: one line of text, and optionally a second with what support
 * asks for (trace and correlation ids, dates). http_status is 0 unless an
 * HTTP answer caused it. */
struct err {
	enum err_kind kind;
	long http_status;
	char msg[ERR_MSG_MAX];
	char detail[ERR_MSG_MAX];
};

/* Fills e (if not NULL) and returns -1, so callers can `return err_set(...)`. */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets the second line (e may be NULL). */
void err_detail(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the message already in e with "what: ". Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable NUL-terminated byte buffer. A zeroed struct is an empty buffer. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
int buf_append(struct buf *b, const void *data, size_t len); /* 0 or -1 (ENOMEM) */
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* Frees the n strings of v, then v itself (either may be NULL). */
void strv_free(char **v, size_t n);

/* Sets repeat[i] when v[i] repeats an earlier string of v (case aside), so
 * that the first of each stays unmarked where it stood. Sorted, not
 * compared pair by pair: 100,000 strings take milliseconds. 0, or -1 when
 * out of memory. */
int strv_mark_repeats(const char *const *v, size_t n, bool *repeat);

/* Copies src into dst (size n), truncating on a UTF-8 character boundary;
 * always NUL-terminates. */
void str_copy(char *dst, size_t n, const char *src);

/* Seconds since the epoch, with sub-second precision (wall clock). Test
 * seam (man page, ENVIRONMENT): CHECK_ENTRA_SYNC_CLOCK_OFFSET, seconds,
 * is added, so tests that span days move the plugin's clock with the
 * emulator's. */
double clock_wall(void);
/* Monotonic seconds, for deadlines. */
double clock_mono(void);
/* Sleeps s seconds (fractions allowed), resuming after signals. */
void clock_sleep(double s);

#endif
