# SPDX-License-Identifier: GPL-3.0-or-later
"""Every class of failure ends in UNKNOWN (or the -t state) with a reason on
one line: sign-in errors, Graph errors, bad bodies, throttling, deadlines."""

import os

import harness as H
from harness import expect, eq, true


def run(e, job=H.JOB_SCIM, **kw):
    return H.run_plugin(H.check_args(e, job=job, **kw))


# -- sign-in --------------------------------------------------------------------
def test_wrong_secret_names_aadsts7000215_not_the_secret():
    e = H.emu()
    wrong = "wrong-secret-Vx9~NOTIT"
    r = run(e, client=(H.CLIENTS["reader"][0], wrong))
    expect(r, 3, first_contains=["AADSTS7000215"], absent=[wrong], one_line=True)
    eq(e.counters()["graph_requests"], 0, "Graph requests after a failed sign-in", r)


def test_secret_file_trailing_crlf_is_stripped():
    e = H.emu()
    cid, secret = H.CLIENTS["reader"]
    path = H.secret_file(secret)
    with open(path, "w") as f:
        f.write(secret + "\r\n")
    args = H.check_args(e, job=H.JOB_SCIM)
    args[args.index("--client-secret-file") + 1] = path
    expect(H.run_plugin(args), 0)


def test_unknown_tenant():
    e = H.emu()
    r = run(e, tenant="99999999-2222-3333-4444-555555555555")
    expect(r, 3, first_contains=["AADSTS90002"], one_line=True)


def test_unknown_client():
    e = H.emu()
    r = run(e, client=("dddddddd-0000-0000-0000-000000000009", "whatever-secret-1~x"))
    expect(r, 3, first_contains=["AADSTS700016"], one_line=True)


def test_unreadable_secret_file():
    e = H.emu()
    args = H.check_args(e, job=H.JOB_SCIM)
    args[args.index("--client-secret-file") + 1] = "/nonexistent/secret"
    r = H.run_plugin(args)
    expect(r, 3, first_contains=["/nonexistent/secret"])
    eq(e.counters()["sign_ins_total"] + e.counters()["sign_in_failures"], 0, "sign-in attempts", r)


def _fifo():
    path = os.path.join(H.cache_dir(), "fifo")
    os.mkfifo(path, 0o600)
    return path


def test_credential_files_that_are_fifos_do_not_hang():
    # Opening a FIFO for reading blocks until a writer comes: a mistyped path
    # must not hold the run past its deadline (nor the -t it was given).
    e = H.emu()
    base = H.check_args(e, job=H.JOB_SCIM, extra=["-t", "5"])
    i = base.index("--client-secret-file")
    for option in ("--client-secret-file", "--certificate", "--access-token-file"):
        fifo = _fifo()
        args = base[:i] + [option, fifo] + base[i + 2:]
        r = H.run_plugin(args, timeout=30)
        expect(r, 3, first_contains=["not a regular file", fifo], one_line=True)
        true(r.elapsed < 5, "%s on a FIFO took %.1fs" % (option, r.elapsed), r)


def test_sign_in_throttled_then_ok():
    e = H.emu()
    e.add_fault(target="login", status=503, retry_after="0.3")
    expect(run(e), 0)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins")


# -- Graph errors ---------------------------------------------------------------
def test_unknown_job_is_resource_not_found():
    e = H.emu()
    r = run(e, job="scim.ffffffffffffffffffffffffffffffff")
    expect(r, 3, first_contains=["Request_ResourceNotFound"], one_line=True)


def test_unknown_service_principal():
    e = H.emu()
    r = run(e, job=None, sp="5a1f0c2e-0000-4000-8000-00000000dead")
    expect(r, 3, first_contains=["Request_ResourceNotFound"])


def test_missing_permission_names_synchronization_read_all():
    e = H.emu()
    r = run(e, client="noperm")
    expect(r, 3, first_contains=["Synchronization.Read.All"], one_line=True)


def test_missing_permission_is_not_retried_forever():
    e = H.emu()
    r = run(e, client="noperm")
    expect(r, 3)
    true(e.counters()["graph_requests"] <= 2, "Graph requests: %d" % e.counters()["graph_requests"], r)


def test_graph_error_reports_code_message_status_and_request_id():
    e = H.emu()
    e.add_fault(target="graph", status=400, json={"error": {
        "code": "Request_BadRequest", "message": "Invalid object identifier 'x'.",
        "innerError": {"request-id": "0b7c4d2e-1111-2222-3333-444455556666"}}},
        headers={"request-id": "0b7c4d2e-1111-2222-3333-444455556666"})
    r = run(e)
    expect(r, 3, first_contains=["Request_BadRequest", "Invalid object identifier", "400",
                                 "0b7c4d2e-1111-2222-3333-444455556666"])


# -- bad bodies -------------------------------------------------------------------
def test_malformed_json_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", status=200, body='{"id": "scim.x", "status": {"code": "Act')
    expect(run(e), 3, one_line=True)


def test_truncated_body_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", truncate=True)
    expect(run(e), 3, one_line=True)


def test_oversized_body_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", oversize=8 * 1024 * 1024)
    expect(run(e, job=None), 3, one_line=True)


def test_oversized_body_single_job_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", oversize=8 * 1024 * 1024)
    expect(run(e), 3, one_line=True)


def test_wrong_shape_bodies_are_unknown_never_ok():
    e = H.emu()
    for body, job in (('{"value": {"id": 1}}', None), ('{"value": [1, 2]}', None),
                      ('[]', H.JOB_SCIM), ('"Active"', H.JOB_SCIM),
                      ('{"id": "scim.x", "status": "Active"}', H.JOB_SCIM),
                      ('{"id": "scim.x", "status": {"code": 7}}', H.JOB_SCIM),
                      ('{"value": []} trailing', None), ('', H.JOB_SCIM)):
        e.reset()
        e.add_fault(target="graph", status=200, body=body)
        r = run(e, job=job)
        expect(r, 3)


def test_html_body_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", status=200, body="<html><body>Proxy login</body></html>",
                headers={"Content-Type": "text/html"})
    expect(run(e), 3, one_line=True)


def test_deeply_nested_json_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", status=200, nest=100000)
    expect(run(e), 3, one_line=True)


def test_redirect_is_not_followed():
    e = H.emu()
    e.add_fault(target="graph", redirect=e.url + "/v1.0/servicePrincipals/%s/synchronization/jobs/%s"
                % (H.SP_DEMO, H.JOB_SCIM))
    r = run(e)
    expect(r, 3)
    eq(e.counters()["graph_requests"], 1, "Graph requests (redirect followed?)", r)


def test_dropped_connection_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", drop=True, times=-1)
    expect(run(e, extra=["-t", "8"]), 3, one_line=True, max_elapsed=9)


def test_server_error_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", status=500, times=-1)
    expect(run(e), 3, first_contains=["500"], one_line=True)


# -- throttling and deadlines ----------------------------------------------------------
def test_429_fractional_retry_after_then_ok():
    e = H.emu()
    e.add_fault(target="graph", status=429, retry_after="0.5")
    r = run(e)
    expect(r, 0)
    eq(e.counters()["graph_requests"], 2, "Graph requests", r)
    true(r.elapsed >= 0.45, "did not wait Retry-After 0.5 (%.2f s)" % r.elapsed, r)


def test_503_then_ok():
    e = H.emu()
    e.add_fault(target="graph", status=503, retry_after="0.2", times=2)
    r = run(e)
    expect(r, 0)
    eq(e.counters()["graph_requests"], 3, "Graph requests", r)


def test_429_http_date_retry_after():
    import email.utils
    import time
    e = H.emu()
    e.add_fault(target="graph", status=429,
                headers={"Retry-After": email.utils.formatdate(time.time() + 1, usegmt=True)})
    r = run(e)
    expect(r, 0, max_elapsed=6)
    eq(e.counters()["graph_requests"], 2, "Graph requests", r)


def test_429_retry_after_beyond_deadline_reports_throttling():
    e = H.emu()
    e.add_fault(target="graph", status=429, retry_after="120", times=-1)
    r = run(e, extra=["-t", "5"])
    expect(r, 3, first_contains=["throttl"], one_line=True, max_elapsed=6)
    true("120" in r.first_line, "the requested delay is not reported", r)


def test_slow_answer_past_deadline_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", delay=10)
    r = run(e, extra=["-t", "3"])
    expect(r, 3, one_line=True, max_elapsed=4)


def test_timeout_state_critical():
    e = H.emu()
    e.add_fault(target="graph", delay=10)
    r = run(e, extra=["-t", "3:critical"])
    expect(r, 2, max_elapsed=4)


def test_timeout_state_is_the_checks_only():
    # --list and --start say whether they did it: a timeout did not
    for mode in (["--list"], ["--start"]):
        e = H.emu()
        e.add_fault(target="graph", delay=10)
        r = run(e, job=H.JOB_BOX if mode == ["--start"] else None,
                client="writer", extra=mode + ["-t", "2:ok"])
        expect(r, 3, first_contains=["timeout after 2s"], max_elapsed=3)


def test_slow_sign_in_counts_against_the_deadline():
    e = H.emu()
    e.add_fault(target="login", delay=2)
    e.add_fault(target="graph", delay=2)
    r = run(e, extra=["-t", "3"])
    expect(r, 3, max_elapsed=4)


def test_trickled_body_past_deadline_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", trickle=200)
    r = run(e, extra=["-t", "3"])
    expect(r, 3, max_elapsed=4)


def test_a_sign_in_answered_404_is_asked_once_with_a_job_named():
    """-j reads the list when Graph does not know that spelling (404); a 404
    from the sign-in is not that, and must not sign in a second time."""
    e = H.emu()
    e.add_fault(target="login", status=404, times=5)
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    expect(r, 3)
    logins = [q for q in e.counters()["requests"] if "/oauth2/" in q["path"]]
    eq(len(logins), 1, "sign-in requests", r)
    eq(H.graph_requests(e.counters()), 0, "Graph requests", r)
