/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-job start history for the event handler and --start: a lock file and a
 * state file in the private state directory. The rules are pure (now passed in). */
#ifndef CES_STATEFILE_H
#define CES_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#define START_WINDOW 86400.0 /* --max-starts counts the starts of the last 24 h */
#define HISTORY_MAX  1024    /* entries kept; older ones are dropped first */
#define STEM_MAX     128

enum start_origin { ORIGIN_HANDLER, ORIGIN_OPERATOR };

struct start_entry {
	double when; /* epoch seconds */
	enum start_origin origin;
};

struct start_history {
	struct start_entry e[HISTORY_MAX];
	size_t n;
};

enum start_verdict { START_ALLOWED, START_COOLDOWN, START_MAX_STARTS };

/* The file-name stem for a job id. Ids that look like Graph's
 * ("templateId.32hex", template of letters, digits, '_' and '-') are used as
 * they are; anything else becomes "x_" + SHA-256 hex of the id, so no id can
 * name another file or directory. out must hold STEM_MAX bytes. 0 or -1. */
int job_file_stem(const char *job_id, char *out, size_t n);
/* True when job_id has the Graph shape described above. */
bool job_id_is_plain(const char *job_id);

/* May another start happen at now? Refuses when a recorded start (one in the
 * future counts as just now: the clock went back) is less than cooldown
 * seconds old, or when max_starts starts fall within the last 24 h. *wait
 * receives the seconds until the rule that refused lets go (0 when allowed). */
enum start_verdict start_rules_check(const struct start_history *h, double now, long cooldown,
                                     int max_starts, double *wait);
/* Starts within the 24 h window before now (future ones included). */
size_t start_history_recent(const struct start_history *h, double now);
/* Appends a start and drops entries older than the window. */
void start_history_add(struct start_history *h, double now, enum start_origin origin);

/* Parses the text of a state file. 0, or -1 with e (ERR_CONFIG) naming the line. */
int start_history_parse(const char *text, struct start_history *h, struct err *e);
/* Formats a history as state-file text into b. 0 or -1. */
int start_history_format(const struct start_history *h, struct buf *b);

/* A job's lock and history inside an open state directory. */
struct job_state {
	int dir_fd;
	int lock_fd;
	char stem[STEM_MAX];
	struct start_history history;
};

/* Opens the lock file "<stem>.lock" (0600) and waits for an exclusive flock
 * until the monotonic deadline, then reads "<stem>.state" (missing = empty
 * history). 0, or -1 with e (ERR_CONFIG, or ERR_TIMEOUT when the lock stayed
 * taken). On success job_state_release must be called. */
int job_state_acquire(int dir_fd, const char *job_id, double deadline, struct job_state *js,
                      struct err *e);
/* Writes js->history atomically and durably (fio_replace), mode 0600. */
int job_state_save(struct job_state *js, struct err *e);
/* Adds a start at now and saves: the one way a start is recorded, before
 * the request that makes it (so a start that cannot be recorded is not
 * made). 0 or -1 with e. */
int job_state_record(struct job_state *js, double now, enum start_origin origin, struct err *e);
/* Takes back the start recorded at when (Graph definitely refused it) and
 * saves. 0 or -1 with e. */
int job_state_unrecord(struct job_state *js, double when, struct err *e);
/* The newest start recorded for job_id (0 when none or unreadable), read
 * without the lock: a state file is only ever replaced whole. */
double job_state_last_start(int dir_fd, const char *job_id);
/* Unlocks and closes the lock file. */
void job_state_release(struct job_state *js);

#endif
