/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "encode.h"

int fio_open_read(int dirfd, const char *path, bool nofollow, const char *what, struct stat *st,
                  struct err *e)
{
	int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
	int fd = openat(dirfd, path, flags);
	if (fd < 0) {
		if (errno == ELOOP && nofollow)
			return err_set(e, ERR_CONFIG, "%s %s is a symbolic link", what, path);
		return err_set(e, ERR_CONFIG, "cannot open %s %s: %s", what, path, strerror(errno));
	}
	struct stat local = {0};
	struct stat *s = st != NULL ? st : &local;
	if (fstat(fd, s) < 0 || !S_ISREG(s->st_mode)) {
		close(fd);
		return err_set(e, ERR_CONFIG, "%s %s is not a regular file", what, path);
	}
	return fd;
}

int fio_read_fd(int fd, size_t max, const char *what, struct buf *out, struct err *e)
{
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, ERR_CONFIG, "cannot read %s: %s", what, strerror(errno));
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			explicit_bzero(chunk, sizeof(chunk));
			return err_set(e, ERR_CONFIG, "%s is larger than %zu bytes", what, max);
		}
		if (buf_append(out, chunk, (size_t)n) < 0) {
			explicit_bzero(chunk, sizeof(chunk));
			return err_set(e, ERR_INTERNAL, "out of memory reading %s", what);
		}
	}
	explicit_bzero(chunk, sizeof(chunk));
	if (out->data == NULL && buf_append(out, "", 0) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory reading %s", what);
	return 0;
}

int fio_read_file(int dirfd, const char *path, bool nofollow, size_t max, const char *what,
                  struct buf *out, struct stat *st, struct err *e)
{
	int fd = fio_open_read(dirfd, path, nofollow, what, st, e);
	if (fd < 0)
		return -1;
	char full[600];
	snprintf(full, sizeof(full), "%s %s", what, path);
	int rc = fio_read_fd(fd, max, full, out, e);
	close(fd);
	return rc;
}

int fio_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A fresh temporary file beside name, created with mode (less the umask);
 * its name goes to tmp. */
static int create_temp(int dirfd, const char *name, mode_t mode, char *tmp, size_t n)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		unsigned char rnd[8];
		char hex[17];
		if (random_bytes(rnd, sizeof(rnd)) < 0) {
			errno = EIO;
			return -1;
		}
		hex_encode(rnd, sizeof(rnd), hex);
		snprintf(tmp, n, ".%.40s.%s.tmp", name, hex);
		int fd =
		    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static int replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                   const char *what, struct err *e)
{
	char tmp[96];
	int fd = create_temp(dirfd, name, mode, tmp, sizeof(tmp));
	if (fd < 0)
		return err_set(e, ERR_CONFIG, "cannot create %s: %s", what, strerror(errno));
	int rc = fio_write_all(fd, data, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	int saved = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc < 0) {
		unlinkat(dirfd, tmp, 0);
		return err_set(e, ERR_CONFIG, "cannot write %s: %s", what, strerror(saved));
	}
	/* The rename is durable only once the directory is on disk too. */
	if (fsync(dirfd) < 0 && errno != EINVAL)
		return err_set(e, ERR_CONFIG, "cannot write %s: %s", what, strerror(errno));
	return 0;
}

int fio_replace(int dirfd, const char *name, const void *data, size_t len, const char *what,
                struct err *e)
{
	return replace(dirfd, name, data, len, 0600, what, e);
}

int fio_replace_shared(int dirfd, const char *name, const void *data, size_t len, const char *what,
                       struct err *e)
{
	return replace(dirfd, name, data, len, 0644, what, e);
}

/* Polls rather than blocking in flock(2): a blocking call cannot be bounded
 * by the run's deadline without signals. */
static int flock_until(int fd, double deadline)
{
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		double left = deadline - clock_mono();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		clock_sleep(left < 0.02 ? left : 0.02);
	}
}

int fio_lock(int dirfd, const char *name, double deadline, const char *holder, struct err *e)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	/* flock needs no write access: an existing lock file on a read-only
	 * file system still serialises, and the write that follows fails
	 * where it should, with its own message. */
	if (fd < 0 && (errno == EROFS || errno == EACCES))
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_set(e, ERR_CONFIG, "cannot open lock file %s: %s", name,
		               strerror(errno));
	if (flock_until(fd, deadline) == 0)
		return fd;
	int saved = errno;
	close(fd);
	if (saved == ETIMEDOUT)
		return err_set(e, ERR_TIMEOUT, "gave up at the deadline waiting for %s (lock %s)",
		               holder, name);
	return err_set(e, ERR_CONFIG, "cannot lock %s: %s", name, strerror(saved));
}

void fio_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

int fio_take_line(const char **p, const char *end, const char *prefix, const char **val,
                  size_t *vlen)
{
	size_t plen = strlen(prefix);
	if ((size_t)(end - *p) < plen || memcmp(*p, prefix, plen) != 0)
		return -1;
	const char *v = *p + plen;
	const char *nl = memchr(v, '\n', (size_t)(end - v));
	if (nl == NULL)
		return -1;
	*val = v;
	*vlen = (size_t)(nl - v);
	*p = nl + 1;
	return 0;
}

int fio_take_text(const char **p, const char *end, const char *prefix, char *out, size_t n)
{
	const char *v;
	size_t len;
	if (fio_take_line(p, end, prefix, &v, &len) < 0 || len >= n || memchr(v, '\0', len) != NULL)
		return -1;
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

int fio_parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
	if (*s == '\0' || strlen(s) > 19)
		return -1;
	unsigned long long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int fio_take_magic(const char **p, const char *end, const char *magic)
{
	size_t mlen = strlen(magic);
	if ((size_t)(end - *p) < mlen || memcmp(*p, magic, mlen) != 0)
		return -1;
	*p += mlen;
	return 0;
}

int fio_take_number(const char **p, const char *end, const char *prefix, unsigned long long max,
                    unsigned long long *out)
{
	char v[24];
	if (fio_take_text(p, end, prefix, v, sizeof(v)) < 0)
		return -1;
	return fio_parse_number(v, max, out);
}
