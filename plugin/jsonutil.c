/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "jsonutil.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "text.h"

/* json-c keeps the last of duplicated keys silently; another reader may keep
 * the first. A document that can be read two ways could turn a quarantined
 * job into a healthy one, so duplicated keys are refused. Runs on text that
 * json-c has already accepted, so it only tracks strings and brackets.
 * Keys are compared as written (escapes not decoded). */
struct key_ref {
	const char *p;
	size_t len;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

struct frame {
	bool object;
	bool expect_key;
	size_t key_base;
};

/* Sorts the keys of the object just closed; 1 and *dup set when one repeats. */
static int keys_repeat(struct key_ref *keys, size_t base, size_t n, struct key_ref *dup)
{
	if (n - base < 2)
		return 0;
	qsort(keys + base, n - base, sizeof(*keys), key_cmp);
	for (size_t i = base + 1; i < n; i++) {
		if (key_cmp(&keys[i - 1], &keys[i]) == 0) {
			*dup = keys[i];
			return 1;
		}
	}
	return 0;
}

/* 1 when a duplicated key was found (*dup), 0 when none, -1 out of memory.
 * *total counts every key written in the text. */
static int find_duplicate_key(const char *data, size_t len, struct key_ref *dup, size_t *total)
{
	struct frame stack[JSON_MAX_DEPTH + 2];
	size_t depth = 0, nkeys = 0, cap = 0;
	struct key_ref *keys = NULL;
	int found = 0;

	for (size_t i = 0; i < len && found == 0; i++) {
		char c = data[i];
		if (c == '"') {
			size_t start = ++i;
			while (i < len && data[i] != '"')
				i += data[i] == '\\' ? 2 : 1;
			struct frame *top = depth > 0 ? &stack[depth - 1] : NULL;
			if (top == NULL || !top->object || !top->expect_key)
				continue;
			top->expect_key = false;
			if (nkeys == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct key_ref *k = realloc(keys, ncap * sizeof(*k));
				if (k == NULL) {
					found = -1;
					break;
				}
				keys = k;
				cap = ncap;
			}
			keys[nkeys++] = (struct key_ref){data + start, i - start};
			(*total)++;
		} else if ((c == '{' || c == '[') && depth < sizeof(stack) / sizeof(stack[0])) {
			stack[depth++] = (struct frame){c == '{', c == '{', nkeys};
		} else if (c == ',' && depth > 0 && stack[depth - 1].object) {
			stack[depth - 1].expect_key = true;
		} else if ((c == '}' || c == ']') && depth > 0) {
			struct frame *top = &stack[--depth];
			if (top->object)
				found = keys_repeat(keys, top->key_base, nkeys, dup);
			nkeys = top->key_base;
		}
	}
	free(keys);
	return found;
}

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

/* Refuses what json-c accepts but a careful reader must not: duplicated keys
 * and numbers out of range. */
static int check_document(const char *data, size_t len, struct json_object *obj, const char *what,
                          struct err *e)
{
	struct key_ref dup = {0};
	size_t written = 0;
	char name[64];
	int rc = find_duplicate_key(data, len, &dup, &written);
	if (rc < 0)
		return err_set(e, ERR_INTERNAL, "out of memory checking %s", what);
	if (rc > 0) {
		name_copy(dup.p, dup.len, name, sizeof(name));
		return err_set(e, ERR_PARSE, "%s has the key \"%s\" twice in one object", what,
		               name);
	}
	/* Keys spelled differently ("c\u006fde" and "code") that json-c decoded
	 * to one member. */
	if (written != count_members(obj))
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
	if (check_document(data, len, obj, what, e) < 0) {
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
