/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Evaluation: job + thresholds + now -> state, the findings that made it,
 * and the metrics. Facts only: output.c writes every word. Pure. */
#ifndef CES_EVALUATE_H
#define CES_EVALUATE_H

#include "common.h"
#include "job.h"
#include "range.h"
#include "statefile.h"

struct provlog_result;

struct state_override {
	char key[160]; /* "Paused", "quarantine:TooManyDeletes", "execution:Failed" */
	enum state state;
};

struct eval_config {
	struct range age_warn, age_crit;         /* unset: default from schedule */
	struct range fail_warn, fail_crit;       /* default 0 and 2 */
	struct range escrow_warn, escrow_crit;   /* default unset */
	struct range export_warn, export_crit;   /* last_export_age; default unset */
	struct range objects_warn, objects_crit; /* failed_objects (--object-errors); unset */
	const struct state_override *overrides;
	size_t n_overrides;
};

/* Defaults of the man page (failures 0 / 2, everything else unset). */
void eval_config_init(struct eval_config *cfg);

/* The state a --state override gives the key prefix + value (compared
 * case-insensitively; the last one given wins): true with *st, otherwise
 * false and *st untouched. */
bool eval_override(const struct eval_config *cfg, const char *prefix, const char *value,
                   enum state *st);

/* One aspect of a job that is not OK. */
enum finding_kind {
	FINDING_STATUS,     /* status.code: not configured, paused, quarantined, unexpected */
	FINDING_LAST_RUN,   /* lastExecution.state Failed, or a value the plugin does not know */
	FINDING_FAILURES,   /* countSuccessiveCompleteFailures beyond its threshold */
	FINDING_ESCROWED,   /* countEscrowed beyond its threshold */
	FINDING_AGE,        /* the last success is older than its threshold */
	FINDING_EXPORT_AGE, /* the last success with exports is older than its threshold */
	FINDING_INTERVAL,   /* schedule.interval cannot be read: no default age thresholds */
	FINDING_WAITING,    /* started by this plugin, the next cycle has not run yet */
	FINDING_ESCROWS_PRUNED, /* status.escrowsPruned: Microsoft pauses the job for clean-up */
	FINDING_EXPIRATION, /* schedule.expiration passed or at most SCHEDULE_EXPIRY_WARN ahead */
	FINDING_TIME_AHEAD, /* the only success times lie ahead of the clock */
	FINDING_OBJECT_ERRORS, /* failed objects of the last cycle beyond their threshold */
};

/* A schedule that ends within this is WARNING (it then stops running). */
#define SCHEDULE_EXPIRY_WARN (7.0 * 86400.0)

/* The times of past events a job (or the start history) may carry; one
 * more than TIME_AHEAD_SLACK ahead of the clock is not taken (a clock that
 * was ahead, or a value no event can have) and is named in the long output. */
enum past_time {
	PAST_LAST_RUN_END,     /* lastExecution.timeEnded */
	PAST_LAST_SUCCESS_END, /* lastSuccessfulExecution.timeEnded */
	PAST_EXPORTS_END,      /* lastSuccessfulExecutionWithExports.timeEnded */
	PAST_STEADY_STATE,     /* steadyStateLastAchievedTime */
	PAST_PROGRESS,         /* progress[].progressObservationDateTime */
	PAST_SERIES_BEGAN,     /* quarantine.seriesBegan */
	PAST_CURRENT_BEGAN,    /* quarantine.currentBegan */
	PAST_RECORDED_START,   /* a start in the state directory */
	PAST_COUNT,
};

struct finding {
	enum finding_kind kind;
	enum state state;
	const struct range *limit; /* FAILURES, ESCROWED, AGE, EXPORT_AGE: the threshold passed */
};

#define FINDINGS_MAX 12

/* What the run knows about a job besides Graph's answer. */
struct job_context {
	double now;                        /* wall clock, epoch seconds */
	const struct start_record *starts; /* this plugin's starts of the job, or NULL */
};

struct job_result {
	const struct sync_job *job;
	enum state state;
	struct finding findings[FINDINGS_MAX]; /* worst first; none when OK */
	size_t n_findings;
	/* The error that explains the job: the quarantine's (or, in older
	 * responses, the failed last run's), or one the job carries whatever
	 * its status. NULL when none. */
	const struct sync_error *cause;
	bool run_error_is_cause; /* the failed last run's error is the cause itself */

	bool age_known;                  /* false: never succeeded -> no age */
	double last_success;             /* epoch of the newest valid success time */
	double last_success_age;         /* seconds */
	struct range age_warn, age_crit; /* the thresholds actually applied */
	struct range fail_warn, fail_crit;
	struct range escrow_warn, escrow_crit;
	struct range export_warn, export_crit;
	bool export_age_known;
	double last_export_age;    /* since lastSuccessfulExecutionWithExports ended */
	bool quarantined;          /* status.code is Quarantine */
	bool quarantine_age_known; /* false: quarantined but no valid start time */
	double quarantine_age;     /* 0 when not quarantined */
	int64_t quarantine_series; /* 0 when not quarantined */
	double days_to_disable;    /* 28 days after seriesBegan; <0 when not quarantined/unknown */
	double waiting_for;        /* FINDING_WAITING: seconds since the recorded start */

	/* A cycle in progress (a progress entry of totalUnits > 0 not complete,
	 * observed less than two intervals ago): the age thresholds measure
	 * the observation (progress_age) instead of the last success. */
	bool cycle_in_progress;
	double progress_age;
	/* The progress entry that describes the job: the one a cycle in
	 * progress was judged by (the newest such), else the newest observed
	 * at a time taken, else the newest; its observation TIME_NEVER when it
	 * lay ahead of the clock (not taken). progress_known false: none. */
	bool progress_known;
	struct sync_progress progress;

	double broken_since; /* Graph's seriesBegan (else currentBegan) of a quarantine, or 0 */
	/* The episode (statefile.h): open from this plugin's first start of a
	 * broken job until a successful cycle ends after its last start. */
	bool episode_open;
	double episode_began, episode_age;
	size_t episode_starts;
	double last_start;     /* this plugin's newest start, or 0 */
	double last_start_age; /* seconds since it */
	/* Quarantined again, for the reason it had at this plugin's last start,
	 * after that start, with no successful cycle since: the start did not
	 * help (the cause persists). */
	bool futile;

	unsigned ahead;              /* bit (1 << enum past_time): that time was ahead */
	double ahead_at[PAST_COUNT]; /* and what it said */
	double expiration_in;        /* FINDING_EXPIRATION: seconds until (<0: since) */
	/* --object-errors: what the provisioning logs of the last cycle say
	 * (NULL without the option), and the thresholds on failed_objects. */
	const struct provlog_result *objects;
	struct range objects_warn, objects_crit;
};

/* Evaluates one job. Never fails: odd data yields UNKNOWN or WARNING with
 * a finding that names it. */
void evaluate_job(const struct sync_job *job, const struct eval_config *cfg,
                  const struct job_context *ctx, struct job_result *out);

/* --object-errors reads the logs of a job that is not OK, or whose last
 * run failed, had entry-level errors or escrowed objects. */
bool evaluate_wants_object_errors(const struct job_result *r);
/* Joins what the logs say to r: the failed objects against their
 * thresholds (a finding and a worse state only when one is passed). */
void evaluate_object_errors(struct job_result *r, const struct provlog_result *o,
                            const struct eval_config *cfg);

/* The worst state of n results (OK for n == 0). */
enum state results_worst(const struct job_result *r, size_t n);

/* The finding of that kind in r, or NULL. */
const struct finding *result_finding(const struct job_result *r, enum finding_kind kind);

/* The kind as writers of values name it ("status", "last_run", "age", ...):
 * [a-z_], stable, part of the json and prometheus formats. */
const char *finding_kind_name(enum finding_kind kind);

/* The past event as writers of values name it ("steady_state", ...): [a-z_],
 * stable, part of the json format. */
const char *past_time_name(enum past_time which);

#endif
