/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The event handler's per-job state file: start_history_parse on any text,
 * the start rules on what it accepted, and a format/parse round trip. */
#include "fuzz.h"
#include "statefile.h"

static struct start_history h, h2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct err e;
	memset(&h, 0, sizeof h);
	if (start_history_parse(text, &h, &e) == 0) {
		FUZZ_ASSERT(h.n <= HISTORY_MAX);
		double wait = -1;
		enum start_verdict v =
		    start_rules_check(&h, 1796000000.0, 3600, 3, (size & 1) != 0, &wait);
		FUZZ_ASSERT(v == START_ALLOWED || v == START_COOLDOWN || v == START_BACKOFF ||
		            v == START_MAX_STARTS);
		FUZZ_ASSERT(wait >= 0);
		FUZZ_ASSERT(v != START_ALLOWED || wait == 0);
		(void)start_history_recent(&h, 1796000000.0);

		struct buf b = {0};
		FUZZ_ASSERT(start_history_format(&h, &b) == 0);
		memset(&h2, 0, sizeof h2);
		FUZZ_ASSERT(start_history_parse(b.data ? b.data : "", &h2, &e) == 0);
		FUZZ_ASSERT(h2.n == h.n);
		FUZZ_ASSERT(h2.episode_first == h.episode_first);
		FUZZ_ASSERT(h2.episode_began == h.episode_began);
		buf_free(&b);
		start_history_add(&h, 1796000000.0, ORIGIN_HANDLER, "Unknown", 1795990000.0,
		                  1795000000.0);
		FUZZ_ASSERT(h.n <= HISTORY_MAX);
	}
	free(text);
	return 0;
}
