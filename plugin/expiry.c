/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Credential expiry rules (man page: CREDENTIAL EXPIRY). */
#include "expiry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "timeparse.h"

static void below(struct range *r, double seconds)
{
	char num[48], text[64];
	range_number_format(seconds, num, sizeof(num));
	snprintf(text, sizeof(text), "%s:", num);
	range_parse(text, true, r, NULL);
}

void expiry_config_init(struct expiry_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	below(&cfg->warn, EXPIRY_WARN_DEFAULT);
	below(&cfg->crit, EXPIRY_CRIT_DEFAULT);
}

int expiry_threshold_parse(const char *text, struct range *r, struct err *e)
{
	if (text != NULL && (strchr(text, ':') != NULL || text[0] == '@'))
		return range_parse(text, true, r, e);
	double seconds;
	if (text == NULL || duration_arg_parse(text, &seconds) < 0)
		return err_set(e, ERR_USAGE,
		               "'%.80s' is neither a duration (30d, 12h, 3600) nor a range (7d:)",
		               text ? text : "");
	below(r, seconds);
	return 0;
}

static bool hint_matches(const struct app_secret *s, const char *secret)
{
	size_t n = strlen(s->hint);
	return n > 0 && secret != NULL && strncmp(secret, s->hint, n) == 0;
}

/* The secret's end; one without an end date ends after every other. */
static double end_of(const struct app_secret *s)
{
	return s->no_end ? INFINITY : s->end;
}

/* Could this run have signed in with it: started (or no start given) and
 * not yet ended. */
static bool usable(const struct app_secret *s, double now)
{
	bool started = s->start_valid != TIME_VALID || s->start <= now;
	return started && end_of(s) > now;
}

UNITTEST void expiry_choose_secret(const struct app_credentials *creds, const char *secret,
                                   double now, struct secret_choice *out)
{
	memset(out, 0, sizeof(*out));
	bool have_usable = false;
	for (size_t i = 0; i < creds->n; i++) {
		const struct app_secret *s = &creds->secret[i];
		if ((s->end_valid != TIME_VALID && !s->no_end) || !hint_matches(s, secret))
			continue;
		out->matching++;
		bool u = usable(s, now);
		const struct app_secret *best = out->found ? &creds->secret[out->index] : NULL;
		bool take;
		if (best == NULL)
			take = true;
		else if (u != have_usable)
			take = u; /* a usable one beats every ended one */
		else
			take = u ? end_of(s) < end_of(best) : end_of(s) > end_of(best);
		if (take) {
			out->found = true;
			out->index = i;
			have_usable = u;
		}
	}
}

void expiry_from_secrets(const struct app_credentials *creds, const char *secret, double now,
                         struct expiry_result *r)
{
	struct secret_choice c;
	expiry_choose_secret(creds, secret, now, &c);
	r->source = EXPIRY_SOURCE_SECRET;
	r->secrets = creds->total;
	r->matching = c.matching;
	if (!c.found) {
		r->status = EXPIRY_NO_MATCH;
		return;
	}
	const struct app_secret *s = &creds->secret[c.index];
	r->status = s->no_end ? EXPIRY_NO_END : EXPIRY_KNOWN;
	r->end = s->no_end ? 0 : s->end;
	str_copy(r->name, sizeof(r->name), s->display_name);
	str_copy(r->key_id, sizeof(r->key_id), s->key_id);
}

void expiry_judge(const struct expiry_config *cfg, double now, struct expiry_result *r)
{
	r->warn = cfg->warn;
	r->crit = cfg->crit;
	r->state = STATE_OK;
	r->passed_crit = false;
	r->checked_age = r->checked_at > 0 ? now - r->checked_at : 0;
	if (r->status != EXPIRY_KNOWN)
		return;
	r->expires_in = r->end - now;
	if (range_alerts(&r->crit, r->expires_in)) {
		r->state = STATE_CRITICAL;
		r->passed_crit = true;
	} else if (range_alerts(&r->warn, r->expires_in)) {
		r->state = STATE_WARNING;
	}
}
