/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pure parts of the HTTP layer and the Graph client: URL checks, escaping,
 * trace redaction and Graph error descriptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "graph.h"
#include "http.h"
#include "redact.h"
#include "url.h"

/* graph_error_describe with the sync endpoints' permission and no token. */
static char detail_line[1024];
static void describe(long status, const char *body, size_t len, const char *rid,
                     const char *permission, char *out, size_t n)
{
	struct graph_error_ctx ctx = {.request_id = rid, .permission = permission};
	graph_error_describe(status, body, len, &ctx, out, n, detail_line, sizeof(detail_line));
}

static void loopback_hosts_are_recognised(void **state)
{
	(void)state;
	assert_true(url_host_is_loopback("http://127.0.0.1:8080/x"));
	assert_true(url_host_is_loopback("http://127.1.2.3/"));
	assert_true(url_host_is_loopback("http://[::1]:9000/v1.0"));
	assert_true(url_host_is_loopback("http://localhost:1234"));
	assert_true(url_host_is_loopback("http://LOCALHOST/"));
}

static void non_loopback_hosts_are_refused(void **state)
{
	(void)state;
	assert_false(url_host_is_loopback("http://graph.microsoft.com/"));
	assert_false(url_host_is_loopback("http://128.0.0.1/"));
	assert_false(url_host_is_loopback("http://169.254.169.254/metadata"));
	assert_false(url_host_is_loopback("http://localhost.evil.example/"));
	assert_false(url_host_is_loopback("http://127.0.0.1.evil.example/"));
	assert_false(url_host_is_loopback("http://127.0.0.1@evil.example/"));
	assert_false(url_host_is_loopback("http://[::2]/"));
	assert_false(url_host_is_loopback("not a url"));
	assert_false(url_host_is_loopback(NULL));
}

static void no_proxy_lists_match_as_libcurl_reads_them(void **state)
{
	(void)state;
	assert_true(url_no_proxy_matches("*", "127.0.0.1"));
	assert_true(url_no_proxy_matches("example.com, 127.0.0.1", "127.0.0.1"));
	assert_true(url_no_proxy_matches("localhost", "LOCALHOST"));
	assert_true(url_no_proxy_matches(".local", "box.local"));
	assert_true(url_no_proxy_matches("local", "box.local"));
	assert_true(url_no_proxy_matches("127.0.0.0/8", "127.4.5.6"));
	assert_true(url_no_proxy_matches("::1", "::1"));
	assert_true(url_no_proxy_matches("[::1]", "::1"));
	assert_true(url_no_proxy_matches("::/0", "::1"));
	assert_false(url_no_proxy_matches("", "127.0.0.1"));
	assert_false(url_no_proxy_matches(NULL, "127.0.0.1"));
	assert_false(url_no_proxy_matches("127.0.0.2", "127.0.0.1"));
	assert_false(url_no_proxy_matches("ocal", "box.local"));
	assert_false(url_no_proxy_matches("10.0.0.0/8", "127.0.0.1"));
	assert_false(url_no_proxy_matches("127.0.0.0/33", "127.0.0.1"));
	assert_false(url_no_proxy_matches("127.0.0.0/8", "::1"));
}

/* url_allowed for plain http to loopback under the given proxies. */
static int hop(const struct url_proxies *p, const char **pin, struct err *e)
{
	char host[64];
	long port;
	return url_allowed("http://127.0.0.1:8080/x", NULL, p, host, sizeof(host), &port, pin, e);
}

static void a_plain_http_request_takes_only_a_loopback_proxy(void **state)
{
	(void)state;
	const char *pin = "unset";
	struct err e = {0};
	struct url_proxies none = {0};
	assert_int_equal(hop(&none, &pin, &e), 0);
	assert_string_equal(pin, ""); /* none, pinned: libcurl must not pick one */
	struct url_proxies far = {.http_proxy = "http://user:Passw0rd@192.0.2.10:3128"};
	assert_int_equal(hop(&far, &pin, &e), -1);
	assert_non_null(strstr(e.msg, "through the proxy 192.0.2.10 (http_proxy)"));
	assert_null(strstr(e.msg, "Passw0rd"));
	struct url_proxies given = {.proxy = "192.0.2.10:3128", .http_proxy = "127.0.0.1:1"};
	assert_int_equal(hop(&given, &pin, &e), -1); /* --proxy wins over http_proxy */
	assert_non_null(strstr(e.msg, "(--proxy)"));
	struct url_proxies all = {.all_proxy = "socks5h://proxy.example:1080"};
	assert_int_equal(hop(&all, &pin, &e), -1);
	assert_non_null(strstr(e.msg, "proxy.example (all_proxy)"));
	struct url_proxies exempt = {.proxy = "192.0.2.10:3128", .no_proxy = "localhost,127.0.0.1"};
	assert_int_equal(hop(&exempt, &pin, &e), 0);
	assert_string_equal(pin, "");
	struct url_proxies near = {.http_proxy = "http://[::1]:3128", .all_proxy = "192.0.2.1:1"};
	assert_int_equal(hop(&near, &pin, &e), 0);
	assert_string_equal(pin, "http://[::1]:3128");
	struct url_proxies unreadable = {.http_proxy = "http://[::1"};
	assert_int_equal(hop(&unreadable, &pin, &e), -1);
	assert_non_null(strstr(e.msg, "cannot be read"));
	/* https: libcurl's own proxy (a tunnel); no proxies at all: none */
	char host[64];
	long port;
	assert_int_equal(url_allowed("https://graph.example/v1.0", NULL, &far, host, sizeof(host),
	                             &port, &pin, &e),
	                 0);
	assert_null(pin);
	assert_int_equal(url_allowed("https://graph.example/v1.0", NULL, NULL, host, sizeof(host),
	                             &port, &pin, &e),
	                 0);
	assert_string_equal(pin, "");
}

static void same_origin_compares_scheme_host_and_port(void **state)
{
	(void)state;
	assert_true(url_same_origin("https://graph.microsoft.com/v1.0/x?$skiptoken=1",
	                            "https://graph.microsoft.com"));
	assert_true(
	    url_same_origin("https://GRAPH.microsoft.com:443/a", "https://graph.microsoft.com"));
	assert_true(url_same_origin("http://127.0.0.1:5000/a", "http://127.0.0.1:5000"));
	assert_false(
	    url_same_origin("http://graph.microsoft.com/a", "https://graph.microsoft.com"));
	assert_false(
	    url_same_origin("https://graph.microsoft.com:8443/", "https://graph.microsoft.com"));
	assert_false(url_same_origin("https://evil.example/v1.0", "https://graph.microsoft.com"));
	assert_false(url_same_origin("https://graph.microsoft.com@evil.example/",
	                             "https://graph.microsoft.com"));
	assert_false(url_same_origin("https://graph.microsoft.com.evil.example/",
	                             "https://graph.microsoft.com"));
	assert_false(url_same_origin("/v1.0/relative", "https://graph.microsoft.com"));
	assert_false(url_same_origin(NULL, "https://graph.microsoft.com"));
}

static void escape_keeps_unreserved_and_encodes_the_rest(void **state)
{
	(void)state;
	char *s = url_escape("scim.0123abcd-_~");
	assert_string_equal(s, "scim.0123abcd-_~");
	free(s);
	s = url_escape("a/b?c#d e'%\xc3\xa9");
	assert_string_equal(s, "a%2Fb%3Fc%23d%20e%27%25%C3%A9");
	free(s);
}

static char *redact_header(const char *line)
{
	struct buf b = {0};
	assert_int_equal(redact_header_line(line, strlen(line), &b), 0);
	return b.data;
}

static char *redact(const char *body)
{
	struct buf b = {0};
	assert_int_equal(redact_body(body, strlen(body), &b), 0);
	if (b.data == NULL)
		buf_puts(&b, "");
	return b.data;
}

static void userinfo_is(const char *in, const char *want)
{
	char s[256];
	strcpy(s, in);
	redact_userinfo(s);
	assert_string_equal(s, want);
}

static void urls_lose_their_credentials(void **state)
{
	(void)state;
	userinfo_is("Unsupported proxy scheme for 'htp://user:Passw0rd@127.0.0.1:1'",
	            "Unsupported proxy scheme for 'htp://127.0.0.1:1'");
	userinfo_is("in 'http://user:Pass/w0rd@[::1]:99999'", "in 'http://[::1]:99999'");
	userinfo_is("http://u:p@ss@host/x and https://a@b/c", "http://host/x and https://b/c");
	userinfo_is("proxy user:Passw0rd@127.0.0.1:1 failed", "proxy 127.0.0.1:1 failed");
	userinfo_is("http_proxy == \"socks5h://me:x@p:1\"", "http_proxy == \"socks5h://p:1\"");
	/* what is not a URL's credentials stays */
	userinfo_is("mail admin@contoso.com", "mail admin@contoso.com");
	userinfo_is("https://graph.microsoft.com/v1.0/x (@odata.nextLink)",
	            "https://graph.microsoft.com/v1.0/x (@odata.nextLink)");
	userinfo_is("no url: here", "no url: here");
	char s[64] = "x http://u:secretpw@h";
	const char *none[] = {NULL};
	redact_scrub(s, none, 1); /* every scrub takes them too */
	assert_string_equal(s, "x http://h");
}

static void authorization_header_keeps_only_the_scheme(void **state)
{
	(void)state;
	char *s = redact_header("Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.x.y");
	assert_string_equal(s, "Authorization: Bearer [redacted]");
	free(s);
	s = redact_header("authorization:Basic dXNlcjpwYXNz");
	assert_string_equal(s, "authorization:Basic [redacted]");
	free(s);
	s = redact_header("Proxy-Authorization: Basic dXNlcjpwYXNz");
	assert_string_equal(s, "Proxy-Authorization: Basic [redacted]");
	free(s);
	s = redact_header("Authorization: sometokenwithoutscheme");
	assert_null(strstr(s, "sometoken"));
	free(s);
	s = redact_header("request-id: 1234");
	assert_string_equal(s, "request-id: 1234");
	free(s);
}

static void token_response_values_are_redacted(void **state)
{
	(void)state;
	char *s = redact("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	                 "\"access_token\" : \"eyJhbGc\\\"iOi.SECRET\",\"refresh_token\":\"RT\"}");
	assert_string_equal(s,
	                    "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	                    "\"access_token\" : \"[redacted]\",\"refresh_token\":\"[redacted]\"}");
	free(s);
}

static void unterminated_token_is_redacted_to_the_end(void **state)
{
	(void)state;
	char *s = redact("{\"access_token\":\"eyJhbGciOiJSUzI1NiIsInR5cCI6");
	assert_null(strstr(s, "eyJ"));
	free(s);
}

static void token_named_as_a_value_is_not_a_key(void **state)
{
	(void)state;
	char *s = redact("{\"name\":\"access_token\",\"value\":\"visible\"}");
	assert_string_equal(s, "{\"name\":\"access_token\",\"value\":\"visible\"}");
	free(s);
}

static void form_secrets_are_redacted(void **state)
{
	(void)state;
	char *s = redact("client_id=abc&client_secret=Q8~xVALUE&scope=https%3A%2F%2Fg%2F.default&"
	                 "grant_type=client_credentials");
	assert_string_equal(s, "client_id=abc&client_secret=[redacted]&scope=https%3A%2F%2Fg%2F."
	                       "default&grant_type=client_credentials");
	free(s);
	s = redact("client_assertion_type=urn%3Ajwt-bearer&client_assertion=eyJ.eyJ.sig");
	assert_string_equal(s,
	                    "client_assertion_type=urn%3Ajwt-bearer&client_assertion=[redacted]");
	free(s);
	s = redact("client_id=a\"b&client_secret=x\"y");
	assert_null(strstr(s, "x\"y"));
	free(s);
}

static void graph_error_has_code_message_and_request_id(void **state)
{
	(void)state;
	const char *body = "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":"
	                   "\"Resource 'x' does not\\nexist |\\t or one of its queried reference-"
	                   "property objects are not present.\",\"innerError\":{\"request-id\":"
	                   "\"inner-id\"}}}";
	char out[512];
	describe(404, body, strlen(body), "hdr-id", "Synchronization.Read.All", out, sizeof(out));
	assert_string_equal(out, "Graph HTTP 404 Request_ResourceNotFound: Resource 'x' does not "
	                         "exist / or one of its queried reference-property objects are "
	                         "not present. (request-id hdr-id)");
}

static void graph_error_falls_back_to_nested_inner_request_id(void **state)
{
	(void)state;
	const char *body = "{\"error\":{\"code\":\"BadRequest\",\"message\":\"m\",\"innerError\":"
	                   "{\"date\":\"d\",\"innerError\":{\"request-id\":\"deep-id\"}}}}";
	char out[256];
	describe(400, body, strlen(body), "", "Synchronization.Read.All", out, sizeof(out));
	assert_string_equal(out, "Graph HTTP 400 BadRequest: m (request-id deep-id)");
}

static void graph_401_quirk_names_the_permission(void **state)
{
	(void)state;
	const char *body = "{\"error\":{\"code\":\"UnknownError\",\"message\":\"\"}}";
	char out[512];
	describe(401, body, strlen(body), "r1", "Synchronization.Read.All", out, sizeof(out));
	assert_string_equal(out, "Graph HTTP 401 UnknownError (request-id r1) - the application "
	                         "needs the Microsoft Graph application permission "
	                         "Synchronization.Read.All (admin consent granted)");
	describe(403, body, strlen(body), "", "Synchronization.ReadWrite.All", out, sizeof(out));
	assert_non_null(strstr(out, "Synchronization.ReadWrite.All"));
}

static void graph_error_with_html_body_is_one_bounded_line(void **state)
{
	(void)state;
	char body[4096];
	strcpy(body, "<html>\r\n<body>Bad Gateway</body>\r\n");
	size_t start = strlen(body);
	memset(body + start, 'x', 2000);
	body[start + 2000] = '\0';
	char out[512];
	describe(502, body, strlen(body), NULL, "Synchronization.Read.All", out, sizeof(out));
	assert_non_null(strstr(out, "Graph HTTP 502: unexpected answer: <html> <body>Bad Gateway"));
	assert_null(strchr(out, '\n'));
	assert_true(strlen(out) < 200);
}

static void graph_error_without_body(void **state)
{
	(void)state;
	char out[128];
	describe(503, "", 0, "", "Synchronization.Read.All", out, sizeof(out));
	assert_string_equal(out, "Graph HTTP 503");
	describe(500, NULL, 0, NULL, "Synchronization.Read.All", out, sizeof(out));
	assert_string_equal(out, "Graph HTTP 500");
}

static void graph_error_long_message_is_cut(void **state)
{
	(void)state;
	char body[3000];
	char msg[2000];
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"error\":{\"code\":\"X\",\"message\":\"%s\"}}", msg);
	char out[1024];
	describe(400, body, strlen(body), "id", "Synchronization.Read.All", out, sizeof(out));
	assert_true(strlen(out) < 400);
	assert_non_null(strstr(out, "..."));
	assert_non_null(strstr(out, "(request-id id)"));
}

/* A 1 MB message echoing the secret is scrubbed on a bounded start only,
 * and no 8-character piece of the secret survives, even one the cut splits. */
static void scrubbed_prefix_is_bounded_and_keeps_no_piece(void **state)
{
	(void)state;
	const char *secret = "Qv8~abcdefghijklmnopqrstuvwxyz012345";
	size_t len = 1 << 20, max = 100;
	char *big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'm', len);
	big[len] = '\0';
	memcpy(big + 10, secret, strlen(secret));
	size_t keep = 16 * max + 2 * strlen(secret);
	memcpy(big + keep - 12, secret, strlen(secret)); /* split by the cut */
	char *out = redact_scrubbed_prefix(big, len, max, &secret, 1);
	assert_non_null(out);
	assert_true(strlen(out) <= keep);
	for (size_t k = 0; k + 8 <= strlen(secret); k++) {
		char piece[9];
		memcpy(piece, secret + k, 8);
		piece[8] = '\0';
		if (strstr(out, piece) != NULL)
			fail_msg("a piece of the secret survives: %s", piece);
	}
	assert_non_null(strstr(out, "mmmm***mmmm"));
	free(out);
	free(big);
}

static void graph_error_fits_a_small_buffer(void **state)
{
	(void)state;
	const char *body = "{\"error\":{\"code\":\"UnknownError\",\"message\":\"\"}}";
	char out[20];
	describe(401, body, strlen(body), "request-id-value", "Synchronization.Read.All", out,
	         sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
}

static void graph_error_walks_nested_inner_errors_into_the_detail(void **state)
{
	(void)state;
	const char *body = "{\"error\":{\"code\":\"accessDenied\",\"message\":\"No.\","
	                   "\"innerError\":{\"code\":\"insufficientPermissions\",\"innerError\":{"
	                   "\"code\":\"missingApplicationRole\",\"date\":\"2026-12-01T10:00:00\","
	                   "\"request-id\":\"rid-1\",\"client-request-id\":\"crid-1\"}}}}";
	char out[512];
	describe(403, body, strlen(body), "", "Synchronization.Read.All", out, sizeof(out));
	/* the first line stays short; the request-id says where it came from */
	assert_string_equal(out, "Graph HTTP 403 accessDenied: No. (request-id rid-1) - the "
	                         "application needs the Microsoft Graph application permission "
	                         "Synchronization.Read.All (admin consent granted)");
	assert_string_equal(
	    detail_line, "inner error insufficientPermissions > missingApplicationRole; date "
	                 "2026-12-01T10:00:00; request-id rid-1 (from the error body: the answer "
	                 "had no request-id header); client-request-id crid-1");
}

static void graph_error_for_a_delegated_token_names_the_directory_roles(void **state)
{
	(void)state;
	const char *body =
	    "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"\"}}";
	struct graph_error_ctx ctx = {
	    .request_id = "r", .permission = "Synchronization.Read.All", .delegated = true};
	char out[512], detail[256];
	graph_error_describe(403, body, strlen(body), &ctx, out, sizeof(out), detail,
	                     sizeof(detail));
	assert_non_null(strstr(out, "a delegated token needs the permission "
	                            "Synchronization.Read.All (delegated, consented) and a "
	                            "directory role: Application Administrator or Cloud "
	                            "Application Administrator (Hybrid Identity Administrator for "
	                            "Cloud Sync)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loopback_hosts_are_recognised),
	    cmocka_unit_test(graph_error_walks_nested_inner_errors_into_the_detail),
	    cmocka_unit_test(graph_error_for_a_delegated_token_names_the_directory_roles),
	    cmocka_unit_test(non_loopback_hosts_are_refused),
	    cmocka_unit_test(no_proxy_lists_match_as_libcurl_reads_them),
	    cmocka_unit_test(a_plain_http_request_takes_only_a_loopback_proxy),
	    cmocka_unit_test(same_origin_compares_scheme_host_and_port),
	    cmocka_unit_test(escape_keeps_unreserved_and_encodes_the_rest),
	    cmocka_unit_test(urls_lose_their_credentials),
	    cmocka_unit_test(authorization_header_keeps_only_the_scheme),
	    cmocka_unit_test(token_response_values_are_redacted),
	    cmocka_unit_test(unterminated_token_is_redacted_to_the_end),
	    cmocka_unit_test(token_named_as_a_value_is_not_a_key),
	    cmocka_unit_test(form_secrets_are_redacted),
	    cmocka_unit_test(graph_error_has_code_message_and_request_id),
	    cmocka_unit_test(graph_error_falls_back_to_nested_inner_request_id),
	    cmocka_unit_test(graph_401_quirk_names_the_permission),
	    cmocka_unit_test(graph_error_with_html_body_is_one_bounded_line),
	    cmocka_unit_test(graph_error_without_body),
	    cmocka_unit_test(graph_error_long_message_is_cut),
	    cmocka_unit_test(scrubbed_prefix_is_bounded_and_keeps_no_piece),
	    cmocka_unit_test(graph_error_fits_a_small_buffer),
	};
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
