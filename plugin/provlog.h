/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The provisioning logs of one job's cycle (--object-errors): Graph's
 * provisioningObjectSummary pages in, a summary out (failed objects, the top
 * error codes, each with one example), and what a run found out about them. */
#ifndef CES_PROVLOG_H
#define CES_PROVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

struct json_object;

#define PROVLOG_EVENTS_MAX 1000 /* events read per cycle and query, paging included */
#define PROVLOG_TOP        3    /* error codes kept, most objects first */
#define PROVLOG_CODES_MAX  64   /* distinct codes told apart; more count as one "other" */
#define PROVLOG_REASON_MAX 301  /* Microsoft's reason, scrubbed, one line, cut */
#define PROVLOG_CODE_MAX   129
#define PROVLOG_WORD_MAX   65  /* errorCategory, identityType */
#define PROVLOG_NAME_MAX   161 /* displayName */
#define PROVLOG_ID_MAX     81
/* Events stamped this long after the run ended still belong to it: the
 * service writes the last events as the run closes. The next cycle starts
 * at least one schedule interval (2 minutes for cloud sync) later. */
#define PROVLOG_END_SLACK 60.0
/* A refusal (no permission, no licence) is believed this long: a check
 * without them does not ask on every run, and one that got them learns it
 * within a day. */
#define PROVLOG_DENIED_FOR 86400.0

/* What is read: the failed events of the cycle, or its staged deletes (the
 * deletes a TooManyDeletes quarantine holds back for approval). */
enum provlog_kind { PROVLOG_FAILURES, PROVLOG_STAGED_DELETES };

/* One object an error code names, as the event's sourceIdentity has it. */
struct provlog_example {
	char type[PROVLOG_WORD_MAX]; /* identityType: "User", "Group", ... */
	char name[PROVLOG_NAME_MAX]; /* displayName, "" when none */
	char id[PROVLOG_ID_MAX];
};

struct provlog_code {
	char code[PROVLOG_CODE_MAX];     /* errorCode; "" when the event had none */
	char category[PROVLOG_WORD_MAX]; /* errorCategory */
	char reason[PROVLOG_REASON_MAX]; /* Microsoft's reason, of the example */
	unsigned objects;                /* distinct objects that failed with it */
	unsigned events;                 /* events with it */
	struct provlog_example example;  /* the first object read with it */
};

/* All texts are clean one-line UTF-8 (text_clean), scrubbed of secrets, cut
 * on a character boundary. */
struct provlog_summary {
	double cycle_began, cycle_ended; /* the cycle read (epoch); ended 0: still running */
	unsigned events;                 /* failed events counted */
	unsigned objects;                /* distinct failed objects */
	bool capped;                     /* PROVLOG_EVENTS_MAX reached: the counts are "at least" */
	unsigned codes;                  /* distinct error codes */
	struct provlog_code top[PROVLOG_TOP];
	size_t n_top;
	bool staged_read;   /* the staged deletes were asked for (TooManyDeletes) */
	unsigned staged;    /* distinct objects waiting for approval to be deleted */
	bool staged_capped; /* ... at least */
};

/* A server's text made safe to keep before it is cut: a malloc'd copy of
 * (at least the start of) s, len bytes, with every secret the caller knows
 * removed, long enough that a cut to max bytes comes after the scrub; NULL
 * when out of memory. */
typedef char *(*provlog_scrub)(const char *s, size_t len, size_t max, const void *ctx);

struct provlog_acc; /* events counted so far */

/* An accumulator for the events of job_id between after and before (epoch;
 * before 0: no end), of one kind. Events of another job, another kind (a
 * status other than failure, an action other than stagedDelete) or outside
 * the cycle are not counted, whatever the server's filter did. NULL when out
 * of memory. */
struct provlog_acc *provlog_acc_new(enum provlog_kind kind, const char *job_id, double after,
                                    double before);
void provlog_acc_free(struct provlog_acc *a);
/* Counts the events of one page ({"value":[...], "@odata.nextLink": ...}) up
 * to PROVLOG_EVENTS_MAX in all. *next_link gets a malloc'd copy of the next
 * link, or NULL (also once the cap is reached). An event that is not an
 * object, or whose members have the wrong type, is read as far as it can
 * be; a page that is not an object with a value array is an error. 0, or -1
 * with e (ERR_PARSE, ERR_INTERNAL). */
int provlog_acc_page(struct provlog_acc *a, struct json_object *page, char **next_link,
                     struct err *e);
/* The failure summary so far (kind FAILURES), each example's texts passed
 * through scrub (NULL: copied as they are). 0, or -1 when out of memory. */
int provlog_acc_summary(const struct provlog_acc *a, provlog_scrub scrub, const void *ctx,
                        struct provlog_summary *out);
/* The distinct objects counted (kind STAGED_DELETES), and whether the cap
 * was reached. */
unsigned provlog_acc_objects(const struct provlog_acc *a, bool *capped);

/* What a run found out about a job's logs. */
enum provlog_status {
	PROVLOG_NOT_ASKED = 0, /* nothing called for a read (an OK job without failures) */
	PROVLOG_KNOWN,         /* summary, read now or earlier in this cycle (cache) */
	PROVLOG_NO_CYCLE,      /* no execution whose logs could be read */
	PROVLOG_NO_PERMISSION, /* 401/403: AuditLog.Read.All and Directory.Read.All */
	PROVLOG_NO_LICENCE,    /* 403: the tenant has no Entra ID P1/P2 */
	PROVLOG_SKIPPED,       /* the deadline or the shared request limit left no room */
	PROVLOG_FAILED,        /* any other failure (why says what) */
};

/* The status as the formats of values name it: "known", "no_permission", ... */
const char *provlog_status_name(enum provlog_status st);

struct provlog_result {
	enum provlog_status status;
	bool from_cache;
	double checked_at;              /* epoch of the read (or of the refusal) */
	struct provlog_summary summary; /* KNOWN */
	char why[400];                  /* SKIPPED, FAILED: one clean line */
};

#endif
