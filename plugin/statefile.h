/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-job start history for the event handler, --start and the check: a lock
 * file and a state file in the private state directory. The history keeps the
 * starts of the last 24 h (the daily cap) and the episode: since when the job
 * has been broken and the starts made to repair it. The rules are pure (now
 * passed in). */
#ifndef CES_STATEFILE_H
#define CES_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#define START_WINDOW     86400.0 /* --max-starts counts the starts of the last 24 h */
#define HISTORY_MAX      1024    /* entries kept; older ones are dropped first */
#define STEM_MAX         128
#define REASON_TOKEN_MAX 64
/* A start that did not help doubles the wait before the next, up to this. */
#define BACKOFF_MAX (7.0 * 86400.0)

enum start_origin { ORIGIN_HANDLER, ORIGIN_OPERATOR };

struct start_entry {
	double when; /* epoch seconds */
	enum start_origin origin;
	/* The quarantine reason the job had when it was started, as a token
	 * (start_reason_token): "-" for none, "?" when not known. */
	char reason[REASON_TOKEN_MAX];
};

/* The starts of one job, oldest first. The episode's starts are
 * e[episode_first .. n-1]; episode_began is when the job broke (Graph's
 * seriesBegan at the episode's first start), 0 when the file did not say
 * (the first format). */
struct start_history {
	struct start_entry e[HISTORY_MAX];
	size_t n;
	double episode_began;
	size_t episode_first;
};

/* What the history tells the judgement of a job (evaluate.h). Starts more
 * than TIME_AHEAD_SLACK ahead of the clock are not valid times: not counted,
 * only reported in ahead. */
struct start_record {
	double last;                        /* the newest start, 0 when none */
	char last_reason[REASON_TOKEN_MAX]; /* its token */
	double episode_began;               /* the episode's start (its first start when
	                                       not recorded), 0 when it has no start */
	size_t episode_starts;              /* starts made in the episode */
	double ahead;                       /* the newest start ahead of the clock, 0 none */
};

enum start_verdict { START_ALLOWED, START_COOLDOWN, START_BACKOFF, START_MAX_STARTS };

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* The file-name stem for a job id. Ids that look like Graph's
 * ("templateId.32hex", template of letters, digits, '_' and '-') are used as
 * they are; anything else becomes "x_" + SHA-256 hex of the id, so no id can
 * name another file or directory. out must hold STEM_MAX bytes. 0 or -1. */
int job_file_stem(const char *job_id, char *out, size_t n);
/* True when job_id has the Graph shape described above. */
bool job_id_is_plain(const char *job_id);
#endif

/* A quarantine reason as the history keeps it: the reason when it is 1 to
 * 63 of [A-Za-z0-9_.-], "-" when empty, "?" otherwise. */
void start_reason_token(const char *reason, char *out, size_t n);

/* The gap the next start must keep after the last one: the cooldown; after a
 * start that did not help (futile), twice the gap between the episode's last
 * two starts (twice the cooldown after its first), at most BACKOFF_MAX and
 * never less than the cooldown. */
double start_rules_gap(const struct start_history *h, double now, long cooldown, bool futile);
/* May another start happen at now? Refuses within start_rules_gap of the
 * newest start (START_BACKOFF when the backoff made the gap longer than the
 * cooldown; a start up to TIME_AHEAD_SLACK ahead counts as now, one further
 * ahead not at all), or when max_starts starts fall within the last 24 h.
 * *wait receives the seconds until the rule that refused lets go (0 when
 * allowed, -1 for never). */
enum start_verdict start_rules_check(const struct start_history *h, double now, long cooldown,
                                     int max_starts, bool futile, double *wait);
/* Starts within the 24 h window before now (those ahead of the clock not). */
size_t start_history_recent(const struct start_history *h, double now);
/* The history as the judgement sees it at now. */
void start_history_summary(const struct start_history *h, double now, struct start_record *out);
#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* Appends a start made at now of a job quarantined for reason (NULL: not
 * quarantined). When the episode is over (it has no start, or a successful
 * cycle ended after its last start: last_success, 0 for never), a new one
 * begins at broken_since (Graph's seriesBegan; 0 or ahead of now: now).
 * Drops starts ahead of the clock, and those older than 24 h that are not in
 * the episode. */
void start_history_add(struct start_history *h, double now, enum start_origin origin,
                       const char *reason, double broken_since, double last_success);

/* Parses the text of a state file, either format. 0, or -1 with e
 * (ERR_CONFIG) naming the line. */
int start_history_parse(const char *text, struct start_history *h, struct err *e);
/* Formats a history as state-file text into b. 0 or -1. */
int start_history_format(const struct start_history *h, struct buf *b);
#endif

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
#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* Writes js->history atomically and durably (fio_replace), mode 0600. */
int job_state_save(struct job_state *js, struct err *e);
#endif
/* Adds a start (start_history_add) and saves: the one way a start is
 * recorded, before the request that makes it (so a start that cannot be
 * recorded is not made). 0 or -1 with e. */
int job_state_record(struct job_state *js, double now, enum start_origin origin, const char *reason,
                     double broken_since, double last_success, struct err *e);
/* Takes back the start recorded at when (Graph definitely refused it) and
 * saves. 0 or -1 with e. */
int job_state_unrecord(struct job_state *js, double when, struct err *e);
/* The summary of job_id's history at now (all zero when it has none), read
 * without the lock: a state file is only ever replaced whole. 0, or -1 when
 * the file cannot be read. */
int job_state_summary(int dir_fd, const char *job_id, double now, struct start_record *out);
/* Unlocks and closes the lock file. */
void job_state_release(struct job_state *js);

#endif
