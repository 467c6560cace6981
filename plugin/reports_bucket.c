/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports_bucket.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

#define ENTRY_MAGIC "check_entra_sync reports window v1\n"
#define ENTRY_MAX   512
/* A Retry-After further away than this is not believed for the others. */
#define HOLD_MAX 300.0

UNITTEST double bucket_wait(const struct bucket *b, double now)
{
	double wait = b->blocked_until > now ? b->blocked_until - now : 0;
	if (b->n >= BUCKET_SLOTS) {
		double free_at = b->sent[b->n - BUCKET_SLOTS] + BUCKET_WINDOW;
		if (free_at - now > wait)
			wait = free_at - now;
	}
	return wait;
}

UNITTEST void bucket_take(struct bucket *b, double now)
{
	if (b->n == BUCKET_SLOTS) {
		memmove(b->sent, b->sent + 1, (BUCKET_SLOTS - 1) * sizeof(b->sent[0]));
		b->n--;
	}
	b->sent[b->n++] = now;
}

UNITTEST void bucket_block(struct bucket *b, double until)
{
	if (until > b->blocked_until)
		b->blocked_until = until;
}

static long long millis(double t)
{
	return (long long)llround(t * 1000.0);
}

UNITTEST char *bucket_format(const struct bucket *b)
{
	struct buf out = {0};
	int rc =
	    buf_printf(&out, "%sblocked_until=%lld\nsent=", ENTRY_MAGIC, millis(b->blocked_until));
	for (size_t i = 0; rc == 0 && i < b->n; i++)
		rc = buf_printf(&out, "%s%lld", i ? "," : "", millis(b->sent[i]));
	if (rc == 0)
		rc = buf_puts(&out, "\nend\n");
	if (rc < 0) {
		buf_free(&out);
		return NULL;
	}
	return out.data;
}

/* A millisecond epoch of at most 15 digits. */
static int number(const char **p, const char *end, double *out)
{
	long long v = 0;
	int digits = 0;
	while (*p < end && **p >= '0' && **p <= '9' && digits < 15) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	if (digits == 0 || (*p < end && **p >= '0' && **p <= '9'))
		return -1;
	*out = (double)v / 1000.0;
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

UNITTEST int bucket_parse(const char *data, size_t len, double now, struct bucket *b)
{
	memset(b, 0, sizeof(*b));
	const char *p = data, *end = data + len, *v;
	size_t vlen;
	if (fio_take_magic(&p, end, ENTRY_MAGIC) < 0)
		return -1;
	if (fio_take_line(&p, end, "blocked_until=", &v, &vlen) < 0 ||
	    number(&v, v + vlen, &b->blocked_until) < 0 || v != p - 1)
		return -1;
	if (b->blocked_until > now + HOLD_MAX)
		b->blocked_until = now + HOLD_MAX;
	if (fio_take_line(&p, end, "sent=", &v, &vlen) < 0)
		return -1;
	/* The file is ours, but read as if it were not: times in any order, at
	 * most a few more than the window holds. */
	double t[4 * BUCKET_SLOTS] = {0};
	size_t n = 0;
	for (const char *vend = v + vlen; v < vend;) {
		if (n == sizeof(t) / sizeof(t[0]) || number(&v, vend, &t[n]) < 0 ||
		    (v < vend && *v++ != ','))
			return -1;
		if (t[n] > now)
			t[n] = now;
		n++;
	}
	qsort(t, n, sizeof(t[0]), cmp_double);
	for (size_t i = 0; i < n; i++)
		if (t[i] > now - BUCKET_WINDOW)
			bucket_take(b, t[i]);
	if (fio_take_line(&p, end, "end", &v, &vlen) < 0 || vlen != 0 || p != end)
		return -1;
	return 0;
}

static void lock_name(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s.lock", name);
}

/* The window as the file has it (empty when it has none usable). */
static void load(int dirfd, const char *name, double now, struct bucket *b)
{
	struct stat st;
	struct buf data = {0};
	int fd = fio_open_read(dirfd, name, true, "reports window", &st, NULL);
	bool ok = fd >= 0 && st.st_uid == geteuid() &&
	          fio_read_fd(fd, ENTRY_MAX, "reports window", &data, NULL) == 0 &&
	          bucket_parse(data.data, data.len, now, b) == 0;
	if (!ok)
		memset(b, 0, sizeof(*b));
	if (fd >= 0)
		close(fd);
	buf_free(&data);
}

static int save(int dirfd, const char *name, const struct bucket *b, struct err *e)
{
	char *text = bucket_format(b);
	if (text == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = fio_replace(dirfd, name, text, strlen(text), "reports window", e);
	free(text);
	return rc;
}

static int lock(int dirfd, const char *name, double deadline, struct err *e)
{
	char lname[160];
	lock_name(lname, sizeof(lname), name);
	return fio_lock(dirfd, lname, deadline,
	                "another check_entra_sync process counting its log reads", e);
}

/* Under the window's lock: holds it back until hold (when > 0), or takes a
 * place when one is free; *wait: seconds until one is (0: taken). */
static int update(int dirfd, const char *name, double deadline, double hold, double *wait,
                  struct err *e)
{
	int fd = lock(dirfd, name, deadline, e);
	if (fd < 0)
		return -1;
	double now = clock_wall();
	struct bucket b;
	load(dirfd, name, now, &b);
	*wait = hold > 0 ? 0 : bucket_wait(&b, now);
	if (hold > 0)
		bucket_block(&b, now + (hold < HOLD_MAX ? hold : HOLD_MAX));
	else if (*wait <= 0)
		bucket_take(&b, now);
	/* Saved while waiting too: load took a time ahead of the clock (the
	 * clock went back) as now, and only saving it as now lets the window
	 * free within its length, not when the clock gets back there. */
	int rc = save(dirfd, name, &b, *wait <= 0 ? e : NULL);
	close(fd);
	return *wait <= 0 ? rc : 0;
}

int bucket_acquire(int dirfd, const char *name, double deadline, double *waited, struct err *e)
{
	double began = clock_mono();
	*waited = 0;
	for (;;) {
		double wait;
		int rc = update(dirfd, name, deadline, 0, &wait, e);
		*waited = clock_mono() - began;
		if (rc < 0 || wait <= 0)
			return rc;
		double left = deadline - clock_mono();
		if (wait > left)
			return err_set(
			    e, ERR_THROTTLED,
			    "Microsoft allows %d log reads per 10 s per application; the "
			    "next is %.1fs away, %.1fs of the run are left for it",
			    BUCKET_SLOTS, wait, left > 0 ? left : 0);
		clock_sleep(wait);
	}
}

int bucket_hold(int dirfd, const char *name, double seconds, double deadline, struct err *e)
{
	double wait;
	return update(dirfd, name, deadline, seconds > 0 ? seconds : 0.001, &wait, e);
}
