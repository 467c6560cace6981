/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Graph error answers: graph_error_describe. Byte 0 picks the HTTP status,
 * the permission, whether the token is delegated and which role hint
 * applies; byte 1 the size of the output and detail buffers (exact-size
 * heap blocks); byte 2 the length of the request id taken from the end of
 * the input. */
#include "fuzz.h"
#include "graph.h"

static const long statuses[] = {400, 401, 403, 404, 409, 411, 429, 500, 503, 504, 200, 302};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	long status = statuses[(data[0] >> 3) % (sizeof statuses / sizeof statuses[0])];
	bool need_write = data[0] & 1;
	bool delegated = data[0] & 2;
	bool no_role = data[0] & 4;
	size_t n = (size_t)data[1] + 1;
	size_t idlen = data[2] % 80;
	data += 3;
	size -= 3;
	if (idlen > size)
		idlen = size;

	char *request_id = fuzz_cstr(data + size - idlen, idlen);
	char *out = malloc(n);
	char *detail = malloc(n);
	if (out == NULL || detail == NULL)
		abort();
	/* The token is scrubbed whatever the body says about it. */
	static const char token[] = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJmdXp6In0.c2lnbmF0dXJl";
	static const char *const secrets[] = {token};
	struct graph_error_ctx ctx = {
	    .request_id = request_id,
	    .permission = need_write ? "Synchronization.ReadWrite.All" : "Synchronization.Read.All",
	    .roles = no_role ? "" : NULL,
	    .delegated = delegated,
	    .secrets = secrets,
	    .n_secrets = 1,
	};
	graph_error_describe(status, (const char *)data, size - idlen, &ctx, out, n, detail, n);
	FUZZ_ASSERT(strstr(out, "eyJ0eXAiOiJK") == NULL);
	FUZZ_ASSERT(strstr(detail, "eyJ0eXAiOiJK") == NULL);
	FUZZ_ASSERT(memchr(out, '\0', n) != NULL);
	FUZZ_ASSERT(memchr(detail, '\0', n) != NULL);
	FUZZ_ASSERT(fuzz_one_line(out));
	FUZZ_ASSERT(fuzz_one_line(detail));
	free(out);
	free(detail);
	free(request_id);
	return 0;
}
