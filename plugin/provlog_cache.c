/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "provlog_cache.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encode.h"
#include "fileio.h"
#include "text.h"

#define ENTRY_MAGIC "check_entra_sync object errors v1\n"
#define EPOCH_LIMIT 1e12 /* seconds: far past any clock, well inside a double */

static const struct {
	enum provlog_status status;
	const char *word;
} outcomes[] = {
    {PROVLOG_KNOWN, "known"},
    {PROVLOG_NO_PERMISSION, "no-permission"},
    {PROVLOG_NO_LICENCE, "no-licence"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int provlog_job_hash(const char *job_id, char out[17])
{
	unsigned char sum[SHA256_LEN];
	if (sha256(job_id, strlen(job_id), sum) < 0)
		return -1;
	hex_encode(sum, 8, out);
	return 0;
}

static int entry_name(char *out, size_t n, const char *key, const char *job_id, const char *suffix)
{
	char hash[17] = "denied";
	if (job_id != NULL && provlog_job_hash(job_id, hash) < 0)
		return -1;
	snprintf(out, n, "%s.objerr-%s%s", key, hash, suffix);
	return 0;
}

static long long millis(double t)
{
	return (long long)llround(t * 1000.0);
}

static bool epoch_ok(double v)
{
	return isfinite(v) && v >= 0 && v < EPOCH_LIMIT;
}

/* One text line of the entry: cleaned again, so that no newline can forge
 * a field whatever the summary held. */
static int put_text(struct buf *b, const char *name, const char *value)
{
	char *copy = strdup(value);
	if (copy == NULL)
		return -1;
	text_clean(copy);
	int rc = buf_printf(b, "%s=%s\n", name, copy);
	free(copy);
	return rc;
}

static int put_code(struct buf *b, const struct provlog_code *c)
{
	int rc = buf_printf(b, "objects=%u\nevents=%u\n", c->objects, c->events);
	const char *names[] = {"code", "category", "type", "name", "id", "reason"};
	const char *values[] = {c->code,         c->category,   c->example.type,
	                        c->example.name, c->example.id, c->reason};
	for (size_t i = 0; rc == 0 && i < COUNT(names); i++)
		rc = put_text(b, names[i], values[i]);
	return rc;
}

UNITTEST char *provlog_entry_format(const struct provlog_entry *c)
{
	const char *word = NULL;
	for (size_t i = 0; i < COUNT(outcomes); i++)
		if (outcomes[i].status == c->status)
			word = outcomes[i].word;
	const struct provlog_summary *s = &c->summary;
	if (word == NULL || !epoch_ok(c->began) || !epoch_ok(c->ended) || !epoch_ok(c->read_at) ||
	    strlen(c->job) != 16 || s->n_top > PROVLOG_TOP)
		return NULL;
	struct buf b = {0};
	int rc = buf_printf(&b, "%sjob=%s\nbegan=%lld\nended=%lld\nread_at=%lld\noutcome=%s\n",
	                    ENTRY_MAGIC, c->job, millis(c->began), millis(c->ended),
	                    (long long)c->read_at, word);
	if (rc == 0)
		rc = buf_printf(&b, "events=%u\nobjects=%u\ncapped=%d\ncodes=%u\n", s->events,
		                s->objects, s->capped ? 1 : 0, s->codes);
	if (rc == 0 && s->staged_read)
		rc = buf_printf(&b, "staged=%u\nstaged_capped=%d\n", s->staged,
		                s->staged_capped ? 1 : 0);
	else if (rc == 0)
		rc = buf_puts(&b, "staged=-\nstaged_capped=0\n");
	if (rc == 0)
		rc = buf_printf(&b, "top=%zu\n", s->n_top);
	for (size_t i = 0; rc == 0 && i < s->n_top; i++)
		rc = put_code(&b, &s->top[i]);
	if (rc == 0)
		rc = buf_puts(&b, "end\n");
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* A number line into an unsigned (or an epoch, in units of 1/scale s). */
static int take_uint(const char **p, const char *end, const char *prefix, unsigned *out)
{
	unsigned long long n;
	if (fio_take_number(p, end, prefix, UINT_MAX, &n) < 0)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int take_epoch(const char **p, const char *end, const char *prefix, double scale,
                      double *out)
{
	/* what epoch_ok lets provlog_entry_format write, and no more */
	unsigned long long n, max = (unsigned long long)(EPOCH_LIMIT * scale) - 1;
	if (fio_take_number(p, end, prefix, max, &n) < 0)
		return -1;
	*out = (double)n / scale;
	return 0;
}

static int take_flag(const char **p, const char *end, const char *prefix, bool *out)
{
	unsigned v;
	if (take_uint(p, end, prefix, &v) < 0 || v > 1)
		return -1;
	*out = v == 1;
	return 0;
}

static int take_clean(const char **p, const char *end, const char *prefix, char *out, size_t n)
{
	if (fio_take_text(p, end, prefix, out, n) < 0)
		return -1;
	text_clean(out);
	return 0;
}

static int take_code(const char **p, const char *end, struct provlog_code *c)
{
	if (take_uint(p, end, "objects=", &c->objects) < 0 ||
	    take_uint(p, end, "events=", &c->events) < 0 ||
	    take_clean(p, end, "code=", c->code, sizeof(c->code)) < 0 ||
	    take_clean(p, end, "category=", c->category, sizeof(c->category)) < 0 ||
	    take_clean(p, end, "type=", c->example.type, sizeof(c->example.type)) < 0 ||
	    take_clean(p, end, "name=", c->example.name, sizeof(c->example.name)) < 0 ||
	    take_clean(p, end, "id=", c->example.id, sizeof(c->example.id)) < 0 ||
	    take_clean(p, end, "reason=", c->reason, sizeof(c->reason)) < 0)
		return -1;
	return 0;
}

static int take_outcome(const char **p, const char *end, enum provlog_status *out)
{
	char word[24];
	if (fio_take_text(p, end, "outcome=", word, sizeof(word)) < 0)
		return -1;
	for (size_t i = 0; i < COUNT(outcomes); i++) {
		if (strcmp(word, outcomes[i].word) == 0) {
			*out = outcomes[i].status;
			return 0;
		}
	}
	return -1;
}

static int take_staged(const char **p, const char *end, struct provlog_summary *s)
{
	char v[24];
	unsigned long long n;
	if (fio_take_text(p, end, "staged=", v, sizeof(v)) < 0)
		return -1;
	if (strcmp(v, "-") != 0) {
		if (fio_parse_number(v, UINT_MAX, &n) < 0)
			return -1;
		s->staged_read = true;
		s->staged = (unsigned)n;
	}
	return take_flag(p, end, "staged_capped=", &s->staged_capped);
}

UNITTEST int provlog_entry_parse(const char *data, size_t len, struct provlog_entry *c)
{
	memset(c, 0, sizeof(*c));
	const char *p = data, *end = data + len;
	if (fio_take_magic(&p, end, ENTRY_MAGIC) < 0)
		return -1;
	struct provlog_summary *s = &c->summary;
	unsigned top;
	char v[8];
	if (fio_take_text(&p, end, "job=", c->job, sizeof(c->job)) < 0 || strlen(c->job) != 16 ||
	    strspn(c->job, "0123456789abcdef") != 16 ||
	    take_epoch(&p, end, "began=", 1000.0, &c->began) < 0 ||
	    take_epoch(&p, end, "ended=", 1000.0, &c->ended) < 0 ||
	    take_epoch(&p, end, "read_at=", 1.0, &c->read_at) < 0 ||
	    take_outcome(&p, end, &c->status) < 0 ||
	    take_uint(&p, end, "events=", &s->events) < 0 ||
	    take_uint(&p, end, "objects=", &s->objects) < 0 ||
	    take_flag(&p, end, "capped=", &s->capped) < 0 ||
	    take_uint(&p, end, "codes=", &s->codes) < 0 || take_staged(&p, end, s) < 0 ||
	    take_uint(&p, end, "top=", &top) < 0 || top > PROVLOG_TOP)
		return -1;
	for (s->n_top = 0; s->n_top < top; s->n_top++)
		if (take_code(&p, end, &s->top[s->n_top]) < 0)
			return -1;
	if (fio_take_text(&p, end, "end", v, sizeof(v)) < 0 || v[0] != '\0' || p != end)
		return -1;
	s->cycle_began = c->began;
	s->cycle_ended = c->ended;
	return 0;
}

bool provlog_entry_answers(const struct provlog_entry *c, double began, double ended, double now)
{
	double age = now - c->read_at;
	if (c->status != PROVLOG_KNOWN || millis(c->began) != millis(began) ||
	    millis(c->ended) != millis(ended) || age < -PROVLOG_CLOCK_SLACK)
		return false;
	bool final = ended > 0 && c->read_at >= ended + PROVLOG_SETTLE;
	return final || age < PROVLOG_RECHECK;
}

int provlog_cache_lookup(int dirfd, const char *key, const char *job_id, struct provlog_entry *c)
{
	char name[160], hash[17] = "";
	if (entry_name(name, sizeof(name), key, job_id, "") < 0 ||
	    (job_id != NULL && provlog_job_hash(job_id, hash) < 0))
		return 0;
	struct stat st;
	struct buf data = {0};
	int fd = fio_open_read(dirfd, name, true, "object errors cache entry", &st, NULL);
	if (fd < 0)
		return 0;
	int found =
	    st.st_uid == geteuid() && st.st_size > 0 && st.st_size <= (off_t)PROVLOG_ENTRY_MAX &&
	    fio_read_fd(fd, PROVLOG_ENTRY_MAX, "object errors cache entry", &data, NULL) == 0 &&
	    provlog_entry_parse(data.data, data.len, c) == 0 &&
	    (job_id == NULL || strcmp(c->job, hash) == 0);
	buf_free(&data);
	close(fd);
	return found;
}

int provlog_cache_store(int dirfd, const char *key, const char *job_id,
                        const struct provlog_entry *c, struct err *e)
{
	char name[160];
	if (entry_name(name, sizeof(name), key, job_id, "") < 0)
		return err_set(e, ERR_INTERNAL, "cannot name the object errors cache entry");
	char *text = provlog_entry_format(c);
	if (text == NULL)
		return err_set(e, ERR_INTERNAL, "cannot format the object errors cache entry");
	int rc = fio_replace(dirfd, name, text, strlen(text), "object errors cache entry", e);
	free(text);
	return rc;
}

int provlog_cache_lock(int dirfd, const char *key, const char *job_id, double deadline,
                       struct err *e)
{
	char name[160];
	if (entry_name(name, sizeof(name), key, job_id, ".lock") < 0)
		return err_set(e, ERR_INTERNAL, "cannot name the object errors lock");
	return fio_lock(dirfd, name, deadline,
	                "another check_entra_sync process reading the same provisioning logs", e);
}
