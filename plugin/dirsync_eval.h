/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Evaluation of the tenant's directory synchronization (man page:
 * DIRECTORY SYNC): data + thresholds + now -> state, the findings that made
 * it, and the metrics. Facts only: dirsync_output.c writes every word. Pure. */
#ifndef CES_DIRSYNC_EVAL_H
#define CES_DIRSYNC_EVAL_H

#include "common.h"
#include "dirsync_data.h"
#include "evaluate.h"
#include "range.h"

#define DIRSYNC_DEFAULT_INTERVAL 1800.0 /* Entra Connect's 30 minutes */

/* Whether the tenant synchronizes, by onPremisesSyncEnabled. */
enum dirsync_sync {
	DIRSYNC_ENABLED,    /* true */
	DIRSYNC_NEVER,      /* null: never synced ("sync:never", default UNKNOWN) */
	DIRSYNC_DISABLED,   /* false: synced once, no longer ("sync:disabled", default CRITICAL) */
	DIRSYNC_UNREPORTED, /* missing from the answer: UNKNOWN */
};

/* Where the interval the thresholds derive from came from. */
enum dirsync_interval_source {
	INTERVAL_CUSTOMER,   /* customerRequestedSynchronizationInterval */
	INTERVAL_CONFIGURED, /* synchronizationInterval */
	INTERVAL_DEFAULT,    /* neither readable: 30 minutes */
};

/* Whether password hash sync is judged, by features.passwordSyncEnabled and
 * whether the version has onPremisesLastPasswordSyncDateTime. */
enum dirsync_password {
	PASSWORD_OFF,        /* false */
	PASSWORD_JUDGED,     /* true, and the time is in the answer (beta) */
	PASSWORD_NO_TIME,    /* true, but the version has no such time (v1.0) */
	PASSWORD_UNREPORTED, /* features or the flag missing or null */
};

enum dirsync_finding_kind {
	DSF_SYNC,          /* not enabled, turned off, or not reported */
	DSF_SYNC_AGE,      /* the last sync is older than its threshold */
	DSF_SYNC_NO_TIME,  /* enabled, but no (readable) last sync time */
	DSF_PASSWORD_AGE,  /* the last password hash sync is older than its threshold */
	DSF_PASSWORD_NONE, /* password hash sync on, but no (readable) run time */
	DSF_PREVENTION,    /* accidental deletion prevention disabled, or unknown to this plugin */
};

struct dirsync_finding {
	enum dirsync_finding_kind kind;
	enum state state;
	bool crit; /* AGE kinds: the critical threshold was passed (else the warning one) */
};

#define DIRSYNC_FINDINGS_MAX 6

struct dirsync_result {
	const struct dirsync_data *data;
	enum state state;
	struct dirsync_finding findings[DIRSYNC_FINDINGS_MAX]; /* worst first; none when OK */
	size_t n_findings;

	enum dirsync_sync sync;
	bool sync_age_known;
	double sync_age; /* seconds since onPremisesLastSyncDateTime */
	bool sync_ahead; /* that time lies ahead of the clock: not taken (timeparse.h) */

	double interval; /* the effective interval, seconds */
	enum dirsync_interval_source interval_source;
	bool interval_unavailable; /* neither interval in the answer (v1.0) */
	bool interval_unreadable;  /* one was sent but could not be read */
	bool thresholds_given;     /* -w/-c (else 3x / 6x the interval) */
	struct range warn, crit;   /* applied to both ages */

	enum dirsync_password password;
	bool password_age_known;
	double password_age;
	bool password_ahead; /* onPremisesLastPasswordSyncDateTime ahead of the clock */

	enum state prevention_state; /* of accidental deletion prevention alone */
};

/* Evaluates. Never fails: odd data yields UNKNOWN or WARNING with a finding
 * that names it. Overrides (cfg->overrides): "sync:never", "sync:disabled"
 * and "deletion-prevention:<type>" (disabled, enabledForCount, ...). -w/-c
 * (cfg->age_warn/age_crit) replace the interval's thresholds. */
void dirsync_evaluate(const struct dirsync_data *d, const struct eval_config *cfg, double now,
                      struct dirsync_result *out);

/* The finding of that kind, or NULL. */
const struct dirsync_finding *dirsync_finding(const struct dirsync_result *r,
                                              enum dirsync_finding_kind kind);

/* The kind as writers of values name it ("sync", "sync_age", ...): [a-z_],
 * stable, part of the json and prometheus formats. */
const char *dirsync_finding_kind_name(enum dirsync_finding_kind kind);

#endif
