/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"
#include "fileio.h"
#include "timeparse.h"

#define STATE_FILE_MAX (128 * 1024) /* HISTORY_MAX lines with their reasons */
#define TEMPLATE_MAX   64

static const char *const origin_names[] = {"handler", "operator"};

static bool is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_template_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

UNITTEST bool job_id_is_plain(const char *job_id)
{
	if (job_id == NULL)
		return false;
	const char *dot = strchr(job_id, '.');
	if (dot == NULL || dot == job_id || dot - job_id > TEMPLATE_MAX)
		return false;
	for (const char *p = job_id; p < dot; p++)
		if (!is_template_char(*p))
			return false;
	const char *hex = dot + 1;
	if (strlen(hex) != 32)
		return false;
	for (const char *p = hex; *p; p++)
		if (!is_hex_lower(*p))
			return false;
	return true;
}

UNITTEST int job_file_stem(const char *job_id, char *out, size_t n)
{
	if (job_id == NULL || n < STEM_MAX)
		return -1;
	if (job_id_is_plain(job_id)) {
		str_copy(out, n, job_id);
		return 0;
	}
	unsigned char md[SHA256_LEN];
	if (sha256(job_id, strlen(job_id), md) < 0)
		return -1;
	out[0] = 'x';
	out[1] = '_';
	hex_encode(md, sizeof(md), out + 2);
	return 0;
}

void start_reason_token(const char *reason, char *out, size_t n)
{
	size_t len = reason != NULL ? strlen(reason) : 0;
	bool plain = len > 0 && len < REASON_TOKEN_MAX && len < n;
	for (size_t i = 0; plain && i < len; i++)
		plain = is_template_char(reason[i]) || reason[i] == '.';
	if (plain)
		str_copy(out, n, reason);
	else
		str_copy(out, n, len == 0 ? "-" : "?");
}

/* A start up to TIME_AHEAD_SLACK ahead counts as now (clocks drift); one
 * further ahead is no valid time and counts not at all. */
static bool valid_start(double when, double now)
{
	return !time_ahead(when, now);
}

static double age_of(double when, double now)
{
	return when > now ? 0.0 : now - when;
}

size_t start_history_recent(const struct start_history *h, double now)
{
	size_t count = 0;
	for (size_t i = 0; i < h->n; i++)
		if (valid_start(h->e[i].when, now) && age_of(h->e[i].when, now) < START_WINDOW)
			count++;
	return count;
}

/* The newest valid start at or after index from, or -1. */
static long newest_from(const struct start_history *h, size_t from, double now)
{
	long best = -1;
	for (size_t i = from; i < h->n; i++)
		if (valid_start(h->e[i].when, now) &&
		    (best < 0 || h->e[i].when >= h->e[(size_t)best].when))
			best = (long)i;
	return best;
}

void start_history_summary(const struct start_history *h, double now, struct start_record *out)
{
	memset(out, 0, sizeof(*out));
	str_copy(out->last_reason, sizeof(out->last_reason), "?");
	long last = newest_from(h, 0, now);
	if (last >= 0) {
		out->last = h->e[last].when;
		str_copy(out->last_reason, sizeof(out->last_reason), h->e[last].reason);
	}
	double first = 0;
	for (size_t i = 0; i < h->n; i++) {
		double w = h->e[i].when;
		if (!valid_start(w, now)) {
			if (w > out->ahead)
				out->ahead = w;
			continue;
		}
		if (i < h->episode_first)
			continue;
		out->episode_starts++;
		if (first == 0 || w < first)
			first = w;
	}
	if (out->episode_starts > 0)
		out->episode_began =
		    h->episode_began > 0 && h->episode_began <= first ? h->episode_began : first;
}

/* The episode's last two valid starts: *last and *previous (0 when none). */
static void episode_last_two(const struct start_history *h, double now, double *last,
                             double *previous)
{
	*last = *previous = 0;
	for (size_t i = h->episode_first; i < h->n; i++) {
		double w = h->e[i].when;
		if (!valid_start(w, now))
			continue;
		if (w >= *last) {
			*previous = *last;
			*last = w;
		} else if (w > *previous) {
			*previous = w;
		}
	}
}

double start_rules_gap(const struct start_history *h, double now, long cooldown, bool futile)
{
	double gap = (double)cooldown;
	if (!futile)
		return gap;
	double last, previous;
	episode_last_two(h, now, &last, &previous);
	double before = previous > 0 ? last - previous : gap;
	double backoff = 2.0 * (before > gap ? before : gap);
	if (backoff > BACKOFF_MAX)
		backoff = BACKOFF_MAX;
	return backoff > gap ? backoff : gap;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

enum start_verdict start_rules_check(const struct start_history *h, double now, long cooldown,
                                     int max_starts, bool futile, double *wait)
{
	double youngest = -1.0;
	double recent[HISTORY_MAX];
	size_t n_recent = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (!valid_start(h->e[i].when, now))
			continue;
		double age = age_of(h->e[i].when, now);
		if (youngest < 0 || age < youngest)
			youngest = age;
		if (age < START_WINDOW)
			recent[n_recent++] = now - age;
	}
	*wait = 0.0;
	double gap = start_rules_gap(h, now, cooldown, futile);
	if (youngest >= 0 && youngest < gap) {
		*wait = gap - youngest;
		return gap > (double)cooldown ? START_BACKOFF : START_COOLDOWN;
	}
	if (max_starts <= 0) {
		*wait = -1.0; /* never */
		return START_MAX_STARTS;
	}
	if (n_recent >= (size_t)max_starts) {
		/* Once this many of the oldest starts leave the window, one more fits. */
		qsort(recent, n_recent, sizeof(recent[0]), cmp_double);
		*wait = recent[n_recent - (size_t)max_starts] + START_WINDOW - now;
		return START_MAX_STARTS;
	}
	return START_ALLOWED;
}

/* Over when it has no valid start, or a successful cycle ended after its last. */
static bool episode_over(const struct start_history *h, double now, double last_success)
{
	double last, previous;
	episode_last_two(h, now, &last, &previous);
	return last == 0 || last_success > last;
}

/* Keeps the entries keep() accepts, in order, and the episode's place. */
static void history_prune(struct start_history *h, double now, bool keep_episode)
{
	size_t kept = 0, first = h->n;
	for (size_t i = 0; i < h->n; i++) {
		const struct start_entry *x = &h->e[i];
		bool in_episode = keep_episode && i >= h->episode_first;
		if (!valid_start(x->when, now) ||
		    !(in_episode || age_of(x->when, now) < START_WINDOW))
			continue;
		if (i >= h->episode_first && first == h->n)
			first = kept;
		h->e[kept++] = *x;
	}
	h->episode_first = first < kept ? first : kept;
	h->n = kept;
}

static void history_drop_oldest(struct start_history *h)
{
	memmove(&h->e[0], &h->e[1], (h->n - 1) * sizeof(h->e[0]));
	h->n--;
	if (h->episode_first > 0)
		h->episode_first--;
}

UNITTEST void start_history_add(struct start_history *h, double now, enum start_origin origin,
                                const char *reason, double broken_since, double last_success)
{
	bool over = episode_over(h, now, last_success);
	history_prune(h, now, !over);
	if (over) {
		h->episode_first = h->n;
		h->episode_began = broken_since > 0 && broken_since <= now ? broken_since : now;
	}
	if (h->n == HISTORY_MAX)
		history_drop_oldest(h);
	struct start_entry *x = &h->e[h->n++];
	x->when = now;
	x->origin = origin;
	if (reason != NULL)
		start_reason_token(reason, x->reason, sizeof(x->reason));
	else
		str_copy(x->reason, sizeof(x->reason), "-");
}

static int parse_epoch(const char *text, const char **end, double *out)
{
	char *stop;
	errno = 0;
	long long v = strtoll(text, &stop, 10);
	if (errno != 0 || stop == text || v < 0)
		return -1;
	*end = stop;
	*out = (double)v;
	return 0;
}

/* "<epoch> handler|operator" (first format) or "<epoch> <origin> <reason>". */
static int parse_start(const char *line, struct start_entry *out)
{
	const char *p;
	if (parse_epoch(line, &p, &out->when) < 0 || *p != ' ')
		return -1;
	p++;
	size_t len = strcspn(p, " ");
	for (int i = 0; i < 2; i++) {
		if (len != strlen(origin_names[i]) || strncmp(p, origin_names[i], len) != 0)
			continue;
		out->origin = (enum start_origin)i;
		const char *reason = p + len;
		if (*reason == '\0') {
			str_copy(out->reason, sizeof(out->reason), "?");
			return 0;
		}
		reason++;
		char token[REASON_TOKEN_MAX];
		start_reason_token(reason, token, sizeof(token));
		if (strcmp(token, reason) != 0 && strcmp(reason, "?") != 0)
			return -1;
		str_copy(out->reason, sizeof(out->reason), reason);
		return 0;
	}
	return -1;
}

/* "episode <epoch>": the starts after it belong to the episode begun then. */
static int parse_episode(const char *line, struct start_history *h)
{
	const char *p;
	double began;
	if (strncmp(line, "episode ", 8) != 0 || parse_epoch(line + 8, &p, &began) < 0 ||
	    *p != '\0' || began <= 0)
		return -1;
	h->episode_began = began;
	h->episode_first = h->n;
	return 0;
}

UNITTEST int start_history_parse(const char *text, struct start_history *h, struct err *e)
{
	h->n = 0;
	h->episode_began = 0;
	h->episode_first = 0;
	unsigned lineno = 0;
	while (*text) {
		size_t len = strcspn(text, "\n");
		char line[128];
		lineno++;
		if (len >= sizeof(line))
			return err_set(e, ERR_CONFIG, "line %u is too long", lineno);
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (strncmp(line, "episode", 7) == 0) {
			if (parse_episode(line, h) < 0)
				return err_set(e, ERR_CONFIG,
				               "line %u is not 'episode <epoch seconds>'", lineno);
			continue;
		}
		struct start_entry entry;
		if (parse_start(line, &entry) < 0)
			return err_set(e, ERR_CONFIG,
			               "line %u is not '<epoch seconds> handler|operator [reason]'",
			               lineno);
		if (h->n == HISTORY_MAX)
			history_drop_oldest(h);
		h->e[h->n++] = entry;
	}
	return 0;
}

static int format_entries(const struct start_history *h, size_t from, size_t to, struct buf *b)
{
	for (size_t i = from; i < to; i++)
		if (buf_printf(b, "%lld %s %s\n", (long long)h->e[i].when,
		               origin_names[h->e[i].origin], h->e[i].reason) < 0)
			return -1;
	return 0;
}

UNITTEST int start_history_format(const struct start_history *h, struct buf *b)
{
	size_t first = h->episode_first < h->n ? h->episode_first : h->n;
	if (buf_puts(b, "# check_entra_sync: starts of this job (epoch seconds, who, the "
	                "quarantine reason then);\n# 'episode T': broken since T, the starts "
	                "after it were made to repair it\n") < 0 ||
	    format_entries(h, 0, first, b) < 0)
		return -1;
	if (h->episode_began > 0 &&
	    buf_printf(b, "episode %lld\n", (long long)h->episode_began) < 0)
		return -1;
	return format_entries(h, first, h->n, b);
}

static int read_history(struct job_state *js, struct err *e)
{
	char name[STEM_MAX + 8];
	snprintf(name, sizeof(name), "%s.state", js->stem);
	struct stat st;
	if (fstatat(js->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		/* never started */
		js->history.n = js->history.episode_first = 0;
		js->history.episode_began = 0;
		return 0;
	}
	struct buf text = {0};
	if (fio_read_file(js->dir_fd, name, true, STATE_FILE_MAX, "state file", &text, NULL, e) <
	    0) {
		buf_free(&text);
		return -1;
	}
	int rc = 0;
	if (strlen(text.data) != text.len)
		rc = err_set(e, ERR_CONFIG, "state file %s holds a NUL byte", name);
	else if (start_history_parse(text.data, &js->history, e) < 0)
		rc = err_prefix(e, "state file %s", name);
	buf_free(&text);
	return rc;
}

int job_state_acquire(int dir_fd, const char *job_id, double deadline, struct job_state *js,
                      struct err *e)
{
	memset(js, 0, sizeof(*js));
	js->dir_fd = dir_fd;
	js->lock_fd = -1;
	if (job_file_stem(job_id, js->stem, sizeof(js->stem)) < 0)
		return err_set(e, ERR_INTERNAL, "cannot derive a file name for the job");
	char name[STEM_MAX + 8];
	snprintf(name, sizeof(name), "%s.lock", js->stem);
	int fd = fio_lock(dir_fd, name, deadline, "another handler or --start holding the job", e);
	if (fd < 0)
		return -1;
	js->lock_fd = fd;
	if (read_history(js, e) < 0) {
		job_state_release(js);
		return -1;
	}
	return 0;
}

UNITTEST int job_state_save(struct job_state *js, struct err *e)
{
	struct buf b = {0};
	if (start_history_format(&js->history, &b) < 0) {
		buf_free(&b);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	char name[STEM_MAX + 8], what[STEM_MAX + 24];
	snprintf(name, sizeof(name), "%s.state", js->stem);
	snprintf(what, sizeof(what), "state file %s", name);
	int rc = fio_replace(js->dir_fd, name, b.data, b.len, what, e);
	buf_free(&b);
	return rc;
}

int job_state_record(struct job_state *js, double now, enum start_origin origin, const char *reason,
                     double broken_since, double last_success, struct err *e)
{
	start_history_add(&js->history, now, origin, reason, broken_since, last_success);
	return job_state_save(js, e);
}

int job_state_unrecord(struct job_state *js, double when, struct err *e)
{
	struct start_history *h = &js->history;
	for (size_t i = h->n; i-- > 0;) {
		if (h->e[i].when != when)
			continue;
		memmove(&h->e[i], &h->e[i + 1], (h->n - i - 1) * sizeof(h->e[0]));
		h->n--;
		if (h->episode_first > i)
			h->episode_first--;
		if (h->n > 0)
			return job_state_save(js, e);
		/* no start left: as if none had been tried */
		char name[STEM_MAX + 8];
		snprintf(name, sizeof(name), "%s.state", js->stem);
		if (unlinkat(js->dir_fd, name, 0) < 0 && errno != ENOENT)
			return err_set(e, ERR_CONFIG, "cannot remove state file %s: %s", name,
			               strerror(errno));
		return 0;
	}
	return 0;
}

int job_state_summary(int dir_fd, const char *job_id, double now, struct start_record *out)
{
	memset(out, 0, sizeof(*out));
	/* a history is 80 KB: not on the stack of every check */
	struct job_state *js = calloc(1, sizeof(*js));
	if (js == NULL)
		return -1;
	js->dir_fd = dir_fd;
	js->lock_fd = -1;
	int rc = -1;
	if (job_file_stem(job_id, js->stem, sizeof(js->stem)) == 0 && read_history(js, NULL) == 0) {
		start_history_summary(&js->history, now, out);
		rc = 0;
	}
	free(js);
	return rc;
}

void job_state_release(struct job_state *js)
{
	if (js->lock_fd >= 0) {
		flock(js->lock_fd, LOCK_UN);
		close(js->lock_fd);
		js->lock_fd = -1;
	}
}
