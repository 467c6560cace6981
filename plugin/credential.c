/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Graph application JSON (passwordCredentials) -> struct app_credentials.
 * Graph writes directory times without a fraction; times follow the same
 * parser (and the same "never" rules) as job times. */
#include "credential.h"

#include <json-c/json.h>
#include <string.h>

#include "jsonutil.h"
#include "text.h"

static enum time_result time_member(struct json_object *obj, const char *key, double *epoch)
{
	return iso_time_parse(json_get_string(obj, key, NULL), epoch);
}

static void parse_secret(struct json_object *obj, struct app_secret *s)
{
	memset(s, 0, sizeof(*s));
	const char *v;
	/* Graph's text, printed and cached: cleaned, and cut on a character */
	if ((v = json_get_string(obj, "keyId", NULL)) != NULL)
		text_copy(s->key_id, sizeof(s->key_id), v);
	if ((v = json_get_string(obj, "displayName", NULL)) != NULL)
		text_copy(s->display_name, sizeof(s->display_name), v);
	/* Graph documents three characters; up to seven are kept (a longer value
	 * is not a hint). It counts only as a prefix of the secret in use. */
	if ((v = json_get_string(obj, "hint", NULL)) != NULL && strlen(v) < sizeof(s->hint))
		str_copy(s->hint, sizeof(s->hint), v);
	s->start_valid = time_member(obj, "startDateTime", &s->start);
	s->end_valid = time_member(obj, "endDateTime", &s->end);
	/* Present but null (or "", or the 0001-01-01 sentinel): no end. A
	 * member that is missing says nothing about the end. */
	struct json_object *end = NULL;
	s->no_end =
	    json_object_object_get_ex(obj, "endDateTime", &end) && s->end_valid == TIME_NEVER;
}

int app_credentials_from_json(struct json_object *app, struct app_credentials *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (app == NULL || !json_object_is_type(app, json_type_object))
		return err_set(e, ERR_PARSE, "the application is not a JSON object");
	struct json_object *list = json_member(app, "passwordCredentials");
	if (list == NULL)
		return 0;
	if (!json_object_is_type(list, json_type_array))
		return err_set(e, ERR_PARSE,
		               "the application's passwordCredentials is not an array");
	size_t n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(list, i);
		if (c == NULL || !json_object_is_type(c, json_type_object))
			continue;
		out->total++;
		if (out->n < CREDENTIALS_MAX)
			parse_secret(c, &out->secret[out->n++]);
	}
	return 0;
}
