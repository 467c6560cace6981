/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the state, the token cache and the ini file are found when no option
 * names them: the packaged directories, the per-user fallbacks, the search
 * of --extra-opts. Every fixed path sits under CHECK_ENTRA_SYNC_ROOT here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

struct fixture {
	char root[64];
};

static void make_dirs(const char *root, const char *path, mode_t mode)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s%s", root, path);
	for (char *p = buf + strlen(root) + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	assert_int_equal(mkdir(buf, mode), 0);
	assert_int_equal(chmod(buf, mode), 0);
}

static void touch(const char *root, const char *path)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s%s", root, path);
	FILE *f = fopen(buf, "w");
	assert_non_null(f);
	fclose(f);
}

/* The per-user fallbacks of this test's user. */
static char tmp_state[64], tmp_cache[64], run_cache[64];

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "/tmp/test_paths.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	setenv("CHECK_ENTRA_SYNC_ROOT", f->root, 1);
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("MP_CONFIG_FILE");
	unsetenv("NAGIOS_CONFIG_PATH");
	unsigned long uid = (unsigned long)geteuid();
	snprintf(tmp_state, sizeof(tmp_state), "/tmp/check_entra_sync-%lu-state", uid);
	snprintf(tmp_cache, sizeof(tmp_cache), "/tmp/check_entra_sync-%lu", uid);
	snprintf(run_cache, sizeof(run_cache), "/run/user/1000/check_entra_sync-%lu", uid);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	unsetenv("CHECK_ENTRA_SYNC_ROOT");
	free(f);
	return 0;
}

static void expect(char *got, const char *root, const char *tail)
{
	char want[512];
	snprintf(want, sizeof(want), "%s%s", root, tail);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void given_directories_win(void **state)
{
	struct fixture *f = *state;
	make_dirs(f->root, PATHS_STATE_DIR, 0700);
	make_dirs(f->root, PATHS_CACHE_DIR, 0700);
	expect(paths_state_dir("/srv/state"), "", "/srv/state");
	expect(paths_cache_dir("/srv/cache"), "", "/srv/cache");
}

static void without_the_package_state_is_per_user_in_tmp_whatever_xdg_says(void **state)
{
	struct fixture *f = *state;
	expect(paths_state_dir(NULL), f->root, tmp_state);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	expect(paths_state_dir(NULL), f->root, tmp_state);
	unsetenv("XDG_RUNTIME_DIR");
}

static void without_the_package_cache_follows_xdg_runtime_dir(void **state)
{
	struct fixture *f = *state;
	expect(paths_cache_dir(NULL), f->root, tmp_cache);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	expect(paths_cache_dir(NULL), "", run_cache);
	setenv("XDG_RUNTIME_DIR", "relative", 1);
	expect(paths_cache_dir(NULL), f->root, tmp_cache);
	unsetenv("XDG_RUNTIME_DIR");
}

static void packaged_directories_are_used_when_they_are_ours_and_private(void **state)
{
	struct fixture *f = *state;
	make_dirs(f->root, PATHS_STATE_DIR, 0700);
	make_dirs(f->root, PATHS_CACHE_DIR, 0700);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	expect(paths_state_dir(NULL), f->root, PATHS_STATE_DIR);
	expect(paths_cache_dir(NULL), f->root, PATHS_CACHE_DIR);
	unsetenv("XDG_RUNTIME_DIR");
}

/* A cache others may write is not ours to trust; the state directory is
 * still the one every mode names, and opening it says what is wrong. */
static void an_unsafe_packaged_cache_is_passed_over_an_unsafe_state_dir_is_not(void **state)
{
	struct fixture *f = *state;
	make_dirs(f->root, PATHS_STATE_DIR, 0770);
	make_dirs(f->root, PATHS_CACHE_DIR, 0770);
	expect(paths_state_dir(NULL), f->root, PATHS_STATE_DIR);
	expect(paths_cache_dir(NULL), f->root, tmp_cache);
}

static void a_symlinked_packaged_cache_is_passed_over(void **state)
{
	struct fixture *f = *state;
	make_dirs(f->root, "/elsewhere", 0700);
	make_dirs(f->root, "/var/cache", 0755);
	char link[512], target[512];
	snprintf(target, sizeof(target), "%s/elsewhere", f->root);
	snprintf(link, sizeof(link), "%s%s", f->root, PATHS_CACHE_DIR);
	assert_int_equal(symlink(target, link), 0);
	expect(paths_cache_dir(NULL), f->root, tmp_cache);
}

static void ini_file_comes_from_mp_config_file_first(void **state)
{
	struct fixture *f = *state;
	touch(f->root, "/mine.ini");
	make_dirs(f->root, "/etc/monitoring-plugins", 0755);
	touch(f->root, "/etc/monitoring-plugins/monitoring-plugins.ini");
	char want[256], *got = NULL;
	struct err e = {0};
	snprintf(want, sizeof(want), "%s/mine.ini", f->root);
	setenv("MP_CONFIG_FILE", want, 1);
	assert_int_equal(paths_ini_file(&got, &e), 0);
	assert_string_equal(got, want);
	free(got);
	unsetenv("MP_CONFIG_FILE");
}

static void ini_file_then_nagios_config_path_then_the_standard_list(void **state)
{
	struct fixture *f = *state;
	char *got = NULL, want[256], list[300];
	struct err e = {0};
	assert_int_equal(paths_ini_file(&got, &e), -1);
	assert_non_null(strstr(e.msg, "none of the standard ones exists"));
	assert_null(got);

	make_dirs(f->root, "/etc/nagios", 0755);
	touch(f->root, "/etc/nagios/plugins.ini");
	assert_int_equal(paths_ini_file(&got, &e), 0);
	snprintf(want, sizeof(want), "%s/etc/nagios/plugins.ini", f->root);
	assert_string_equal(got, want);
	free(got);

	make_dirs(f->root, "/etc/monitoring-plugins", 0755);
	touch(f->root, "/etc/monitoring-plugins/monitoring-plugins.ini");
	assert_int_equal(paths_ini_file(&got, &e), 0);
	snprintf(want, sizeof(want), "%s/etc/monitoring-plugins/monitoring-plugins.ini", f->root);
	assert_string_equal(got, want);
	free(got);

	make_dirs(f->root, "/a", 0755);
	make_dirs(f->root, "/b", 0755);
	touch(f->root, "/b/nagios-plugins.ini");
	snprintf(list, sizeof(list), "::%s/a:%s/b:", f->root, f->root);
	setenv("NAGIOS_CONFIG_PATH", list, 1);
	assert_int_equal(paths_ini_file(&got, &e), 0);
	snprintf(want, sizeof(want), "%s/b/nagios-plugins.ini", f->root);
	assert_string_equal(got, want);
	free(got);
	unsetenv("NAGIOS_CONFIG_PATH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(given_directories_win, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        without_the_package_state_is_per_user_in_tmp_whatever_xdg_says, setup, teardown),
	    cmocka_unit_test_setup_teardown(without_the_package_cache_follows_xdg_runtime_dir,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        packaged_directories_are_used_when_they_are_ours_and_private, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        an_unsafe_packaged_cache_is_passed_over_an_unsafe_state_dir_is_not, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(a_symlinked_packaged_cache_is_passed_over, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(ini_file_comes_from_mp_config_file_first, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(ini_file_then_nagios_config_path_then_the_standard_list,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
