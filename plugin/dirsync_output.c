/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --directory-sync's words and metrics: the summary, one line per aspect
 * (the sync, the interval, password hash sync, deletion prevention) and the
 * credential's line. */
#include "dirsync_output.h"

#include <string.h>

#include "range.h"
#include "text.h"
#include "timeparse.h"

static void ago(double seconds, char *out, size_t n)
{
	duration_format(seconds, out, n);
}

/* "> 1h 30m" for the usual upper bound, the range itself otherwise. */
static void limit_words(const struct range *r, struct buf *b)
{
	if (!r->set) {
		buf_puts(b, "none");
	} else if (!r->inside && !r->lo_inf && !r->hi_inf && r->lo == 0.0) {
		char v[48];
		duration_format(r->hi, v, sizeof(v));
		buf_printf(b, "> %s", v);
	} else {
		buf_printf(b, "range %s", r->text);
	}
}

static const struct range *passed(const struct dirsync_result *r, const struct dirsync_finding *f)
{
	return f->crit ? &r->crit : &r->warn;
}

static void prevention_words(const struct dirsync_data *d, struct buf *b)
{
	switch (d->prevention) {
	case PREVENTION_DISABLED:
		buf_puts(b, "accidental deletion prevention disabled");
		break;
	case PREVENTION_OTHER:
		buf_printf(b, "accidental deletion prevention '%s' (unknown to this plugin)",
		           d->prevention_type);
		break;
	case PREVENTION_COUNT:
	case PREVENTION_PERCENTAGE:
	case PREVENTION_ABSENT:
		buf_printf(b, "accidental deletion prevention %s",
		           d->prevention_type[0] ? d->prevention_type : "not reported");
		break;
	}
}

static void sync_words(const struct dirsync_result *r, struct buf *b)
{
	char t[48];
	switch (r->sync) {
	case DIRSYNC_NEVER:
		buf_puts(b, "directory synchronization is not enabled");
		return;
	case DIRSYNC_UNREPORTED:
		buf_puts(b, "Graph did not say whether directory synchronization is enabled "
		            "(no onPremisesSyncEnabled)");
		return;
	case DIRSYNC_DISABLED:
		buf_puts(b, "directory synchronization turned off");
		if (r->sync_age_known) {
			ago(r->sync_age, t, sizeof(t));
			buf_printf(b, ", last sync %s ago", t);
		}
		return;
	case DIRSYNC_ENABLED:
		break;
	}
}

/* "<what> but <none>", or, for a time ahead of the clock, which it was. */
static void no_time_words(const char *what, const char *none, const char *time_name,
                          const struct dirsync_time *t, bool ahead, struct buf *b)
{
	if (!ahead) {
		buf_printf(b, "%s but %s", what, none);
		return;
	}
	char when[32];
	time_format(t->t, when, sizeof(when));
	buf_printf(b, "%s but its %s %s lies ahead of this machine's clock", what, time_name, when);
}

static void finding_words(const struct dirsync_result *r, const struct dirsync_finding *f,
                          struct buf *b)
{
	char t[48];
	switch (f->kind) {
	case DSF_SYNC:
		sync_words(r, b);
		break;
	case DSF_SYNC_AGE:
		ago(r->sync_age, t, sizeof(t));
		buf_printf(b, "last directory sync %s ago (", t);
		limit_words(passed(r, f), b);
		buf_puts(b, ")");
		break;
	case DSF_SYNC_NO_TIME:
		no_time_words("directory synchronization enabled", "no last sync time reported",
		              "last sync time", &r->data->last_sync, r->sync_ahead, b);
		break;
	case DSF_PASSWORD_AGE:
		ago(r->password_age, t, sizeof(t));
		buf_printf(b, "last password hash sync %s ago (", t);
		limit_words(passed(r, f), b);
		buf_puts(b, ")");
		break;
	case DSF_PASSWORD_NONE:
		no_time_words("password hash sync on", "no run reported", "last run time",
		              &r->data->last_password_sync, r->password_ahead, b);
		break;
	case DSF_PREVENTION:
		prevention_words(r->data, b);
		break;
	}
}

static void healthy_words(const struct dirsync_result *r, struct buf *b)
{
	char t[48], iv[48];
	if (r->sync != DIRSYNC_ENABLED) {
		sync_words(r, b);
		return;
	}
	ago(r->sync_age, t, sizeof(t));
	duration_format(r->interval, iv, sizeof(iv));
	buf_printf(b, "directory sync: last sync %s ago (every %s)", t, iv);
	if (r->password == PASSWORD_JUDGED && r->password_age_known) {
		ago(r->password_age, t, sizeof(t));
		buf_printf(b, ", password hash sync %s ago", t);
	}
}

UNITTEST void output_dirsync_summary(const struct dirsync_result *r, struct buf *b)
{
	size_t start = b->len;
	for (size_t i = 0; i < r->n_findings; i++) {
		if (i > 0)
			buf_puts(b, "; ");
		finding_words(r, &r->findings[i], b);
	}
	if (b->len == start)
		healthy_words(r, b);
	text_clean_buf(b, start);
}

/* ---- long output ---- */

static enum state worst_of(const struct dirsync_result *r, const enum dirsync_finding_kind *kinds,
                           size_t n)
{
	enum state st = STATE_OK;
	for (size_t i = 0; i < n; i++) {
		const struct dirsync_finding *f = dirsync_finding(r, kinds[i]);
		if (f != NULL)
			st = state_worst(st, f->state);
	}
	return st;
}

static void when_words(const struct dirsync_time *t, double age, struct buf *b)
{
	char when[48], a[48];
	time_format(t->t, when, sizeof(when));
	ago(age, a, sizeof(a));
	buf_printf(b, "%s (%s ago)", when, a);
}

/* The long output: one line per aspect, each returning its state. */

static enum state sync_line(const struct dirsync_result *r, struct buf *b)
{
	static const enum dirsync_finding_kind kinds[] = {DSF_SYNC, DSF_SYNC_AGE, DSF_SYNC_NO_TIME};
	const struct dirsync_data *d = r->data;
	enum state st = worst_of(r, kinds, 3);
	buf_printf(b, "[%s] directory synchronization: ", state_name(st));
	switch (r->sync) {
	case DIRSYNC_ENABLED:
		buf_puts(b, "enabled");
		break;
	case DIRSYNC_DISABLED:
		buf_puts(b, "turned off (onPremisesSyncEnabled false)");
		break;
	case DIRSYNC_NEVER:
		buf_puts(b, "never enabled (onPremisesSyncEnabled null)");
		break;
	case DIRSYNC_UNREPORTED:
		buf_puts(b, "not reported (no onPremisesSyncEnabled)");
		break;
	}
	if (r->sync_age_known) {
		buf_puts(b, ", last sync ");
		when_words(&d->last_sync, r->sync_age, b);
	} else if (r->sync_ahead) {
		char t[32];
		time_format(d->last_sync.t, t, sizeof(t));
		buf_printf(b, ", last sync time %s ahead of the clock, so not taken", t);
	} else if (r->sync == DIRSYNC_ENABLED || r->sync == DIRSYNC_DISABLED) {
		buf_puts(b, d->last_sync.valid == TIME_INVALID ? ", last sync time unreadable"
		                                               : ", no last sync time");
	}
	return st;
}

/* Says what the thresholds derive from; judges nothing itself. */
static enum state interval_line(const struct dirsync_result *r, struct buf *b)
{
	const struct dirsync_data *d = r->data;
	char iv[48];
	duration_format(r->interval, iv, sizeof(iv));
	switch (r->interval_source) {
	case INTERVAL_CUSTOMER:
		buf_printf(b, "interval %s (customerRequestedSynchronizationInterval %s", iv,
		           d->customer_interval.text);
		if (d->interval.text[0])
			buf_printf(b, "; synchronizationInterval %s", d->interval.text);
		buf_puts(b, ")");
		break;
	case INTERVAL_CONFIGURED:
		buf_printf(b, "interval %s (synchronizationInterval %s)", iv, d->interval.text);
		break;
	case INTERVAL_DEFAULT:
		buf_printf(b, "interval %s assumed (Entra Connect's default)", iv);
		if (r->interval_unavailable)
			buf_puts(b,
			         ": this API version does not report it (--api-version beta does)");
		else if (!r->interval_unreadable)
			buf_puts(b, ": none reported");
		break;
	}
	if (r->interval_unreadable) {
		const struct dirsync_interval *bad =
		    d->customer_interval.text[0] && !d->customer_interval.valid
		        ? &d->customer_interval
		        : &d->interval;
		buf_printf(b, "; %s '%s' cannot be read",
		           bad == &d->interval ? "synchronizationInterval"
		                               : "customerRequestedSynchronizationInterval",
		           bad->text);
	}
	buf_puts(b, "; thresholds warning ");
	limit_words(&r->warn, b);
	buf_puts(b, ", critical ");
	limit_words(&r->crit, b);
	buf_puts(b, r->thresholds_given ? " (-w/-c)" : " (3x and 6x the interval)");
	return STATE_OK;
}

static enum state password_line(const struct dirsync_result *r, struct buf *b)
{
	static const enum dirsync_finding_kind kinds[] = {DSF_PASSWORD_AGE, DSF_PASSWORD_NONE};
	const struct dirsync_data *d = r->data;
	enum state st = worst_of(r, kinds, 2);
	buf_printf(b, "[%s] password hash sync: ", state_name(st));
	switch (r->password) {
	case PASSWORD_OFF:
		buf_puts(b, "off");
		return st;
	case PASSWORD_UNREPORTED:
		buf_puts(b, "not reported");
		return st;
	case PASSWORD_NO_TIME:
		buf_puts(b, "on; this API version does not report its last run (--api-version beta "
		            "does), so it is not judged");
		return st;
	case PASSWORD_JUDGED:
		break;
	}
	if (r->password_age_known) {
		buf_puts(b, "on, last run ");
		when_words(&d->last_password_sync, r->password_age, b);
	} else if (r->password_ahead) {
		char t[32];
		time_format(d->last_password_sync.t, t, sizeof(t));
		buf_printf(b, "on, last run time %s ahead of the clock, so not taken", t);
	} else {
		buf_puts(b, d->last_password_sync.valid == TIME_INVALID
		                ? "on, last run time unreadable"
		                : "on, no run reported");
	}
	return st;
}

static enum state prevention_line(const struct dirsync_result *r, struct buf *b)
{
	const struct dirsync_data *d = r->data;
	buf_printf(b, "[%s] ", state_name(r->prevention_state));
	prevention_words(d, b);
	if ((d->prevention == PREVENTION_COUNT || d->prevention == PREVENTION_PERCENTAGE) &&
	    d->has_alert_threshold)
		buf_printf(b, ", alert threshold %lld%s", (long long)d->alert_threshold,
		           d->prevention == PREVENTION_PERCENTAGE ? "%" : " objects");
	return r->prevention_state;
}

/* ---- metrics ---- */

static void metric(struct report *rep, enum metric_id id, double v, int tier,
                   const struct range *warn, const struct range *crit, bool min0)
{
	struct report_metric m = {.job = REPORT_RUN,
	                          .name = metric_name(id),
	                          .value = v,
	                          .unit = "s",
	                          .warn = warn,
	                          .crit = crit,
	                          .has_min = min0,
	                          .tier = tier};
	(void)report_metric(rep, &m); /* out of memory, the metric is left out */
}

/* The ages are what the check is for: tier 1, with the credential's end and
 * the time; the interval changes rarely and only explains the thresholds. */
static void metrics(const struct dirsync_result *r, struct report *rep)
{
	/* Thresholds only on what is judged: a tenant that no longer syncs
	 * keeps its growing age, without limits it is not held to. */
	bool judged = r->sync == DIRSYNC_ENABLED;
	if (r->sync_age_known)
		metric(rep, METRIC_LAST_SYNC_AGE, r->sync_age, 1, judged ? &r->warn : NULL,
		       judged ? &r->crit : NULL, true);
	if (judged && r->password == PASSWORD_JUDGED && r->password_age_known)
		metric(rep, METRIC_LAST_PASSWORD_SYNC_AGE, r->password_age, 1, &r->warn, &r->crit,
		       true);
	if (judged)
		metric(rep, METRIC_SYNC_INTERVAL, r->interval, 2, NULL, NULL, false);
}

/* ---- the whole output ---- */

static void summary_with_credential(const struct dirsync_result *r, const struct run_facts *f,
                                    struct buf *b)
{
	struct buf s = {0}, cred = {0};
	output_dirsync_summary(r, &s);
	output_credential_clause(f, &cred);
	size_t room = SUMMARY_MAX > cred.len ? SUMMARY_MAX - cred.len : 0;
	if (s.len > room) {
		size_t keep = utf8_prefix(s.data, room > 3 ? room - 3 : 0);
		buf_append(b, s.data, keep);
		buf_puts(b, "...");
	} else if (s.data != NULL) {
		buf_puts(b, s.data);
	}
	if (cred.data != NULL)
		buf_puts(b, cred.data);
	text_clean_buf(b, 0);
	if (b->data != NULL) {
		if (b->len > SUMMARY_MAX) {
			b->len = utf8_prefix(b->data, SUMMARY_MAX);
			b->data[b->len] = '\0';
		}
	}
	buf_free(&s);
	buf_free(&cred);
}

static const struct report_words dirsync_words = {.hidden = "lines"};

typedef enum state line_fn(const struct dirsync_result *r, struct buf *b);

static int add_line(struct report *rep, const struct dirsync_result *r, line_fn *fn)
{
	struct report_line *l = report_line(rep, STATE_OK, NULL);
	if (l == NULL)
		return -1;
	l->state = fn(r, &l->text);
	text_clean_buf(&l->text, 0);
	return 0;
}

int output_dirsync(struct report *rep, const struct dirsync_result *r,
                   const struct run_facts *facts, struct err *e)
{
	static line_fn *const enabled[] = {interval_line, password_line, prevention_line};
	rep->state = r->state;
	if (facts != NULL && facts->credential_known)
		rep->state = state_worst(rep->state, facts->credential_state);
	rep->dirsync = r;
	rep->words = dirsync_words;
	summary_with_credential(r, facts, &rep->summary);
	int rc = add_line(rep, r, sync_line);
	for (size_t i = 0; rc == 0 && r->sync == DIRSYNC_ENABLED && i < 3; i++)
		rc = add_line(rep, r, enabled[i]);
	/* The credential's line is the last aspect: hidden first, and counted. */
	if (rc == 0 && facts != NULL && facts->note[0]) {
		struct report_line *l = report_line(
		    rep, facts->credential_known ? facts->credential_state : STATE_OK, NULL);
		if (l == NULL) {
			rc = -1;
		} else {
			buf_puts(&l->text, facts->note);
			text_clean_buf(&l->text, 0);
		}
	}
	if (rc < 0)
		return err_set(e, ERR_INTERNAL, "out of memory writing the output");
	rep->fold_from = rep->n_lines;
	metrics(r, rep);
	output_run_facts(rep, facts);
	return 0;
}
