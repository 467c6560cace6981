/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The application's shared window for the reporting APIs: at most five
 * requests in any window, a 429's hold for everyone, the file it lives in,
 * and waiting for it inside a deadline. */
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

#include "reports_bucket.h"
#include "securedir.h"

#define NOW 1772366400.0

static void five_go_at_once_the_sixth_waits_for_the_oldest(void **state)
{
	(void)state;
	struct bucket b = {0};
	for (int i = 0; i < BUCKET_SLOTS; i++) {
		assert_true(bucket_wait(&b, NOW + i) == 0);
		bucket_take(&b, NOW + i);
	}
	/* the oldest was taken at NOW: the sixth goes a window later */
	assert_true(bucket_wait(&b, NOW + 5) > BUCKET_WINDOW - 5 - 0.001);
	assert_true(bucket_wait(&b, NOW + BUCKET_WINDOW) == 0);
}

/* Whatever the times requests ask at, no window of 10 s (Microsoft's)
 * ever holds more than five that were let through. */
static void no_ten_seconds_ever_hold_six_requests(void **state)
{
	(void)state;
	struct bucket b = {0};
	double sent[400];
	size_t n = 0;
	unsigned seed = 7;
	for (double t = NOW; n < 400 && t < NOW + 2000;
	     t += (double)((seed = seed * 1103515245u + 12345u) % 1000) / 400.0) {
		if (bucket_wait(&b, t) > 0)
			continue;
		bucket_take(&b, t);
		sent[n++] = t;
	}
	assert_true(n > 100);
	for (size_t i = BUCKET_SLOTS; i < n; i++)
		assert_true(sent[i] - sent[i - BUCKET_SLOTS] >= 10.0);
}

static void a_hold_stops_everyone_until_it_ends(void **state)
{
	(void)state;
	struct bucket b = {0};
	bucket_block(&b, NOW + 7);
	assert_true(bucket_wait(&b, NOW) > 6.99);
	bucket_block(&b, NOW + 3); /* an earlier end does not shorten it */
	assert_true(bucket_wait(&b, NOW + 6) > 0.99);
	assert_true(bucket_wait(&b, NOW + 7) == 0);
}

static void the_entry_round_trips_and_forgets_the_past(void **state)
{
	(void)state;
	struct bucket b = {0}, back;
	bucket_take(&b, NOW - 20); /* out of the window by the time it is read */
	bucket_take(&b, NOW - 1.5);
	bucket_take(&b, NOW);
	bucket_block(&b, NOW + 2.25);
	char *text = bucket_format(&b);
	assert_non_null(text);
	assert_int_equal(bucket_parse(text, strlen(text), NOW, &back), 0);
	assert_int_equal(back.n, 2);
	assert_true(back.sent[0] == NOW - 1.5 && back.sent[1] == NOW);
	assert_true(back.blocked_until == NOW + 2.25);
	for (size_t cut = 0; cut < strlen(text); cut++)
		assert_int_equal(bucket_parse(text, cut, NOW, &back), -1);
	free(text);
}

static void a_damaged_or_forged_entry_is_refused_or_bounded(void **state)
{
	(void)state;
	struct bucket b;
	const char *bad[] = {
	    "check_entra_sync reports window v1\nblocked_until=x\nsent=\nend\n",
	    "check_entra_sync reports window v1\nblocked_until=0\nsent=1,,2\nend\n",
	    "check_entra_sync reports window v1\nblocked_until=0\nsent=-5\nend\n",
	    "check_entra_sync reports window v1\nblocked_until=0\nsent="
	    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21\nend\n",
	    "check_entra_sync reports window v1\nblocked_until=0\nsent=\nend\nmore\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bucket_parse(bad[i], strlen(bad[i]), NOW, &b), -1);
	/* times in any order, one in the future, a hold years away */
	char text[256];
	snprintf(text, sizeof(text),
	         "check_entra_sync reports window "
	         "v1\nblocked_until=99999999999999\nsent=%lld,%lld\nend\n",
	         (long long)((NOW + 3600) * 1000), (long long)((NOW - 2) * 1000));
	assert_int_equal(bucket_parse(text, strlen(text), NOW, &b), 0);
	assert_int_equal(b.n, 2);
	assert_true(b.sent[0] == NOW - 2 && b.sent[1] == NOW); /* the future is now */
	assert_true(b.blocked_until <= NOW + 300);
}

struct fixture {
	char root[64];
	int fd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	strcpy(f->root, "/tmp/test_reports_bucket.XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	struct err e = {0};
	f->fd = securedir_open(f->root, &e);
	*state = f;
	return f->fd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->fd);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void acquire_takes_five_then_gives_up_at_the_deadline(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	double waited;
	for (int i = 0; i < BUCKET_SLOTS; i++)
		assert_int_equal(bucket_acquire(f->fd, "reports-x", clock_mono() + 1, &waited, &e),
		                 0);
	double t0 = clock_mono();
	assert_int_equal(bucket_acquire(f->fd, "reports-x", clock_mono() + 0.5, &waited, &e), -1);
	assert_int_equal(e.kind, ERR_THROTTLED);
	assert_non_null(strstr(e.msg, "5 log reads per 10 s"));
	assert_true(clock_mono() - t0 < 0.4); /* no wait that cannot end in time */
	struct stat st;
	assert_int_equal(fstatat(f->fd, "reports-x", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* another application's window is its own */
	assert_int_equal(bucket_acquire(f->fd, "reports-y", clock_mono() + 1, &waited, &e), 0);
}

static void a_hold_is_seen_by_the_next_process(void **state)
{
	struct fixture *f = *state;
	struct err e = {0};
	double waited;
	assert_int_equal(bucket_hold(f->fd, "reports-x", 0.3, clock_mono() + 1, &e), 0);
	double t0 = clock_mono();
	assert_int_equal(bucket_acquire(f->fd, "reports-x", clock_mono() + 2, &waited, &e), 0);
	assert_true(clock_mono() - t0 >= 0.25 && waited >= 0.25);
}

static void a_damaged_file_is_an_empty_window(void **state)
{
	struct fixture *f = *state;
	int fd = openat(f->fd, "reports-x", O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "garbage\n", 8), 8);
	close(fd);
	struct err e = {0};
	double waited;
	assert_int_equal(bucket_acquire(f->fd, "reports-x", clock_mono() + 1, &waited, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    cmocka_unit_test(five_go_at_once_the_sixth_waits_for_the_oldest),
	    cmocka_unit_test(no_ten_seconds_ever_hold_six_requests),
	    cmocka_unit_test(a_hold_stops_everyone_until_it_ends),
	    cmocka_unit_test(the_entry_round_trips_and_forgets_the_past),
	    cmocka_unit_test(a_damaged_or_forged_entry_is_refused_or_bounded),
	    T(acquire_takes_five_then_gives_up_at_the_deadline),
	    T(a_hold_is_seen_by_the_next_process),
	    T(a_damaged_file_is_an_empty_window),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
