/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What --object-errors learnt from the provisioning logs, cached beside the
 * identity's token so that the check and the handler read a cycle's logs
 * once: per job "<token key>.objerr-<hash of the job id>" (the summary of
 * one cycle; a new cycle replaces it), and per identity
 * "<token key>.objerr-denied" (Graph refused the logs: no permission or no
 * licence). The rules of credential_cache.h: 0600, replaced atomically, never
 * through a symlink, never another user's. */
#ifndef CES_PROVLOG_CACHE_H
#define CES_PROVLOG_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "provlog.h"

#define PROVLOG_ENTRY_MAX 8192
/* A cycle read this long after its end is final: Microsoft's logs arrive
 * late (99 % within 5 minutes), so a read right after the end may miss
 * some. */
#define PROVLOG_SETTLE 600.0
/* A running or settling cycle's summary answers this long. */
#define PROVLOG_RECHECK 600.0
/* An entry this far in the future: the clock went back. */
#define PROVLOG_CLOCK_SLACK 300.0

struct provlog_entry {
	char job[17];               /* the job id's hash, as in the file name */
	double began, ended;        /* the cycle (epoch, to the millisecond); ended 0: running */
	double read_at;             /* epoch */
	enum provlog_status status; /* KNOWN, NO_PERMISSION or NO_LICENCE */
	struct provlog_summary summary; /* KNOWN */
};

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* Entry text: serialises (malloc'd, NULL for a status that is not kept) and
 * parses (0, or -1 when the text is not a complete, well-formed entry). */
char *provlog_entry_format(const struct provlog_entry *c);
int provlog_entry_parse(const char *data, size_t len, struct provlog_entry *c);
#endif

/* An entry answers for the cycle (began, ended; ended 0: running) at now:
 * a summary of that very cycle, read at least PROVLOG_SETTLE after its end
 * (final), or less than PROVLOG_RECHECK ago. Pure. */
bool provlog_entry_answers(const struct provlog_entry *c, double began, double ended, double now);

/* The hash naming job_id's entry (16 hex digits). 0, or -1 when libcrypto fails. */
int provlog_job_hash(const char *job_id, char out[17]);

/* The entry of job_id (NULL: the identity's refusal) under key (the token
 * cache key) in dirfd: 1 with *c, 0 when there is none usable (missing,
 * damaged, a symlink, not a regular file, another user's, another job's). */
int provlog_cache_lookup(int dirfd, const char *key, const char *job_id, struct provlog_entry *c);
/* Stores it atomically and durably. 0 or -1 with e. */
int provlog_cache_store(int dirfd, const char *key, const char *job_id,
                        const struct provlog_entry *c, struct err *e);
/* Takes the lock of job_id's entry until the monotonic deadline, so that
 * concurrent runs read a cycle once. The lock fd, or -1 with e. */
int provlog_cache_lock(int dirfd, const char *key, const char *job_id, double deadline,
                       struct err *e);

#endif
