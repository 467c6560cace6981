/* Graph error answers: graph_error_describe. Byte 0 picks the HTTP status and
 * need_write, byte 1 the size of the output buffer (exact-size heap block),
 * byte 2 the length of the request id taken from the end of the input. */
#include "fuzz.h"
#include "graph.h"

static const long statuses[] = {400, 401, 403, 404, 409, 411, 429, 500, 503, 504, 200, 302};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	long status = statuses[(data[0] >> 1) % (sizeof statuses / sizeof statuses[0])];
	bool need_write = data[0] & 1;
	size_t n = (size_t)data[1] + 1;
	size_t idlen = data[2] % 80;
	data += 3;
	size -= 3;
	if (idlen > size)
		idlen = size;

	char *request_id = fuzz_cstr(data + size - idlen, idlen);
	char *out = malloc(n);
	if (out == NULL)
		abort();
	/* The token is scrubbed whatever the body says about it. */
	static const char token[] = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJmdXp6In0.c2lnbmF0dXJl";
	graph_error_describe(status, (const char *)data, size - idlen, request_id, need_write,
	                     token, out, n);
	FUZZ_ASSERT(strstr(out, "eyJ0eXAiOiJK") == NULL);
	FUZZ_ASSERT(memchr(out, '\0', n) != NULL);
	FUZZ_ASSERT(fuzz_one_line(out));
	free(out);
	free(request_id);
	return 0;
}
