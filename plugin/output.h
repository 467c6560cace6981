/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Presentation: every word of check mode, filled into a report (format/)
 * with the metrics as values; a writer prints it. Pure: prints nothing. */
#ifndef CES_OUTPUT_H
#define CES_OUTPUT_H

#include <stdbool.h>

#include "common.h"
#include "evaluate.h"
#include "expiry.h"
#include "format/report.h"
#include "format/writer.h"

/* What the run adds besides its jobs. */
struct run_facts {
	double http_seconds; /* the once-per-run 'time' metric */
	/* Credential expiry (sign-in methods that know it), or known false. */
	bool credential_known;
	double credential_expires_in; /* seconds, may be negative */
	enum state credential_state;
	const struct range *credential_warn, *credential_crit;
	char credential_what[160]; /* "client secret abc... (hint)", "certificate ..." */
	char note[480];            /* one more long-output line, or "" */
	const struct expiry_result *credential; /* what the above came from, or NULL */
	double now; /* when the run judged (epoch seconds), for writers of values; or 0 */
	/* The service principals asked about, in their order (the check: one
	 * for -s or -a; none for --directory-sync); those that could not be read
	 * carry their error. More than one: the lines name each job's. */
	const struct report_sp *sps;
	size_t n_sps;
	const size_t *job_sp; /* of each result, the index of its service principal in sps */
};

/* Fills the empty report rep with the check of n >= 1 results: the overall
 * state, the summary, one line per job, worst first (OK jobs may fold), one
 * per service principal that could not be read, the note, and the metrics
 * (tier 1, kept longest under a budget: the per-job ages, failures and
 * quarantine ages, the credential's end, the time). 0, or -1 with e when
 * out of memory. */
int output_check(struct report *rep, const struct job_result *results, size_t n,
                 const struct output_options *opt, const struct run_facts *facts, struct err *e);

/* The run's own metrics (the credential's end, the time) and its
 * credential, after the metrics of what the report is about. */
void output_run_facts(struct report *rep, const struct run_facts *facts);

/* "service principal NAME (ID): error" or "service principal ID: error",
 * appended to b. */
void output_sp_error(const struct report_sp *sp, struct buf *b);

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* The words for one job: its summary ("quarantined (Reason: Code) since
 * ...") and its long-output line. Appended to b. */
void output_job_summary(const struct job_result *r, struct buf *b);
void output_job_detail(const struct job_result *r, struct buf *b);
#endif

/* What Microsoft documents to do for the job's quarantine reason (and for
 * API-driven inbound jobs and pruned escrows), "Microsoft: ...", appended
 * to b; nothing for a reason Microsoft does not explain. */
void output_advice(const struct sync_job *job, struct buf *b);

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* The subjects (metric name prefixes) of n jobs without -j: each
 * templateId reduced to [A-Za-z0-9_], and, where two jobs would share one, a
 * short stable suffix from the job id; unique, short enough for every
 * metric's label. 0 or -1 (ENOMEM). */
int output_prefixes(const struct job_result *r, size_t n, char (*out)[SUBJECT_MAX]);
#endif

/* The credential's end as run facts: what to name in the summary, the
 * metric and its thresholds, and a long-output line (the note) saying what
 * was found or why nothing could be. x must outlive f. */
void output_expiry_facts(const struct expiry_result *x, struct run_facts *f);
/* "; <credential> expires in 20d" or "; <credential> has expired" for a
 * summary line, appended to b when the run knows a credential that is not
 * OK; nothing otherwise. */
void output_credential_clause(const struct run_facts *f, struct buf *b);
/* A clause for the decision lines of the event handler, --start and --list:
 * "client secret 'monitoring' expires in 5d (WARNING)", or "" when there is
 * nothing to warn about. */
void output_expiry_clause(const struct expiry_result *x, char *out, size_t n);

#endif
