/* Getting a bearer token: cache first, then the configured sign-in method. */
#ifndef CES_AUTH_H
#define CES_AUTH_H

#include <stdbool.h>

#include "common.h"

struct config;
struct http_client;

struct auth_ctx {
	const struct config *cfg;
	struct http_client *http;
	char *token;           /* current access token (secret: never print) */
	double expires_at;     /* epoch */
	bool from_cache;       /* token came from the cache, not a fresh sign-in */
	unsigned sign_ins;     /* sign-ins performed by this process */
	char cache_key[65];    /* hex SHA-256 of login URL, tenant, client id, scope, credential fingerprint */
};

void auth_init(struct auth_ctx *a, const struct config *cfg, struct http_client *http);
/* Makes a->token valid: cached entry when it has more than 5 minutes left,
 * otherwise sign in (under flock so concurrent processes sign in once) and
 * store. 0 or -1 with e (ERR_AUTH with AADSTS code and hint, ERR_CONFIG for
 * an unsafe cache directory, ...). */
int auth_get_token(struct auth_ctx *a, struct err *e);
/* After a 401 on a cached token: drop the entry and sign in anew. Returns -1
 * without retrying when the token was not from the cache or came from
 * --access-token-file (e says why). */
int auth_renew_after_401(struct auth_ctx *a, struct err *e);
void auth_cleanup(struct auth_ctx *a);

/* Turns a sign-in error body into one line: "sign-in failed: invalid_client
 * AADSTS7000215: <first sentence> - hint: ...". Pure. */
void auth_error_describe(long status, const char *body, size_t len, char *out, size_t n);

/* The default cache directory: ${XDG_RUNTIME_DIR:-/tmp}/check_entra_sync-<uid>. malloc'd. */
char *auth_default_cache_dir(void);

#endif
