# SPDX-License-Identifier: GPL-3.0-or-later
"""--directory-sync against the emulator (man page: DIRECTORY SYNC): every row
of the table with the documented fixture sets, thresholds and overrides,
v1.0 against beta, the permissions named on 401/403, and the cost of a warm
check."""

import os

import harness as H
from harness import eq, expect, true

ORG = "Organization.Read.All"
ONPREM = "OnPremDirectorySynchronization.Read.All"
APP_READ = "Application.Read.All"


def _args(e, client="auditor", cache=None, extra=()):
    client_id, secret = H.CLIENTS[client] if isinstance(client, str) else client
    return ["-T", H.TENANT, "-C", client_id, "--client-secret-file", H.secret_file(secret),
            "--login-url", e.url, "--graph-url", e.url, "--token-cache", cache or H.cache_dir(),
            "--directory-sync"] + list(extra)


def _run(e, fixture=None, **kw):
    if fixture:
        e.install_fixture(fixture)
    return H.run_plugin(_args(e, **kw))


def _perf(r):
    return H.perfdata(r)


def _client(e, permissions, n):
    cid = "aaaaaaaa-0000-0000-0000-0000000d%04x" % n
    secret = "Ds%04x~Qz7Kp2Wm5Xv8-VALUE" % n
    e.add_client(cid, secret=secret, permissions=permissions)
    return cid, secret


# -- the table --------------------------------------------------------------------
def test_syncing_tenant_is_ok_with_all_three_metrics():
    e = H.emu()
    r = expect(_run(e, "dirsync-syncing"), 0,
               first_contains=["directory sync: last sync 15m", "(every 30m)",
                               "password hash sync 2m"],
               contains=["[OK] directory synchronization: enabled, last sync ",
                         "interval 30m (synchronizationInterval PT30M); thresholds warning > "
                         "1h 30m, critical > 3h",
                         "[OK] password hash sync: on, last run ",
                         "[OK] accidental deletion prevention enabledForCount, alert threshold "
                         "500 objects"])
    p = _perf(r)
    true(895 <= int(p["last_sync_age"].rstrip("s")) <= 910, "last_sync_age", r)
    true(115 <= int(p["last_password_sync_age"].rstrip("s")) <= 130, "last_password_sync_age", r)
    eq(p["sync_interval"], "1800s", "sync_interval", r)
    true("last_sync_age=" in r.first_line and ";5400;10800;0" in r.first_line,
         "thresholds of last_sync_age", r)


def test_the_default_tenant_syncs_without_a_fixture():
    e = H.emu()
    expect(_run(e), 0, first_contains=["directory sync: last sync 15m"])


def test_never_enabled_is_unknown_not_enabled():
    e = H.emu()
    r = expect(_run(e, "dirsync-never"), 3,
               first_contains=["ENTRA SYNC UNKNOWN - directory synchronization is not enabled"],
               contains=["never enabled (onPremisesSyncEnabled null)"],
               absent=["last_sync_age", "sync_interval"])


def test_turned_off_after_syncing_is_critical():
    e = H.emu()
    r = expect(_run(e, "dirsync-turned-off"), 2,
               first_contains=["directory synchronization turned off, last sync 40d ago"],
               contains=["turned off (onPremisesSyncEnabled false)"],
               absent=["last_password_sync_age", "sync_interval"])
    age = int(_perf(r)["last_sync_age"].rstrip("s"))
    true(3456000 <= age <= 3456010, "last_sync_age of a tenant that stopped: %d" % age, r)


def test_last_sync_older_than_three_intervals_warns():
    e = H.emu()
    e.install_fixture("dirsync-syncing")
    e.set_directory(organization={"onPremisesLastSyncDateTime": "{{now-6000}}"})
    expect(_run(e), 1, first_contains=["last directory sync 1h 40m ago (> 1h 30m)"])


def test_last_sync_older_than_six_intervals_is_critical():
    e = H.emu()
    e.install_fixture("dirsync-syncing")
    e.set_directory(organization={"onPremisesLastSyncDateTime": "{{now-11000}}"})
    expect(_run(e), 2, first_contains=["last directory sync 3h 3m ago (> 3h)"])


def test_customer_requested_interval_is_the_effective_one():
    e = H.emu()
    r = expect(_run(e, "dirsync-customer-interval"), 0,
               first_contains=["last sync 1h 40m ago (every 1h)"],
               contains=["interval 1h (customerRequestedSynchronizationInterval PT1H; "
                         "synchronizationInterval PT30M); thresholds warning > 3h, critical > 6h"])
    eq(_perf(r)["sync_interval"], "3600s", "sync_interval", r)


def test_stale_password_hash_sync_is_critical():
    e = H.emu()
    expect(_run(e, "dirsync-password-sync-stale"), 2,
           first_contains=["last password hash sync 1d 2h ago (> 3h)"],
           contains=["[OK] directory synchronization: enabled",
                     "[CRITICAL] password hash sync: on, last run "])


def test_password_hash_sync_off_is_not_judged_and_has_no_metric():
    e = H.emu()
    expect(_run(e, "dirsync-password-sync-disabled"), 0,
           contains=["[OK] password hash sync: off"], absent=["last_password_sync_age"])


def test_deletion_prevention_disabled_warns():
    e = H.emu()
    expect(_run(e, "dirsync-deletion-prevention-disabled"), 1,
           first_contains=["ENTRA SYNC WARNING - accidental deletion prevention disabled"],
           contains=["[WARNING] accidental deletion prevention disabled"])


def test_deletion_prevention_type_unknown_to_the_plugin_warns_quoting_it():
    e = H.emu()
    e.install_fixture("dirsync-syncing")
    e.set_directory(onPremisesSynchronization={"configuration": {"accidentalDeletionPrevention": {
        "synchronizationPreventionType": "enabledForSomethingNew", "alertThreshold": 5}}})
    expect(_run(e), 1, first_contains=["accidental deletion prevention 'enabledForSomethingNew' "
                                       "(unknown to this plugin)"])


def test_documented_get_example_is_ok():
    e = H.emu()
    expect(_run(e, "dirsync-documented-get"), 0,
           first_contains=["directory sync: last sync 20m", "(every 1h)"],
           contains=["[OK] password hash sync: off"])


def test_enabled_without_a_last_sync_time_warns():
    e = H.emu()
    e.install_fixture("dirsync-syncing")
    e.set_directory(organization={"onPremisesLastSyncDateTime": None})
    expect(_run(e), 1, first_contains=["enabled but no last sync time reported"])


# -- thresholds and overrides ---------------------------------------------------------
def test_warning_and_critical_options_replace_the_interval_thresholds():
    e = H.emu()
    e.install_fixture("dirsync-syncing")
    r = expect(H.run_plugin(_args(e, extra=["-w", "10m", "-c", "1h"])), 1,
               first_contains=["last directory sync 15m", "ago (> 10m)"],
               contains=["thresholds warning > 10m, critical > 1h (-w/-c)"])
    true("last_sync_age=" in r.first_line and ";600;3600;0" in r.first_line, "perfdata", r)


def test_state_overrides_apply():
    e = H.emu()
    e.install_fixture("dirsync-turned-off")
    expect(H.run_plugin(_args(e, extra=["--state", "sync:disabled=warning"])), 1,
           first_contains=["directory synchronization turned off"])
    e.install_fixture("dirsync-deletion-prevention-disabled")
    expect(H.run_plugin(_args(e, extra=["--state", "deletion-prevention:disabled=ok"])), 0)
    e.install_fixture("dirsync-never")
    expect(H.run_plugin(_args(e, extra=["--state", "sync:never=ok"])), 0,
           first_contains=["directory synchronization is not enabled"])


def test_no_service_principal_needed_and_none_accepted():
    e = H.emu()
    for extra in (["-s", H.SP_DEMO], ["-a", H.APP_DEMO], ["-j", H.JOB_SCIM],
                  ["--all-service-principals"]):
        r = H.run_plugin(_args(e, extra=extra))
        expect(r, 3, first_contains=["--directory-sync", "-s, -a, -j", "do not apply"],
               one_line=True)
    r = H.run_plugin(_args(e, extra=["--list"]))
    expect(r, 3, first_contains=["exclude each other"], one_line=True)
    eq(e.counters()["graph_requests"], 0, "Graph requests of refused command lines", r)


# -- versions ------------------------------------------------------------------------------
def test_beta_is_read_by_default():
    e = H.emu()
    expect(_run(e, "dirsync-syncing"), 0)
    paths = [q["path"] for q in e.counters()["requests"]
             if "/organization" in q["path"] or "onPremisesSynchronization" in q["path"]
             or "$batch" in q["path"]]
    true(paths and all(p.startswith("/beta/") for p in paths), "paths: %r" % paths)


def test_v1_assumes_30_minutes_and_cannot_judge_password_hash_sync():
    e = H.emu()
    e.install_fixture("dirsync-password-sync-stale")
    r = expect(H.run_plugin(_args(e, extra=["--api-version", "v1.0"])), 0,
               contains=["interval 30m assumed (Entra Connect's default): this API version does "
                         "not report it (--api-version beta does)",
                         "password hash sync: on; this API version does not report its last "
                         "run (--api-version beta does), so it is not judged"],
               absent=["last_password_sync_age"])
    paths = [q["path"] for q in e.counters()["requests"] if "/organization" in q["path"]
             or "$batch" in q["path"]]
    true(paths and all(p.startswith("/v1.0/") for p in paths), "paths: %r" % paths)
    # The customer's hour is beta's too: on v1.0 the 30 minutes apply.
    e.install_fixture("dirsync-customer-interval")
    expect(H.run_plugin(_args(e, extra=["--api-version", "v1.0"])), 1,
           first_contains=["last directory sync 1h 40m ago (> 1h 30m)"])


# -- permissions -------------------------------------------------------------------------
def test_without_either_permission_both_are_named():
    e = H.emu()
    r = expect(H.run_plugin(_args(e, client="reader")), 3, one_line=True,
               first_contains=["organization", "onPremisesSynchronization", ORG, ONPREM])


def test_without_organization_read_all_it_is_named():
    e = H.emu()
    client = _client(e, [ONPREM], 1)
    expect(H.run_plugin(_args(e, client=client)), 3, one_line=True,
           first_contains=["organization: Graph HTTP 403", ORG], absent=[ONPREM])


def test_without_onprem_read_all_it_is_named():
    e = H.emu()
    client = _client(e, [ORG], 2)
    expect(H.run_plugin(_args(e, client=client)), 3, one_line=True,
           first_contains=["onPremisesSynchronization: Graph HTTP 403", ONPREM], absent=[ORG])


def test_app_tokens_refused_on_onprem_sync_names_its_permission():
    e = H.emu()
    e.settings(onprem_sync_app_tokens="refuse")
    expect(H.run_plugin(_args(e)), 3, one_line=True,
           first_contains=["onPremisesSynchronization: Graph HTTP 403", ONPREM])


def test_missing_permission_as_401_unknown_error_names_it_too():
    e = H.emu()
    e.settings(tenant_permission_error=401)
    client = _client(e, [ORG], 3)
    cache = H.cache_dir()
    expect(H.run_plugin(_args(e, client=client, cache=cache)), 3, one_line=True,
           first_contains=["HTTP 401", ONPREM])




def test_delegated_token_without_global_administrator_is_told_the_role():
    e = H.emu()
    token = e.mint_token(kind="delegated", scp=[ORG, ONPREM], directory_roles=[])
    r = H.run_plugin(["--access-token-file", H.token_file(token), "--graph-url", e.url,
                      "--directory-sync"])
    expect(r, 3, one_line=True,
           first_contains=["onPremisesSynchronization: Graph HTTP 403",
                           "a delegated token needs the permission " + ONPREM,
                           "directory role: Global Administrator"])
    token = e.mint_token(kind="delegated", scp=[ORG, ONPREM],
                         directory_roles=["Global Administrator"])
    expect(H.run_plugin(["--access-token-file", H.token_file(token), "--graph-url", e.url,
                         "--directory-sync"]), 0, first_contains=["directory sync: last sync"])


def test_malformed_answer_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", path_contains="/organization", body="<html>no</html>",
                status=200, times=-1)
    expect(H.run_plugin(_args(e)), 3, one_line=True, first_contains=["organization"])


# -- credential and cost ---------------------------------------------------------------------
def test_secret_expiry_is_folded_into_the_state():
    e = H.emu()
    cid, secret = "aaaaaaaa-0000-0000-0000-0000000d0100", "Dx9~Jf4Lw8Rt2Bn6-VALUE"
    H._SECRETS.add(secret)
    e.control("POST", "/_emu/clients", {"client_id": cid, "secret": secret,
                                        "permissions": [ORG, ONPREM, APP_READ],
                                        "secret_end": "{{now+%d}}" % (5.5 * 86400)})
    r = expect(H.run_plugin(_args(e, client=(cid, secret), extra=["--secret-expiry"])), 2,
               first_contains=["directory sync: last sync",
                               "; client secret 'emulator secret' expires in 5d"],
               contains=["[CRITICAL] client secret 'emulator secret'"])
    true("credential_expires_in" in _perf(r), "credential metric", r)


def test_warm_check_costs_one_graph_request_and_no_sign_in():
    e = H.emu()
    cache = H.cache_dir()
    expect(H.run_plugin(_args(e, cache=cache)), 0)   # cold: sign-in and the reads
    before = e.counters()
    r = expect(H.run_plugin(_args(e, cache=cache)), 0)
    after = e.counters()
    eq(after["sign_ins_total"] - before["sign_ins_total"], 0, "sign-ins of the warm check", r)
    eq(after["batch_requests"] - before["batch_requests"], 1, "$batch calls", r)
    eq(after["batch_items"] - before["batch_items"], 2, "$batch items", r)
    # graph_requests counts the envelope and each item: one HTTP request.
    eq(after["graph_requests"] - before["graph_requests"], 3, "Graph requests counted", r)
    new = after["requests"][len(before["requests"]):] if len(after["requests"]) < 500 else []
    sent = [q["path"] for q in new if "batch_item" not in q]
    eq(sent, ["/beta/$batch"], "HTTP requests of the warm check", r)
    eq(after["organization_requests"] - before["organization_requests"], 1, "organization", r)
    eq(after["onprem_sync_requests"] - before["onprem_sync_requests"], 1, "onPremSync", r)


def test_one_item_throttled_is_retried_alone():
    e = H.emu()
    e.add_fault(target="graph", path_contains="/onPremisesSynchronization", retry_after="0.2",
                times=1)
    r = expect(H.run_plugin(_args(e)), 0, first_contains=["directory sync: last sync 15m"])
    c = e.counters()
    eq(c["batch_requests"], 2, "$batch calls (the throttled item again)", r)
    eq(c["organization_requests"], 1, "organization read once", r)
