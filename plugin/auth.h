/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Getting a bearer token: cache first, then the configured sign-in method. */
#ifndef CES_AUTH_H
#define CES_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "jwt.h"
#include "run.h"

struct http_client;

enum auth_method {
	AUTH_NONE,
	AUTH_SECRET,
	AUTH_CERTIFICATE,
	AUTH_MANAGED_IDENTITY,
	AUTH_TOKEN_FILE
};

/* The method as -vv names it ("client secret", ...; "none"). */
const char *auth_method_name(enum auth_method m);

/* Who signs in, how, and where; filled by options.c, read-only here. */
struct auth_options {
	enum auth_method method;
	char *tenant;
	char *client_id;
	char *secret;      /* the value, from a file or AZURE_CLIENT_SECRET; never from argv */
	char *certificate; /* PEM path */
	enum jwt_alg jwt_alg;
	char *mi_client_id; /* user-assigned managed identity, or NULL */
	char *token_file;   /* --access-token-file */
	char *login_url;    /* base URLs, no trailing '/' */
	char *imds_url;
	char *scope;       /* {cloud's Graph}/.default */
	char *mi_resource; /* {cloud's Graph} */
	char *cache_dir;
	bool no_cache;
};

/* Tokens one run can replace: the cached one refused, a renewal, a cache
 * entry another process wrote meanwhile; more never happens (one renewal
 * per run), and past it the oldest is forgotten. */
#define AUTH_RETIRED_MAX 6
/* What auth_secrets can return: the client secret, the current token and
 * the retired ones. */
#define AUTH_SECRETS_MAX (AUTH_RETIRED_MAX + 2)

struct auth_ctx {
	const struct auth_options *opt;
	struct http_client *http;
	struct run *run;
	char *token;               /* current access token (secret: never print) */
	double expires_at;         /* epoch */
	bool from_cache;           /* token came from the cache, not a fresh sign-in */
	unsigned sign_ins;         /* sign-ins performed by this process */
	char cache_key[65];        /* hex SHA-256 of login URL, tenant, client id, scope, credential
	                              fingerprint */
	int cache_fd;              /* the open token cache directory, or -1 */
	struct jwt_signer *signer; /* certificate and key, loaded once */
	unsigned renewals;         /* auth_renew_after_401 calls that signed in again */
	/* The tokens the current one replaced (secret: never print): a server
	 * may echo any of them after the run moved on, so messages are scrubbed
	 * of them too. Wiped at auth_cleanup. */
	char *retired[AUTH_RETIRED_MAX];
	size_t n_retired;
};

void auth_init(struct auth_ctx *a, const struct auth_options *opt, struct http_client *http,
               struct run *run);
/* Makes a->token valid: cached entry when it has more than 5 minutes left,
 * otherwise sign in (under flock so concurrent processes sign in once) and
 * store. 0 or -1 with e (ERR_AUTH with AADSTS code and hint, ERR_CONFIG for
 * an unsafe cache directory, ...). */
int auth_get_token(struct auth_ctx *a, struct err *e);
/* True when a 401 may be answered by signing in again: the token came from
 * the cache (it may predate a new permission, or have been revoked), the
 * method can sign in, and this run has not renewed yet. */
bool auth_can_renew(const struct auth_ctx *a);
/* Why no 401 can ever be answered by signing in again with this identity
 * ("no renewal possible with --access-token-file"), for the message that
 * reports the 401; NULL when the method can sign in. */
const char *auth_why_no_renewal(const struct auth_ctx *a);
/* True when the token is a user's (delegated: its claims carry scp), which
 * only a token from --access-token-file can be. */
bool auth_token_delegated(const struct auth_ctx *a);
/* After a 401 on a cached token: drops the entry and signs in anew. */
int auth_renew(struct auth_ctx *a, struct err *e);
void auth_cleanup(struct auth_ctx *a);

/* Every secret the run holds or has held, for scrubbing a message: the
 * client secret, the current token and every token it replaced (a may be
 * NULL; then only opt's secret, opt may be NULL too). Fills out (room for
 * AUTH_SECRETS_MAX) and returns how many. */
size_t auth_secrets(const struct auth_ctx *a, const struct auth_options *opt, const char **out);

/* The certificate's notAfter (epoch) when this run signs in with one and has
 * loaded it (auth_get_token did): true with *not_after, else false. Local,
 * no request. */
bool auth_certificate_end(const struct auth_ctx *a, double *not_after);
/* Where this identity keeps entries beside its token: the open token cache
 * directory and the identity's cache key, once auth_get_token ran with the
 * cache on. The directory fd (owned by a), or -1 (no cache). */
int auth_cache_entry(const struct auth_ctx *a, const char **key);

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* Turns a sign-in error body into one line: "sign-in failed (HTTP 401
 * invalid_client, AADSTS7000215): <first sentence of error_description> -
 * hint: ..." (hint only for the common codes), and a second (detail, may be
 * NULL) with trace_id, correlation_id and timestamp for Microsoft support.
 * cert_hint (may be NULL) replaces the hint of AADSTS700027 only: what the
 * run knows of its certificate (it has ended) explains that code better.
 * Both lines are scrubbed of the ns secrets (auth_secrets), the description
 * before it is cut: the error code and the ids are the server's text too.
 * Pure. */
void auth_error_describe(long status, const char *body, size_t len, const char *const *secrets,
                         size_t ns, const char *cert_hint, char *out, size_t n, char *detail,
                         size_t dn);
#endif

/* Parses a token answer (sign-in or managed identity): access_token (string),
 * token_type Bearer when present, expires_in (number or numeric string) or
 * else expires_on (epoch, number or string). *token malloc'd, *expires_at =
 * now + expires_in, the lifetime clamped to TOKEN_LIFETIME_MIN ...
 * TOKEN_LIFETIME_MAX (a server's 1e300 must not turn into a negative expiry).
 * 0 or -1 with e (ERR_PARSE). Pure. */
#define TOKEN_LIFETIME_MIN 60.0
#define TOKEN_LIFETIME_MAX 86400.0
#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
int auth_parse_token_response(const char *body, size_t len, double now, char **token,
                              double *expires_at, struct err *e);
#endif

#endif
