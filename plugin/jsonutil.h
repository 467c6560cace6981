/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bounded JSON parsing and small typed getters over json-c. */
#ifndef CES_JSONUTIL_H
#define CES_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common.h"

#define JSON_MAX_DEPTH 64

/* Parses exactly len bytes: one JSON object or array as RFC 8259 writes it
 * (json_syntax_check), white space around it only, nesting limited to
 * JSON_MAX_DEPTH, no key twice in one object however it is spelled, no
 * number json-c cannot hold. The same text is accepted with every json-c.
 * what names the document in the error ("Graph response", "token
 * response"). *out owned by the caller (json_object_put). 0 or -1 with
 * ERR_PARSE. */
int json_parse_bounded(const char *data, size_t len, const char *what, struct json_object **out,
                       struct err *e);

/* The member key of obj, or NULL when obj is not an object or the member
 * is missing or JSON null; with a type, also when it is of another type.
 * No reference is taken. */
struct json_object *json_member(struct json_object *obj, const char *key);
struct json_object *json_member_typed(struct json_object *obj, const char *key,
                                      enum json_type type);

/* Member as string: returns the string, NULL when missing/null; *wrong_type is
 * set true when present but not a string. */
const char *json_get_string(struct json_object *obj, const char *key, bool *wrong_type);

#endif
