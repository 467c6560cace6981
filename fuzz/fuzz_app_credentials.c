/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application object Graph returns for --secret-expiry, through what
 * check_entra_sync does with it: app_credentials_from_json, the choice of
 * the secret in use by its hint (expiry_from_secrets), the judgement, the
 * words, and the cache entry the answer is kept as. The input is the
 * application JSON, a NUL, and the client secret the run signs in with
 * (its first three characters are what the hints are compared with).
 * Besides memory errors it checks:
 * - every string stored is NUL-terminated inside its field, valid UTF-8,
 *   a hint shorter than its field; at most CREDENTIALS_MAX read, total
 *   counting every object in the list;
 * - the secret chosen is the one expiry.h describes (checked against a
 *   plain reading of that rule);
 * - the words for it are one line of valid UTF-8 without '|';
 * - an answer with Graph's kind of key ids and ends is cacheable, and the
 *   entry reads back as written. */
#include <json-c/json.h>
#include <math.h>

#include "credential.h"
#include "credential_cache.h"
#include "expiry.h"
#include "fuzz.h"
#include "jsonutil.h"
#include "output.h"
#include "text.h"

#define NOW 1796000000.0 /* 2026-11-29, a fixed clock keeps runs reproducible */

static bool terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static void check_secret(const struct app_secret *s)
{
	FUZZ_ASSERT(terminated(s->key_id, sizeof(s->key_id)));
	FUZZ_ASSERT(terminated(s->display_name, sizeof(s->display_name)));
	FUZZ_ASSERT(terminated(s->hint, sizeof(s->hint)));
	FUZZ_ASSERT(fuzz_utf8_valid(s->key_id, strlen(s->key_id)));
	FUZZ_ASSERT(fuzz_utf8_valid(s->display_name, strlen(s->display_name)));
	FUZZ_ASSERT(fuzz_utf8_valid(s->hint, strlen(s->hint)));
	FUZZ_ASSERT(s->start_valid >= TIME_INVALID && s->start_valid <= TIME_VALID);
	FUZZ_ASSERT(s->end_valid >= TIME_INVALID && s->end_valid <= TIME_VALID);
	FUZZ_ASSERT(s->start_valid != TIME_VALID || isfinite(s->start));
	FUZZ_ASSERT(s->end_valid != TIME_VALID || isfinite(s->end));
}

static bool matches(const struct app_secret *s, const char *secret)
{
	size_t n = strlen(s->hint);
	return (s->end_valid == TIME_VALID || s->no_end) && n > 0 &&
	       strncmp(secret, s->hint, n) == 0;
}

/* A secret without an end date ends after every other. */
static double end_of(const struct app_secret *s)
{
	return s->no_end ? INFINITY : s->end;
}

static bool usable(const struct app_secret *s)
{
	return (s->start_valid != TIME_VALID || s->start <= NOW) && end_of(s) > NOW;
}

/* expiry.h's rule read plainly: of the secrets with the hint (and an end,
 * or none at all), the usable one that ends first, else the one that
 * ended last. */
static void check_choice(const struct app_credentials *c, const char *secret,
                         const struct secret_choice *ch)
{
	size_t matching = 0, usable_n = 0;
	double first_end = INFINITY, last_end = -INFINITY;
	for (size_t i = 0; i < c->n; i++) {
		const struct app_secret *s = &c->secret[i];
		if (!matches(s, secret))
			continue;
		matching++;
		if (usable(s)) {
			usable_n++;
			first_end = fmin(first_end, end_of(s));
		} else {
			last_end = fmax(last_end, end_of(s));
		}
	}
	FUZZ_ASSERT(ch->matching == matching);
	FUZZ_ASSERT(ch->found == (matching > 0));
	if (!ch->found)
		return;
	FUZZ_ASSERT(ch->index < c->n);
	const struct app_secret *s = &c->secret[ch->index];
	FUZZ_ASSERT(matches(s, secret));
	if (usable_n > 0)
		FUZZ_ASSERT(usable(s) && end_of(s) == first_end);
	else
		FUZZ_ASSERT(end_of(s) == last_end);
}

static void check_words(const char *s)
{
	FUZZ_ASSERT(fuzz_one_line(s) && strchr(s, '|') == NULL);
	fuzz_check_text(s, strlen(s));
}

/* The entry the answer is cached as (credcheck.c's to_entry) reads back. */
static void check_entry(const struct expiry_result *r)
{
	struct cred_entry c, back;
	memset(&c, 0, sizeof(c));
	c.checked_at = NOW;
	str_copy(c.outcome, sizeof(c.outcome),
	         r->status == EXPIRY_KNOWN    ? "known"
	         : r->status == EXPIRY_NO_END ? "no-end"
	                                      : "no-match");
	c.end_known = r->status == EXPIRY_KNOWN;
	c.end = c.end_known ? r->end : 0;
	c.matching = (unsigned)r->matching;
	c.secrets = (unsigned)r->secrets;
	str_copy(c.name, sizeof(c.name), r->name);
	str_copy(c.key_id, sizeof(c.key_id), r->key_id);

	char *text = cred_entry_format(&c);
	bool graph_like = (c.key_id[0] == '\0' || text_is_guid(c.key_id, strlen(c.key_id))) &&
	                  (!c.end_known || (c.end >= 0 && c.end < 1e15));
	FUZZ_ASSERT(text != NULL || !graph_like);
	if (text == NULL)
		return;
	FUZZ_ASSERT(strlen(text) <= CRED_ENTRY_MAX);
	FUZZ_ASSERT(cred_entry_parse(text, strlen(text), &back) == 0);
	FUZZ_ASSERT(strcmp(back.outcome, c.outcome) == 0 && back.end_known == c.end_known);
	FUZZ_ASSERT(back.end == trunc(c.end) && back.checked_at == NOW);
	FUZZ_ASSERT(back.matching == c.matching && back.secrets == c.secrets);
	FUZZ_ASSERT(strcmp(back.key_id, c.key_id) == 0);
	text_clean(c.name);
	FUZZ_ASSERT(strcmp(back.name, c.name) == 0);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t json_len = nul != NULL ? (size_t)(nul - data) : size;
	char *secret = nul != NULL ? fuzz_cstr(nul + 1, size - json_len - 1) : fuzz_cstr(data, 0);

	struct json_object *root = NULL;
	struct err e;
	if (json_parse_bounded((const char *)data, json_len, "Graph application", &root, &e) < 0) {
		FUZZ_ASSERT(e.kind == ERR_PARSE || e.kind == ERR_INTERNAL);
		FUZZ_ASSERT(fuzz_one_line(e.msg));
		free(secret);
		return 0;
	}
	struct app_credentials *creds = malloc(sizeof(*creds));
	if (creds == NULL)
		abort();
	if (app_credentials_from_json(root, creds, &e) < 0) {
		FUZZ_ASSERT(e.kind == ERR_PARSE);
		FUZZ_ASSERT(fuzz_one_line(e.msg));
		goto done;
	}
	FUZZ_ASSERT(creds->n == (creds->total < CREDENTIALS_MAX ? creds->total : CREDENTIALS_MAX));
	for (size_t i = 0; i < creds->n; i++)
		check_secret(&creds->secret[i]);

	struct secret_choice ch;
	expiry_choose_secret(creds, secret, NOW, &ch);
	check_choice(creds, secret, &ch);

	struct expiry_result r;
	memset(&r, 0, sizeof(r));
	r.checked_at = NOW;
	expiry_from_secrets(creds, secret, NOW, &r);
	const struct app_secret *chosen = ch.found ? &creds->secret[ch.index] : NULL;
	FUZZ_ASSERT(r.status == (chosen == NULL   ? EXPIRY_NO_MATCH
	                         : chosen->no_end ? EXPIRY_NO_END
	                                          : EXPIRY_KNOWN));
	FUZZ_ASSERT(r.secrets == creds->total && r.matching == ch.matching);
	if (chosen != NULL)
		FUZZ_ASSERT((chosen->no_end || r.end == chosen->end) &&
		            strcmp(r.name, chosen->display_name) == 0);
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	expiry_judge(&cfg, NOW, &r);
	FUZZ_ASSERT(r.state == STATE_OK || r.state == STATE_WARNING || r.state == STATE_CRITICAL);

	struct run_facts facts = {0};
	output_expiry_facts(&r, &facts);
	FUZZ_ASSERT(facts.credential_known == (r.status == EXPIRY_KNOWN));
	check_words(facts.credential_what);
	check_words(facts.note);
	char clause[300];
	output_expiry_clause(&r, clause, sizeof(clause));
	check_words(clause);
	check_entry(&r);
done:
	free(creds);
	json_object_put(root);
	free(secret);
	return 0;
}
