/* Getting a bearer token: cache first, then the configured sign-in method. */
#ifndef CES_AUTH_H
#define CES_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

struct config;
struct http_client;
struct jwt_signer;

struct auth_ctx {
	const struct config *cfg;
	struct http_client *http;
	char *token;               /* current access token (secret: never print) */
	double expires_at;         /* epoch */
	bool from_cache;           /* token came from the cache, not a fresh sign-in */
	unsigned sign_ins;         /* sign-ins performed by this process */
	char cache_key[65];        /* hex SHA-256 of login URL, tenant, client id, scope, credential
	                              fingerprint */
	int cache_fd;              /* the open token cache directory, or -1 */
	struct jwt_signer *signer; /* certificate and key, loaded once */
	unsigned renewals;         /* auth_renew_after_401 calls that signed in again */
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

/* Turns a sign-in error body into one line: "sign-in failed (HTTP 401
 * invalid_client, AADSTS7000215): <first sentence of error_description> -
 * hint: ..." (hint only for the common codes). Pure. */
void auth_error_describe(long status, const char *body, size_t len, char *out, size_t n);

/* Parses a token answer (sign-in or managed identity): access_token (string),
 * token_type Bearer when present, expires_in (number or numeric string) or
 * else expires_on (epoch, number or string). *token malloc'd, *expires_at =
 * now + expires_in. 0 or -1 with e (ERR_PARSE). Pure. */
int auth_parse_token_response(const char *body, size_t len, double now, char **token,
                              double *expires_at, struct err *e);

/* The default cache directory: ${XDG_RUNTIME_DIR:-/tmp}/check_entra_sync-<uid>. malloc'd. */
char *auth_default_cache_dir(void);

#endif
