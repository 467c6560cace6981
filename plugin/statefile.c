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

#define STATE_FILE_MAX (64 * 1024)
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

bool job_id_is_plain(const char *job_id)
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

int job_file_stem(const char *job_id, char *out, size_t n)
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

/* A start in the future (the clock went back) is treated as happening now. */
static double age_of(double when, double now)
{
	return when > now ? 0.0 : now - when;
}

size_t start_history_recent(const struct start_history *h, double now)
{
	size_t count = 0;
	for (size_t i = 0; i < h->n; i++)
		if (age_of(h->e[i].when, now) < START_WINDOW)
			count++;
	return count;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

enum start_verdict start_rules_check(const struct start_history *h, double now, long cooldown,
                                     int max_starts, double *wait)
{
	double youngest = -1.0;
	double recent[HISTORY_MAX];
	size_t n_recent = 0;
	for (size_t i = 0; i < h->n; i++) {
		double age = age_of(h->e[i].when, now);
		if (youngest < 0 || age < youngest)
			youngest = age;
		if (age < START_WINDOW)
			recent[n_recent++] = now - age;
	}
	*wait = 0.0;
	if (youngest >= 0 && youngest < (double)cooldown) {
		*wait = (double)cooldown - youngest;
		return START_COOLDOWN;
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

void start_history_add(struct start_history *h, double now, enum start_origin origin)
{
	size_t keep = 0;
	for (size_t i = 0; i < h->n; i++)
		if (age_of(h->e[i].when, now) < START_WINDOW)
			h->e[keep++] = h->e[i];
	h->n = keep;
	if (h->n == HISTORY_MAX) {
		memmove(&h->e[0], &h->e[1], (HISTORY_MAX - 1) * sizeof(h->e[0]));
		h->n--;
	}
	h->e[h->n].when = now;
	h->e[h->n].origin = origin;
	h->n++;
}

static int parse_line(const char *line, struct start_entry *out)
{
	char *end;
	errno = 0;
	long long when = strtoll(line, &end, 10);
	if (errno != 0 || end == line || when < 0 || *end != ' ')
		return -1;
	for (int i = 0; i < 2; i++)
		if (strcmp(end + 1, origin_names[i]) == 0) {
			out->when = (double)when;
			out->origin = (enum start_origin)i;
			return 0;
		}
	return -1;
}

int start_history_parse(const char *text, struct start_history *h, struct err *e)
{
	h->n = 0;
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
		struct start_entry entry;
		if (parse_line(line, &entry) < 0)
			return err_set(e, ERR_CONFIG,
			               "line %u is not '<epoch seconds> handler|operator'", lineno);
		if (h->n == HISTORY_MAX) {
			memmove(&h->e[0], &h->e[1], (HISTORY_MAX - 1) * sizeof(h->e[0]));
			h->n--;
		}
		h->e[h->n++] = entry;
	}
	return 0;
}

int start_history_format(const struct start_history *h, struct buf *b)
{
	if (buf_puts(b, "# check_entra_sync: starts of this job, epoch seconds and who "
	                "started it\n") < 0)
		return -1;
	for (size_t i = 0; i < h->n; i++)
		if (buf_printf(b, "%lld %s\n", (long long)h->e[i].when,
		               origin_names[h->e[i].origin]) < 0)
			return -1;
	return 0;
}

static int read_history(struct job_state *js, struct err *e)
{
	char name[STEM_MAX + 8];
	snprintf(name, sizeof(name), "%s.state", js->stem);
	struct stat st;
	if (fstatat(js->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		js->history.n = 0; /* never started */
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

int job_state_save(struct job_state *js, struct err *e)
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

int job_state_record(struct job_state *js, double now, enum start_origin origin, struct err *e)
{
	start_history_add(&js->history, now, origin);
	return job_state_save(js, e);
}

int job_state_unrecord(struct job_state *js, double when, struct err *e)
{
	for (size_t i = js->history.n; i-- > 0;) {
		if (js->history.e[i].when == when) {
			memmove(&js->history.e[i], &js->history.e[i + 1],
			        (js->history.n - i - 1) * sizeof(js->history.e[0]));
			js->history.n--;
			if (js->history.n > 0)
				return job_state_save(js, e);
			/* no start left: as if none had been tried */
			char name[STEM_MAX + 8];
			snprintf(name, sizeof(name), "%s.state", js->stem);
			if (unlinkat(js->dir_fd, name, 0) < 0 && errno != ENOENT)
				return err_set(e, ERR_CONFIG, "cannot remove state file %s: %s",
				               name, strerror(errno));
			return 0;
		}
	}
	return 0;
}

double job_state_last_start(int dir_fd, const char *job_id)
{
	struct job_state js;
	memset(&js, 0, sizeof(js));
	js.dir_fd = dir_fd;
	js.lock_fd = -1;
	if (job_file_stem(job_id, js.stem, sizeof(js.stem)) < 0 || read_history(&js, NULL) < 0)
		return 0;
	double newest = 0;
	for (size_t i = 0; i < js.history.n; i++)
		if (js.history.e[i].when > newest)
			newest = js.history.e[i].when;
	return newest;
}

void job_state_release(struct job_state *js)
{
	if (js->lock_fd >= 0) {
		flock(js->lock_fd, LOCK_UN);
		close(js->lock_fd);
		js->lock_fd = -1;
	}
}
