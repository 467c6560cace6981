/* SPDX-License-Identifier: GPL-3.0-or-later */
/* json_parse_bounded alone, on any bytes: the plugin's RFC 8259 check
 * (jsonsyntax.c), then json-c, then its scan for out-of-range numbers. What
 * it accepts must be a document json-c accepts on its own too, with
 * JSON_TOKENER_VALIDATE_UTF8 and, for pure ASCII text, JSON_TOKENER_STRICT
 * (json-c 0.18's strict mode refuses any byte above 0x7f, so it judges only
 * ASCII text), within the depth limit, and free of duplicated keys however
 * they are written: the members of the parsed tree must number exactly the
 * keys in the text (json-c silently merges duplicates, so any duplicate
 * makes the tree smaller). */
#include <json-c/json.h>

#include "fuzz.h"
#include "jsonutil.h"

/* Keys written in valid JSON text: strings followed by ':'. */
static size_t keys_in_text(const uint8_t *p, size_t n)
{
	size_t keys = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '"')
			continue;
		for (i++; i < n && p[i] != '"'; i++)
			if (p[i] == '\\')
				i++;
		size_t j = i + 1;
		while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || p[j] == '\r'))
			j++;
		keys += j < n && p[j] == ':';
	}
	return keys;
}

static size_t walk(struct json_object *o, unsigned depth)
{
	size_t members = 0;
	FUZZ_ASSERT(depth <= JSON_MAX_DEPTH);
	if (json_object_is_type(o, json_type_object)) {
		bool wrong = false;
		(void)json_get_string(o, "id", &wrong);
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			members += 1 + walk(val, depth + 1);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++)
			members += walk(json_object_array_get_idx(o, i), depth + 1);
	}
	return members;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *root = NULL;
	struct err e;
	e.kind = ERR_NONE;
	if (json_parse_bounded((const char *)data, size, "fuzz input", &root, &e) < 0) {
		FUZZ_ASSERT(root == NULL);
		FUZZ_ASSERT(e.kind == ERR_PARSE || e.kind == ERR_INTERNAL);
		FUZZ_ASSERT(fuzz_one_line(e.msg));
		return 0;
	}
	FUZZ_ASSERT(root != NULL);
	struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (tok == NULL)
		abort();
	bool ascii = true;
	for (size_t i = 0; i < size && ascii; i++)
		ascii = data[i] < 0x80;
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8 | (ascii ? JSON_TOKENER_STRICT : 0));
	struct json_object *plain = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	FUZZ_ASSERT(plain != NULL);
	json_object_put(plain);
	json_tokener_free(tok);
	FUZZ_ASSERT(walk(root, 1) == keys_in_text(data, size));
	json_object_put(root);
	return 0;
}
