#include "jsonutil.h"

#include <ctype.h>
#include <string.h>

#include <json-c/json.h>

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

	struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (tok == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory parsing %s", what);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

	struct json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (jerr == json_tokener_continue) {
		json_object_put(obj);
		return err_set(e, ERR_PARSE, "%s is truncated (JSON ends early)", what);
	}
	if (jerr != json_tokener_success || obj == NULL) {
		json_object_put(obj);
		if (jerr == json_tokener_error_depth)
			return err_set(e, ERR_PARSE, "%s is nested deeper than %d levels", what,
			               JSON_MAX_DEPTH);
		return err_set(e, ERR_PARSE, "%s is not valid JSON: %s at byte %zu", what,
		               json_tokener_error_desc(jerr), end);
	}
	for (size_t i = end; i < len; i++) {
		if (!isspace((unsigned char)data[i])) {
			json_object_put(obj);
			return err_set(e, ERR_PARSE,
			               "%s has trailing data after the JSON at byte %zu", what, i);
		}
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
