/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Presentation: every word of check mode and every status line of every
 * mode. The first line, long output and perfdata follow the Monitoring
 * Plugins guidelines and fit a byte budget. Pure (writes to the FILE given). */
#ifndef CES_OUTPUT_H
#define CES_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "common.h"
#include "evaluate.h"
#include "expiry.h"

#define OUTPUT_MAX_DEFAULT 8192 /* Nagios Core keeps 8 KiB of plugin output */
#define OUTPUT_MAX_MIN     512
#define HEAD_MAX           199 /* the first line's text before '|', "ENTRA SYNC ..." included */
#define SUMMARY_MAX        (HEAD_MAX - 22) /* after "ENTRA SYNC CRITICAL - " */
#define LABEL_MAX          60

struct output_options {
	size_t max_bytes; /* --max-output: everything printed on stdout */
	bool bare_labels; /* -j: one job, metric names without a job prefix */
};

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
	/* A run over several service principals: those that could not be read,
	 * one worded line each ("service principal X: Graph HTTP 404 ..."). */
	const char *const *sp_errors;
	size_t n_sp_errors;
	size_t n_sps; /* service principals asked about (0: one, not said) */
};

/* Writes the complete check output for n >= 1 results and returns the
 * overall state: "ENTRA SYNC <STATE> - <summary> | <perfdata>", then one
 * long-output line per job, worst first, and one per service principal that
 * could not be read. page.c fits it to the budget: OK jobs fold into one
 * line, error lines into a count, perfdata drops whole metrics (the per-job
 * ages, failures and quarantine ages last), and a line says what was left
 * out. */
enum state output_check(FILE *out, const struct job_result *results, size_t n,
                        const struct output_options *opt, const struct run_facts *facts);

/* The words for one job: its summary ("quarantined (Reason: Code) since
 * ...") and its long-output line. Appended to b. */
void output_job_summary(const struct job_result *r, struct buf *b);
void output_job_detail(const struct job_result *r, struct buf *b);

/* What Microsoft documents to do for the job's quarantine reason (and for
 * API-driven inbound jobs and pruned escrows), "Microsoft: ...", appended
 * to b; nothing for a reason Microsoft does not explain. */
void output_advice(const struct sync_job *job, struct buf *b);

/* The perfdata label of metric for a job prefix ("" with -j): only
 * [A-Za-z0-9_], at most LABEL_MAX bytes. */
void output_label(const char *prefix, const char *metric, char *out, size_t n);
/* The prefixes of n jobs without -j: each templateId reduced to
 * [A-Za-z0-9_], and, where two jobs would share one, a short stable suffix
 * from the job id; unique, short enough for every metric. out[i] holds
 * OUTPUT_PREFIX_MAX bytes. 0 or -1 (ENOMEM). */
#define OUTPUT_PREFIX_MAX 44
int output_prefixes(const struct job_result *r, size_t n, char (*out)[OUTPUT_PREFIX_MAX]);

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

/* "ENTRA SYNC <STATE> - <msg>": the one line every mode ends with when it
 * could not do its work (msg is made safe: one line, valid UTF-8). */
void output_status_line(FILE *out, enum state st, const char *msg);

#endif
