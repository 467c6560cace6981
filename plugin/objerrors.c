/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --object-errors for the check and the handler: which jobs' provisioning
 * logs are read, and at what cost (man page: OBJECT ERRORS).
 *
 * A finished cycle's logs do not change, so a job's summary is cached per
 * cycle beside the identity's token and read once, by whichever of the
 * check and the handler comes first; concurrent runs wait on the job's lock
 * and find the entry. Two exceptions keep the count honest: a cycle still
 * running is read again after a while, and so is one that ended minutes
 * before it was read (Microsoft's logs arrive late), once more after that
 * (provlog_entry_answers). Every request draws from the
 * application's shared window (reports_bucket.h). A refusal (no permission,
 * no licence) is remembered for a day, so a check without them does not ask
 * on every run. Nothing here can fail the run: what could not be read is a
 * status with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "encode.h"
#include "evaluate.h"
#include "graph.h"
#include "modes.h"
#include "options.h"
#include "provlog.h"
#include "provlog_cache.h"
#include "provlog_graph.h"
#include "run.h"

#define MIN_LEFT  2.0  /* seconds of -t left to the rest of the run */
#define LOCK_WAIT 15.0 /* at most, for a concurrent run reading the same job */

struct objerr_run {
	const struct mode_env *m;
	int fd;          /* the token cache directory, or -1: no cache, no shared window */
	const char *key; /* the identity's token cache key */
	char window[80]; /* the application's shared window */
	double reserve;  /* seconds of -t the mode keeps for itself */
};

/* One window per application and tenant, as Microsoft counts: not per
 * credential (the token key), so a secret and a certificate of one
 * application share it. */
static void window_name(const struct config *cfg, char *out, size_t n)
{
	const struct auth_options *a = &cfg->auth;
	const char *who = a->method == AUTH_MANAGED_IDENTITY
	                      ? (a->mi_client_id ? a->mi_client_id : "managed-identity")
	                      : (a->client_id ? a->client_id : "");
	struct buf material = {0};
	unsigned char sum[SHA256_LEN];
	char hex[33] = "";
	if (buf_printf(&material, "%s\n%s\n%s", cfg->graph.graph_url, a->tenant ? a->tenant : "",
	               who) == 0 &&
	    sha256(material.data, material.len, sum) == 0)
		hex_encode(sum, 16, hex);
	buf_free(&material);
	snprintf(out, n, "reports-%s", hex[0] ? hex : "any");
}

static void from_entry(const struct provlog_entry *c, struct provlog_result *out)
{
	out->status = c->status;
	out->from_cache = true;
	out->checked_at = c->read_at;
	out->summary = c->summary;
}

/* A refusal remembered for the identity: every job's answer for a day. */
static bool denied(const struct objerr_run *r, double now, struct provlog_result *out)
{
	struct provlog_entry c;
	if (r->fd < 0 || !provlog_cache_lookup(r->fd, r->key, NULL, &c) ||
	    c.status == PROVLOG_KNOWN || now - c.read_at >= PROVLOG_DENIED_FOR ||
	    now - c.read_at < -PROVLOG_CLOCK_SLACK)
		return false;
	from_entry(&c, out);
	return true;
}

static bool cached(const struct objerr_run *r, const char *job_id, double began, double ended,
                   double now, struct provlog_result *out)
{
	struct provlog_entry c;
	if (r->fd < 0 || !provlog_cache_lookup(r->fd, r->key, job_id, &c) ||
	    !provlog_entry_answers(&c, began, ended, now))
		return false;
	from_entry(&c, out);
	return true;
}

static void store(const struct objerr_run *r, const char *job_id, double began, double ended,
                  const struct provlog_result *res)
{
	if (r->fd < 0 || (res->status != PROVLOG_KNOWN && res->status != PROVLOG_NO_PERMISSION &&
	                  res->status != PROVLOG_NO_LICENCE))
		return;
	bool refusal = res->status != PROVLOG_KNOWN;
	struct provlog_entry c = {.began = refusal ? 0 : began,
	                          .ended = refusal ? 0 : ended,
	                          .read_at = res->checked_at,
	                          .status = res->status,
	                          .summary = res->summary};
	struct err e = {0};
	if (provlog_job_hash(refusal ? "" : job_id, c.job) < 0 ||
	    provlog_cache_store(r->fd, r->key, refusal ? NULL : job_id, &c, &e) < 0)
		run_say(r->m->run, 1, "warning: object errors not cached: %s", e.msg);
}

static void skipped(struct provlog_result *out, enum provlog_status st, const char *why)
{
	out->status = st;
	str_copy(out->why, sizeof(out->why), why);
}

/* Reads the logs of the cycle, with the deadline narrowed by what the mode
 * and the rest of the run keep. */
static void read_logs(const struct objerr_run *r, const struct job_result *jr, double began,
                      double ended, struct provlog_result *out)
{
	const struct sync_job *job = jr->job;
	struct provlog_read q = {
	    .job_id = job->id,
	    .began = began,
	    .ended = ended,
	    .staged = jr->quarantined && strcasecmp(job->quarantine.reason, "TooManyDeletes") == 0,
	    .window_fd = r->fd,
	    .window = r->window,
	};
	struct err e = {0};
	enum provlog_status st;
	run_say(r->m->run, 1, "reading the provisioning logs of job %s (--object-errors)", job->id);
	double deadline = run_reserve(r->m->run, r->reserve + MIN_LEFT);
	int rc = provlog_graph_read(r->m->g, &q, &out->summary, &st, &e);
	run_restore(r->m->run, deadline);
	out->checked_at = clock_wall();
	out->status = rc == 0 ? PROVLOG_KNOWN : st;
	if (rc < 0) {
		str_copy(out->why, sizeof(out->why), e.msg);
		run_say(r->m->run, 1, "object errors of job %s: %s", job->id, e.msg);
	}
}

static void one_job(const struct objerr_run *r, const struct job_result *jr,
                    struct provlog_result *out)
{
	const struct task_execution *le = &jr->job->last_execution;
	if (le->result == RUN_NONE || le->began_valid != TIME_VALID) {
		out->status = PROVLOG_NO_CYCLE;
		return;
	}
	double began = le->time_began;
	double ended = le->ended_valid == TIME_VALID ? le->time_ended : 0;
	double now = clock_wall();
	if (denied(r, now, out) || cached(r, jr->job->id, began, ended, now, out))
		return;
	double left = run_left(r->m->run) - r->reserve - MIN_LEFT;
	if (left <= 0) {
		skipped(out, PROVLOG_SKIPPED, "not read: too little of -t left");
		return;
	}
	int lock = -1;
	if (r->fd >= 0) {
		struct err e = {0};
		lock = provlog_cache_lock(r->fd, r->key, jr->job->id,
		                          clock_mono() + (left < LOCK_WAIT ? left : LOCK_WAIT), &e);
		if (lock < 0) {
			skipped(out, PROVLOG_SKIPPED, e.msg);
			return;
		}
		/* A concurrent run may have read them while this one waited. */
		if (denied(r, now, out) || cached(r, jr->job->id, began, ended, now, out)) {
			close(lock);
			return;
		}
	}
	read_logs(r, jr, began, ended, out);
	store(r, jr->job->id, began, ended, out);
	if (lock >= 0)
		close(lock);
}

/* Worst first: when -t runs out, the jobs that matter most were read. */
static size_t *worst_first(const struct job_result *results, size_t n)
{
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	if (order == NULL)
		return NULL;
	size_t k = 0;
	for (int rank = 3; rank >= 0; rank--)
		for (size_t i = 0; i < n; i++)
			if (state_rank(results[i].state) == rank)
				order[k++] = i;
	return order;
}

void mode_object_errors(const struct mode_env *m, const struct job_result *results, size_t n,
                        double reserve, struct provlog_result *out)
{
	memset(out, 0, n * sizeof(*out));
	struct objerr_run r = {.m = m, .reserve = reserve};
	r.fd = auth_cache_entry(m->g->auth, &r.key);
	window_name(m->cfg, r.window, sizeof(r.window));
	size_t *order = worst_first(results, n);
	for (size_t k = 0; k < n; k++) {
		size_t i = order != NULL ? order[k] : k;
		if (evaluate_wants_object_errors(&results[i]))
			one_job(&r, &results[i], &out[i]);
	}
	free(order);
}
