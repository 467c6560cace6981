/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The -vvv trace redaction: redact_body and redact_header_line on any bytes.
 * Secrets placed in well-formed positions must not survive. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>

#include "fuzz.h"
#include "redact.h"

static const char form_secret[] = "&client_secret=FuzzSecretValue1";
static const char header_secret[] = "Authorization: Bearer FuzzTokenValue2";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = {0};
	(void)redact_body((const char *)data, size, &out);
	buf_free(&out);

	if (redact_header_line((const char *)data, size, &out) == 0)
		(void)out.len;
	buf_free(&out);

	/* A form body (not starting like JSON, no NUL): whatever comes before,
	 * a trailing client_secret field is redacted. */
	size_t first = 0;
	while (first < size && strchr(" \t\r\n\v\f", data[first]) != NULL && data[first])
		first++;
	bool json_like = first < size && (data[first] == '{' || data[first] == '[');
	if (!json_like && memchr(data, '\0', size) == NULL &&
	    memmem(data, size, "FuzzSecretValue1", 16) == NULL) {
		struct buf in = {0};
		if (buf_append(&in, data, size) < 0 || buf_puts(&in, form_secret) < 0)
			abort();
		if (redact_body(in.data, in.len, &out) == 0 && out.data != NULL)
			FUZZ_ASSERT(strstr(out.data, "FuzzSecretValue1") == NULL);
		buf_free(&out);
		buf_free(&in);
	}

	if (redact_header_line(header_secret, strlen(header_secret), &out) == 0 && out.data)
		FUZZ_ASSERT(strstr(out.data, "FuzzTokenValue2") == NULL);
	buf_free(&out);
	return 0;
}
