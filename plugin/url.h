/* SPDX-License-Identifier: GPL-3.0-or-later */
/* URLs: the parts the plugin compares, percent-encoding, and the one rule
 * for which URLs may be used at all. All pure. */
#ifndef CES_URL_H
#define CES_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

/* Lower-case scheme, host (IPv6 without brackets) and port (the scheme's
 * default when absent) of url. 0, or -1 when it cannot be parsed. */
int url_parts(const char *url, char *scheme, size_t scheme_n, char *host, size_t host_n,
              long *port);
#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* True when url's host is 127.0.0.0/8, ::1 or localhost. */
bool url_host_is_loopback(const char *url);
#endif
/* Compares scheme, host and port of two URLs. */
bool url_same_origin(const char *a, const char *b);
/* True when url carries credentials (user[:password]@): an '@' before its
 * query, which no base URL of a service has otherwise. */
bool url_has_userinfo(const char *url);

/* Where libcurl looks for the proxy of a plain-http request, as the caller
 * read it from --proxy and the environment (NULL or "" for unset). */
struct url_proxies {
	const char *proxy;      /* --proxy: every request */
	const char *http_proxy; /* libcurl reads only the lower-case http_proxy */
	const char *all_proxy;  /* all_proxy, else ALL_PROXY */
	const char *no_proxy;   /* no_proxy, else NO_PROXY: hosts that go direct */
};

#ifdef UNITTESTS /* static in the plugin (UNITTEST, common.h) */
/* True when the no_proxy list (libcurl's syntax: names or addresses
 * separated by commas or spaces, a leading '.' ignored, a name matching
 * itself and its subdomains, addresses also as CIDR, "*" for all) names
 * host. */
bool url_no_proxy_matches(const char *list, const char *host);
#endif

/* The rule for every request and each of its hops: https, or plain http
 * only to a loopback host (tests) or to the origin of plain_ok (the
 * instance metadata service, NULL for none), and then only through no
 * proxy or one on loopback: a proxy reads a plain-http request, secret and
 * token included. proxies is what libcurl would use (NULL: this request
 * never takes a proxy). 0 with host and port filled and *pin the proxy
 * libcurl must take, so that it takes the one judged here: NULL (https:
 * libcurl's own choice, the proxy sees only a tunnel), "" (none) or the
 * proxy. -1 with e (ERR_CONFIG) naming the proxy's host, never its
 * password. */
int url_allowed(const char *url, const char *plain_ok, const struct url_proxies *proxies,
                char *host, size_t host_n, long *port, const char **pin, struct err *e);

/* Percent-encodes s for a URL path segment or form value (everything but
 * ALPHA, DIGIT, '-', '.', '_', '~'). malloc'd, NULL on ENOMEM. */
char *url_escape(const char *s);

/* True when s, once percent-decoded, is "." or "..": as a path segment it
 * would change the request's path instead of naming an object. */
bool url_segment_is_dot(const char *s);

/* The value of one hex digit (either case), or -1. */
int url_hex_value(char c);

#endif
