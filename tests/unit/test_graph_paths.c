/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every Graph path as sent: ids escaped, dot segments refused, each
 * resource's query as Graph documents it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_paths.h"

static void path_is(char *path, const char *want)
{
	assert_non_null(path);
	assert_string_equal(path, want);
	free(path);
}

static void jobs_of_a_service_principal_by_id(void **state)
{
	(void)state;
	struct sp_ref sp = {.id = "5a1f0c2e-0000-4000-8000-000000000001"};
	path_is(graph_path_jobs(&sp, NULL, NULL, NULL),
	        "/servicePrincipals/5a1f0c2e-0000-4000-8000-000000000001/synchronization/jobs");
	path_is(graph_path_jobs(&sp, "scim.0a1b", NULL, NULL),
	        "/servicePrincipals/5a1f0c2e-0000-4000-8000-000000000001/synchronization/jobs/"
	        "scim.0a1b");
	path_is(graph_path_jobs(&sp, "scim.0a1b", "start", NULL),
	        "/servicePrincipals/5a1f0c2e-0000-4000-8000-000000000001/synchronization/jobs/"
	        "scim.0a1b/start");
}

static void ids_are_escaped_and_app_ids_quoted_as_odata_literals(void **state)
{
	(void)state;
	struct sp_ref by_id = {.id = "a/b?c"};
	path_is(graph_path_jobs(&by_id, "j#1", NULL, NULL),
	        "/servicePrincipals/a%2Fb%3Fc/synchronization/jobs/j%231");
	struct sp_ref by_app = {.app_id = "o'brien"};
	path_is(graph_path_jobs(&by_app, NULL, NULL, NULL),
	        "/servicePrincipals(appId='o%27%27brien')/synchronization/jobs");
	path_is(graph_path_app_credentials("o'brien&x", NULL),
	        "/applications(appId='o%27%27brien%26x')?$select=passwordCredentials");
}

static void dot_segments_are_refused_naming_the_id(void **state)
{
	(void)state;
	struct err e = {0};
	struct sp_ref dots = {.id = "%2e%2E"};
	assert_null(graph_path_jobs(&dots, NULL, NULL, &e));
	assert_int_equal(e.kind, ERR_USAGE);
	assert_string_equal(e.msg, "service principal id '%2e%2E' is a relative path segment, "
	                           "not an id: refusing to send it");
	struct sp_ref sp = {.id = "5a1f"};
	struct err je = {0};
	assert_null(graph_path_jobs(&sp, "..", "start", &je));
	assert_non_null(strstr(je.msg, "job id '..'"));
	struct err ae = {0};
	struct sp_ref app = {.app_id = "."};
	assert_null(graph_path_jobs(&app, NULL, NULL, &ae));
	assert_non_null(strstr(ae.msg, "application id '.'"));
}

static void tenant_paths_select_what_the_plugin_reads(void **state)
{
	(void)state;
	path_is(graph_path_service_principals(NULL),
	        "/servicePrincipals?$select=id,appId,displayName&$top=999");
	path_is(graph_path_organization(false, NULL),
	        "/organization?$select=id,onPremisesSyncEnabled,onPremisesLastSyncDateTime");
	path_is(graph_path_organization(true, NULL),
	        "/organization?$select=id,onPremisesSyncEnabled,onPremisesLastSyncDateTime,"
	        "onPremisesLastPasswordSyncDateTime");
	path_is(graph_path_onprem_sync(NULL), "/directory/onPremisesSynchronization");
	path_is(graph_path_batch(NULL), "/$batch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(jobs_of_a_service_principal_by_id),
	    cmocka_unit_test(ids_are_escaped_and_app_ids_quoted_as_odata_literals),
	    cmocka_unit_test(dot_segments_are_refused_naming_the_id),
	    cmocka_unit_test(tenant_paths_select_what_the_plugin_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
