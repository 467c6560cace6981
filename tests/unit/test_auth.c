/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sign-in without a network: error descriptions and their hints, token
 * answers of every shape, the access token file and the cache directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"

#define NOW 1700000000.0

static void describe(long status, const char *body, char *out, size_t n)
{
	auth_error_describe(status, body, body ? strlen(body) : 0, NULL, 0, NULL, out, n, NULL, 0);
}

/* An answer shaped like the identity platform's. */
static void aad_body(char *out, size_t n, const char *error, long code, const char *text)
{
	snprintf(out, n,
	         "{\"error\":\"%s\",\"error_description\":\"AADSTS%ld: %s\\r\\nTrace ID: "
	         "0000\\r\\nCorrelation ID: 1111\\r\\nTimestamp: 2024-01-01 00:00:00Z\","
	         "\"error_codes\":[%ld],\"trace_id\":\"0000\",\"correlation_id\":\"1111\"}",
	         error, code, text, code);
}

static void expect_hint(const char *error, long code, const char *text, const char *hint)
{
	char body[1024], out[ERR_MSG_MAX];
	aad_body(body, sizeof(body), error, code, text);
	describe(401, body, out, sizeof(out));
	char head[128];
	snprintf(head, sizeof(head), "sign-in failed (HTTP 401 %s, AADSTS%ld): ", error, code);
	if (strncmp(out, head, strlen(head)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", out, head);
	if (strstr(out, hint) == NULL)
		fail_msg("\"%s\" lacks hint \"%s\"", out, hint);
	assert_null(strchr(out, '\n'));
	assert_null(strchr(out, '\r'));
	assert_null(strstr(out, "Trace ID"));
}

static void wrong_secret_value_hint(void **state)
{
	(void)state;
	char body[1024], out[ERR_MSG_MAX];
	aad_body(body, sizeof(body), "invalid_client", 7000215,
	         "Invalid client secret provided. Ensure the secret being sent in the request is "
	         "the client secret value, not the client secret ID, for a secret added to app "
	         "'x'.");
	describe(401, body, out, sizeof(out));
	assert_string_equal(out, "sign-in failed (HTTP 401 invalid_client, AADSTS7000215): Invalid "
	                         "client secret provided. - hint: use the secret's Value, not its "
	                         "Secret ID");
}

static void expired_secret_hint(void **state)
{
	(void)state;
	expect_hint("invalid_client", 7000222,
	            "The provided client secret keys for app 'x' are expired. Visit the portal.",
	            "expired; create a new one");
}

static void unknown_application_hint(void **state)
{
	(void)state;
	expect_hint("unauthorized_client", 700016,
	            "Application with identifier 'x' was not found in the directory 'y'. This can "
	            "happen if...",
	            "check the client id and the tenant");
}

static void unknown_tenant_hint(void **state)
{
	(void)state;
	expect_hint("invalid_request", 90002, "Tenant 'x' not found. Check to make sure.",
	            "tenant not found: check the tenant and --cloud");
}

static void unregistered_certificate_hint(void **state)
{
	(void)state;
	expect_hint("invalid_client", 700027, "Client assertion failed signature validation.",
	            "certificate is not registered");
}

/* What the run knows (its certificate has ended) replaces the table's hint
 * for AADSTS700027, which would send the admin to check the registration,
 * and for no other code. */
static void hint_given_replaces_the_tables(void **state)
{
	(void)state;
	char body[1024], out[ERR_MSG_MAX];
	aad_body(body, sizeof(body), "invalid_client", 700027,
	         "Client assertion contains an invalid signature. [Reason - The key used is "
	         "expired.]");
	auth_error_describe(401, body, strlen(body), NULL, 0, "the certificate expired 2d ago", out,
	                    sizeof(out), NULL, 0);
	assert_string_equal(out, "sign-in failed (HTTP 401 invalid_client, AADSTS700027): Client "
	                         "assertion contains an invalid signature. - hint: the certificate "
	                         "expired 2d ago");
	/* any other refusal keeps its own hint: a wrong client id is not an
	 * expired certificate */
	aad_body(body, sizeof(body), "unauthorized_client", 700016,
	         "Application with identifier 'x' was not found in the directory 'y'.");
	auth_error_describe(400, body, strlen(body), NULL, 0, "the certificate expired 2d ago", out,
	                    sizeof(out), NULL, 0);
	assert_non_null(strstr(out, "- hint: application not found in the tenant"));
	assert_null(strstr(out, "certificate"));
}

static void clock_skew_hint(void **state)
{
	(void)state;
	expect_hint("invalid_client", 700024,
	            "Client assertion is not within its valid time range. Current time: 1.",
	            "check the system clock");
}

static void invalid_scope_hint(void **state)
{
	(void)state;
	expect_hint("invalid_scope", 70011, "The provided request must include a 'scope' input.",
	            "check --cloud");
}

static void unknown_code_has_no_hint(void **state)
{
	(void)state;
	char body[1024], out[ERR_MSG_MAX];
	aad_body(body, sizeof(body), "invalid_request", 900144, "The body must contain client_id.");
	describe(400, body, out, sizeof(out));
	assert_string_equal(out, "sign-in failed (HTTP 400 invalid_request, AADSTS900144): The "
	                         "body must contain client_id.");
}

static void code_is_taken_from_the_description_without_error_codes(void **state)
{
	(void)state;
	char out[ERR_MSG_MAX];
	describe(401,
	         "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000222: Secret "
	         "expired.\"}",
	         out, sizeof(out));
	assert_non_null(strstr(out, "(HTTP 401 invalid_client, AADSTS7000222): Secret expired."));
	assert_non_null(strstr(out, "hint:"));
}

static void long_description_is_bounded_to_one_line(void **state)
{
	(void)state;
	char text[2000], body[2200], out[ERR_MSG_MAX];
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	snprintf(body, sizeof(body),
	         "{\"error\":\"e\",\"error_description\":\"AADSTS1: %s|\\nsecond\"}", text);
	describe(400, body, out, sizeof(out));
	assert_true(strlen(out) < 300);
	assert_non_null(strstr(out, "..."));
	assert_null(strchr(out, '|'));
	assert_null(strstr(out, "second"));
}

static void non_json_answer_is_described(void **state)
{
	(void)state;
	char out[ERR_MSG_MAX];
	describe(502, "<html>Bad gateway</html>", out, sizeof(out));
	assert_string_equal(out,
	                    "sign-in failed (HTTP 502): the answer is not a JSON sign-in error");
	describe(503, NULL, out, sizeof(out));
	assert_string_equal(out,
	                    "sign-in failed (HTTP 503): the answer is not a JSON sign-in error");
}

static void error_without_description_is_described(void **state)
{
	(void)state;
	char out[ERR_MSG_MAX];
	describe(400, "{\"error\":\"invalid_request\"}", out, sizeof(out));
	assert_string_equal(out, "sign-in failed (HTTP 400 invalid_request)");
}

static void description_of_wrong_type_is_ignored(void **state)
{
	(void)state;
	char out[ERR_MSG_MAX];
	describe(400, "{\"error\":7,\"error_description\":[1],\"error_codes\":\"x\"}", out,
	         sizeof(out));
	assert_string_equal(out,
	                    "sign-in failed (HTTP 400): the answer is not a JSON sign-in error");
}

/* --- token answers --- */

/* The error code and the support ids are the server's text as much as the
 * description: a piece of the secret echoed in any of them goes. */
static void secret_echoed_in_error_code_or_ids_is_scrubbed(void **state)
{
	(void)state;
	static const char secret[] = "Kv7~x9SECRETpieceQ2";
	static const char body[] = "{\"error\":\"invalid_SECRETpiece\","
	                           "\"error_description\":\"AADSTS7000215: Invalid client secret "
	                           "provided.\",\"error_codes\":[7000215],"
	                           "\"trace_id\":\"x9SECRETpie\",\"correlation_id\":\"c\"}";
	char out[ERR_MSG_MAX], detail[ERR_MSG_MAX];
	const char *secrets[] = {"an-older-token-0123", secret};
	auth_error_describe(401, body, strlen(body), secrets, 2, NULL, out, sizeof(out), detail,
	                    sizeof(detail));
	if (strstr(out, "SECRETpi") != NULL)
		fail_msg("the line quotes the secret: \"%s\"", out);
	if (strstr(detail, "SECRETpi") != NULL)
		fail_msg("the detail quotes the secret: \"%s\"", detail);
	assert_non_null(strstr(out, "AADSTS7000215"));
	assert_non_null(strstr(detail, "correlation_id c"));
}

static int parse(const char *body, char **tok, double *exp, struct err *e)
{
	memset(e, 0, sizeof(*e));
	*tok = NULL;
	return auth_parse_token_response(body, strlen(body), NOW, tok, exp, e);
}

static void sign_in_answer_is_parsed(void **state)
{
	(void)state;
	char *tok;
	double exp;
	struct err e;
	assert_int_equal(parse("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	                       "\"ext_expires_in\":3599,\"access_token\":\"eyJ0.eyJ1.sig\"}",
	                       &tok, &exp, &e),
	                 0);
	assert_string_equal(tok, "eyJ0.eyJ1.sig");
	assert_true(exp == NOW + 3599);
	free(tok);
}

static void managed_identity_answer_with_strings_is_parsed(void **state)
{
	(void)state;
	char *tok;
	double exp;
	struct err e;
	assert_int_equal(parse("{\"access_token\":\"abc\",\"expires_in\":\"86399\","
	                       "\"expires_on\":\"1700086399\",\"token_type\":\"Bearer\"}",
	                       &tok, &exp, &e),
	                 0);
	assert_true(exp == NOW + 86399);
	free(tok);
}

static void expires_on_is_used_without_expires_in(void **state)
{
	(void)state;
	char *tok;
	double exp;
	struct err e;
	assert_int_equal(
	    parse("{\"access_token\":\"abc\",\"expires_on\":\"1700001000\"}", &tok, &exp, &e), 0);
	assert_true(exp == 1700001000.0);
	free(tok);
}

static void bad_token_answers_are_refused(void **state)
{
	(void)state;
	static const struct {
		const char *body, *msg;
	} bad[] = {
	    {"[]", "not a JSON object"},
	    {"{\"expires_in\":3600}", "access_token is missing"},
	    {"{\"access_token\":\"\",\"expires_in\":3600}", "access_token is missing"},
	    {"{\"access_token\":42,\"expires_in\":3600}", "access_token is not a string"},
	    {"{\"access_token\":\"a\\r\\nX-Evil: 1\",\"expires_in\":3600}",
	     "unexpected characters"},
	    {"{\"access_token\":\"a\",\"token_type\":\"pop\",\"expires_in\":3600}", "not Bearer"},
	    {"{\"access_token\":\"a\",\"token_type\":1,\"expires_in\":3600}", "not Bearer"},
	    {"{\"access_token\":\"a\",\"expires_in\":true}", "expires_in is not a positive"},
	    {"{\"access_token\":\"a\",\"expires_in\":\"soon\"}", "expires_in is not a positive"},
	    {"{\"access_token\":\"a\",\"expires_in\":\"12x\"}", "expires_in is not a positive"},
	    {"{\"access_token\":\"a\",\"expires_in\":-5}", "expires_in is not a positive"},
	    {"{\"access_token\":\"a\",\"expires_in\":\"\"}", "expires_in is not a positive"},
	    {"{\"access_token\":\"a\"}", "expires_in and expires_on are missing"},
	    {"{\"access_token\":\"a\",\"expires_on\":{}}", "expires_on is not a positive"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *tok;
		double exp;
		struct err e;
		assert_int_equal(parse(bad[i].body, &tok, &exp, &e), -1);
		assert_null(tok);
		assert_int_equal(e.kind, ERR_PARSE);
		if (strstr(e.msg, bad[i].msg) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].body, e.msg, bad[i].msg);
	}
}

static void truncated_token_answer_is_refused(void **state)
{
	(void)state;
	const char *body = "{\"access_token\":\"abc\",\"expires_in\":3600}";
	char *tok = NULL;
	double exp;
	struct err e = {0};
	assert_int_equal(auth_parse_token_response(body, strlen(body) - 1, NOW, &tok, &exp, &e),
	                 -1);
	assert_int_equal(e.kind, ERR_PARSE);
}

/* --- access token file, cache directory --- */

static struct run R;

static void config_for_token_file(struct auth_options *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->method = AUTH_TOKEN_FILE;
	c->token_file = (char *)path;
	run_init(&R, 20, 0);
}

static void access_token_file_first_line_is_used(void **state)
{
	(void)state;
	char path[] = "/tmp/test_auth_tok.XXXXXX";
	int fd = mkstemp(path);
	assert_true(write(fd, "tok.en-1\r\nsecond line\n", 22) == 22);
	close(fd);
	struct auth_options c;
	config_for_token_file(&c, path);
	struct auth_ctx a;
	auth_init(&a, &c, NULL, &R);
	struct err e = {0};
	assert_int_equal(auth_get_token(&a, &e), 0);
	assert_string_equal(a.token, "tok.en-1");
	assert_false(a.from_cache);
	assert_int_equal(a.sign_ins, 0);
	/* a token from a file is never renewed: Graph's refusal stands */
	assert_false(auth_can_renew(&a));
	auth_cleanup(&a);
	unlink(path);
}

static void empty_access_token_file_is_an_error(void **state)
{
	(void)state;
	char path[] = "/tmp/test_auth_tok.XXXXXX";
	int fd = mkstemp(path);
	assert_true(write(fd, "\nx\n", 3) == 3);
	close(fd);
	struct auth_options c;
	config_for_token_file(&c, path);
	struct auth_ctx a;
	auth_init(&a, &c, NULL, &R);
	struct err e = {0};
	assert_int_equal(auth_get_token(&a, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "the first line is empty"));
	auth_cleanup(&a);
	unlink(path);
	config_for_token_file(&c, "/nonexistent/token");
	auth_init(&a, &c, NULL, &R);
	assert_int_equal(auth_get_token(&a, &e), -1);
	assert_non_null(strstr(e.msg, "cannot open access token file /nonexistent/token"));
	auth_cleanup(&a);
}

static void unsafe_cache_directory_stops_before_sign_in(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_auth_dir.XXXXXX";
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0777);
	struct auth_options c;
	memset(&c, 0, sizeof(c));
	run_init(&R, 20, 0);
	c.method = AUTH_SECRET;
	c.secret = (char *)"s3cret-VALUE";
	c.tenant = (char *)"t";
	c.client_id = (char *)"c";
	c.login_url = (char *)"http://127.0.0.1:1";
	c.scope = (char *)"https://graph.microsoft.com/.default";
	c.cache_dir = dir;
	struct auth_ctx a;
	auth_init(&a, &c, NULL, &R);
	struct err e = {0};
	assert_int_equal(auth_get_token(&a, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "writable by group or others"));
	assert_int_equal(strlen(a.cache_key), 64);
	auth_cleanup(&a);
	rmdir(dir);
}

static void renewal_needs_a_cached_token(void **state)
{
	(void)state;
	struct auth_options c;
	memset(&c, 0, sizeof(c));
	run_init(&R, 20, 0);
	c.method = AUTH_SECRET;
	struct auth_ctx a;
	auth_init(&a, &c, NULL, &R);
	struct err e = {0};
	assert_false(auth_can_renew(&a));
	assert_int_equal(auth_renew(&a, &e), -1);
	assert_int_equal(e.kind, ERR_AUTH);
	auth_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(wrong_secret_value_hint),
	    cmocka_unit_test(expired_secret_hint),
	    cmocka_unit_test(unknown_application_hint),
	    cmocka_unit_test(unknown_tenant_hint),
	    cmocka_unit_test(unregistered_certificate_hint),
	    cmocka_unit_test(hint_given_replaces_the_tables),
	    cmocka_unit_test(clock_skew_hint),
	    cmocka_unit_test(invalid_scope_hint),
	    cmocka_unit_test(unknown_code_has_no_hint),
	    cmocka_unit_test(code_is_taken_from_the_description_without_error_codes),
	    cmocka_unit_test(long_description_is_bounded_to_one_line),
	    cmocka_unit_test(non_json_answer_is_described),
	    cmocka_unit_test(error_without_description_is_described),
	    cmocka_unit_test(description_of_wrong_type_is_ignored),
	    cmocka_unit_test(secret_echoed_in_error_code_or_ids_is_scrubbed),
	    cmocka_unit_test(sign_in_answer_is_parsed),
	    cmocka_unit_test(managed_identity_answer_with_strings_is_parsed),
	    cmocka_unit_test(expires_on_is_used_without_expires_in),
	    cmocka_unit_test(bad_token_answers_are_refused),
	    cmocka_unit_test(truncated_token_answer_is_refused),
	    cmocka_unit_test(access_token_file_first_line_is_used),
	    cmocka_unit_test(empty_access_token_file_is_an_error),
	    cmocka_unit_test(unsafe_cache_directory_stops_before_sign_in),
	    cmocka_unit_test(renewal_needs_a_cached_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
