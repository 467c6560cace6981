/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sign-in answers: auth_parse_token_response and auth_error_describe.
 * Byte 0 picks the HTTP status, byte 1 the size of the output buffer (an
 * exact-size heap block, so a write past n is caught); the rest is the body. */
#include <math.h>

#include "auth.h"
#include "fuzz.h"

static const long statuses[] = {200, 400, 401, 403, 404, 429, 500, 503};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	long status = statuses[data[0] % (sizeof statuses / sizeof statuses[0])];
	size_t n = (size_t)data[1] + 1;
	const char *body = (const char *)data + 2;
	size_t len = size - 2;

	char *token = NULL;
	double expires_at = 0;
	struct err e;
	e.kind = ERR_NONE;
	if (auth_parse_token_response(body, len, 1796000000.0, &token, &expires_at, &e) == 0) {
		FUZZ_ASSERT(token != NULL && token[0] != '\0');
		FUZZ_ASSERT(isfinite(expires_at));
		free(token);
	} else {
		FUZZ_ASSERT(e.kind != ERR_NONE);
		FUZZ_ASSERT(fuzz_one_line(e.msg));
	}

	char *out = malloc(n);
	if (out == NULL)
		abort();
	static const char secret[] = "fuzz-secret-Q8~xVALUE";
	static const char *const secrets[] = {secret};
	char detail[1024];
	auth_error_describe(status, body, len, secrets, 1, NULL, out, n, detail, sizeof(detail));
	FUZZ_ASSERT(fuzz_one_line(detail));
	FUZZ_ASSERT(strstr(out, "secret-Q") == NULL);
	FUZZ_ASSERT(strstr(detail, "secret-Q") == NULL);
	FUZZ_ASSERT(memchr(out, '\0', n) != NULL);
	FUZZ_ASSERT(fuzz_one_line(out));
	free(out);
	return 0;
}
