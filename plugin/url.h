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
/* True when url's host is 127.0.0.0/8, ::1 or localhost. */
bool url_host_is_loopback(const char *url);
/* Compares scheme, host and port of two URLs. */
bool url_same_origin(const char *a, const char *b);
/* True when url carries credentials (user[:password]@): an '@' before its
 * query, which no base URL of a service has otherwise. */
bool url_has_userinfo(const char *url);

/* The rule for every request: https, or plain http only to a loopback host
 * (tests) or to the origin of plain_ok (the instance metadata service, NULL
 * for none). 0 with host and port filled, or -1 with e (ERR_CONFIG). */
int url_allowed(const char *url, const char *plain_ok, char *host, size_t host_n, long *port,
                struct err *e);

/* Percent-encodes s for a URL path segment or form value (everything but
 * ALPHA, DIGIT, '-', '.', '_', '~'). malloc'd, NULL on ENOMEM. */
char *url_escape(const char *s);

/* True when s, once percent-decoded, is "." or "..": as a path segment it
 * would change the request's path instead of naming an object. */
bool url_segment_is_dot(const char *s);

/* The value of one hex digit (either case), or -1. */
int url_hex_value(char c);

#endif
