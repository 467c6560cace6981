# SPDX-License-Identifier: GPL-3.0-or-later
"""Check mode against the emulator: status codes, thresholds, overrides,
all jobs of a service principal, paging, appId addressing, HTTPS."""

import os

import harness as H
from harness import expect, eq, true, perfdata


def check_one(job, extra=(), rc=None, **kw):
    """Serves job alone on SP_TEST and checks it with -j."""
    e = H.emu()
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    r = H.run_plugin(H.check_args(e, sp=H.SP_TEST, job=job["id"], extra=extra))
    return expect(r, rc, **kw) if rc is not None else r


# -- status code -> state ---------------------------------------------------
def test_active_job_is_ok_with_perfdata():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 0, first_contains=["|"])
    p = perfdata(r)
    for label in ("last_success_age", "successive_failures", "escrowed", "quarantine_age",
                  "quarantine_series", "time"):
        true(any(k == label or k.endswith("_" + label) for k in p),
             "perfdata lacks %s" % label, r)
    age = float(next(v for k, v in p.items() if k.endswith("last_success_age")).rstrip("s"))
    true(590 <= age <= 700, "last_success_age %s is not about 600 s" % age, r)
    eq(e.counters()["graph_requests"], 1, "Graph requests", r)


def test_notrun_is_ok():
    check_one(H.shape("servicenow"), rc=0)


def test_notconfigured_is_warning():
    check_one(H.shape("workday"), rc=1, contains=["configured"])


def test_paused_documented_example_is_warning():
    check_one(H.shape("SfSandboxOutDelta"), rc=1, first_contains=["paused"])


def test_paused_documented_example_shows_its_error():
    check_one(H.shape("SfSandboxOutDelta"), rc=1, contains=["SalesforceInvalidCredentials"])


def test_quarantine_is_critical_with_reason_and_error():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_BOX))
    expect(r, 2, first_contains=["quarantine"],
           contains=["EncounteredQuarantineException", "BoxInsufficientPermissions"])
    p = perfdata(r)
    series = next((v for k, v in p.items() if k.endswith("quarantine_series")), None)
    eq(series, "6", "quarantine_series perfdata", r)


def test_empty_status_is_warning_like_notconfigured():
    check_one(H.shape("slack"), rc=1)


def test_unknown_status_code_is_unknown_and_quoted():
    check_one(H.shape("dropbox"), rc=3, first_contains=["Dormant"])


def test_every_quarantine_reason_is_critical():
    for t in H.shape_ids():
        job = H.shape(t)
        q = job["status"].get("quarantine")
        if job["status"].get("code") == "Quarantine":
            check_one(job, rc=2, contains=[q["reason"]])


def test_healthy_cloud_sync_with_sentinels_is_ok():
    r = check_one(H.shape("AD2AADProvisioning"), rc=0)
    eq(perfdata(r).get("escrowed"), "15", "escrowed perfdata", r)


def test_disabled_schedule_disables_default_age_threshold():
    check_one(H.shape("gsuite"), rc=0)


def test_last_execution_failed_is_warning_with_its_error():
    # zscaler: Active, last run Failed, 1 successive failure: both are
    # WARNING by default (failures warn above 0, critical above 2).
    r = check_one(H.shape("zscaler"))
    expect(r, 1, first_contains=["SystemForCrossDomainIdentityManagementServiceIncompatible"])


def test_entry_level_errors_is_ok_by_default():
    r = check_one(H.shape("salesforce"), rc=0)
    eq(perfdata(r).get("escrowed"), "120", "escrowed perfdata", r)


def test_never_succeeded_reports_never_and_leaves_the_age_out():
    # No 'U': Icinga 2 warns about it on every check and drops it; leaving
    # the metric out gives the graph the same gap, quietly.
    job = H.make_job(code="NotRun", last_success_ago=None, last_state="Succeeded")
    job["status"]["lastExecution"] = None
    r = check_one(job, rc=0, contains=["never"])
    p = perfdata(r)
    true("last_success_age" not in p, "a never-succeeded job prints last_success_age", r)
    true(not any(v.startswith("U") for v in p.values()), "a metric is printed as U", r)
    eq(p.get("successive_failures"), "0", "successive_failures", r)


# -- thresholds -------------------------------------------------------------
def test_age_thresholds_with_duration_suffixes():
    e = H.emu()
    for extra, rc in ((["-w", "5m"], 1), (["-c", "300s"], 2), (["-w", "1h", "-c", "2h"], 0),
                      (["-w", "5m", "-c", "0.25h"], 1), (["-w", "5m", "-c", "0.1h"], 2), (["-w", "1d", "-c", "2d"], 0),
                      (["-w", "100", "-c", "200"], 2)):
        r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=extra))
        expect(r, rc)


def test_default_age_thresholds_are_3x_and_6x_interval():
    for ago, rc in ((300, 0), (400, 1), (800, 2)):
        check_one(H.make_job(interval="PT2M", last_success_ago=ago), rc=rc)
    check_one(H.make_job(interval="PT40M", last_success_ago=7000), rc=0)
    check_one(H.make_job(interval="PT40M", last_success_ago=7400), rc=1)
    check_one(H.make_job(interval="PT40M", last_success_ago=14500), rc=2)


def test_disabled_schedule_interval_without_thresholds_is_ok():
    job = H.make_job(interval="P10675199DT2H48M5.4775807S", schedule_state="Disabled",
                     last_success_ago=90 * 86400)
    check_one(job, rc=0)


def test_explicit_age_threshold_applies_with_disabled_schedule():
    job = H.make_job(interval="P10675199DT2H48M5.4775807S", schedule_state="Disabled",
                     last_success_ago=90 * 86400)
    check_one(job, extra=["-c", "30d"], rc=2)


def test_successive_failures_default_thresholds():
    for n, rc in ((0, 0), (1, 1), (2, 1), (3, 2)):
        r = check_one(H.make_job(failures=n, last_success_ago=60), rc=rc)
        eq(perfdata(r).get("successive_failures"), str(n), "successive_failures", r)


def test_successive_failures_custom_thresholds():
    job = H.make_job(failures=3, last_success_ago=60)
    check_one(job, extra=["--failures-warning", "5", "--failures-critical", "10"], rc=0)
    check_one(job, extra=["--failures-warning", "2", "--failures-critical", "10"], rc=1)


def test_escrow_thresholds():
    job = H.shape("salesforce")
    check_one(job, extra=["--escrow-warning", "100"], rc=1)
    check_one(job, extra=["--escrow-warning", "100", "--escrow-critical", "110"], rc=2)
    check_one(job, extra=["--escrow-warning", "500"], rc=0)


# -- --state overrides --------------------------------------------------------
def test_state_override_paused_ok():
    check_one(H.shape("SfSandboxOutDelta"), extra=["--state", "Paused=ok"], rc=0)
    check_one(H.shape("SfSandboxOutDelta"), extra=["--state", "Paused=2"], rc=2)


def test_state_override_quarantine_reason():
    job = H.shape("qTooManyDeletes")
    check_one(job, extra=["--state", "quarantine:TooManyDeletes=warning"], rc=1)
    other = H.shape("qIngestionInterrupted")
    check_one(other, extra=["--state", "quarantine:TooManyDeletes=warning"], rc=2)


def test_state_override_execution_failed_critical():
    check_one(H.shape("zscaler"), extra=["--state", "execution:Failed=critical"], rc=2)


def test_state_override_unknown_code():
    check_one(H.shape("dropbox"), extra=["--state", "Dormant=ok"], rc=0)


def test_bad_state_override_is_usage_error():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["--state", "Paused=purple"]))
    eq(r.rc, 3, "exit code", r)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins after a usage error", r)


# -- all jobs of a service principal -------------------------------------------
def test_all_jobs_one_request_worst_wins():
    e = H.emu()
    r = H.run_plugin(H.check_args(e))
    expect(r, 2, first_contains=["Box"], contains=[H.JOB_SCIM, H.JOB_BOX])
    eq(e.counters()["graph_requests"], 1, "Graph requests", r)
    p = perfdata(r)
    true("scim_last_success_age" in p and "Box_successive_failures" in p,
         "perfdata labels are not prefixed with the template id", r)
    lines = r.stdout.splitlines()
    box = next(i for i, l in enumerate(lines) if H.JOB_BOX in l and i > 0)
    scim = next(i for i, l in enumerate(lines) if H.JOB_SCIM in l and i > 0)
    true(box < scim, "long output is not worst first", r)


def _serve(jobs):
    e = H.emu()
    e.put_sp(H.SP_TEST, jobs, appId=H.APP_TEST)
    return e, H.run_plugin(H.check_args(e, sp=H.SP_TEST))


def test_worst_state_order_critical_warning_unknown_ok():
    ok = H.make_job("okapp", last_success_ago=60)
    warn = H.make_job("warnapp", code="NotConfigured")
    unk = H.make_job("unkapp", code="Sideways")
    crit = H.make_job("critapp", code="Quarantine", quarantine=H.shape("qUnknown")["status"]["quarantine"])
    expect(_serve([ok, unk])[1], 3)
    expect(_serve([ok, unk, warn])[1], 1, first_contains=["warnapp"])
    expect(_serve([unk, warn, crit, ok])[1], 2, first_contains=["critapp"])
    expect(_serve([ok])[1], 0)


def test_colliding_template_ids_use_job_ids_in_perfdata():
    a = H.make_job("scim", hexid="11" * 16, last_success_ago=60)
    b = H.make_job("scim", hexid="22" * 16, last_success_ago=60)
    e, r = _serve([a, b])
    expect(r, 0)
    labels = [k for k in perfdata(r) if k.endswith("last_success_age")]
    eq(len(set(labels)), 2, "distinct last_success_age labels", r)


def test_empty_service_principal_is_unknown_naming_it():
    e, r = _serve([])
    expect(r, 3, first_contains=["no synchronization jobs", H.SP_TEST], one_line=True)


def test_paging_follows_next_link():
    e = H.emu()
    jobs = [H.make_job("app%d" % i, last_success_ago=60 + i) for i in range(5)]
    e.put_sp(H.SP_TEST, jobs)
    e.settings(page_size=2)
    r = H.run_plugin(H.check_args(e, sp=H.SP_TEST))
    expect(r, 0, contains=[j["id"] for j in jobs])
    eq(e.counters()["graph_requests"], 3, "Graph requests for 3 pages", r)


def test_paging_one_bad_page_is_unknown():
    # A next page on another host (TEST-NET, on the loopback of a network of
    # its own: SPEC 18): refused before anything is sent there.
    with H.NetNS("192.0.2.1") as ns, H.Emulator(netns=ns) as e:
        foreign = H.Sink(ns, "192.0.2.1", 80)
        jobs = [H.make_job("app%d" % i, last_success_ago=60) for i in range(5)]
        e.put_sp(H.SP_TEST, jobs)
        e.settings(page_size=2)
        e.add_fault(target="graph", path_contains="/jobs", times=-1,
                    **{"next_link": "http://192.0.2.1/v1.0/x"})
        r = H.run_plugin(H.check_args(e, sp=H.SP_TEST, extra=["-t", "5"]), netns=ns)
        expect(r, 3, max_elapsed=6)
        eq(foreign.received(), [], "what reached the next page's host", r)


def test_app_id_addressing():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, app_id=H.APP_DEMO, job=H.JOB_BOX))
    expect(r, 2)
    paths = [q["path"] for q in e.counters()["requests"] if "servicePrincipals" in q["path"]]
    true(paths and all("appId=" in p for p in paths), "requests did not use appId: %s" % paths, r)


def test_app_id_all_jobs_with_paging():
    e = H.emu()
    e.settings(page_size=1)
    r = H.run_plugin(H.check_args(e, app_id=H.APP_DEMO))
    expect(r, 2, contains=[H.JOB_SCIM, H.JOB_BOX])
    eq(e.counters()["graph_requests"], 2, "Graph requests", r)


def test_beta_api_version():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["--api-version", "beta"]))
    expect(r, 0)
    true(any(q["path"].startswith("/beta/") for q in e.counters()["requests"]),
         "no request went to /beta", r)


def test_tenant_domain_name():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, tenant=H.TENANT_DOMAIN))
    expect(r, 0)


def test_request_headers():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 0)
    for q in e.counters()["requests"]:
        h = q["headers"]
        true((h["User-Agent"] or "").startswith("check_entra_sync/"), "User-Agent %r" % h["User-Agent"], r)
        if q["path"].startswith("/v1.0/"):
            true(h["client-request-id"], "no client-request-id on %s" % q["path"], r)
            true(h["Authorization-present"], "no Authorization on %s" % q["path"], r)


def test_environment_identity():
    e = H.emu()
    cid, secret = H.CLIENTS["reader"]
    H.secret_file(secret)
    args = ["--login-url", e.url, "--graph-url", e.url, "--token-cache", H.cache_dir(),
            "-s", H.SP_DEMO, "-j", H.JOB_SCIM]
    r = H.run_plugin(args, env={"AZURE_TENANT_ID": H.TENANT, "AZURE_CLIENT_ID": cid,
                                "AZURE_CLIENT_SECRET": secret})
    expect(r, 0)


def test_no_identity_is_usage_error():
    e = H.emu()
    r = H.run_plugin(["--login-url", e.url, "--graph-url", e.url, "-s", H.SP_DEMO])
    eq(r.rc, 3, "exit code", r)
    eq(e.counters()["graph_requests"], 0, "Graph requests", r)


def test_output_has_no_pipe_in_text_and_c_locale_numbers():
    e = H.emu()
    r = H.run_plugin(H.check_args(e), env={"LC_ALL": "de_DE.UTF-8"})
    expect(r, 2)
    true(r.first_line.count("|") == 1, "the first line must hold exactly one '|'", r)
    for k, v in perfdata(r).items():
        true("," not in v, "perfdata %s=%s is not in C locale" % (k, v), r)


# -- other identities (smoke: the full matrix belongs to the auth tests) -----------
def test_certificate_sign_in_rs256_and_ps256():
    e = H.emu()
    cid = "cccccccc-0000-0000-0000-000000000001"
    with open(os.path.join(H.certs(), "client.crt")) as f:
        e.add_client(cid, certificate_pem=f.read(), permissions=[H.READ])

    def args(pem="client.pem", *extra):
        return ["-T", H.TENANT, "-C", cid, "--login-url", e.url, "--graph-url", e.url,
                "--token-cache", H.cache_dir(), "-s", H.SP_DEMO, "-j", H.JOB_SCIM,
                "--certificate", os.path.join(H.certs(), pem)] + list(extra)

    expect(H.run_plugin(args()), 0)
    expect(H.run_plugin(args("client.pem", "--jwt-alg", "PS256")), 0)
    eq(e.counters()["assertion_algs"], {"RS256": 1, "PS256": 1}, "JWT algorithms")
    r = H.run_plugin(args("client2.pem"))
    expect(r, 3, first_contains=["AADSTS700027"])


def test_managed_identity_system_and_user():
    e = H.emu()
    base = ["--imds-url", e.url, "--graph-url", e.url, "-s", H.SP_DEMO, "-j", H.JOB_SCIM]
    expect(H.run_plugin(["--managed-identity", "--token-cache", H.cache_dir()] + base), 0)
    expect(H.run_plugin(["--managed-identity=" + H.MI_USER, "--token-cache", H.cache_dir()]
                        + base), 0)
    c = e.counters()
    eq(c["sign_ins"], {H.MI_SYSTEM: 1, H.MI_USER: 1}, "managed identity tokens")
    true(all(q["headers"]["Metadata"] == "true" for q in c["requests"]
             if q["path"].startswith("/metadata/")), "IMDS request without Metadata: true")


# -- HTTPS ---------------------------------------------------------------------
def test_https_with_cacert():
    e = H.emu(tls=True)
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM)), 0)


def test_https_with_capath():
    e = H.emu(tls=True)
    args = H.check_args(e, job=H.JOB_SCIM)
    i = args.index("--cacert")
    args[i:i + 2] = ["--capath", os.path.join(H.certs(), "capath")]
    expect(H.run_plugin(args), 0)


def test_https_untrusted_ca_fails():
    e = H.emu(tls="untrusted")
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 3, max_elapsed=10)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins through an untrusted server", r)


def test_https_wrong_host_fails():
    e = H.emu(tls="wronghost")
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 3, max_elapsed=10)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins through a wrong-host server", r)


def test_https_without_trust_anchor_fails():
    e = H.emu(tls=True)
    args = H.check_args(e, job=H.JOB_SCIM)
    i = args.index("--cacert")
    del args[i:i + 2]
    expect(H.run_plugin(args), 3)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins without trusting the test CA")


def test_plain_http_to_non_loopback_refused():
    # The emulator answers on 192.0.2.10 too, inside a network of its own
    # (SPEC 18): a plugin that sent anything there would be seen, not leak.
    with H.NetNS("192.0.2.10") as ns, H.Emulator(netns=ns, host="0.0.0.0") as e:
        for opt, sent in (("--graph-url", "graph_requests"), ("--login-url", "sign_ins_total")):
            e.reset()
            args = H.check_args(e, job=H.JOB_SCIM, extra=["-t", "10"])
            args[args.index(opt) + 1] = "http://192.0.2.10:%d" % e.port
            r = H.run_plugin(args, netns=ns)
            expect(r, 3, first_contains=["refusing plain http:// to 192.0.2.10"])
            eq(e.counters()[sent], 0, "%s with %s at 192.0.2.10" % (sent, opt), r)
