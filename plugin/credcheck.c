/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The end of the credential this run signs in with, for every mode that
 * signs in (man page: CREDENTIAL EXPIRY). A certificate's notAfter is read
 * locally on every run. A client secret's end needs the application object
 * (--secret-expiry, Application.Read.All): looked up at most once a day per
 * identity and cached beside the token, the answer "cannot" (no permission,
 * no application, no matching secret) included, so a check without the
 * permission does not ask again on every run. A look-up that failed for
 * another reason (network, throttling, a server error) is retried after an
 * hour. Nothing here can fail the run: what could not be found out is a note. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "credential.h"
#include "credential_cache.h"
#include "expiry.h"
#include "graph.h"
#include "modes.h"
#include "options.h"
#include "run.h"

#define LOOKUP_EVERY 86400.0 /* an answer, including a definite "cannot": once a day */
#define RETRY_AFTER  3600.0  /* a look-up that failed otherwise */
#define CLOCK_SLACK  300.0   /* an entry this far in the future: the clock went back */
#define MIN_LEFT     2.0     /* seconds of -t the look-up leaves to the rest of the run */
#define LOCK_WAIT    5.0     /* at most, for a concurrent run's look-up */

static const struct {
	enum expiry_status status;
	const char *word;
} outcomes[] = {
    {EXPIRY_KNOWN, "known"},
    {EXPIRY_NO_END, "no-end"},
    {EXPIRY_NO_PERMISSION, "no-permission"},
    {EXPIRY_NO_APPLICATION, "no-application"},
    {EXPIRY_NO_MATCH, "no-match"},
    {EXPIRY_LOOKUP_FAILED, "failed"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *outcome_word(enum expiry_status st)
{
	for (size_t i = 0; i < COUNT(outcomes); i++)
		if (outcomes[i].status == st)
			return outcomes[i].word;
	return NULL;
}

static void to_entry(const struct expiry_result *r, struct cred_entry *c)
{
	memset(c, 0, sizeof(*c));
	c->checked_at = r->checked_at;
	str_copy(c->outcome, sizeof(c->outcome), outcome_word(r->status));
	c->end_known = r->status == EXPIRY_KNOWN;
	c->end = c->end_known ? r->end : 0;
	c->matching = (unsigned)r->matching;
	c->secrets = (unsigned)r->secrets;
	str_copy(c->name, sizeof(c->name), r->status == EXPIRY_LOOKUP_FAILED ? r->why : r->name);
	str_copy(c->key_id, sizeof(c->key_id), r->key_id);
}

/* An entry still answers when it is younger than its outcome's period. */
static bool from_entry(const struct cred_entry *c, double now, struct expiry_result *r)
{
	size_t i = 0;
	while (i < COUNT(outcomes) && strcmp(outcomes[i].word, c->outcome) != 0)
		i++;
	if (i == COUNT(outcomes))
		return false;
	enum expiry_status st = outcomes[i].status;
	double age = now - c->checked_at;
	if (age < -CLOCK_SLACK ||
	    age >= (st == EXPIRY_LOOKUP_FAILED ? RETRY_AFTER : LOOKUP_EVERY) ||
	    (st == EXPIRY_KNOWN && !c->end_known))
		return false;
	r->status = st;
	r->source = EXPIRY_SOURCE_SECRET;
	r->end = c->end;
	r->matching = c->matching;
	r->secrets = c->secrets;
	r->checked_at = c->checked_at;
	r->from_cache = true;
	str_copy(st == EXPIRY_LOOKUP_FAILED ? r->why : r->name,
	         st == EXPIRY_LOOKUP_FAILED ? sizeof(r->why) : sizeof(r->name), c->name);
	str_copy(r->key_id, sizeof(r->key_id), c->key_id);
	return true;
}

static bool cached(int fd, const char *key, double now, struct expiry_result *r)
{
	struct cred_entry c;
	return fd >= 0 && cred_cache_lookup(fd, key, &c) && from_entry(&c, now, r);
}

/* Reads the application's secrets and picks the one in use. */
static void look_up(const struct mode_env *m, double now, struct expiry_result *r)
{
	const struct config *cfg = m->cfg;
	struct err e = {0};
	struct app_credentials *creds = calloc(1, sizeof(*creds));
	r->source = EXPIRY_SOURCE_SECRET;
	r->checked_at = now;
	if (creds == NULL) {
		r->status = EXPIRY_LOOKUP_FAILED;
		str_copy(r->why, sizeof(r->why), "out of memory");
		return;
	}
	run_say(m->run, 1, "reading the application's client secrets (--secret-expiry)");
	if (graph_get_app_credentials(m->g, cfg->auth.client_id, creds, &e) == 0) {
		expiry_from_secrets(creds, cfg->auth.secret, now, r);
	} else if (e.http_status == 401 || e.http_status == 403) {
		r->status = EXPIRY_NO_PERMISSION;
		run_say(m->run, 1, "client secret expiry: %s", e.msg);
	} else if (e.http_status == 404) {
		r->status = EXPIRY_NO_APPLICATION;
	} else {
		r->status = EXPIRY_LOOKUP_FAILED;
		str_copy(r->why, sizeof(r->why), e.msg);
	}
	free(creds);
}

static void secret_expiry(const struct mode_env *m, double now, struct expiry_result *r)
{
	const char *key = NULL;
	int fd = auth_cache_entry(m->g->auth, &key);
	if (cached(fd, key, now, r))
		return;
	double left = run_left(m->run) - MIN_LEFT;
	if (left <= 0) {
		r->source = EXPIRY_SOURCE_SECRET;
		r->status = EXPIRY_LOOKUP_FAILED;
		str_copy(r->why, sizeof(r->why), "not looked up: too little of -t left");
		return; /* not cached: the next run may have the time */
	}
	int lock = -1;
	if (fd >= 0) {
		struct err e = {0};
		lock = cred_cache_lock(fd, key,
		                       clock_mono() + (left < LOCK_WAIT ? left : LOCK_WAIT), &e);
		if (lock < 0) {
			r->source = EXPIRY_SOURCE_SECRET;
			r->status = EXPIRY_LOOKUP_FAILED;
			str_copy(r->why, sizeof(r->why), e.msg);
			return;
		}
		/* A concurrent run may have looked up while this one waited. */
		if (cached(fd, key, now, r)) {
			close(lock);
			return;
		}
	}
	look_up(m, now, r);
	struct cred_entry c;
	struct err e = {0};
	to_entry(r, &c);
	if (fd >= 0 && cred_cache_store(fd, key, &c, &e) < 0)
		run_say(m->run, 1, "warning: client secret expiry not cached: %s", e.msg);
	if (lock >= 0)
		close(lock);
}

void mode_credential_expiry(const struct mode_env *m, struct expiry_result *out)
{
	const struct config *cfg = m->cfg;
	double now = clock_wall();
	memset(out, 0, sizeof(*out));
	out->status = EXPIRY_NOT_APPLICABLE;
	switch (cfg->auth.method) {
	case AUTH_CERTIFICATE:
		/* The certificate's own end; its registration on the application
		 * ends with it, so --secret-expiry adds nothing here. */
		if (auth_certificate_end(m->g->auth, &out->end)) {
			out->status = EXPIRY_KNOWN;
			out->source = EXPIRY_SOURCE_CERTIFICATE;
			str_copy(out->name, sizeof(out->name), cfg->auth.certificate);
		}
		break;
	case AUTH_SECRET:
		if (cfg->secret_expiry && m->g->auth->token != NULL)
			secret_expiry(m, now, out);
		break;
	default:
		/* A managed identity's credential is Azure's to renew; a token
		 * from --access-token-file is someone else's. */
		break;
	}
	expiry_judge(&cfg->expiry, now, out);
}
