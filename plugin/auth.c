/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encode.h"
#include "fileio.h"
#include "http.h"
#include "jsonutil.h"
#include "jwt.h"
#include "redact.h"
#include "securedir.h"
#include "text.h"
#include "timeparse.h"
#include "token_cache.h"
#include "url.h"

#define TOKEN_FILE_MAX      TOKEN_ENTRY_MAX
#define DESCRIPTION_MAX     200
#define FORM_ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

struct hint {
	long code;
	const char *text;
};

#define CODE_CERT_REFUSED 700027 /* not registered, bad signature, or the key has ended */

const char *auth_method_name(enum auth_method m)
{
	/* A switch rather than an array indexed by the enum: -Wswitch names a
	 * method added without a name, where an array would shift silently. */
	switch (m) {
	case AUTH_SECRET:
		return "client secret";
	case AUTH_CERTIFICATE:
		return "certificate";
	case AUTH_MANAGED_IDENTITY:
		return "managed identity";
	case AUTH_TOKEN_FILE:
		return "access token file";
	case AUTH_NONE:
		break;
	}
	return "none";
}

static const struct hint hints[] = {
    {7000215, "use the secret's Value, not its Secret ID"},
    {7000222, "the client secret has expired; create a new one on the app registration"},
    {700016, "application not found in the tenant: check the client id and the tenant"},
    {90002, "tenant not found: check the tenant and --cloud"},
    {CODE_CERT_REFUSED,
     "the certificate is not registered on the app registration or the signature "
     "is invalid: upload the certificate (public part) to the app"},
    {700024, "the client assertion is outside its time window: check the system clock"},
    {70011, "invalid scope: check --cloud (the scope must be that cloud's Graph)"},
};

static const char *hint_for(long code)
{
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].code == code)
			return hints[i].text;
	return NULL;
}

/* "AADSTS7000215: Invalid client secret provided. Ensure ...\r\nTrace ID: ..."
 * -> code 7000215, "Invalid client secret provided." */
static void first_sentence(const char *desc, long *code, char *out, size_t n)
{
	const char *p = desc;
	if (strncmp(p, "AADSTS", 6) == 0 && isdigit((unsigned char)p[6])) {
		char *end;
		long c = strtol(p + 6, &end, 10);
		if (*code == 0)
			*code = c;
		p = end;
		if (*p == ':')
			p++;
	}
	while (*p == ' ')
		p++;
	size_t len = 0;
	while (p[len] != '\0' && p[len] != '\r' && p[len] != '\n') {
		if (p[len] == '.' && (p[len + 1] == ' ' || p[len + 1] == '\0' ||
		                      p[len + 1] == '\r' || p[len + 1] == '\n')) {
			len++;
			break;
		}
		len++;
	}
	if (len > DESCRIPTION_MAX) {
		len = utf8_prefix(p, DESCRIPTION_MAX);
		snprintf(out, n, "%.*s...", (int)len, p);
	} else {
		snprintf(out, n, "%.*s", (int)len, p);
	}
	text_clean(out);
}

/* "trace_id T, correlation_id C, timestamp S": what Microsoft support asks
 * for first, scrubbed of secret (the server's text, like the rest). */
static void support_ids(struct json_object *root, const char *const *secrets, size_t ns, char *out,
                        size_t n)
{
	static const char *const keys[] = {"trace_id", "correlation_id", "timestamp"};
	struct buf b = {0};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = json_get_string(root, keys[i], NULL);
		if (v != NULL && *v != '\0')
			buf_printf(&b, "%s%s %s", b.len ? ", " : "", keys[i], v);
	}
	redact_scrub(b.data, secrets, ns);
	text_copy(out, n, b.data ? b.data : "");
	buf_free(&b);
}

UNITTEST void auth_error_describe(long status, const char *body, size_t len,
                                  const char *const *secrets, size_t ns, const char *cert_hint,
                                  char *out, size_t n, char *detail, size_t dn)
{
	struct json_object *root = NULL;
	struct err perr = {0};
	char error[64] = "";
	char desc[DESCRIPTION_MAX + 8] = "";
	long code = 0;
	if (detail != NULL && dn > 0)
		detail[0] = '\0';

	if (body != NULL && len > 0 &&
	    json_parse_bounded(body, len, "sign-in error", &root, &perr) == 0 &&
	    json_object_is_type(root, json_type_object)) {
		bool wrong = false;
		const char *s = json_get_string(root, "error", &wrong);
		if (s != NULL) {
			str_copy(error, sizeof(error), s);
			text_clean(error);
		}
		struct json_object *codes;
		if (json_object_object_get_ex(root, "error_codes", &codes) &&
		    json_object_is_type(codes, json_type_array) &&
		    json_object_array_length(codes) > 0) {
			struct json_object *c0 = json_object_array_get_idx(codes, 0);
			if (json_object_is_type(c0, json_type_int))
				code = (long)json_object_get_int64(c0);
		}
		s = json_get_string(root, "error_description", &wrong);
		if (s != NULL) {
			/* Scrubbed before the cut: a cut secret would no longer
			 * match. */
			char *whole =
			    redact_scrubbed_prefix(s, strlen(s), DESCRIPTION_MAX, secrets, ns);
			if (whole != NULL) {
				first_sentence(whole, &code, desc, sizeof(desc));
				explicit_bzero(whole, strlen(whole));
				free(whole);
			}
		}
		if (detail != NULL && dn > 0)
			support_ids(root, secrets, ns, detail, dn);
	}
	json_object_put(root);

	struct buf b = {0};
	int rc = buf_printf(&b, "sign-in failed (HTTP %ld", status);
	if (rc == 0 && error[0])
		rc = buf_printf(&b, " %s", error);
	if (rc == 0 && code > 0)
		rc = buf_printf(&b, "%sAADSTS%ld", error[0] ? ", " : " ", code);
	if (rc == 0)
		rc = buf_puts(&b, ")");
	if (rc == 0 && desc[0])
		rc = buf_printf(&b, ": %s", desc);
	else if (rc == 0 && !error[0])
		rc = buf_puts(&b, ": the answer is not a JSON sign-in error");
	const char *hint =
	    code == CODE_CERT_REFUSED && cert_hint != NULL ? cert_hint : hint_for(code);
	if (rc == 0 && hint != NULL)
		rc = buf_printf(&b, " - hint: %s", hint);
	/* The error code is the server's text as much as the description:
	 * the whole line is scrubbed too, before the cut. */
	if (rc == 0)
		redact_scrub(b.data, secrets, ns);
	str_copy(out, n, rc == 0 ? b.data : "sign-in failed (out of memory)");
	buf_free(&b);
}

/* A number, or a string holding only a (decimal) number: managed identity
 * sends expires_in as "3599". 0, or -1 when absent (*wrong set when present
 * but unusable). */
static int get_seconds(struct json_object *root, const char *key, double *out, bool *wrong)
{
	struct json_object *v;
	*wrong = false;
	if (!json_object_object_get_ex(root, key, &v) || v == NULL)
		return -1;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
		*out = json_object_get_double(v);
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		char *end;
		errno = 0;
		if (!isdigit((unsigned char)*s))
			goto wrong;
		*out = strtod(s, &end);
		if (errno == ERANGE)
			errno = 0; /* 1e999: finite check below refuses it */
		if (errno != 0 || *end != '\0')
			goto wrong;
	} else {
		goto wrong;
	}
	if (!isfinite(*out) || *out <= 0)
		goto wrong;
	return 0;
wrong:
	*wrong = true;
	return -1;
}

static double clamp_lifetime(double secs)
{
	if (!(secs >= TOKEN_LIFETIME_MIN))
		return TOKEN_LIFETIME_MIN;
	return secs > TOKEN_LIFETIME_MAX ? TOKEN_LIFETIME_MAX : secs;
}

UNITTEST int auth_parse_token_response(const char *body, size_t len, double now, char **token,
                                       double *expires_at, struct err *e)
{
	struct json_object *root = NULL;
	*token = NULL;
	if (json_parse_bounded(body, len, "token response", &root, e) < 0)
		return -1;
	int rc = -1;
	bool wrong = false;
	if (!json_object_is_type(root, json_type_object)) {
		err_set(e, ERR_PARSE, "token response is not a JSON object");
		goto out;
	}
	const char *tok = json_get_string(root, "access_token", &wrong);
	if (wrong || tok == NULL || *tok == '\0') {
		err_set(e, ERR_PARSE, "token response: access_token %s",
		        wrong ? "is not a string" : "is missing");
		goto out;
	}
	size_t toklen = strlen(tok);
	if (toklen > TOKEN_ENTRY_MAX) {
		err_set(
		    e, ERR_PARSE,
		    "token response: access_token is %zu bytes, more than the %u a token can be",
		    toklen, TOKEN_ENTRY_MAX);
		goto out;
	}
	if (!text_is_token(tok, toklen)) {
		err_set(e, ERR_PARSE, "token response: access_token holds unexpected characters");
		goto out;
	}
	const char *type = json_get_string(root, "token_type", &wrong);
	if (wrong || (type != NULL && strcasecmp(type, "Bearer") != 0)) {
		err_set(e, ERR_PARSE, "token response: token_type is not Bearer");
		goto out;
	}
	double secs = 0;
	if (get_seconds(root, "expires_in", &secs, &wrong) == 0) {
		*expires_at = now + clamp_lifetime(secs);
	} else if (wrong) {
		err_set(e, ERR_PARSE, "token response: expires_in is not a positive number");
		goto out;
	} else if (get_seconds(root, "expires_on", &secs, &wrong) == 0) {
		*expires_at = now + clamp_lifetime(secs - now);
	} else {
		err_set(e, ERR_PARSE, "token response: %s",
		        wrong ? "expires_on is not a positive number"
		              : "expires_in and expires_on are missing");
		goto out;
	}
	*token = strdup(tok);
	if (*token == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

void auth_init(struct auth_ctx *a, const struct auth_options *opt, struct http_client *http,
               struct run *run)
{
	memset(a, 0, sizeof(*a));
	a->opt = opt;
	a->http = http;
	a->run = run;
	a->cache_fd = -1;
}

static void wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Keeps a token the run no longer uses for scrubbing (it is wiped at
 * auth_cleanup). */
static void retire(struct auth_ctx *a, char *token)
{
	if (token == NULL)
		return;
	if (a->n_retired == AUTH_RETIRED_MAX) {
		wipe_free(a->retired[0]);
		memmove(a->retired, a->retired + 1, (AUTH_RETIRED_MAX - 1) * sizeof(a->retired[0]));
		a->n_retired--;
	}
	a->retired[a->n_retired++] = token;
}

static void drop_token(struct auth_ctx *a)
{
	retire(a, a->token);
	a->token = NULL;
	a->expires_at = 0;
	a->from_cache = false;
}

size_t auth_secrets(const struct auth_ctx *a, const struct auth_options *opt, const char **out)
{
	size_t n = 0;
	if (a != NULL)
		opt = a->opt;
	if (opt != NULL && opt->secret != NULL)
		out[n++] = opt->secret;
	if (a == NULL)
		return n;
	if (a->token != NULL)
		out[n++] = a->token;
	for (size_t i = 0; i < a->n_retired; i++)
		out[n++] = a->retired[i];
	return n;
}

void auth_cleanup(struct auth_ctx *a)
{
	drop_token(a);
	for (size_t i = 0; i < a->n_retired; i++)
		wipe_free(a->retired[i]);
	a->n_retired = 0;
	if (a->cache_fd >= 0)
		close(a->cache_fd);
	a->cache_fd = -1;
	jwt_signer_free(a->signer);
	a->signer = NULL;
}

/* Error messages quote what the server said; make sure that never includes
 * a secret, whatever the server echoes. */
static void scrub(const struct auth_ctx *a, struct err *e)
{
	const char *secrets[AUTH_SECRETS_MAX];
	size_t n = auth_secrets(a, NULL, secrets);
	if (e != NULL)
		redact_scrub(e->msg, secrets, n);
}

static void say_expiry(const struct auth_ctx *a, const char *what)
{
	double left = a->expires_at - clock_wall();
	run_say(a->run, 1, "%s (expires in %.0fm)", what, left > 0 ? left / 60.0 : 0.0);
}

/* For a sign-in refused with AADSTS700027 while the run's certificate is
 * past its notAfter: that is why (the identity platform's words, "invalid
 * signature", point elsewhere). "" while it is valid. */
static void expired_certificate_hint(const struct auth_ctx *a, char *out, size_t n)
{
	double end = 0, now = clock_wall();
	out[0] = '\0';
	if (!auth_certificate_end(a, &end) || end >= now)
		return;
	char ago[48], when[40];
	duration_format(now - end, ago, sizeof(ago));
	time_format(end, when, sizeof(when));
	snprintf(out, n,
	         "the certificate expired %s ago (%s): upload a new one to the app "
	         "registration and point --certificate at it",
	         ago, when);
}

static int take_answer(struct auth_ctx *a, const struct http_response *resp, const char *who,
                       struct err *e)
{
	if (resp->status != 200) {
		char line[ERR_MSG_MAX], detail[ERR_MSG_MAX], expired[200];
		expired_certificate_hint(a, expired, sizeof(expired));
		const char *secrets[AUTH_SECRETS_MAX];
		size_t ns = auth_secrets(a, NULL, secrets);
		auth_error_describe(resp->status, resp->body.data, resp->body.len, secrets, ns,
		                    expired[0] ? expired : NULL, line, sizeof(line), detail,
		                    sizeof(detail));
		err_set(e, ERR_AUTH, "%s%s", who, line);
		err_detail(e, "%s", detail);
		e->http_status = resp->status;
		return -1;
	}
	char *tok = NULL;
	double exp = 0;
	if (auth_parse_token_response(resp->body.data, resp->body.len, clock_wall(), &tok, &exp,
	                              e) < 0)
		return err_prefix(e, "%s", who[0] ? "managed identity" : "sign-in");
	drop_token(a);
	a->token = tok;
	a->expires_at = exp;
	a->sign_ins++;
	return 0;
}

static char *token_url(const struct auth_options *opt)
{
	char *tenant = url_escape(opt->tenant);
	if (tenant == NULL)
		return NULL;
	struct buf b = {0};
	int rc = buf_printf(&b, "%s/%s/oauth2/v2.0/token", opt->login_url, tenant);
	free(tenant);
	if (rc < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The form for client credentials; the credential part differs by method. */
static char *sign_in_form(struct auth_ctx *a, const char *url, struct err *e)
{
	const struct auth_options *cfg = a->opt;
	char *cred = NULL;
	if (cfg->method == AUTH_SECRET) {
		cred = url_escape(cfg->secret);
	} else {
		cred = jwt_client_assertion(a->signer, cfg->jwt_alg, url, cfg->client_id,
		                            clock_wall(), e);
		if (cred == NULL)
			return NULL;
	}
	char *cid = url_escape(cfg->client_id);
	char *scope = url_escape(cfg->scope);
	struct buf b = {0};
	int rc = -1;
	if (cred != NULL && cid != NULL && scope != NULL)
		rc = buf_printf(
		    &b, "client_id=%s&scope=%s&grant_type=client_credentials&%s=%s", cid, scope,
		    cfg->method == AUTH_SECRET ? "client_secret"
		                               : "client_assertion_type=" FORM_ASSERTION_TYPE
		                                 "&client_assertion",
		    cred);
	wipe_free(cred);
	free(cid);
	free(scope);
	if (rc < 0) {
		if (b.data != NULL)
			explicit_bzero(b.data, b.len);
		buf_free(&b);
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	return b.data;
}

static int sign_in_client(struct auth_ctx *a, struct err *e)
{
	const struct auth_options *cfg = a->opt;
	char *url = token_url(cfg);
	if (url == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	run_say(a->run, 2, "sign-in: POST %s (client %s, scope %s, %s)", url, cfg->client_id,
	        cfg->scope,
	        cfg->method == AUTH_SECRET  ? "client secret"
	        : cfg->jwt_alg == JWT_PS256 ? "certificate, PS256"
	                                    : "certificate, RS256");
	char *form = sign_in_form(a, url, e);
	if (form == NULL) {
		free(url);
		return -1;
	}
	static const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded",
	                                      "Accept: application/json", NULL};
	struct http_response resp = {0};
	int rc = http_request(a->http, "POST", url, headers, form, &resp, 0, e);
	wipe_free(form);
	free(url);
	if (rc < 0) {
		err_prefix(e, "sign-in");
		scrub(a, e);
	} else {
		rc = take_answer(a, &resp, "", e);
	}
	if (resp.body.data != NULL)
		explicit_bzero(resp.body.data, resp.body.len);
	http_response_free(&resp);
	if (rc == 0) {
		char what[160];
		snprintf(what, sizeof(what), "signed in as client %s", cfg->client_id);
		say_expiry(a, what);
	}
	return rc;
}

static int sign_in_managed_identity(struct auth_ctx *a, struct err *e)
{
	const struct auth_options *cfg = a->opt;
	char *res = url_escape(cfg->mi_resource);
	char *cid = cfg->mi_client_id ? url_escape(cfg->mi_client_id) : NULL;
	struct buf url = {0};
	int rc = -1;
	if (res != NULL && (cfg->mi_client_id == NULL || cid != NULL))
		rc = buf_printf(
		    &url, "%s/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s",
		    cfg->imds_url, res);
	if (rc == 0 && cid != NULL)
		rc = buf_printf(&url, "&client_id=%s", cid);
	free(res);
	free(cid);
	if (rc < 0) {
		buf_free(&url);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	run_say(a->run, 2, "managed identity: GET %s", url.data);
	static const char *const headers[] = {"Metadata: true", "Accept: application/json", NULL};
	struct http_response resp = {0};
	rc = http_request(a->http, "GET", url.data, headers, NULL, &resp,
	                  HTTP_NO_PROXY | HTTP_RETRY_IMDS, e);
	buf_free(&url);
	if (rc < 0)
		err_prefix(e, "managed identity endpoint");
	else
		rc = take_answer(a, &resp, "managed identity: ", e);
	if (resp.body.data != NULL)
		explicit_bzero(resp.body.data, resp.body.len);
	http_response_free(&resp);
	if (rc == 0) {
		char what[200];
		snprintf(what, sizeof(what), "signed in with the %s managed identity%s%s",
		         cfg->mi_client_id ? "user-assigned" : "system-assigned",
		         cfg->mi_client_id ? " " : "", cfg->mi_client_id ? cfg->mi_client_id : "");
		say_expiry(a, what);
	}
	return rc;
}

static int sign_in(struct auth_ctx *a, struct err *e)
{
	if (a->opt->method == AUTH_MANAGED_IDENTITY)
		return sign_in_managed_identity(a, e);
	return sign_in_client(a, e);
}

static int read_token_file(struct auth_ctx *a, struct err *e)
{
	const char *path = a->opt->token_file;
	struct buf data = {0};
	if (fio_read_file(AT_FDCWD, path, false, TOKEN_FILE_MAX, "access token file", &data, NULL,
	                  e) < 0) {
		fio_wipe(&data);
		return -1;
	}
	data.data[strcspn(data.data, "\r\n")] = '\0';
	int rc = 0;
	if (data.data[0] == '\0')
		rc = err_set(e, ERR_CONFIG, "access token file %s: the first line is empty", path);
	else if (!text_is_token(data.data, strlen(data.data)))
		rc = err_set(e, ERR_CONFIG,
		             "access token file %s: the token holds spaces or control characters",
		             path);
	if (rc < 0) {
		fio_wipe(&data);
		return -1;
	}
	drop_token(a);
	a->token = data.data; /* the buffer is the token now; auth_cleanup wipes it */
	run_say(a->run, 1, "using the access token from %s (expiry unknown)", path);
	return 0;
}

/* Loads what the method needs and names the cache entry after the identity. */
static int prepare(struct auth_ctx *a, struct err *e)
{
	const struct auth_options *cfg = a->opt;
	unsigned char fp[TOKEN_FINGERPRINT_LEN];
	int rc;
	if (a->cache_key[0] != '\0')
		return 0;
	switch (cfg->method) {
	case AUTH_SECRET:
		if (cfg->secret == NULL || cfg->secret[0] == '\0')
			return err_set(e, ERR_CONFIG, "the client secret is empty");
		rc = token_fingerprint("client-secret", cfg->secret, strlen(cfg->secret), fp);
		break;
	case AUTH_CERTIFICATE:
		if (a->signer == NULL &&
		    jwt_signer_load(cfg->certificate, a->run, &a->signer, e) < 0)
			return -1;
		rc = jwt_signer_fingerprint(a->signer, cfg->jwt_alg, fp);
		break;
	case AUTH_MANAGED_IDENTITY: {
		const char *id = cfg->mi_client_id ? cfg->mi_client_id : "";
		rc = token_fingerprint(cfg->mi_client_id ? "managed-identity-user"
		                                         : "managed-identity-system",
		                       id, strlen(id), fp);
		break;
	}
	default:
		return err_set(e, ERR_USAGE, "no sign-in method configured");
	}
	if (rc == 0) {
		if (cfg->method == AUTH_MANAGED_IDENTITY)
			rc = token_cache_key(cfg->imds_url, "", cfg->mi_client_id, cfg->mi_resource,
			                     fp, a->cache_key);
		else
			rc = token_cache_key(cfg->login_url, cfg->tenant, cfg->client_id,
			                     cfg->scope, fp, a->cache_key);
	}
	explicit_bzero(fp, sizeof(fp));
	if (rc < 0) {
		a->cache_key[0] = '\0';
		return err_set(e, ERR_INTERNAL, "cannot compute the token cache key");
	}
	return 0;
}

static bool lookup(struct auth_ctx *a, const char *rejected)
{
	char *tok = NULL;
	double exp = 0;
	if (!token_cache_lookup(a->cache_fd, a->cache_key, clock_wall(), &tok, &exp))
		return false;
	if (rejected != NULL && strcmp(tok, rejected) == 0) {
		wipe_free(tok);
		token_cache_drop(a->cache_fd, a->cache_key);
		return false;
	}
	drop_token(a);
	a->token = tok;
	a->expires_at = exp;
	a->from_cache = true;
	say_expiry(a, "token from cache");
	return true;
}

/* Under the entry's lock: another process may have signed in while we
 * waited, so look again before signing in ourselves. rejected is a token
 * Graph refused; an entry still holding it is dropped, not reused. */
static int locked_sign_in(struct auth_ctx *a, const char *rejected, struct err *e)
{
	int lock = token_cache_lock(a->cache_fd, a->cache_key, a->run->deadline, e);
	if (lock < 0)
		return -1;
	int rc = 0;
	if (!lookup(a, rejected)) {
		rc = sign_in(a, e);
		struct err werr = {0};
		if (rc == 0 && token_cache_store(a->cache_fd, a->cache_key, a->token, a->expires_at,
		                                 &werr) < 0)
			run_say(a->run, 1, "warning: token not cached: %s", werr.msg);
	}
	close(lock);
	return rc;
}

int auth_get_token(struct auth_ctx *a, struct err *e)
{
	const struct auth_options *cfg = a->opt;
	if (a->token != NULL)
		return 0;
	if (cfg->method == AUTH_TOKEN_FILE)
		return read_token_file(a, e);
	if (prepare(a, e) < 0)
		return -1;
	if (cfg->no_cache)
		return sign_in(a, e);
	if (a->cache_fd < 0) {
		a->cache_fd = securedir_open(cfg->cache_dir, e);
		if (a->cache_fd < 0)
			return -1;
	}
	if (lookup(a, NULL))
		return 0;
	return locked_sign_in(a, NULL, e);
}

bool auth_token_delegated(const struct auth_ctx *a)
{
	if (a->token == NULL || a->opt->method != AUTH_TOKEN_FILE)
		return false;
	/* The payload of a JWT (header.payload.signature): a user's token
	 * carries scp (delegated scopes), an application's roles only. */
	const char *dot = strchr(a->token, '.');
	const char *end = dot != NULL ? strchr(dot + 1, '.') : NULL;
	if (end == NULL || end - dot - 1 > 16384)
		return false;
	size_t len = 0;
	unsigned char *payload = base64url_decode(dot + 1, (size_t)(end - dot - 1), &len);
	bool delegated = false;
	struct json_object *claims = NULL;
	if (payload != NULL &&
	    json_parse_bounded((const char *)payload, len, "token", &claims, NULL) == 0) {
		struct json_object *scp = NULL;
		delegated = json_object_is_type(claims, json_type_object) &&
		            json_object_object_get_ex(claims, "scp", &scp);
	}
	json_object_put(claims);
	free(payload);
	return delegated;
}

const char *auth_why_no_renewal(const struct auth_ctx *a)
{
	return a->opt->method == AUTH_TOKEN_FILE ? "no renewal possible with --access-token-file"
	                                         : NULL;
}

bool auth_can_renew(const struct auth_ctx *a)
{
	return a->from_cache && a->cache_fd >= 0 && a->renewals == 0 &&
	       auth_why_no_renewal(a) == NULL;
}

int auth_renew(struct auth_ctx *a, struct err *e)
{
	if (!auth_can_renew(a))
		return err_set(e, ERR_AUTH, "Graph refused a freshly issued access token");
	const char *rejected = a->token;
	drop_token(a); /* retired: Graph may echo it in what it answers next */
	a->renewals++;
	run_say(a->run, 1, "cached token refused (401): signing in again");
	return locked_sign_in(a, rejected, e);
}

bool auth_certificate_end(const struct auth_ctx *a, double *not_after)
{
	if (a->opt->method != AUTH_CERTIFICATE || a->signer == NULL)
		return false;
	*not_after = jwt_signer_not_after(a->signer);
	return *not_after > 0;
}

int auth_cache_entry(const struct auth_ctx *a, const char **key)
{
	if (a->opt->no_cache || a->cache_fd < 0 || a->cache_key[0] == '\0')
		return -1;
	*key = a->cache_key;
	return a->cache_fd;
}
