/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The monitoring application's own client secrets, as Graph lists them on
 * its application object: Graph JSON in, plain C struct out. */
#ifndef CES_CREDENTIAL_H
#define CES_CREDENTIAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "timeparse.h"

struct json_object;

/* More secrets than this on one application are not read (Entra allows far
 * fewer in practice); the count says how many there were. */
#define CREDENTIALS_MAX 64
#define CRED_NAME_MAX   128

/* One passwordCredential: never its value (Graph sends secretText null). */
struct app_secret {
	char key_id[48];
	char display_name[CRED_NAME_MAX]; /* as sent, "" when null */
	char hint[8]; /* the first three characters of the secret, "" when none */
	enum time_result start_valid, end_valid;
	double start, end; /* epoch */
	bool no_end;       /* endDateTime sent as null: the secret does not expire */
};

struct app_credentials {
	struct app_secret secret[CREDENTIALS_MAX];
	size_t n;     /* read into secret[] */
	size_t total; /* in the answer (may exceed CREDENTIALS_MAX) */
};

/* Fills out from an application object ({"passwordCredentials":[...], ...}).
 * A missing or null passwordCredentials is an application without secrets;
 * any other non-array is a broken answer. Entries that are not objects are
 * skipped; wrongly typed members read as absent. 0, or -1 with e (ERR_PARSE). */
int app_credentials_from_json(struct json_object *app, struct app_credentials *out, struct err *e);

#endif
