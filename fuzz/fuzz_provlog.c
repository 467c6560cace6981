/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The provisioning logs of a cycle, as --object-errors reads them: a page
 * of provisioningObjectSummary events (JSON) through the summary parser,
 * scrubbed of a known secret, then through the cache entry and back; and
 * raw bytes as a cache entry another process may have left. Besides memory
 * errors it checks what provlog.h and provlog_cache.h promise: counts that
 * add up, codes ranked by objects, every text one clean line without '|'
 * or any piece of the secret, entries that read back as written. */
#include <json-c/json.h>

#include "fuzz.h"
#include "jsonutil.h"
#include "provlog.h"
#include "provlog_cache.h"
#include "redact.h"

#define JOB    "scim.0123456789abcdef0123456789abcdef"
#define BEGAN  1796000000.0
#define ENDED  1796000600.0
#define SECRET "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJyb2xlcyI6WyJBdWRpdExvZy5SZWFkIl19.sig"

static char *scrub(const char *s, size_t len, size_t max, const void *ctx)
{
	const char *const *secrets = ctx;
	return redact_scrubbed_prefix(s, len, max, secrets, 1);
}

static void check_text(const char *s, size_t size)
{
	FUZZ_ASSERT(memchr(s, '\0', size) != NULL);
	FUZZ_ASSERT(strlen(s) < size);
	FUZZ_ASSERT(fuzz_one_line(s) && strchr(s, '|') == NULL);
	fuzz_check_text(s, strlen(s));
	/* no piece of the secret of 8 or more characters */
	static const char secret[] = SECRET;
	for (const char *p = s; *p; p++)
		for (size_t i = 0; i + 8 <= strlen(secret); i++)
			FUZZ_ASSERT(strncmp(p, secret + i, 8) != 0);
}

#define TEXT(field) check_text(field, sizeof(field))

static void check_summary(const struct provlog_summary *s)
{
	FUZZ_ASSERT(s->events <= PROVLOG_EVENTS_MAX && s->objects <= s->events);
	FUZZ_ASSERT(s->codes <= s->events && s->n_top <= PROVLOG_TOP && s->n_top <= s->codes);
	FUZZ_ASSERT((s->objects == 0) == (s->n_top == 0));
	for (size_t i = 0; i < s->n_top; i++) {
		const struct provlog_code *c = &s->top[i];
		FUZZ_ASSERT(c->objects >= 1 && c->objects <= c->events && c->objects <= s->objects);
		FUZZ_ASSERT(i == 0 || c->objects <= s->top[i - 1].objects);
		TEXT(c->code);
		TEXT(c->category);
		TEXT(c->reason);
		TEXT(c->example.type);
		TEXT(c->example.name);
		TEXT(c->example.id);
	}
}

static bool same_code(const struct provlog_code *a, const struct provlog_code *b)
{
	return a->objects == b->objects && a->events == b->events && !strcmp(a->code, b->code) &&
	       !strcmp(a->category, b->category) && !strcmp(a->reason, b->reason) &&
	       !strcmp(a->example.type, b->example.type) &&
	       !strcmp(a->example.name, b->example.name) && !strcmp(a->example.id, b->example.id);
}

/* A summary through the cache entry and back, unchanged. */
static void round_trip(const struct provlog_summary *s)
{
	struct provlog_entry c = {.began = BEGAN,
	                          .ended = ENDED,
	                          .read_at = ENDED + 3600,
	                          .status = PROVLOG_KNOWN,
	                          .summary = *s};
	FUZZ_ASSERT(provlog_job_hash(JOB, c.job) == 0);
	char *text = provlog_entry_format(&c);
	FUZZ_ASSERT(text != NULL && strlen(text) <= PROVLOG_ENTRY_MAX);
	struct provlog_entry back;
	FUZZ_ASSERT(provlog_entry_parse(text, strlen(text), &back) == 0);
	FUZZ_ASSERT(back.summary.objects == s->objects && back.summary.events == s->events &&
	            back.summary.n_top == s->n_top && back.summary.capped == s->capped);
	for (size_t i = 0; i < s->n_top; i++)
		FUZZ_ASSERT(same_code(&back.summary.top[i], &s->top[i]));
	free(text);
}

static void as_page(const uint8_t *data, size_t size)
{
	struct json_object *page = NULL;
	if (json_parse_bounded((const char *)data, size, "page", &page, NULL) != 0)
		return;
	struct provlog_acc *a = provlog_acc_new(PROVLOG_FAILURES, JOB, BEGAN, ENDED);
	struct provlog_acc *d = provlog_acc_new(PROVLOG_STAGED_DELETES, JOB, BEGAN, 0);
	FUZZ_ASSERT(a != NULL && d != NULL);
	char *next = NULL;
	if (provlog_acc_page(a, page, &next, NULL) == 0) {
		free(next);
		next = NULL;
		const char *secrets[] = {SECRET};
		struct provlog_summary s;
		FUZZ_ASSERT(provlog_acc_summary(a, scrub, secrets, &s) == 0);
		check_summary(&s);
		round_trip(&s);
		FUZZ_ASSERT(provlog_acc_page(d, page, &next, NULL) == 0);
		bool capped;
		FUZZ_ASSERT(provlog_acc_objects(d, &capped) <= PROVLOG_EVENTS_MAX);
	}
	free(next);
	provlog_acc_free(a);
	provlog_acc_free(d);
	json_object_put(page);
}

/* Raw bytes as an entry: what parses must format again and settle. */
static void as_entry(const uint8_t *data, size_t size)
{
	struct provlog_entry c, back;
	if (provlog_entry_parse((const char *)data, size, &c) != 0)
		return;
	FUZZ_ASSERT(c.summary.n_top <= PROVLOG_TOP);
	for (size_t i = 0; i < c.summary.n_top; i++) {
		const struct provlog_code *k = &c.summary.top[i];
		FUZZ_ASSERT(fuzz_one_line(k->reason) && fuzz_one_line(k->code));
		fuzz_check_text(k->reason, strlen(k->reason));
	}
	char *text = provlog_entry_format(&c);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(provlog_entry_parse(text, strlen(text), &back) == 0);
	char *again = provlog_entry_format(&back);
	FUZZ_ASSERT(again != NULL && strcmp(text, again) == 0);
	free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_page(data, size);
	as_entry(data, size);
	return 0;
}
