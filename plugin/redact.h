/* Redaction of secrets in traced HTTP traffic. All pure. */
#ifndef CES_REDACT_H
#define CES_REDACT_H

#include <stddef.h>

#include "common.h"

#define REDACTED "[redacted]"

/* One header line ("Name: value", no CRLF). Authorization and
 * Proxy-Authorization keep their scheme ("Bearer [redacted]"); Cookie and
 * Set-Cookie lose their value. Other lines are copied. Appends to out. */
int redact_header_line(const char *line, size_t len, struct buf *out);

/* A body as sent or received: values of secret JSON members ("access_token",
 * "refresh_token", "id_token", "client_secret", "client_assertion", ...) and of
 * secret form fields (client_secret=, client_assertion=, ...) become
 * [redacted]. An unterminated value is redacted to the end. Appends to out. */
int redact_body(const char *body, size_t len, struct buf *out);

#endif
