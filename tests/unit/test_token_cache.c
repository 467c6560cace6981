/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token cache and its private directory: keys, entries, locking, and the
 * rules that make the directory safe to trust. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "securedir.h"
#include "token_cache.h"

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define NOW 1700000000.0

struct fixture {
	char root[64];
	char dir[128];
	int fd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	strcpy(f->root, "/tmp/test_token_cache.XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/cache", f->root);
	f->fd = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->fd >= 0)
		close(f->fd);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int open_cache(struct fixture *f)
{
	struct err e = {0};
	f->fd = securedir_open(f->dir, &e);
	return f->fd;
}

static void path_in(const struct fixture *f, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", f->dir, name);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* --- securedir --- */

static void missing_directory_is_created_0700(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	struct stat st;
	assert_int_equal(stat(f->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void existing_private_directory_is_accepted(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mkdir(f->dir, 0750), 0);
	assert_true(open_cache(f) >= 0);
}

static void group_writable_directory_is_refused(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	struct err e = {0};
	assert_int_equal(securedir_open(f->dir, &e), -1);
	assert_int_equal(e.kind, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "is writable by group or others (mode 0777); chmod 700 it"));
	assert_non_null(strstr(e.msg, f->dir));
}

static void symlinked_directory_is_refused(void **state)
{
	struct fixture *f = *state;
	char real[160];
	snprintf(real, sizeof(real), "%s/real", f->root);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, f->dir), 0);
	struct err e = {0};
	assert_int_equal(securedir_open(f->dir, &e), -1);
	assert_non_null(strstr(e.msg, "is a symbolic link"));
}

static void directory_of_another_user_is_refused(void **state)
{
	struct fixture *f = *state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chown(f->dir, 12345, 12345), 0);
	struct err e = {0};
	assert_int_equal(securedir_open(f->dir, &e), -1);
	/* as root, the only user this test runs as: both users and what to do */
	assert_non_null(strstr(e.msg, "token cache directory "));
	const char *want =
	    "belongs to uid 12345, not to root (uid 0), who runs the plugin: run it as uid "
	    "12345 or name another with --token-cache";
	assert_non_null(strstr(e.msg, want));
}

static void missing_parent_is_an_error(void **state)
{
	struct fixture *f = *state;
	char deep[200];
	snprintf(deep, sizeof(deep), "%s/no/such", f->root);
	struct err e = {0};
	assert_int_equal(securedir_open(deep, &e), -1);
	assert_non_null(strstr(e.msg, "cannot create token cache directory"));
}

static void plain_file_is_not_a_directory(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "x");
	struct err e = {0};
	assert_int_equal(securedir_open(f->dir, &e), -1);
	assert_non_null(strstr(e.msg, "not a directory"));
}

static void state_directory_messages_name_it(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mkdir(f->dir, 0777), 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	struct err e = {0};
	assert_int_equal(securedir_open_as(f->dir, "state directory", &e), -1);
	assert_non_null(strstr(e.msg, "state directory "));
}

/* --- keys and fingerprints --- */

static void cache_key_changes_with_each_input(void **state)
{
	(void)state;
	unsigned char fp[32] = {1}, fp2[32] = {2};
	char base[65], k[65];
	assert_int_equal(token_cache_key("https://login", "tenant", "client", "scope", fp, base),
	                 0);
	assert_int_equal(strlen(base), 64);
	assert_int_equal(token_cache_key("https://login", "tenant", "client", "scope", fp, k), 0);
	assert_string_equal(base, k);

	token_cache_key("https://login2", "tenant", "client", "scope", fp, k);
	assert_string_not_equal(base, k);
	token_cache_key("https://login", "tenant2", "client", "scope", fp, k);
	assert_string_not_equal(base, k);
	token_cache_key("https://login", "tenant", "client2", "scope", fp, k);
	assert_string_not_equal(base, k);
	token_cache_key("https://login", "tenant", "client", "scope2", fp, k);
	assert_string_not_equal(base, k);
	token_cache_key("https://login", "tenant", "client", "scope", fp2, k);
	assert_string_not_equal(base, k);
}

static void cache_key_fields_do_not_run_together(void **state)
{
	(void)state;
	unsigned char fp[32] = {0};
	char a[65], b[65];
	token_cache_key("ab", "c", "x", "y", fp, a);
	token_cache_key("a", "bc", "x", "y", fp, b);
	assert_string_not_equal(a, b);
}

static void fingerprint_depends_on_kind_and_value(void **state)
{
	(void)state;
	unsigned char a[32], b[32], c[32];
	token_fingerprint("client-secret", "s3cret", 6, a);
	token_fingerprint("client-secret", "s3cret2", 7, b);
	token_fingerprint("managed-identity-user", "s3cret", 6, c);
	assert_memory_not_equal(a, b, 32);
	assert_memory_not_equal(a, c, 32);
}

/* --- entries --- */

static void entry_text_round_trips(void **state)
{
	(void)state;
	char *text = token_entry_format("eyJ0eXAi.abc-_.sig", NOW + 3600);
	assert_non_null(text);
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_entry_parse(text, strlen(text), &tok, &exp), 0);
	assert_string_equal(tok, "eyJ0eXAi.abc-_.sig");
	assert_true(exp == NOW + 3600);
	free(tok);
	free(text);
}

static void truncated_entry_text_is_refused(void **state)
{
	(void)state;
	char *text = token_entry_format("tok", NOW + 3600);
	size_t len = strlen(text);
	char *tok = NULL;
	double exp = 0;
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(token_entry_parse(text, cut, &tok, &exp), -1);
	free(text);
}

static void token_with_newline_is_not_formatted(void **state)
{
	(void)state;
	assert_null(token_entry_format("a\nexpires_at=9", NOW));
	assert_null(token_entry_format("", NOW));
}

static void stored_entry_is_found_and_private(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	struct err e = {0};
	assert_int_equal(token_cache_store(f->fd, KEY, "tok.en", NOW + 3600, &e), 0);
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 1);
	assert_string_equal(tok, "tok.en");
	assert_true(exp == NOW + 3600);
	free(tok);

	char p[256];
	path_in(f, KEY, p, sizeof(p));
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void store_replaces_an_older_entry(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	struct err e = {0};
	assert_int_equal(token_cache_store(f->fd, KEY, "old", NOW + 3600, &e), 0);
	assert_int_equal(token_cache_store(f->fd, KEY, "new", NOW + 7200, &e), 0);
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 1);
	assert_string_equal(tok, "new");
	free(tok);
}

static void entry_within_five_minutes_of_expiry_is_a_miss(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	struct err e = {0};
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_store(f->fd, KEY, "tok", NOW + 299, &e), 0);
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 0);
	assert_null(tok);
	assert_int_equal(token_cache_store(f->fd, KEY, "tok", NOW + 301, &e), 0);
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 1);
	free(tok);
}

static void missing_entry_is_a_miss(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 0);
}

static void corrupted_entry_is_a_miss_and_replaced(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	char p[256];
	path_in(f, KEY, p, sizeof(p));
	static const char *const bad[] = {
	    "garbage",
	    "check_entra_sync token v1\nexpires_at=9999999999\naccess_token=tok\n",
	    "check_entra_sync token v1\nexpires_at=99x\naccess_token=tok\nend\n",
	    "check_entra_sync token v1\nexpires_at=9999999999\naccess_token=\nend\n",
	    "check_entra_sync token v1\nexpires_at=9999999999\naccess_token=a b\nend\n",
	    "check_entra_sync token v1\nexpires_at=9999999999\naccess_token=t\nend\nmore",
	    "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(p, bad[i]);
		char *tok = NULL;
		double exp = 0;
		assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 0);
		assert_null(tok);
	}
	struct err e = {0};
	assert_int_equal(token_cache_store(f->fd, KEY, "fresh", NOW + 3600, &e), 0);
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 1);
	assert_string_equal(tok, "fresh");
	free(tok);
}

static void symlinked_entry_is_ignored_and_replaced_not_followed(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	char target[200], p[256];
	snprintf(target, sizeof(target), "%s/victim", f->root);
	char *good = token_entry_format("planted", NOW + 3600);
	write_file(target, good);
	free(good);
	path_in(f, KEY, p, sizeof(p));
	assert_int_equal(symlink(target, p), 0);

	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 0);
	assert_null(tok);

	struct err e = {0};
	assert_int_equal(token_cache_store(f->fd, KEY, "mine", NOW + 3600, &e), 0);
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	FILE *fp = fopen(target, "r");
	char line[128] = "";
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	assert_string_equal(line, "check_entra_sync token v1\n");
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 1);
	assert_string_equal(tok, "mine");
	free(tok);
}

static void fifo_entry_does_not_hang(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	char p[256];
	path_in(f, KEY, p, sizeof(p));
	assert_int_equal(mkfifo(p, 0600), 0);
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 0);
}

static void drop_removes_the_entry(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	struct err e = {0};
	assert_int_equal(token_cache_store(f->fd, KEY, "tok", NOW + 3600, &e), 0);
	token_cache_drop(f->fd, KEY);
	char *tok = NULL;
	double exp = 0;
	assert_int_equal(token_cache_lookup(f->fd, KEY, NOW, &tok, &exp), 0);
	token_cache_drop(f->fd, KEY);
}

static void no_temporary_files_are_left_behind(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	struct err e = {0};
	for (int i = 0; i < 5; i++)
		assert_int_equal(token_cache_store(f->fd, KEY, "tok", NOW + 3600, &e), 0);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s' | wc -l)\" -eq 1", f->dir);
	assert_int_equal(system(cmd), 0);
}

/* --- locking --- */

static void lock_is_exclusive_and_times_out(void **state)
{
	struct fixture *f = *state;
	assert_true(open_cache(f) >= 0);
	struct err e = {0};
	int l1 = token_cache_lock(f->fd, KEY, clock_mono() + 1, &e);
	assert_true(l1 >= 0);
	double t0 = clock_mono();
	/* flock locks belong to the open file description, so a second open in
	 * this process conflicts like another process would. */
	assert_int_equal(token_cache_lock(f->fd, KEY, clock_mono() + 0.2, &e), -1);
	assert_int_equal(e.kind, ERR_TIMEOUT);
	assert_true(clock_mono() - t0 >= 0.19);
	close(l1);
	int l2 = token_cache_lock(f->fd, KEY, clock_mono() + 0.2, &e);
	assert_true(l2 >= 0);
	close(l2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(missing_directory_is_created_0700),
	    T(existing_private_directory_is_accepted),
	    T(group_writable_directory_is_refused),
	    T(symlinked_directory_is_refused),
	    T(directory_of_another_user_is_refused),
	    T(missing_parent_is_an_error),
	    T(plain_file_is_not_a_directory),
	    T(state_directory_messages_name_it),
	    cmocka_unit_test(cache_key_changes_with_each_input),
	    cmocka_unit_test(cache_key_fields_do_not_run_together),
	    cmocka_unit_test(fingerprint_depends_on_kind_and_value),
	    cmocka_unit_test(entry_text_round_trips),
	    cmocka_unit_test(truncated_entry_text_is_refused),
	    cmocka_unit_test(token_with_newline_is_not_formatted),
	    T(stored_entry_is_found_and_private),
	    T(store_replaces_an_older_entry),
	    T(entry_within_five_minutes_of_expiry_is_a_miss),
	    T(missing_entry_is_a_miss),
	    T(corrupted_entry_is_a_miss_and_replaced),
	    T(symlinked_entry_is_ignored_and_replaced_not_followed),
	    T(fifo_entry_does_not_hang),
	    T(drop_removes_the_entry),
	    T(no_temporary_files_are_left_behind),
	    T(lock_is_exclusive_and_times_out),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
