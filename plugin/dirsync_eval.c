/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tenant's directory synchronization -> state (the table of the man
 * page, section DIRECTORY SYNC).
 *
 * Decisions:
 * - onPremisesSyncEnabled null means the tenant never synchronized:
 *   UNKNOWN, "directory synchronization is not enabled" (a check pointed at
 *   a cloud-only tenant watches nothing); false means it synchronized once and
 *   no longer does: CRITICAL. Both can be overridden (sync:never=,
 *   sync:disabled=). Only a tenant that synchronizes has its ages, password
 *   hash sync and deletion prevention judged.
 * - The effective interval is the customer-requested one when it is set and
 *   readable, else synchronizationInterval, else 30 minutes (Entra Connect's
 *   default); only beta carries either. Thresholds are 3x and 6x it, for the
 *   last sync and for the last password hash sync alike; -w/-c replace both.
 * - Enabled but with no readable last sync time, and password hash sync on
 *   with no readable run time, fail closed: WARNING. A time more than
 *   TIME_AHEAD_SLACK ahead of the clock is no readable time: a sync cannot
 *   have happened there, and it would read fresh for as long as it stays
 *   ahead.
 * - A deletion prevention type the plugin does not know is WARNING quoting
 *   it; one that is not reported is said, not judged. */
#include "dirsync_eval.h"

#include <math.h>
#include <string.h>

#include "timeparse.h"

static double non_negative(double v)
{
	return v > 0.0 ? v : 0.0;
}

static void add(struct dirsync_result *r, enum dirsync_finding_kind kind, enum state st, bool crit)
{
	if (st == STATE_OK || r->n_findings >= DIRSYNC_FINDINGS_MAX)
		return;
	size_t i = r->n_findings++;
	while (i > 0 && state_rank(r->findings[i - 1].state) < state_rank(st)) {
		r->findings[i] = r->findings[i - 1];
		i--;
	}
	r->findings[i] = (struct dirsync_finding){kind, st, crit};
}

static void sync_state(const struct dirsync_data *d, const struct eval_config *cfg,
                       struct dirsync_result *r)
{
	enum state st = STATE_OK;
	switch (d->sync_enabled) {
	case TRI_TRUE:
		r->sync = DIRSYNC_ENABLED;
		return;
	case TRI_NULL:
		r->sync = DIRSYNC_NEVER;
		st = STATE_UNKNOWN;
		eval_override(cfg, "sync:", "never", &st);
		break;
	case TRI_FALSE:
		r->sync = DIRSYNC_DISABLED;
		st = STATE_CRITICAL;
		eval_override(cfg, "sync:", "disabled", &st);
		break;
	case TRI_ABSENT:
		r->sync = DIRSYNC_UNREPORTED;
		st = STATE_UNKNOWN;
		break;
	}
	add(r, DSF_SYNC, st, false);
}

static void effective_interval(const struct dirsync_data *d, const struct eval_config *cfg,
                               struct dirsync_result *r)
{
	const struct dirsync_interval *c = &d->customer_interval, *s = &d->interval;
	r->interval_unavailable = !c->present && !s->present;
	r->interval_unreadable = (c->text[0] && !c->valid) || (s->text[0] && !s->valid);
	if (c->valid) {
		r->interval = c->seconds;
		r->interval_source = INTERVAL_CUSTOMER;
	} else if (s->valid) {
		r->interval = s->seconds;
		r->interval_source = INTERVAL_CONFIGURED;
	} else {
		r->interval = DIRSYNC_DEFAULT_INTERVAL;
		r->interval_source = INTERVAL_DEFAULT;
	}
	r->thresholds_given = cfg->age_warn.set || cfg->age_crit.set;
	if (r->thresholds_given) {
		r->warn = cfg->age_warn;
		r->crit = cfg->age_crit;
	} else {
		range_upper(&r->warn, 3.0 * r->interval);
		range_upper(&r->crit, 6.0 * r->interval);
	}
}

static void age_finding(struct dirsync_result *r, enum dirsync_finding_kind kind, double age)
{
	if (range_alerts(&r->crit, age))
		add(r, kind, STATE_CRITICAL, true);
	else if (range_alerts(&r->warn, age))
		add(r, kind, STATE_WARNING, false);
}

static void password_state(const struct dirsync_data *d, double now, struct dirsync_result *r)
{
	const struct dirsync_time *t = &d->last_password_sync;
	r->password_ahead = t->valid == TIME_VALID && time_ahead(t->t, now);
	r->password_age_known = t->valid == TIME_VALID && !r->password_ahead;
	r->password_age = r->password_age_known ? non_negative(now - t->t) : NAN;
	switch (d->password_sync) {
	case TRI_FALSE:
		r->password = PASSWORD_OFF;
		return;
	case TRI_TRUE:
		r->password = t->present ? PASSWORD_JUDGED : PASSWORD_NO_TIME;
		break;
	default:
		r->password = PASSWORD_UNREPORTED;
		return;
	}
	if (r->sync != DIRSYNC_ENABLED || r->password != PASSWORD_JUDGED)
		return;
	if (r->password_age_known)
		age_finding(r, DSF_PASSWORD_AGE, r->password_age);
	else
		add(r, DSF_PASSWORD_NONE, STATE_WARNING, false);
}

static void prevention_state(const struct dirsync_data *d, const struct eval_config *cfg,
                             struct dirsync_result *r)
{
	enum state st;
	switch (d->prevention) {
	case PREVENTION_COUNT:
	case PREVENTION_PERCENTAGE:
		st = STATE_OK;
		break;
	case PREVENTION_DISABLED:
	case PREVENTION_OTHER:
		st = STATE_WARNING;
		break;
	case PREVENTION_ABSENT:
	default:
		r->prevention_state = STATE_OK;
		return;
	}
	eval_override(cfg, "deletion-prevention:", d->prevention_type, &st);
	r->prevention_state = st;
	if (r->sync == DIRSYNC_ENABLED)
		add(r, DSF_PREVENTION, st, false);
}

void dirsync_evaluate(const struct dirsync_data *d, const struct eval_config *cfg, double now,
                      struct dirsync_result *out)
{
	memset(out, 0, sizeof(*out));
	out->data = d;
	sync_state(d, cfg, out);
	effective_interval(d, cfg, out);
	out->sync_ahead = d->last_sync.valid == TIME_VALID && time_ahead(d->last_sync.t, now);
	out->sync_age_known = d->last_sync.valid == TIME_VALID && !out->sync_ahead;
	out->sync_age = out->sync_age_known ? non_negative(now - d->last_sync.t) : NAN;
	if (out->sync == DIRSYNC_ENABLED) {
		if (out->sync_age_known)
			age_finding(out, DSF_SYNC_AGE, out->sync_age);
		else
			add(out, DSF_SYNC_NO_TIME, STATE_WARNING, false);
	}
	password_state(d, now, out);
	prevention_state(d, cfg, out);
	out->state = out->n_findings > 0 ? out->findings[0].state : STATE_OK;
}

const struct dirsync_finding *dirsync_finding(const struct dirsync_result *r,
                                              enum dirsync_finding_kind kind)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].kind == kind)
			return &r->findings[i];
	return NULL;
}

const char *dirsync_finding_kind_name(enum dirsync_finding_kind kind)
{
	/* A switch without default: a new kind without a name is a warning. */
	switch (kind) {
	case DSF_SYNC:
		return "sync";
	case DSF_SYNC_AGE:
		return "sync_age";
	case DSF_SYNC_NO_TIME:
		return "sync_no_time";
	case DSF_PASSWORD_AGE:
		return "password_age";
	case DSF_PASSWORD_NONE:
		return "password_no_time";
	case DSF_PREVENTION:
		return "deletion_prevention";
	}
	return "unknown";
}
