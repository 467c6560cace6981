/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Credential cache entries ("<token key>.expiry") read back from disk,
 * where another process may have left anything: cred_entry_parse on the raw
 * bytes (not NUL-terminated, as fio_read_fd hands them over). Every accepted
 * entry must hold what credential_cache.h promises, format again within
 * CRED_ENTRY_MAX (the most cred_cache_lookup reads), and parse back to the
 * same fields, the text settling after one round. */
#include <math.h>

#include "credential_cache.h"
#include "fuzz.h"

static bool word_of(const char *s, size_t n, const char *extra)
{
	if (memchr(s, '\0', n) == NULL)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

static void check_fields(const struct cred_entry *c)
{
	FUZZ_ASSERT(c->outcome[0] != '\0' && word_of(c->outcome, sizeof(c->outcome), "-"));
	FUZZ_ASSERT(word_of(c->key_id, sizeof(c->key_id), "-"));
	FUZZ_ASSERT(memchr(c->name, '\0', sizeof(c->name)) != NULL);
	FUZZ_ASSERT(fuzz_one_line(c->name) && strchr(c->name, '|') == NULL);
	fuzz_check_text(c->name, strlen(c->name));
	FUZZ_ASSERT(isfinite(c->checked_at) && c->checked_at >= 0);
	FUZZ_ASSERT(!c->end_known || (isfinite(c->end) && c->end >= 0));
	FUZZ_ASSERT(c->end_known || c->end == 0);
}

static bool same(const struct cred_entry *a, const struct cred_entry *b)
{
	return a->checked_at == b->checked_at && strcmp(a->outcome, b->outcome) == 0 &&
	       a->end_known == b->end_known && a->end == b->end && a->matching == b->matching &&
	       a->secrets == b->secrets && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->key_id, b->key_id) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cred_entry c, back;
	if (cred_entry_parse((const char *)data, size, &c) != 0)
		return 0;
	check_fields(&c);
	char *text = cred_entry_format(&c);
	FUZZ_ASSERT(text != NULL);
	size_t len = strlen(text);
	FUZZ_ASSERT(len <= CRED_ENTRY_MAX);
	FUZZ_ASSERT(cred_entry_parse(text, len, &back) == 0);
	FUZZ_ASSERT(same(&c, &back));
	char *again = cred_entry_format(&back);
	FUZZ_ASSERT(again != NULL && strcmp(text, again) == 0);
	free(again);
	free(text);
	return 0;
}
