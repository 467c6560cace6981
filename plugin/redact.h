/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeping secrets out of what the plugin shows: the -vvv HTTP trace and
 * every message. All pure. */
#ifndef CES_REDACT_H
#define CES_REDACT_H

#include <stddef.h>

#include "common.h"

#define REDACTED "[redacted]"

/* One header line ("Name: value", no CRLF). Authorization and
 * Proxy-Authorization keep their scheme ("Bearer [redacted]"); Cookie and
 * Set-Cookie lose their value. Other lines are copied. Appends to out. */
int redact_header_line(const char *line, size_t len, struct buf *out);

/* A body as sent or received: the values of secret JSON members
 * ("access_token", "refresh_token", "id_token", "client_secret",
 * "client_assertion", ...) and of secret form fields (client_secret=, ...)
 * become [redacted]. Names are compared as decoded (JSON escapes, percent
 * escapes), so no spelling of a name lets its value through. An unterminated
 * value is redacted to the end. Appends to out. */
int redact_body(const char *body, size_t len, struct buf *out);

/* Removes the credentials of every URL in a message, in place:
 * "scheme://user:password@host" becomes "scheme://host", and a word
 * "user:password@host" without a scheme (a proxy as libcurl takes it)
 * becomes "host". A word runs to white space, a quote or an angle bracket,
 * and everything up to its last '@' goes, so a password holding '/' or
 * '@' goes whole. libcurl quotes the proxy it was given in its errors and
 * its trace; this is what keeps the proxy's password out of them. */
void redact_userinfo(char *text);

/* Scrubs a message in place before it is printed or cut: the credentials
 * of every URL (redact_userinfo), every run of 8 or more characters that
 * also occurs in one of the n secrets (the client secret, every access
 * token the run has held) and every JWT-shaped string (three base64url
 * parts, the first starting "eyJ") become "***". NULL secrets are ignored. */
void redact_scrub(char *text, const char *const *secrets, size_t n);

/* For a message of at most max bytes cut from s (len bytes, NUL or not): a
 * copy of its start, scrubbed as redact_scrub does. Long enough that the
 * cut comes after the scrub (a cut secret would no longer match), with room
 * for white space that printing folds; short enough that a 4 MiB answer
 * costs no seconds (scrubbing grows with the text times the secret).
 * malloc'd, NULL when out of memory; the caller wipes it. */
char *redact_scrubbed_prefix(const char *s, size_t len, size_t max, const char *const *secrets,
                             size_t n);

#endif
