# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft's own published examples (reshaped with our ids, served by the
emulator's documented fixture sets, tests/emulator/PROTOCOL.md) and the
state each implies; the honest repair sequence (a start clears the
quarantine, the next cycle comes later); errors that keep what support asks
for; the permission hints; the export age. Each test failed against the
release before these changes (TEST_PLUGIN=...)."""

import os
import re
import tempfile

import harness as H
from harness import eq, expect, perfdata, true

DOC_SP = "5a1f0c2e-0000-4000-8000-0000000000dd"


def doc(e, name, extra=(), client="reader"):
    e.install_fixture(name)
    return H.run_plugin(H.check_args(e, client=client, sp=DOC_SP, extra=list(extra)))


def state_dir():
    d = H.scratch_dir("state-")
    os.chmod(d, 0o700)
    return d


# -- 1. a brand-new job has not failed; it has not run ---------------------------
def test_cross_tenant_first_cycle_is_ok_not_failed():
    r = doc(H.emu(), "cross-tenant-first-cycle")
    expect(r, 0, first_contains=["first cycle still running"], absent=["failed", "None"])
    true("error None" not in r.stdout, "the placeholder's error is shown", r)


def test_cross_tenant_created_job_is_paused_warning():
    r = doc(H.emu(), "cross-tenant-created-job")
    expect(r, 1, first_contains=["paused"])


# -- 2. the causes a job carries --------------------------------------------------
def test_documented_get_example_names_its_error_on_the_first_line():
    r = doc(H.emu(), "get-job-example")
    expect(r, 1, first_contains=["paused", "SalesforceInvalidCredentials"])


def test_documented_list_example_corrected_and_malformed():
    e = H.emu()
    expect(doc(e, "list-jobs-example"), 1, first_contains=["paused"])
    expect(doc(e, "list-jobs-example-malformed"), 3, first_contains=["not valid JSON"],
           one_line=True)


def test_troubleshooting_url_is_in_the_long_output():
    e = H.emu()
    r = doc(e, "troubleshooting-url")
    eq(r.rc, 2, "exit status", r)
    url = re.search(r"https://\S+", "\n".join(r.stdout.splitlines()[1:]))
    true(url is not None and "troubleshooting " in r.stdout,
         "the troubleshooting URL is not in the long output", r)


def test_escrows_pruned_is_explained():
    # SPEC 4a: a finding named in the first line (never OK), with what
    # Microsoft says happens next in the long output, and no invented advice
    r = doc(H.emu(), "escrows-pruned")
    expect(r, 1, first_contains=["escrows pruned"],
           contains=["waits for the failing objects to be cleaned up"],
           absent=["then start the job"])


# -- 3. values the plugin does not know fail closed ------------------------------
def test_unknown_execution_state_is_warning_quoting_it():
    r = doc(H.emu(), "partially-succeeded")
    expect(r, 1, first_contains=["'PartiallySucceeded'"])


def test_unreadable_intervals_are_warning_naming_each():
    e = H.emu()
    r = doc(e, "unreadable-intervals")
    eq(r.rc, 1, "exit status", r)
    for value in ("P1Y", "pt1m", "'P'", "-PT1M", "PT40M "):
        true(value in r.stdout, "the interval %r is not named" % value, r)
    eq(len([l for l in r.stdout.splitlines()[1:] if "cannot be read, so no age thresholds" in l]),
       5, "long-output lines naming an unreadable interval", r)
    # thresholds given: the interval no longer matters, the 7-year age does
    r = H.run_plugin(H.check_args(e, sp=DOC_SP, extra=["-w", "1d", "-c", "2d"]))
    expect(r, 2, absent=["cannot be read"])


# -- 4. the honest repair sequence ---------------------------------------------------
def test_started_job_waits_for_its_next_cycle_then_is_ok():
    e = H.emu()
    sdir = state_dir()
    cache = H.cache_dir()
    check = H.check_args(e, job=H.JOB_BOX, extra=["--state-dir", sdir], cache=cache)
    expect(H.run_plugin(check), 2, first_contains=["quarantined"])
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX, extra=[
        "--event-handler", "--state-dir", sdir, "CRITICAL", "HARD", "3"]))
    eq(r.rc, 0, "handler exit status", r)
    # Graph now says Active, the failed runs before the start unchanged
    r = H.run_plugin(check)
    expect(r, 1, first_contains=["started by this plugin", "waiting for its next cycle"])
    # a check that does not share the state directory judges what Graph shows
    r = H.run_plugin(H.check_args(e, job=H.JOB_BOX, cache=cache))
    expect(r, 2, first_contains=["successive failures"])
    e.cycle(H.JOB_BOX)
    expect(H.run_plugin(check), 0, first_contains=["active, last success"])


def test_a_cause_that_persists_brings_the_quarantine_back():
    e = H.emu()
    sdir = state_dir()
    check = H.check_args(e, job=H.JOB_BOX, extra=["--state-dir", sdir])
    e.next_cycle(H.JOB_BOX, "quarantine", reason="EncounteredQuarantineException")
    H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX, extra=[
        "--event-handler", "--state-dir", sdir, "CRITICAL", "HARD", "3"]))
    expect(H.run_plugin(check), 1, first_contains=["waiting for its next cycle"])
    e.cycle(H.JOB_BOX)
    expect(H.run_plugin(check), 2, first_contains=["quarantined"])


# -- 5. errors support can use -------------------------------------------------------
def test_sign_in_error_keeps_trace_correlation_and_timestamp():
    e = H.emu()
    e.install_fixture("token-error-invalid-scope")
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 3, first_contains=["AADSTS70011"], one_line=True)
    second = (r.stdout.splitlines() + [""])[1]
    true(second.startswith("trace_id ") and "correlation_id " in second and "timestamp " in second,
         "the second line lacks trace_id, correlation_id and timestamp", r)
    true(len(r.first_line) < 300, "the first line is %d characters" % len(r.first_line), r)


def test_graph_error_walks_nested_inner_errors():
    e = H.emu()
    e.install_fixture("graph-error-nested", path_contains="/synchronization/jobs")
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 3, first_contains=["Graph HTTP 403", "accessDenied"], one_line=True)
    second = (r.stdout.splitlines() + [""])[1]
    true("insufficientPermissions > missingApplicationRole" in second and "date " in second
         and "client-request-id " in second, "the second line lacks the inner errors", r)


def test_graph_error_with_lower_case_innererror_keeps_its_date():
    e = H.emu()
    e.install_fixture("graph-error-innererror-lowercase", path_contains="/synchronization/jobs")
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 3, first_contains=["invalidRange"], one_line=True)
    true("date " in (r.stdout.splitlines() + [""])[1], "the innererror date is dropped", r)


# -- 6. permissions as they are ---------------------------------------------------------


def test_delegated_token_without_a_role_is_told_which_roles_work():
    e = H.emu()
    token = e.mint_token(kind="delegated", scp=[H.READ], directory_roles=[])
    r = H.run_plugin(["--access-token-file", H.token_file(token), "--graph-url", e.url,
                      "-s", H.SP_DEMO, "-j", H.JOB_SCIM])
    expect(r, 3, first_contains=["delegated token", "Application Administrator",
                                 "Hybrid Identity Administrator"], one_line=True)


def test_delegated_token_with_a_role_reads_the_job():
    e = H.emu()
    token = e.mint_token(kind="delegated", scp=[H.READ],
                         directory_roles=["Cloud Application Administrator"])
    r = H.run_plugin(["--access-token-file", H.token_file(token), "--graph-url", e.url,
                      "-s", H.SP_DEMO, "-j", H.JOB_SCIM])
    expect(r, 0)


# -- 7. the export age -----------------------------------------------------------------
def test_last_export_age_is_perfdata_and_can_alert():
    e = H.emu()
    r = doc(e, "stale-exports")
    eq(r.rc, 0, "exit status without export thresholds", r)
    ages = [v for k, v in perfdata(r).items() if k.endswith("last_export_age")]
    true(ages and 8 * 86400 < float(ages[0].rstrip("s")) < 10 * 86400,
         "last_export_age is not about 9 days: %r" % ages, r)
    r = H.run_plugin(H.check_args(e, sp=DOC_SP, extra=["--export-warning", "2d",
                                                      "--export-critical", "30d"]))
    expect(r, 1, first_contains=["last export 9d", "(> 2d)"])
