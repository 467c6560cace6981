/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The files the plugin reads and writes: credential files, token cache
 * entries, the handler's start history. Reads are bounded and never block on
 * a FIFO or a device; a write replaces its file atomically and durably; a
 * lock waits no longer than the run. Every module that touches a file uses
 * these, and nothing else does. */
#ifndef CES_FILEIO_H
#define CES_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common.h"

/* Opens path (relative to dirfd, or AT_FDCWD) for reading, without blocking
 * and, with nofollow, without following a symlink in the last component. It
 * must be a regular file. st (may be NULL) receives its status. what names it
 * in errors ("client secret file"). An fd, or -1 with e (ERR_CONFIG). */
int fio_open_read(int dirfd, const char *path, bool nofollow, const char *what, struct stat *st,
                  struct err *e);

/* Reads the rest of fd into out (NUL-terminated; a NUL inside is kept), at
 * most max bytes: more is an error that says so. 0 or -1 with e (ERR_CONFIG). */
int fio_read_fd(int fd, size_t max, const char *what, struct buf *out, struct err *e);

/* fio_open_read, fio_read_fd and close in one. */
int fio_read_file(int dirfd, const char *path, bool nofollow, size_t max, const char *what,
                  struct buf *out, struct stat *st, struct err *e);

/* Writes all of data, resuming after signals. 0, or -1 with errno. */
int fio_write_all(int fd, const void *data, size_t len);

/* Replaces name in dirfd by data: a fresh 0600 temporary file (random name,
 * O_EXCL, never through a symlink) written whole and fsync'd, renamed over
 * name (a symlink there is replaced, not followed), then the directory
 * fsync'd. On failure the old file is untouched and no temporary file is
 * left. 0, or -1 with e (ERR_CONFIG naming what and the system's reason). */
int fio_replace(int dirfd, const char *name, const void *data, size_t len, const char *what,
                struct err *e);

/* fio_replace for a file others read (the plugin's output for a textfile
 * collector): created 0644 less the umask. Readable as a shell's
 * redirection would make it, but never writable by others whatever the
 * umask: nobody needs to write a file replaced whole on every run, and
 * whoever could would choose what the collector reports until the next. */
int fio_replace_shared(int dirfd, const char *name, const void *data, size_t len, const char *what,
                       struct err *e);

/* Opens the lock file name in dirfd (0600, created when missing, never
 * through a symlink) and takes an exclusive flock, polling until the
 * clock_mono() deadline. The fd (close it to unlock), or -1 with e:
 * ERR_TIMEOUT naming holder ("another check_entra_sync process signing in")
 * when the deadline passed, ERR_CONFIG otherwise. */
int fio_lock(int dirfd, const char *name, double deadline, const char *holder, struct err *e);

/* Zeroes and frees a buffer that held a secret. */
void fio_wipe(struct buf *b);

/* Reads one "<prefix><value>\n" line of a cache entry at *p (before end):
 * *val and *vlen point at the value inside the data, *p moves past the
 * line. -1 when the line is not there (another prefix, no newline). */
int fio_take_line(const char **p, const char *end, const char *prefix, const char **val,
                  size_t *vlen);
/* fio_take_line copied into out (n bytes), which the value must fit, with
 * no NUL inside. */
int fio_take_text(const char **p, const char *end, const char *prefix, char *out, size_t n);
/* The entry at *p (before end) starts with magic (its format's first
 * line): *p moves past it. -1 when it does not. */
int fio_take_magic(const char **p, const char *end, const char *magic);
/* fio_take_line of a number as fio_parse_number reads it. */
int fio_take_number(const char **p, const char *end, const char *prefix, unsigned long long max,
                    unsigned long long *out);
/* A cache entry's plain decimal number (at most 19 digits, no sign, nothing
 * after it) not above max. 0 or -1. */
int fio_parse_number(const char *s, unsigned long long max, unsigned long long *out);

#endif
