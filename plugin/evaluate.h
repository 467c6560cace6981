/* Evaluation: job + thresholds + now -> state, reasons and metrics. Pure. */
#ifndef CES_EVALUATE_H
#define CES_EVALUATE_H

#include "common.h"
#include "job.h"
#include "range.h"

struct state_override {
	char key[160]; /* "Paused", "quarantine:TooManyDeletes", "execution:Failed" */
	enum state state;
};

struct eval_config {
	struct range age_warn, age_crit;       /* unset: default from schedule */
	struct range fail_warn, fail_crit;     /* default 0 and 2 */
	struct range escrow_warn, escrow_crit; /* default unset */
	const struct state_override *overrides;
	size_t n_overrides;
};

/* Defaults of SPEC section 3 (failures 0 / 2, everything else unset). */
void eval_config_init(struct eval_config *cfg);

struct job_result {
	const struct sync_job *job;
	enum state state;
	char
	    summary[512]; /* why, short: "quarantined (EncounteredQuarantineException) since ..." */
	char detail[1024]; /* the long-output line for this job */

	bool age_known;                        /* false: never succeeded -> perfdata 'U' */
	double last_success;                   /* epoch of the newest valid success time */
	double last_success_age;               /* seconds */
	struct range age_warn, age_crit;       /* the thresholds actually applied */
	struct range fail_warn, fail_crit;     /* copied from the config, for perfdata */
	struct range escrow_warn, escrow_crit; /* copied from the config, for perfdata */
	bool quarantined;                      /* status.code is Quarantine */
	bool quarantine_age_known; /* false: quarantined but no valid start time -> 'U' */
	double quarantine_age;     /* 0 when not quarantined */
	int64_t quarantine_series; /* 0 when not quarantined */
	double days_to_disable;    /* 28 days after seriesBegan; <0 when not quarantined/unknown */
};

/* Evaluates one job at time now. Never fails: odd data yields UNKNOWN with a reason. */
void evaluate_job(const struct sync_job *job, const struct eval_config *cfg, double now,
                  struct job_result *out);

/* The worst state of n results (OK for n == 0). */
enum state results_worst(const struct job_result *r, size_t n);

#endif
