/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "auth.h"
#include "encode.h"
#include "jsonutil.h"
#include "run.h"
#include "timeparse.h"

static bool retryable(long status)
{
	return status == 429 || status == 503 || status == 504;
}

/* {"requests":[{"id":"<index>","method":"GET","url":"<path>"}, ...]} for
 * the items listed in idx. malloc'd, NULL on ENOMEM. */
static char *batch_body(const struct batch_item *items, const size_t *idx, size_t n)
{
	struct json_object *root = json_object_new_object();
	struct json_object *reqs = json_object_new_array();
	if (root == NULL || reqs == NULL) {
		json_object_put(root);
		json_object_put(reqs);
		return NULL;
	}
	json_object_object_add(root, "requests", reqs);
	for (size_t k = 0; k < n; k++) {
		char id[24];
		snprintf(id, sizeof(id), "%zu", idx[k]);
		struct json_object *r = json_object_new_object();
		if (r == NULL) {
			json_object_put(root);
			return NULL;
		}
		json_object_object_add(r, "id", json_object_new_string(id));
		json_object_object_add(r, "method", json_object_new_string("GET"));
		json_object_object_add(r, "url", json_object_new_string(items[idx[k]].path));
		json_object_array_add(reqs, r);
	}
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
	                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = text != NULL ? strdup(text) : NULL;
	json_object_put(root);
	return copy;
}

/* A response's header (the batch format gives each its own map). */
static const char *header_of(struct json_object *response, const char *name)
{
	struct json_object *headers = NULL;
	if (!json_object_object_get_ex(response, "headers", &headers) ||
	    !json_object_is_type(headers, json_type_object))
		return NULL;
	json_object_object_foreach(headers, k, v)
	{
		if (strcasecmp(k, name) == 0 && json_object_is_type(v, json_type_string))
			return json_object_get_string(v);
	}
	return NULL;
}

/* One item's answer: success (keep the body), a failure of its own, or a
 * throttling to retry (*asked: the Retry-After it gave, or -1). */
static void take_response(struct graph_client *g, struct batch_item *it,
                          struct json_object *response, long status, double *asked)
{
	struct json_object *body = NULL;
	json_object_object_get_ex(response, "body", &body);
	it->status = status;
	if (retryable(status)) {
		double d = -1;
		const char *ra = header_of(response, "Retry-After");
		if (ra != NULL && retry_after_parse(ra, clock_wall(), &d) == 0 && d > *asked)
			*asked = d;
		return;
	}
	if (status >= 200 && status <= 299) {
		if (body == NULL || !json_object_is_type(body, json_type_object)) {
			/* a body that was not JSON arrives as a string */
			it->failed = true;
			err_set(&it->err, ERR_PARSE,
			        "Graph answer in the $batch for %.200s is not a "
			        "JSON object",
			        it->path);
			return;
		}
		it->body = json_object_get(body);
		return;
	}
	const char *rid = header_of(response, "request-id");
	const char *text = body != NULL ? json_object_to_json_string(body) : "";
	it->failed = true;
	graph_answer_error(g, status, text, strlen(text), rid != NULL ? rid : "", it->permission,
	                   it->roles, &it->err);
}

/* One $batch call for the items in idx; throttled ones are put in retry. */
static int send_batch(struct graph_client *g, struct batch_item *items, const size_t *idx, size_t n,
                      size_t *retry, size_t *n_retry, double *asked, struct err *e)
{
	char *body = batch_body(items, idx, n);
	char *path = graph_path_batch(e);
	char *url = path != NULL ? graph_url(g, path) : NULL;
	free(path);
	if (body == NULL || url == NULL) {
		free(body);
		free(url);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	struct json_object *root = NULL;
	int rc = graph_fetch_json(g, "POST", url, body, "Graph $batch answer",
	                          items[idx[0]].permission, NULL, &root, e);
	free(body);
	free(url);
	if (rc < 0)
		return -1;
	struct json_object *responses = NULL;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "responses", &responses) ||
	    !json_object_is_type(responses, json_type_array)) {
		json_object_put(root);
		return err_set(e, ERR_PARSE, "Graph $batch answer has no responses array");
	}
	bool *seen = calloc(n, sizeof(*seen));
	if (seen == NULL) {
		json_object_put(root);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	size_t count = json_object_array_length(responses);
	for (size_t r = 0; r < count; r++) {
		struct json_object *one = json_object_array_get_idx(responses, r);
		const char *id = json_get_string(one, "id", NULL);
		struct json_object *st = NULL;
		if (id == NULL || !json_object_object_get_ex(one, "status", &st) ||
		    !json_object_is_type(st, json_type_int))
			continue;
		/* Answers come in any order: the id names the item (one we sent,
		 * answered once). */
		for (size_t k = 0; k < n; k++) {
			char want[24];
			snprintf(want, sizeof(want), "%zu", idx[k]);
			if (seen[k] || strcmp(id, want) != 0)
				continue;
			seen[k] = true;
			long status = (long)json_object_get_int64(st);
			take_response(g, &items[idx[k]], one, status, asked);
			if (retryable(status))
				retry[(*n_retry)++] = idx[k];
			break;
		}
	}
	for (size_t k = 0; k < n; k++) {
		if (seen[k])
			continue;
		items[idx[k]].failed = true;
		err_set(&items[idx[k]].err, ERR_PARSE, "Graph's $batch answer left out %.200s",
		        items[idx[k]].path);
	}
	free(seen);
	json_object_put(root);
	return 0;
}

/* Sends the items todo[0..n_todo) (todo is overwritten) until none is
 * throttled or the deadline does not allow another wait. */
static int send_all(struct graph_client *g, struct batch_item *items, size_t *todo, size_t n_todo,
                    size_t *retry, struct err *e)
{
	double backoff = HTTP_BACKOFF_FIRST;
	int rc = 0;
	while (n_todo > 0 && rc == 0) {
		size_t n_retry = 0;
		double asked = -1;
		for (size_t at = 0; at < n_todo && rc == 0; at += BATCH_MAX) {
			size_t chunk = n_todo - at < BATCH_MAX ? n_todo - at : BATCH_MAX;
			rc = send_batch(g, items, todo + at, chunk, retry, &n_retry, &asked, e);
		}
		if (rc < 0 || n_retry == 0)
			break;
		/* Retried alone, after what they asked for but never sooner than a
		 * backoff that doubles (Retry-After: 0 is no tight loop). */
		double wait = http_next_backoff(&backoff);
		if (asked > wait)
			wait = asked;
		double left = run_left(g->http->run);
		if (wait >= left) {
			for (size_t k = 0; k < n_retry; k++) {
				struct batch_item *it = &items[retry[k]];
				it->failed = true;
				err_set(
				    &it->err, ERR_THROTTLED,
				    "throttled by Graph inside $batch (HTTP %ld, Retry-After %gs); "
				    "the next wait of %.1fs does not fit the %.1fs left",
				    it->status, asked < 0 ? 0 : asked, wait, left > 0 ? left : 0);
			}
			break;
		}
		run_say(g->http->run, 2, "%zu of the $batch requests throttled, again in %.1fs",
		        n_retry, wait);
		clock_sleep(wait);
		memcpy(todo, retry, n_retry * sizeof(*todo));
		n_todo = n_retry;
	}
	return rc;
}

int graph_batch(struct graph_client *g, struct batch_item *items, size_t n, struct err *e)
{
	size_t *todo = malloc((n ? n : 1) * sizeof(*todo));
	size_t *retry = malloc((n ? n : 1) * sizeof(*retry));
	if (todo == NULL || retry == NULL) {
		free(todo);
		free(retry);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		items[i].status = 0;
		items[i].body = NULL;
		items[i].failed = false;
		todo[i] = i;
	}
	int rc = send_all(g, items, todo, n, retry, e);
	/* The rule graph_call keeps for one request, for each item: a cached
	 * token refused with 401 (Graph answers the $batch 200 and the items
	 * 401, e.g. when consent came after the token was cached) is renewed
	 * once and those items are sent again. */
	size_t n_401 = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (items[i].failed && items[i].status == 401)
			todo[n_401++] = i;
	if (n_401 > 0 && auth_can_renew(g->auth)) {
		struct err why = {0};
		if (auth_renew(g->auth, &why) == 0) {
			for (size_t k = 0; k < n_401; k++) {
				items[todo[k]].failed = false;
				items[todo[k]].status = 0;
				memset(&items[todo[k]].err, 0, sizeof(items[todo[k]].err));
			}
			rc = send_all(g, items, todo, n_401, retry, e);
		} else {
			run_say(g->http->run, 1, "renewing the token for %zu refused requests: %s",
			        n_401, why.msg);
		}
	}
	free(todo);
	free(retry);
	return rc;
}

void batch_free(struct batch_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object_put(items[i].body);
		items[i].body = NULL;
	}
}

int graph_read_jobs_many(struct graph_client *g, const struct sp_ref *sps, size_t n,
                         struct sp_jobs *out, struct err *e)
{
	char **paths = calloc(n ? n : 1, sizeof(*paths));
	if (paths == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	memset(out, 0, n * sizeof(*out));
	/* An id that is no id fails alone, before anything is sent. */
	size_t *send = malloc((n ? n : 1) * sizeof(*send));
	struct batch_item *sendable = calloc(n ? n : 1, sizeof(*sendable));
	size_t n_send = 0;
	int rc = 0;
	if (send == NULL || sendable == NULL)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		paths[i] = graph_path_jobs(&sps[i], NULL, NULL, &out[i].err);
		if (paths[i] == NULL) {
			out[i].failed = true;
			continue;
		}
		sendable[n_send].path = paths[i];
		sendable[n_send].permission = GRAPH_PERM_READ;
		send[n_send++] = i;
	}
	if (rc == 0 && n_send > 0)
		rc = graph_batch(g, sendable, n_send, e);
	for (size_t k = 0; rc == 0 && k < n_send; k++) {
		struct sp_jobs *o = &out[send[k]];
		if (sendable[k].failed) {
			o->failed = true;
			o->err = sendable[k].err;
			continue;
		}
		if (graph_jobs_from_page(g, sendable[k].body, &o->jobs, &o->n, &o->err) < 0) {
			o->failed = true;
			continue;
		}
		if (o->n == 0) {
			o->failed = o->empty = true;
			graph_no_jobs_error(&sps[send[k]], &o->err);
		}
	}
	if (sendable != NULL)
		batch_free(sendable, n_send);
	strv_free(paths, n);
	free(send);
	free(sendable);
	if (rc < 0)
		sp_jobs_free(out, n);
	return rc;
}

void sp_jobs_free(struct sp_jobs *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(out[i].jobs);
		out[i].jobs = NULL;
		out[i].n = 0;
	}
}
