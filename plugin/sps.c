/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sps.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonutil.h"
#include "text.h"
#include "url.h"

#define SPS_PAGES_MAX 1000

static bool is_guid(const char *s)
{
	return s != NULL && text_is_guid(s, strlen(s));
}

/* Appends the service principals of one page; *next gets its next link. */
static int take_page(struct json_object *page, struct sp_info **out, size_t *n, size_t *cap,
                     size_t *skipped, char **next, struct err *e)
{
	struct json_object *value = NULL;
	*next = NULL;
	if (!json_object_is_type(page, json_type_object) ||
	    !json_object_object_get_ex(page, "value", &value) ||
	    !json_object_is_type(value, json_type_array))
		return err_set(e, ERR_PARSE, "Graph service principal list has no value array");
	size_t count = json_object_array_length(value);
	if (*n + count > SPS_MAX)
		return err_set(e, ERR_PARSE, "more than %d service principals", SPS_MAX);
	if (*n + count > *cap) {
		size_t ncap = *cap ? *cap : 1024;
		while (ncap < *n + count)
			ncap *= 2;
		struct sp_info *grown = realloc(*out, ncap * sizeof(*grown));
		if (grown == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		*out = grown;
		*cap = ncap;
	}
	for (size_t i = 0; i < count; i++) {
		struct json_object *sp = json_object_array_get_idx(value, i);
		const char *id = json_get_string(sp, "id", NULL);
		if (!is_guid(id)) {
			(*skipped)++;
			continue;
		}
		struct sp_info *o = &(*out)[(*n)++];
		str_copy(o->id, sizeof(o->id), id);
		const char *app = json_get_string(sp, "appId", NULL);
		str_copy(o->app_id, sizeof(o->app_id), is_guid(app) ? app : "");
		text_copy(o->name, sizeof(o->name), json_get_string(sp, "displayName", NULL));
	}
	const char *link = json_get_string(page, "@odata.nextLink", NULL);
	if (link != NULL && *link != '\0') {
		*next = strdup(link);
		if (*next == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
	}
	return 0;
}

/* Keeps the first of each service principal the listing repeats (paging
 * over a changing directory can, and a hostile answer may): discovery
 * defines each once. The number dropped, or -1 when out of memory. */
static long drop_repeats(struct sp_info *sps, size_t *n)
{
	const char **ids = malloc((*n ? *n : 1) * sizeof(*ids));
	bool *repeat = malloc((*n ? *n : 1) * sizeof(*repeat));
	long dropped = -1;
	if (ids != NULL && repeat != NULL) {
		for (size_t i = 0; i < *n; i++)
			ids[i] = sps[i].id;
		if (strv_mark_repeats(ids, *n, repeat) == 0) {
			size_t kept = 0;
			for (size_t i = 0; i < *n; i++)
				if (!repeat[i])
					sps[kept++] = sps[i];
			dropped = (long)(*n - kept);
			*n = kept;
		}
	}
	free(ids);
	free(repeat);
	return dropped;
}

int graph_list_service_principals(struct graph_client *g, struct sp_info **out, size_t *n,
                                  size_t *skipped, struct err *e)
{
	*out = NULL;
	*n = 0;
	*skipped = 0;
	size_t cap = 0;
	char *path = graph_path_service_principals(e);
	char *url = path != NULL ? graph_url(g, path) : NULL;
	free(path);
	if (url == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = 0;
	for (unsigned pages = 0; url != NULL && rc == 0; pages++) {
		if (pages >= SPS_PAGES_MAX) {
			rc = err_set(e, ERR_PARSE,
			             "the service principal list has more than %d pages",
			             SPS_PAGES_MAX);
			break;
		}
		if (!url_same_origin(url, g->opt->graph_url)) {
			rc =
			    err_set(e, ERR_PARSE,
			            "the service principal list points its next page away from %s; "
			            "refusing to send the token there",
			            g->opt->graph_url);
			break;
		}
		struct json_object *page = NULL;
		rc = graph_fetch_json(g, "GET", url, NULL, "Graph service principal list",
		                      GRAPH_PERM_APP_READ, NULL, &page, e);
		free(url);
		url = NULL;
		if (rc == 0)
			rc = take_page(page, out, n, &cap, skipped, &url, e);
		json_object_put(page);
	}
	free(url);
	long repeated = rc == 0 ? drop_repeats(*out, n) : 0;
	if (repeated < 0)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	else if (repeated > 0)
		run_say(g->http->run, 1, "the listing named %ld service principals more than once",
		        repeated);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
