/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "jsonutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonsyntax.h"
#include "text.h"

static size_t count_members(struct json_object *obj)
{
	size_t n = 0;
	if (json_object_is_type(obj, json_type_object)) {
		json_object_object_foreach(obj, k, v)
		{
			(void)k;
			n += 1 + count_members(v);
		}
	} else if (json_object_is_type(obj, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(obj); i++)
			n += count_members(json_object_array_get_idx(obj, i));
	}
	return n;
}

/* json-c clamps integers beyond int64 and turns 1e400 into infinity; neither
 * is a count Graph could mean, and reading them as absent would hide them. */
static const char *number_out_of_range(struct json_object *obj, const char *key)
{
	switch (json_object_get_type(obj)) {
	case json_type_double:
		return isfinite(json_object_get_double(obj)) ? NULL : key;
	case json_type_int: {
		int64_t v = json_object_get_int64(obj);
		return v == INT64_MAX || v == INT64_MIN ? key : NULL;
	}
	case json_type_object: {
		json_object_object_foreach(obj, k, v)
		{
			const char *bad = number_out_of_range(v, k);
			if (bad != NULL)
				return bad;
		}
		return NULL;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(obj); i++) {
			const char *bad =
			    number_out_of_range(json_object_array_get_idx(obj, i), key);
			if (bad != NULL)
				return bad;
		}
		return NULL;
	default:
		return NULL;
	}
}

static void name_copy(const char *p, size_t len, char *out, size_t n)
{
	size_t k = len < n - 1 ? len : n - 1;
	memcpy(out, p, k);
	out[k] = '\0';
	text_clean(out);
}

/* The words for what json_syntax_check found; -1 always. */
static int syntax_error(const struct json_syntax *syn, const char *what, struct err *e)
{
	char name[64];
	switch (syn->flaw) {
	case JSON_FLAW_TRUNCATED:
		return err_set(e, ERR_PARSE, "%s is truncated (JSON ends early)", what);
	case JSON_FLAW_TOO_DEEP:
		return err_set(e, ERR_PARSE, "%s is nested deeper than %d levels", what,
		               JSON_MAX_DEPTH);
	case JSON_FLAW_UTF8:
		return err_set(e, ERR_PARSE, "%s is not valid JSON: invalid UTF-8 at byte %zu",
		               what, syn->at);
	case JSON_FLAW_CONTROL:
		return err_set(e, ERR_PARSE,
		               "%s is not valid JSON: a control character in a string at byte %zu",
		               what, syn->at);
	case JSON_FLAW_TRAILING:
		return err_set(e, ERR_PARSE, "%s has trailing data after the JSON at byte %zu",
		               what, syn->at);
	case JSON_FLAW_NOT_CONTAINER:
		return err_set(e, ERR_PARSE, "%s is not a JSON object or array", what);
	case JSON_FLAW_DUPLICATE_KEY:
		name_copy(syn->key, syn->key_len, name, sizeof(name));
		return err_set(e, ERR_PARSE, "%s has the key \"%s\" twice in one object", what,
		               name);
	case JSON_FLAW_NO_MEMORY:
		return err_set(e, ERR_INTERNAL, "out of memory checking %s", what);
	default:
		return err_set(e, ERR_PARSE,
		               "%s is not valid JSON: unexpected character at byte %zu", what,
		               syn->at);
	}
}

/* Refuses what the syntax allows but a careful reader must not: keys
 * spelled differently ("c\u006fde" and "code") that json-c decoded to one
 * member, and numbers out of range. */
static int check_tree(struct json_object *obj, size_t keys, const char *what, struct err *e)
{
	char name[64];
	if (keys != count_members(obj))
		return err_set(e, ERR_PARSE,
		               "%s has a key twice in one object (written with escapes)", what);
	const char *bad = number_out_of_range(obj, "(top level)");
	if (bad != NULL) {
		name_copy(bad, strlen(bad), name, sizeof(name));
		return err_set(e, ERR_PARSE, "%s has a number out of range in \"%s\"", what, name);
	}
	return 0;
}

int json_parse_bounded(const char *data, size_t len, const char *what, struct json_object **out,
                       struct err *e)
{
	*out = NULL;
	if (data == NULL || len == 0)
		return err_set(e, ERR_PARSE, "%s is empty", what);
	if (len > INT32_MAX)
		return err_set(e, ERR_PARSE, "%s is too large to parse", what);
	if (memchr(data, '\0', len) != NULL)
		return err_set(e, ERR_PARSE, "%s contains a NUL byte", what);
	struct json_syntax syn;
	if (json_syntax_check(data, len, JSON_MAX_DEPTH, &syn) < 0)
		return syntax_error(&syn, what, e);

	/* The text is RFC 8259 JSON (checked above), so json-c only builds the
	 * tree, with no flags. JSON_TOKENER_STRICT is not used: what it refuses
	 * changes between releases, and json-c 0.18 (Debian 13) refuses every
	 * byte above 0x7f in a string with it ("invalid string sequence"), so an
	 * accented display name would read UNKNOWN. JSON_TOKENER_VALIDATE_UTF8
	 * would repeat the check above. */
	struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (tok == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory parsing %s", what);
	struct json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success || obj == NULL) {
		json_object_put(obj);
		return err_set(e, ERR_PARSE, "%s could not be read (json-c: %s)", what,
		               json_tokener_error_desc(jerr));
	}
	if (check_tree(obj, syn.keys, what, e) < 0) {
		json_object_put(obj);
		return -1;
	}
	*out = obj;
	return 0;
}

const char *json_get_string(struct json_object *obj, const char *key, bool *wrong_type)
{
	struct json_object *member = NULL;
	if (wrong_type != NULL)
		*wrong_type = false;
	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &member) || member == NULL)
		return NULL;
	if (!json_object_is_type(member, json_type_string)) {
		if (wrong_type != NULL)
			*wrong_type = true;
		return NULL;
	}
	return json_object_get_string(member);
}

struct json_object *json_member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;
	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

struct json_object *json_member_typed(struct json_object *obj, const char *key, enum json_type type)
{
	struct json_object *v = json_member(obj, key);
	return v != NULL && json_object_is_type(v, type) ? v : NULL;
}
