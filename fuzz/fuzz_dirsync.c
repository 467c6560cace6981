/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --directory-sync from Graph's two answers to its output, as the mode runs
 * it: organization and onPremisesSynchronization JSON -> dirsync_from_json
 * -> dirsync_evaluate -> output_dirsync -> the Nagios writer. The input is
 * the organization collection, a NUL, the onPremisesSynchronization
 * collection, and optionally a NUL and a tail: one byte picking thresholds,
 * overrides and the credential's facts, one setting --max-output, and the
 * rest the credential's name (or why its look-up failed), raw bytes as a
 * cache file could hold them. Besides memory errors it checks what the output promises:
 * - one status line "ENTRA SYNC <STATE> - ", the state returned (the
 *   evaluation's made worse by the credential's), one '|' in all;
 * - perfdata in the strict grammar, labels of [A-Za-z0-9_], unique;
 * - valid UTF-8 throughout, no control character but the line ends;
 * - no more than --max-output bytes. */
#include <json-c/json.h>
#include <math.h>

#include "dirsync_data.h"
#include "dirsync_eval.h"
#include "dirsync_output.h"
#include "expiry.h"
#include "format/format.h"
#include "fuzz.h"
#include "jsonutil.h"
#include "output.h"
#include "range.h"

#define NOW 1796000000.0 /* 2026-11-29, a fixed clock keeps runs reproducible */

struct part {
	const char *p;
	size_t n;
};

/* The bytes up to the next NUL (or the end), and past it. */
static struct part next_part(const uint8_t **p, const uint8_t *end)
{
	struct part s = {(const char *)*p, 0};
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	s.n = (size_t)((nul != NULL ? nul : end) - *p);
	*p = nul != NULL ? nul + 1 : end;
	return s;
}

static void config_for(unsigned bits, struct eval_config *cfg, struct state_override *ov)
{
	struct err e;
	eval_config_init(cfg);
	switch (bits & 3) {
	case 0:
		break;
	case 1:
		FUZZ_ASSERT(range_parse("1h", true, &cfg->age_warn, &e) == 0);
		FUZZ_ASSERT(range_parse("2h", true, &cfg->age_crit, &e) == 0);
		break;
	case 2:
		FUZZ_ASSERT(range_parse("@1d:2d", true, &cfg->age_warn, &e) == 0);
		FUZZ_ASSERT(range_parse("~:30m", true, &cfg->age_crit, &e) == 0);
		break;
	default: {
		static const char *const keys[] = {"sync:never", "sync:disabled",
		                                   "deletion-prevention:disabled",
		                                   "deletion-prevention:enabledForCount"};
		static const enum state states[] = {STATE_OK, STATE_WARNING, STATE_OK,
		                                    STATE_CRITICAL};
		for (size_t i = 0; i < 4; i++) {
			str_copy(ov[i].key, sizeof(ov[i].key), keys[i]);
			ov[i].state = states[i];
		}
		cfg->overrides = ov;
		cfg->n_overrides = 4;
		break;
	}
	}
}

/* The credential's end as mode_credential_expiry would leave it. */
static void credential_for(unsigned bits, const char *text, struct expiry_result *x)
{
	struct expiry_config cfg;
	expiry_config_init(&cfg);
	memset(x, 0, sizeof(*x));
	switch ((bits >> 2) & 3) {
	case 0:
		x->status = EXPIRY_NOT_APPLICABLE;
		break;
	case 1:
		x->status = EXPIRY_KNOWN;
		x->source = EXPIRY_SOURCE_SECRET;
		x->end = NOW + ((double)(bits >> 4) * 3.0 - 10.0) * 86400.0;
		x->matching = 1 + (bits >> 6);
		x->secrets = 3;
		x->checked_at = NOW - 3600;
		str_copy(x->name, sizeof(x->name), text);
		str_copy(x->key_id, sizeof(x->key_id), "3c3b5d2a-8f64-4c1e-9a7b-2d1e0f6a5b4c");
		break;
	case 2:
		x->status = EXPIRY_LOOKUP_FAILED;
		x->source = EXPIRY_SOURCE_SECRET;
		x->checked_at = NOW;
		str_copy(x->why, sizeof(x->why), text);
		break;
	default:
		x->status = EXPIRY_KNOWN;
		x->source = EXPIRY_SOURCE_CERTIFICATE;
		x->end = NOW - 86400.0;
		str_copy(x->name, sizeof(x->name), text);
		break;
	}
	expiry_judge(&cfg, NOW, x);
}

static void check_data(const struct dirsync_data *d)
{
	FUZZ_ASSERT(memchr(d->interval.text, '\0', sizeof(d->interval.text)) != NULL);
	FUZZ_ASSERT(memchr(d->customer_interval.text, '\0', sizeof(d->customer_interval.text)) !=
	            NULL);
	FUZZ_ASSERT(memchr(d->prevention_type, '\0', sizeof(d->prevention_type)) != NULL);
	FUZZ_ASSERT(!d->interval.valid || d->interval.seconds > 0);
	FUZZ_ASSERT(!d->customer_interval.valid || d->customer_interval.seconds > 0);
}

static void check_result(const struct dirsync_result *r)
{
	FUZZ_ASSERT(r->state >= STATE_OK && r->state <= STATE_UNKNOWN);
	FUZZ_ASSERT(r->n_findings <= DIRSYNC_FINDINGS_MAX);
	FUZZ_ASSERT(r->state == (r->n_findings > 0 ? r->findings[0].state : STATE_OK));
	for (size_t i = 0; i < r->n_findings; i++) {
		FUZZ_ASSERT(r->findings[i].state != STATE_OK);
		FUZZ_ASSERT(i == 0 || state_rank(r->findings[i - 1].state) >=
		                          state_rank(r->findings[i].state));
	}
	FUZZ_ASSERT(isfinite(r->interval) && r->interval > 0);
	FUZZ_ASSERT(!r->sync_age_known || (isfinite(r->sync_age) && r->sync_age >= 0));
	FUZZ_ASSERT(!r->password_age_known || (isfinite(r->password_age) && r->password_age >= 0));
}

/* The summary alone: one line of valid UTF-8 without the perfdata separator. */
static void check_summary(const struct dirsync_result *r)
{
	struct buf b = {0};
	output_dirsync_summary(r, &b);
	FUZZ_ASSERT(b.data != NULL && b.len == strlen(b.data));
	fuzz_check_text(b.data, b.len);
	FUZZ_ASSERT(fuzz_one_line(b.data) && strchr(b.data, '|') == NULL);
	buf_free(&b);
}

/* Only the first line is a status line: no long-output line starts as one. */
static void check_one_status_line(const char *text, size_t len)
{
	size_t plen = strlen(OUTPUT_PREFIX);
	const char *end = text + len;
	for (const char *l = (const char *)memchr(text, '\n', len) + 1; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		FUZZ_ASSERT(!((size_t)(nl - l) >= plen && memcmp(l, OUTPUT_PREFIX, plen) == 0));
		l = nl + 1;
	}
}

static void evaluate_and_print(const struct dirsync_data *d, const uint8_t *tail, size_t n)
{
	unsigned bits = n > 0 ? tail[0] : 0;
	size_t budget = n > 1 ? OUTPUT_MAX_MIN + (size_t)tail[1] * 40 : OUTPUT_MAX_DEFAULT;
	char *text_in = fuzz_cstr(n > 2 ? tail + 2 : tail, n > 2 ? n - 2 : 0);

	struct eval_config cfg;
	struct state_override ov[4];
	config_for(bits, &cfg, ov);
	struct dirsync_result r;
	dirsync_evaluate(d, &cfg, NOW, &r);
	check_result(&r);
	check_summary(&r);

	struct expiry_result x;
	credential_for(bits, text_in, &x);
	struct run_facts facts = {0};
	output_expiry_facts(&x, &facts);
	facts.http_seconds = 0.123;

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (out == NULL)
		abort();
	struct output_options opt = {.max_bytes = budget};
	struct report rep = {0};
	struct err e;
	FUZZ_ASSERT(output_dirsync(&rep, &r, &facts, &e) == 0);
	enum state st = (enum state)format_write(out, &rep, &opt, &e);
	report_free(&rep);
	fclose(out);

	FUZZ_ASSERT(
	    st == state_worst(r.state, facts.credential_known ? facts.credential_state : STATE_OK));
	fuzz_check_plugin_output(text, len, budget, OUTPUT_PREFIX, state_name(st), HEAD_MAX,
	                         LABEL_MAX);
	check_one_status_line(text, len);
	free(text);
	free(text_in);
}

static struct json_object *parse(struct part s, const char *what)
{
	struct json_object *root = NULL;
	struct err e;
	if (json_parse_bounded(s.p, s.n, what, &root, &e) < 0) {
		FUZZ_ASSERT(root == NULL);
		FUZZ_ASSERT(e.kind == ERR_PARSE || e.kind == ERR_INTERNAL);
		FUZZ_ASSERT(fuzz_one_line(e.msg));
		return NULL;
	}
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct part org_text = next_part(&p, end);
	struct part sync_text = next_part(&p, end);
	struct json_object *org = parse(org_text, "organization");
	struct json_object *sync =
	    org != NULL ? parse(sync_text, "onPremisesSynchronization") : NULL;
	if (sync != NULL) {
		struct dirsync_data d;
		struct err e;
		if (dirsync_from_json(org, sync, &d, &e) == 0) {
			check_data(&d);
			evaluate_and_print(&d, p, (size_t)(end - p));
		} else {
			FUZZ_ASSERT(e.kind == ERR_PARSE);
			FUZZ_ASSERT(fuzz_one_line(e.msg));
		}
	}
	json_object_put(sync);
	json_object_put(org);
	return 0;
}
