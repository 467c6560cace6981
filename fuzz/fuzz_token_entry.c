/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Token cache entries read back from disk (anything may be there): every
 * accepted entry must format and parse back to the same token and expiry. */
#include "fuzz.h"
#include "token_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *token = NULL;
	double expires_at = 0;
	if (token_entry_parse((const char *)data, size, &token, &expires_at) != 0) {
		FUZZ_ASSERT(token == NULL);
		return 0;
	}
	FUZZ_ASSERT(token != NULL);
	char *again = token_entry_format(token, expires_at);
	FUZZ_ASSERT(again != NULL);
	char *token2 = NULL;
	double expires2 = 0;
	FUZZ_ASSERT(token_entry_parse(again, strlen(again), &token2, &expires2) == 0);
	FUZZ_ASSERT(strcmp(token, token2) == 0);
	FUZZ_ASSERT(expires_at == expires2);
	free(token2);
	free(again);
	free(token);
	return 0;
}
