/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A run's result before any format: its state, its words (summary, lines,
 * errors, notes), its metrics as numbers with their thresholds, and the
 * facts the words were made from. output.c and dirsync_output.c fill it and
 * print nothing; a writer (format.h) prints it. A zeroed struct is an empty
 * report. */
#ifndef CES_REPORT_H
#define CES_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "range.h"

struct job_result;
struct dirsync_result;
struct expiry_result;

#define SUBJECT_MAX 44       /* a job's subject, NUL included */
#define REPORT_RUN  SIZE_MAX /* the subject of a metric of the run itself */
#define REPORT_NONE SIZE_MAX /* no index: a job's service principal not known */

/* Every metric the words (output.c, dirsync_output.c) give a report. A
 * writer that maps metrics by name (prometheus.c's families[]) is held to
 * this list: test_formats.c walks it and fails on a metric the writer would
 * leave out. A new metric is a value here and its name in metric_name(). */
enum metric_id {
	/* a job's */
	METRIC_LAST_SUCCESS_AGE,
	METRIC_SUCCESSIVE_FAILURES,
	METRIC_ESCROWED,
	METRIC_EXPORTED,
	METRIC_IMPORTED,
	METRIC_QUARANTINE_AGE,
	METRIC_QUARANTINE_SERIES,
	METRIC_EPISODE_AGE,
	METRIC_LAST_EXPORT_AGE,
	METRIC_PROGRESS,
	METRIC_FAILED_OBJECTS, /* --object-errors */
	/* --directory-sync's */
	METRIC_LAST_SYNC_AGE,
	METRIC_LAST_PASSWORD_SYNC_AGE,
	METRIC_SYNC_INTERVAL,
	/* the run's */
	METRIC_CREDENTIAL_EXPIRES_IN,
	METRIC_TIME,
	METRIC_COUNT
};

/* The metric's name in every format ("last_success_age"): [a-z_], stable. */
const char *metric_name(enum metric_id id);

/* One number. Its subject and name stay apart, so that each format names
 * it its own way (Nagios: "<subject>_<name>"). */
struct report_metric {
	size_t job;       /* the subject: an index into report.job, or REPORT_RUN */
	const char *name; /* "last_success_age": [a-z_] */
	double value;
	const char *unit;                /* "s", "%" or "" */
	int decimals;                    /* digits after the point; 0: rounded to a whole */
	const struct range *warn, *crit; /* NULL: none (an unset range says none too) */
	bool has_min;
	double min;
	int tier; /* under a budget: 1 kept longest, 2 given up first */
	bool ok;  /* of a job that is OK: given up before a troubled job's */
};

struct report_line {
	struct buf text;  /* one line, clean, no newline: "[CRITICAL] ..." */
	enum state state; /* of what the line is about */
	const char *name; /* a short name, for a line that may fold (see fold_from) */
};

/* How a writer names the lines it hides or folds under a budget (each at
 * most 60 bytes). */
struct report_words {
	const char *hidden;      /* lines [0, fold_from): "jobs not OK" */
	const char *folded_one;  /* one line folded: "job OK" */
	const char *folded_many; /* several: "jobs OK" */
	const char *errors;      /* errors: "service principals not read" */
};

/* A service principal the check asked about, as data: writers of values
 * name it by its ids, the words by its name. */
struct report_sp {
	const char *id;     /* object id, or NULL when addressed by its application (-a) */
	const char *app_id; /* -a, or NULL */
	const char *name;   /* display name (--service-principals-file), or NULL */
	const char *error;  /* why its jobs could not be read (one clean line), or NULL */
};

/* What Microsoft documents to do about a job, and the page that says it. */
struct report_advice {
	const char *text;   /* "Microsoft: ...", as the job's long output gives it */
	const char *source; /* "https://learn.microsoft.com/..." */
};

#define REPORT_ADVICE_MAX 3 /* the quarantine reason's, API-driven jobs', pruned escrows' */

/* A job the report is about, in the order of the lines. */
struct report_job {
	/* ids, template, state, status code, findings (kind, state, the
	 * threshold passed), quarantine, last success */
	const struct job_result *result;
	char subject[SUBJECT_MAX]; /* the prefix of its metric names; "" with -j */
	size_t sp;   /* its service principal: an index into report.sp, or REPORT_NONE */
	size_t line; /* its line: an index into report.line */
	/* what Microsoft documents for it (static); none when Microsoft
	 * explains nothing */
	const struct report_advice *advice[REPORT_ADVICE_MAX];
	size_t n_advice;
};

struct report {
	enum state state;
	struct buf summary; /* what follows "ENTRA SYNC <STATE> - ": one clean line */
	/* The state, the summary and the notes alone, whatever the budget: a
	 * run that could not do its work (the summary says why), or the
	 * handler's and --start's decision line. */
	bool status_only;
	/* Lines, worst first for jobs. A writer short of room cuts and hides
	 * lines [0, fold_from) from the end, and folds lines [fold_from,
	 * n_lines), which are OK (OK jobs), into one line naming them;
	 * fold_from = n_lines when none may fold. */
	struct report_line *line;
	size_t n_lines, fold_from, cap_lines;
	struct buf *error; /* what could not be read: one clean line each */
	size_t n_errors, cap_errors;
	struct buf notes; /* lines after all others, each ending in '\n' */
	struct report_metric *metric;
	size_t n_metrics, cap_metrics;
	struct report_words words;

	/* The facts behind the words, for writers of values. */
	double now; /* when the run judged (epoch seconds), or 0 */
	struct report_job *job;
	size_t n_jobs;
	const struct report_sp *sp; /* the service principals asked about, in their order */
	size_t n_sp;
	const struct dirsync_result *dirsync;   /* --directory-sync, else NULL */
	const struct expiry_result *credential; /* what the run found out, or NULL */
};

/* A new line of state st (name may be NULL), appended, its text to fill;
 * NULL when out of memory. */
struct report_line *report_line(struct report *r, enum state st, const char *name);
/* A new error line, appended: its text to fill, or NULL. */
struct buf *report_error(struct report *r);
/* Appends a copy of m; 0, or -1 when out of memory (the metric is left out). */
int report_metric(struct report *r, const struct report_metric *m);
/* Appends text, made safe as text_clean does, as a note line. */
void report_note(struct report *r, const char *text);
void report_free(struct report *r);

#endif
