/* SPDX-License-Identifier: GPL-3.0-or-later */
/* provisioningObjectSummary pages -> the failed objects of one cycle.
 *
 * An object is the event's sourceIdentity (its id; the targetIdentity's when
 * the source has none; the event itself when neither has one): one user that
 * failed three times in a cycle is one failed object, which is what an admin
 * counts. Objects are told apart by a 64-bit hash of that id, so a cycle of
 * 1,000 events costs a few kilobytes and one sort.
 *
 * The examples keep the server's text raw (bounded) until the summary is
 * made: a secret in a reason must be scrubbed before the text is cut, or a
 * piece of it would survive the cut (redact.h). Only the few examples shown
 * are scrubbed, not every event. */
#include "provlog.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"
#include "text.h"
#include "timeparse.h"

/* Raw text kept per example: enough for a scrub-then-cut to any field's
 * size (redact_scrubbed_prefix keeps 16 times the cut plus two secrets). */
#define RAW_MAX 16384

struct seen {
	uint64_t object;
	uint32_t code; /* index into codes, or CODE_OTHER */
};

#define CODE_OTHER UINT32_MAX

enum { RAW_CODE, RAW_CATEGORY, RAW_REASON, RAW_TYPE, RAW_NAME, RAW_ID, RAW_FIELDS };

struct kept {
	char *raw[RAW_FIELDS];
	uint64_t code_hash;
};

struct provlog_acc {
	enum provlog_kind kind;
	char *job_id;
	double after, before;
	unsigned examined; /* events looked at (the cap bounds these) */
	bool capped;
	struct seen *seen; /* counted events */
	size_t n_seen;
	uint64_t *code_hashes; /* of every counted event, for the distinct count */
	struct kept *codes;
	size_t n_codes;
};

static uint64_t fnv1a(const char *s, uint64_t salt)
{
	uint64_t h = 1469598103934665603ULL ^ salt;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct provlog_acc *provlog_acc_new(enum provlog_kind kind, const char *job_id, double after,
                                    double before)
{
	struct provlog_acc *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->kind = kind;
	a->after = after;
	a->before = before;
	a->job_id = strdup(job_id != NULL ? job_id : "");
	a->seen = calloc(PROVLOG_EVENTS_MAX, sizeof(*a->seen));
	a->code_hashes = calloc(PROVLOG_EVENTS_MAX, sizeof(*a->code_hashes));
	a->codes = calloc(PROVLOG_CODES_MAX, sizeof(*a->codes));
	if (a->job_id == NULL || a->seen == NULL || a->code_hashes == NULL || a->codes == NULL) {
		provlog_acc_free(a);
		return NULL;
	}
	return a;
}

void provlog_acc_free(struct provlog_acc *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n_codes; i++)
		for (size_t k = 0; k < RAW_FIELDS; k++)
			free(a->codes[i].raw[k]);
	free(a->codes);
	free(a->code_hashes);
	free(a->seen);
	free(a->job_id);
	free(a);
}

static const char *string_at(struct json_object *obj, const char *key)
{
	struct json_object *v = json_member_typed(obj, key, json_type_string);
	return v != NULL ? json_object_get_string(v) : NULL;
}

/* The object an event is about. */
static const char *object_key(struct json_object *ev)
{
	const char *ids[] = {string_at(json_member(ev, "sourceIdentity"), "id"),
	                     string_at(json_member(ev, "targetIdentity"), "id"),
	                     string_at(ev, "id")};
	for (size_t i = 0; i < 3; i++)
		if (ids[i] != NULL && ids[i][0] != '\0')
			return ids[i];
	return NULL;
}

/* errorInformation, or errorInfo as one version of the resource page names it. */
static struct json_object *error_info(struct json_object *status)
{
	struct json_object *info = json_member_typed(status, "errorInformation", json_type_object);
	return info != NULL ? info : json_member_typed(status, "errorInfo", json_type_object);
}

static bool wanted(const struct provlog_acc *a, struct json_object *ev)
{
	const char *job = string_at(ev, "jobId");
	if (job == NULL || strcasecmp(job, a->job_id) != 0)
		return false;
	if (a->kind == PROVLOG_FAILURES) {
		const char *status = string_at(json_member(ev, "provisioningStatusInfo"), "status");
		if (status == NULL || strcasecmp(status, "failure") != 0)
			return false;
	} else {
		const char *action = string_at(ev, "provisioningAction");
		if (action == NULL || strcasecmp(action, "stagedDelete") != 0)
			return false;
	}
	/* An event without a readable time is the server's to place. */
	double t;
	if (iso_time_parse(string_at(ev, "activityDateTime"), &t) != TIME_VALID)
		return true;
	/* Events carry whole seconds, the run's times fractions. */
	return t >= a->after - 1.0 && (a->before <= 0 || t <= a->before + PROVLOG_END_SLACK);
}

static char *raw_copy(const char *s)
{
	if (s == NULL)
		s = "";
	size_t len = strlen(s);
	if (len > RAW_MAX)
		len = RAW_MAX;
	char *out = malloc(len + 1);
	if (out != NULL) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

/* Control, bidi and zero-width characters become blanks; runs of blanks
 * fold into one; none lead or trail. */
static void fold_blanks(char *s)
{
	text_clean(s);
	size_t w = 0;
	for (size_t r = 0; s[r]; r++)
		if (s[r] != ' ' || (w > 0 && s[w - 1] != ' '))
			s[w++] = s[r];
	while (w > 0 && s[w - 1] == ' ')
		w--;
	s[w] = '\0';
}

/* What tells codes apart: the code as it will be shown (cleaned, folded,
 * cut), so two codes never show as one ("X" and "X " would otherwise be
 * two top codes with one name: two samples of one series in Prometheus). */
static uint64_t code_key(const char *code)
{
	char *s = raw_copy(code);
	char shown[PROVLOG_CODE_MAX];
	if (s == NULL)
		return fnv1a(code, 0);
	fold_blanks(s);
	text_copy(shown, sizeof(shown), s);
	free(s);
	return fnv1a(shown, 0);
}

/* The index of the event's code, kept with its first example when new;
 * CODE_OTHER past PROVLOG_CODES_MAX codes. -1 when out of memory. */
static int64_t code_index(struct provlog_acc *a, struct json_object *ev, const char *code,
                          uint64_t hash)
{
	for (size_t i = 0; i < a->n_codes; i++)
		if (a->codes[i].code_hash == hash)
			return (int64_t)i;
	if (a->n_codes >= PROVLOG_CODES_MAX)
		return CODE_OTHER;
	struct kept *k = &a->codes[a->n_codes];
	struct json_object *info = error_info(json_member(ev, "provisioningStatusInfo"));
	struct json_object *who = json_member(ev, "sourceIdentity");
	const char *raw[RAW_FIELDS] = {
	    [RAW_CODE] = code,
	    [RAW_CATEGORY] = string_at(info, "errorCategory"),
	    [RAW_REASON] = string_at(info, "reason"),
	    [RAW_TYPE] = string_at(who, "identityType"),
	    [RAW_NAME] = string_at(who, "displayName"),
	    [RAW_ID] = object_key(ev),
	};
	for (size_t i = 0; i < RAW_FIELDS; i++) {
		k->raw[i] = raw_copy(raw[i]);
		if (k->raw[i] == NULL) {
			for (size_t j = 0; j < i; j++)
				free(k->raw[j]);
			return -1;
		}
	}
	k->code_hash = hash;
	return (int64_t)a->n_codes++;
}

static int count_event(struct provlog_acc *a, struct json_object *ev, size_t index)
{
	const char *key = object_key(ev);
	/* An event naming no object stands for one of its own. */
	uint64_t object = key != NULL ? fnv1a(key, 0) : fnv1a("", (uint64_t)index + 1);
	uint64_t code_hash = 0;
	uint32_t code = 0;
	if (a->kind == PROVLOG_FAILURES) {
		const char *c =
		    string_at(error_info(json_member(ev, "provisioningStatusInfo")), "errorCode");
		code_hash = code_key(c != NULL ? c : "");
		int64_t i = code_index(a, ev, c != NULL ? c : "", code_hash);
		if (i < 0)
			return -1;
		code = (uint32_t)i;
	}
	a->code_hashes[a->n_seen] = code_hash;
	a->seen[a->n_seen++] = (struct seen){object, code};
	return 0;
}

int provlog_acc_page(struct provlog_acc *a, struct json_object *page, char **next_link,
                     struct err *e)
{
	*next_link = NULL;
	if (!json_object_is_type(page, json_type_object))
		return err_set(e, ERR_PARSE, "provisioning log page is not a JSON object");
	struct json_object *value = json_member_typed(page, "value", json_type_array);
	if (value == NULL)
		return err_set(e, ERR_PARSE,
		               "provisioning log page: value is missing or not an array");
	struct json_object *next = json_member(page, "@odata.nextLink");
	if (next != NULL && !json_object_is_type(next, json_type_string))
		return err_set(e, ERR_PARSE,
		               "provisioning log page: @odata.nextLink is not a string");
	size_t n = json_object_array_length(value);
	for (size_t i = 0; i < n; i++) {
		if (a->examined >= PROVLOG_EVENTS_MAX) {
			a->capped = true;
			return 0;
		}
		struct json_object *ev = json_object_array_get_idx(value, i);
		size_t index = a->examined++;
		if (json_object_is_type(ev, json_type_object) && wanted(a, ev) &&
		    count_event(a, ev, index) < 0)
			return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (next == NULL || json_object_get_string_len(next) == 0)
		return 0;
	if (a->examined >= PROVLOG_EVENTS_MAX) {
		a->capped = true;
		return 0;
	}
	*next_link = strdup(json_object_get_string(next));
	return *next_link != NULL ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return (a > b) - (a < b);
}

static int cmp_seen(const void *x, const void *y)
{
	const struct seen *a = x, *b = y;
	if (a->code != b->code)
		return (a->code > b->code) - (a->code < b->code);
	return (a->object > b->object) - (a->object < b->object);
}

static size_t distinct(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	size_t d = 0;
	for (size_t i = 0; i < n; i++)
		d += i == 0 || v[i] != v[i - 1];
	return d;
}

unsigned provlog_acc_objects(const struct provlog_acc *a, bool *capped)
{
	uint64_t *objects = malloc((a->n_seen ? a->n_seen : 1) * sizeof(*objects));
	size_t d = 0;
	if (objects != NULL) {
		for (size_t i = 0; i < a->n_seen; i++)
			objects[i] = a->seen[i].object;
		d = distinct(objects, a->n_seen);
	}
	free(objects);
	if (capped != NULL)
		*capped = a->capped;
	return (unsigned)d;
}

/* Server text -> one clean line of at most n - 1 bytes: scrubbed first
 * (a cut secret would no longer be recognised), then cleaned, runs of white
 * space folded, cut on a character boundary. */
static int safe_text(const char *raw, provlog_scrub scrub, const void *ctx, char *out, size_t n)
{
	char *s = scrub != NULL ? scrub(raw, strlen(raw), n, ctx) : strdup(raw);
	if (s == NULL)
		return -1;
	fold_blanks(s);
	text_copy(out, n, s);
	explicit_bzero(s, strlen(s));
	free(s);
	return 0;
}

/* A kept code with its counts. */
struct ranked {
	unsigned objects, events;
	const struct kept *kept;
};

/* Most objects first, then most events, then the code's name. */
static int cmp_ranked(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->objects != b->objects)
		return a->objects < b->objects ? 1 : -1;
	if (a->events != b->events)
		return a->events < b->events ? 1 : -1;
	return strcmp(a->kept->raw[RAW_CODE], b->kept->raw[RAW_CODE]);
}

/* Every kept code with its counts, from the counted events sorted by code
 * and object. */
static void count_codes(const struct provlog_acc *a, const struct seen *sorted,
                        struct ranked *codes)
{
	for (size_t i = 0; i < a->n_codes; i++)
		codes[i].kept = &a->codes[i];
	for (size_t i = 0; i < a->n_seen; i++) {
		if (sorted[i].code == CODE_OTHER)
			continue;
		struct ranked *c = &codes[sorted[i].code];
		c->events++;
		c->objects += i == 0 || sorted[i].code != sorted[i - 1].code ||
		              sorted[i].object != sorted[i - 1].object;
	}
}

static int fill_code(const struct ranked *r, provlog_scrub scrub, const void *ctx,
                     struct provlog_code *c)
{
	const struct kept *k = r->kept;
	c->objects = r->objects;
	c->events = r->events;
	if (safe_text(k->raw[RAW_CODE], scrub, ctx, c->code, sizeof(c->code)) < 0 ||
	    safe_text(k->raw[RAW_CATEGORY], scrub, ctx, c->category, sizeof(c->category)) < 0 ||
	    safe_text(k->raw[RAW_REASON], scrub, ctx, c->reason, sizeof(c->reason)) < 0 ||
	    safe_text(k->raw[RAW_TYPE], scrub, ctx, c->example.type, sizeof(c->example.type)) < 0 ||
	    safe_text(k->raw[RAW_NAME], scrub, ctx, c->example.name, sizeof(c->example.name)) < 0 ||
	    safe_text(k->raw[RAW_ID], scrub, ctx, c->example.id, sizeof(c->example.id)) < 0)
		return -1;
	return 0;
}

int provlog_acc_summary(const struct provlog_acc *a, provlog_scrub scrub, const void *ctx,
                        struct provlog_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->cycle_began = a->after;
	out->cycle_ended = a->before;
	out->events = (unsigned)a->n_seen;
	out->capped = a->capped;
	out->objects = provlog_acc_objects(a, NULL);
	size_t n = a->n_seen ? a->n_seen : 1;
	struct seen *sorted = malloc(n * sizeof(*sorted));
	uint64_t *hashes = malloc(n * sizeof(*hashes));
	struct ranked *codes = calloc(a->n_codes ? a->n_codes : 1, sizeof(*codes));
	int rc = sorted && hashes && codes ? 0 : -1;
	if (rc == 0) {
		memcpy(hashes, a->code_hashes, a->n_seen * sizeof(*hashes));
		out->codes = (unsigned)distinct(hashes, a->n_seen);
		memcpy(sorted, a->seen, a->n_seen * sizeof(*sorted));
		qsort(sorted, a->n_seen, sizeof(*sorted), cmp_seen);
		count_codes(a, sorted, codes);
		qsort(codes, a->n_codes, sizeof(*codes), cmp_ranked);
	}
	for (size_t t = 0; rc == 0 && t < a->n_codes && t < PROVLOG_TOP; t++)
		rc = fill_code(&codes[t], scrub, ctx, &out->top[out->n_top++]);
	free(sorted);
	free(hashes);
	free(codes);
	return rc;
}

const char *provlog_status_name(enum provlog_status st)
{
	/* A switch without default: a new status without a name is a warning. */
	switch (st) {
	case PROVLOG_NOT_ASKED:
		return "not_asked";
	case PROVLOG_KNOWN:
		return "known";
	case PROVLOG_NO_CYCLE:
		return "no_cycle";
	case PROVLOG_NO_PERMISSION:
		return "no_permission";
	case PROVLOG_NO_LICENCE:
		return "no_licence";
	case PROVLOG_SKIPPED:
		return "skipped";
	case PROVLOG_FAILED:
		return "failed";
	}
	return "unknown";
}
