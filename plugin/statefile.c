#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_Digest(job_id, strlen(job_id), md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return -1;
	char *p = out;
	*p++ = 'x';
	*p++ = '_';
	for (unsigned i = 0; i < len; i++)
		p += snprintf(p, 3, "%02x", md[i]);
	*p = '\0';
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

static int lock_with_deadline(int fd, double deadline, struct err *e)
{
	if (flock_until(fd, deadline) == 0)
		return 0;
	if (errno == ETIMEDOUT)
		return err_set(e, ERR_TIMEOUT,
		               "another handler or --start holds the job's lock; gave up "
		               "waiting at the deadline");
	return err_set(e, ERR_CONFIG, "cannot lock: %s", strerror(errno));
}

static int read_history(struct job_state *js, struct err *e)
{
	char name[STEM_MAX + 8];
	snprintf(name, sizeof(name), "%s.state", js->stem);
	int fd = openat(js->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			js->history.n = 0;
			return 0;
		}
		return err_set(e, ERR_CONFIG, "cannot open state file %s: %s", name,
		               strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATE_FILE_MAX) {
		close(fd);
		return err_set(e, ERR_CONFIG, "state file %s is not a regular file under %d bytes",
		               name, STATE_FILE_MAX);
	}
	char *text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		close(fd);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	text[got] = '\0';
	int rc = 0;
	if (strlen(text) != got)
		rc = err_set(e, ERR_CONFIG, "state file %s holds a NUL byte", name);
	else if (start_history_parse(text, &js->history, e) < 0)
		rc = err_prefix(e, "state file %s", name);
	free(text);
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
	int fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, ERR_CONFIG, "cannot open lock file %s: %s", name,
		               strerror(errno));
	if (lock_with_deadline(fd, deadline, e) < 0) {
		close(fd);
		return err_prefix(e, "lock file %s", name);
	}
	js->lock_fd = fd;
	if (read_history(js, e) < 0) {
		job_state_release(js);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
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
	char name[STEM_MAX + 8], tmp[STEM_MAX + 32];
	snprintf(name, sizeof(name), "%s.state", js->stem);
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", js->stem, (long)getpid());
	/* We hold the job's lock, so a leftover temporary file of ours is stale. */
	unlinkat(js->dir_fd, tmp, 0);
	int fd =
	    openat(js->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		buf_free(&b);
		return err_set(e, ERR_CONFIG, "cannot create %s: %s", tmp, strerror(errno));
	}
	int rc = write_all(fd, b.data, b.len) == 0 && fsync(fd) == 0 ? 0 : -1;
	int saved = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	buf_free(&b);
	if (rc == 0 && renameat(js->dir_fd, tmp, js->dir_fd, name) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc < 0) {
		unlinkat(js->dir_fd, tmp, 0);
		return err_set(e, ERR_CONFIG, "cannot write state file %s: %s", name,
		               strerror(saved));
	}
	fsync(js->dir_fd);
	return 0;
}

void job_state_release(struct job_state *js)
{
	if (js->lock_fd >= 0) {
		flock(js->lock_fd, LOCK_UN);
		close(js->lock_fd);
		js->lock_fd = -1;
	}
}
