# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix (doc/design.md: HTTP and failures): network, TLS and body faults each
end in exactly one output line "ENTRA SYNC UNKNOWN - <cause>" (or the -t
state), exit 3, inside the deadline; and neither the token nor the secret
ever goes to a host other than the configured Graph and login hosts."""

import datetime
import json
import os
import socket
import tempfile
import time

import harness as H
from harness import eq, true

DEADLINE = 10
# Time allowed past the deadline: process start, sign-in, clean-up; much more
# under valgrind, whose start-up alone takes seconds.
SLACK = 15.0 if H.VALGRIND else 3.0


_held = []


def closed_port():
    """A loopback port nobody listens on: bound and held, never listening,
    for the rest of the run (a connection is refused). Released at once, the
    port could go to another run's emulator on this machine before the
    plugin connects, and the plugin's request with it."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    _held.append(s)
    return s.getsockname()[1]


def run(e, job=H.JOB_SCIM, deadline=DEADLINE, extra=(), graph_url=None, login_url=None,
        timeout_state=None, netns=None):
    t = str(deadline) + (":" + timeout_state if timeout_state else "")
    args = H.check_args(e, job=job, extra=["-t", t] + list(extra))
    if graph_url:
        args[args.index("--graph-url") + 1] = graph_url
    if login_url:
        args[args.index("--login-url") + 1] = login_url
    return H.run_plugin(args, timeout=deadline + 30, netns=netns)


def ends_with_one_line(r, rc=3, deadline=DEADLINE, cause=()):
    """Exit rc, stdout exactly one line "ENTRA SYNC <STATE> - <cause>", done
    within deadline + SLACK seconds."""
    state = H.STATES[rc]
    prefix = "ENTRA SYNC %s - " % state
    eq(r.rc, rc, "exit status", r)
    true(r.stdout.startswith(prefix), "stdout does not start with %r" % prefix, r)
    true(r.stdout.endswith("\n") and r.stdout.count("\n") == 1,
         "stdout is not exactly one line", r)
    text = r.first_line[len(prefix):]
    true(len(text.strip()) >= 8, "the cause is missing or too short: %r" % text, r)
    true(text.count("|") <= 1, "more than one '|' on the line", r)
    for c in cause:
        true(c.lower() in r.first_line.lower(), "the line does not mention %r" % c, r)
    true(r.elapsed <= deadline + SLACK,
         "took %.2f s, deadline %d s + %.0f s" % (r.elapsed, deadline, SLACK), r)
    return r


def no_request_reached(foreign, r):
    """The foreign host saw no request at all (and none with a token)."""
    c = foreign.counters()
    with_auth = [q for q in c["requests"] if q["headers"].get("Authorization-present")]
    eq(with_auth, [], "requests with Authorization at the foreign host", r)
    eq(c["requests"], [], "requests at the foreign host", r)
    eq(c["sign_ins_total"] + c["sign_in_failures"], 0, "sign-ins at the foreign host", r)


def list_url(base, sp=H.SP_DEMO, skip=1):
    return "%s/v1.0/servicePrincipals/%s/synchronization/jobs?$skiptoken=%d" % (base, sp, skip)


# -- network --------------------------------------------------------------------
def test_graph_connection_refused_is_unknown():
    e = H.emu()
    r = run(e, graph_url="http://127.0.0.1:%d" % closed_port())
    ends_with_one_line(r, cause=["cannot connect", "connection refused"])
    eq(e.counters()["sign_ins_total"], 1, "sign-ins")


def test_login_connection_refused_is_unknown():
    e = H.emu()
    r = run(e, login_url="http://127.0.0.1:%d" % closed_port())
    ends_with_one_line(r, cause=["sign-in: cannot connect", "connection refused"])
    eq(e.counters()["graph_requests"], 0, "Graph requests without a token", r)


# A name that does not resolve: looked up in a network of its own, so the
# query never leaves the machine (SPEC 18).
def test_unresolvable_graph_host_is_unknown():
    with H.NetNS() as ns, H.Emulator(netns=ns) as e:
        r = run(e, graph_url="https://nonexistent.invalid", netns=ns)
        ends_with_one_line(r)


def test_unresolvable_login_host_is_unknown():
    with H.NetNS() as ns, H.Emulator(netns=ns) as e:
        r = run(e, login_url="https://nonexistent.invalid", netns=ns)
        ends_with_one_line(r)
        eq(e.counters()["graph_requests"], 0, "Graph requests without a token", r)


# -- TLS --------------------------------------------------------------------------
def test_untrusted_ca_is_unknown_and_nothing_is_sent():
    e = H.emu("untrusted")
    r = ends_with_one_line(run(e))
    c = e.counters()
    eq(c["requests"], [], "requests that got past the TLS handshake", r)
    eq(c["sign_ins_total"] + c["sign_in_failures"], 0, "sign-in attempts", r)


def test_wrong_host_name_in_certificate_is_unknown_and_nothing_is_sent():
    e = H.emu("wronghost")
    r = ends_with_one_line(run(e))
    c = e.counters()
    eq(c["requests"], [], "requests that got past the TLS handshake", r)
    eq(c["sign_ins_total"] + c["sign_in_failures"], 0, "sign-in attempts", r)


def test_untrusted_graph_after_trusted_sign_in_sends_no_token():
    good = H.emu(True)
    bad = H.emu("untrusted")
    r = ends_with_one_line(run(good, graph_url=bad.url))
    eq(good.counters()["sign_ins_total"], 1, "sign-ins")
    eq(bad.counters()["requests"], [], "requests at the untrusted Graph", r)


# -- broken bodies -----------------------------------------------------------------
def test_server_closing_mid_body_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", truncate=True, times=-1)
    ends_with_one_line(run(e))


def test_login_closing_mid_body_is_unknown():
    e = H.emu()
    e.add_fault(target="login", truncate=True, times=-1)
    ends_with_one_line(run(e))
    eq(e.counters()["graph_requests"], 0, "Graph requests without a token")


def test_body_trickled_past_the_deadline_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", trickle=1)
    ends_with_one_line(run(e, deadline=3), deadline=3)


def test_body_trickled_past_the_deadline_gives_the_timeout_state():
    e = H.emu()
    e.add_fault(target="graph", trickle=1)
    ends_with_one_line(run(e, deadline=3, timeout_state="critical"), rc=2, deadline=3)


def test_sign_in_trickled_past_the_deadline_is_unknown():
    e = H.emu()
    e.add_fault(target="login", trickle=1)
    ends_with_one_line(run(e, deadline=3), deadline=3)


def test_8_mib_body_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", oversize=8 * 1024 * 1024)
    ends_with_one_line(run(e))


def test_8_mib_job_list_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", oversize=8 * 1024 * 1024)
    ends_with_one_line(run(e, job=None))


def test_8_mib_token_answer_is_unknown():
    e = H.emu()
    e.add_fault(target="login", oversize=8 * 1024 * 1024)
    ends_with_one_line(run(e))


def test_10000_levels_of_nesting_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", nest=10000)
    ends_with_one_line(run(e))


def test_10000_levels_of_nesting_in_the_token_answer_is_unknown():
    e = H.emu()
    e.add_fault(target="login", nest=10000)
    ends_with_one_line(run(e))


def test_nested_objects_in_a_job_list_are_unknown():
    e = H.emu()
    body = '{"value":[' + '{"a":' * 10000 + '1' + '}' * 10000 + ']}'
    e.add_fault(target="graph", status=200, body=body)
    ends_with_one_line(run(e, job=None))


def test_invalid_utf8_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", invalid_utf8=True)
    ends_with_one_line(run(e))


def test_invalid_utf8_in_a_job_list_is_unknown():
    e = H.emu()
    e.add_fault(target="graph", invalid_utf8=True)
    ends_with_one_line(run(e, job=None))


def test_invalid_utf8_in_the_token_answer_is_unknown():
    e = H.emu()
    e.add_fault(target="login", invalid_utf8=True)
    ends_with_one_line(run(e))


def _job_body(**status_changes):
    job = H.make_job(template="scim", hexid="0123456789abcdef0123456789abcdef")
    job["status"].update(status_changes)
    return json.dumps(job)


def _raw_job(e, text):
    """Serves text (with the emulator's time templates expanded by hand) as the job."""
    iso = datetime.datetime.fromtimestamp(time.time() - 600, datetime.timezone.utc)
    text = text.replace('"{{now-600}}"', '"%s"' % iso.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"))
    e.add_fault(target="graph", status=200, body=text, times=-1)


def test_escrow_count_1e400_is_unknown_not_ok():
    e = H.emu()
    text = _job_body().replace('"countEscrowed": 0', '"countEscrowed": 1e400', 1)
    true("1e400" in text, "test set-up: countEscrowed not replaced")
    _raw_job(e, text)
    ends_with_one_line(run(e, extra=["--escrow-warning", "10", "--escrow-critical", "100"]))


def test_escrow_count_past_int64_is_unknown_not_ok():
    e = H.emu()
    text = _job_body().replace('"countEscrowed": 0', '"countEscrowed": 99999999999999999999', 1)
    _raw_job(e, text)
    ends_with_one_line(run(e, extra=["--escrow-warning", "10", "--escrow-critical", "100"]))


def test_failure_count_past_int64_is_unknown_not_ok():
    e = H.emu()
    text = _job_body().replace('"countSuccessiveCompleteFailures": 0',
                               '"countSuccessiveCompleteFailures": 99999999999999999999', 1)
    true("99999999999999999999" in text, "test set-up: count not replaced")
    _raw_job(e, text)
    ends_with_one_line(run(e))


def test_failure_count_1e400_is_unknown_not_ok():
    e = H.emu()
    text = _job_body().replace('"countSuccessiveCompleteFailures": 0',
                               '"countSuccessiveCompleteFailures": 1e400', 1)
    _raw_job(e, text)
    ends_with_one_line(run(e))


def test_token_lifetime_1e400_is_unknown():
    e = H.emu()
    e.add_fault(target="login", status=200,
                body='{"token_type":"Bearer","expires_in":1e400,"access_token":"x"}')
    ends_with_one_line(run(e))


def _quarantine_coded(as_written):
    """The quarantined job with its status code written as_written."""
    text = _job_body(code="Quarantine").replace('"code": "Quarantine"', as_written, 1)
    true(as_written in text, "test set-up: %s not inserted" % as_written)
    return text


def test_duplicated_status_code_is_unknown_not_ok():
    # Graph never repeats a member; when one comes twice the plugin cannot
    # tell which is meant, and json-c silently keeps the last one.
    e = H.emu()
    _raw_job(e, _quarantine_coded('"code": "Quarantine", "code": "Active"'))
    ends_with_one_line(run(e))


def test_duplicated_key_written_with_an_escape_is_unknown_not_ok():
    # "c\u006fde" is "code" once json-c has decoded it
    e = H.emu()
    _raw_job(e, _quarantine_coded('"code": "Quarantine", "c\\u006fde": "Active"'))
    ends_with_one_line(run(e))


def test_a_nul_escaped_in_the_status_code_is_unknown_not_ok():
    # every C string ends at the NUL: "Active\u0000..." would read as Active
    e = H.emu()
    _raw_job(e, _quarantine_coded('"code": "Active\\u0000Quarantine"'))
    ends_with_one_line(run(e), cause=["NUL"])


def test_duplicated_job_list_is_unknown_not_ok():
    e = H.emu()
    bad = json.loads(_job_body(code="Quarantine"))
    good = json.loads(_job_body())
    text = '{"value": [%s], "value": [%s]}' % (json.dumps(bad), json.dumps(good))
    _raw_job(e, text)
    ends_with_one_line(run(e, job=None))


# -- throttling ---------------------------------------------------------------------
def test_garbage_retry_after_neither_hangs_nor_spins():
    e = H.emu()
    e.add_fault(target="graph", status=429, retry_after="soon-ish, maybe", times=-1)
    r = ends_with_one_line(run(e, deadline=5), deadline=5)
    n = e.counters()["graph_requests"]
    true(1 <= n <= 10, "Graph requests in 5 s of 429 with garbage Retry-After: %d" % n, r)


def test_negative_retry_after_neither_hangs_nor_spins():
    e = H.emu()
    e.add_fault(target="graph", status=429, retry_after="-1", times=-1)
    r = ends_with_one_line(run(e, deadline=5), deadline=5)
    n = e.counters()["graph_requests"]
    true(1 <= n <= 10, "Graph requests in 5 s of 429 with Retry-After -1: %d" % n, r)


def test_huge_retry_after_reports_throttling_at_once():
    e = H.emu()
    e.add_fault(target="graph", status=429, retry_after="1e400", times=-1)
    r = ends_with_one_line(run(e, deadline=5), deadline=5)
    true(e.counters()["graph_requests"] <= 10, "Graph requests", r)


def test_garbage_retry_after_on_sign_in_neither_hangs_nor_spins():
    e = H.emu()
    e.add_fault(target="login", status=503, retry_after="\x7f\x7f", times=-1)
    r = ends_with_one_line(run(e, deadline=5), deadline=5)
    c = e.counters()
    n = sum(1 for q in c["requests"] if "oauth2" in q["path"])
    true(1 <= n <= 10, "sign-in attempts in 5 s of 503: %d" % n, r)


# -- where the token may go ---------------------------------------------------------
def test_next_link_to_another_host_is_refused_and_gets_no_token():
    e = H.emu()
    with H.Emulator() as foreign:
        e.add_fault(target="graph", next_link=list_url(foreign.url))
        r = ends_with_one_line(run(e, job=None))
        no_request_reached(foreign, r)


def test_next_link_to_another_port_of_loopback_is_refused():
    e = H.emu()
    with H.Emulator() as foreign:
        e.add_fault(target="graph", next_link=list_url(foreign.url.replace("127.0.0.1",
                                                                          "localhost")))
        r = ends_with_one_line(run(e, job=None))
        no_request_reached(foreign, r)


def test_next_link_with_userinfo_trick_is_refused():
    e = H.emu()
    with H.Emulator() as foreign:
        trick = "http://127.0.0.1:%d@127.0.0.1:%d" % (e.port, foreign.port)
        e.add_fault(target="graph", next_link=list_url(trick))
        r = ends_with_one_line(run(e, job=None))
        no_request_reached(foreign, r)


def test_next_link_to_plain_http_of_a_tls_graph_is_refused():
    e = H.emu(True)
    with H.Emulator() as foreign:
        e.add_fault(target="graph", next_link=list_url("http://localhost:%d" % foreign.port))
        r = ends_with_one_line(run(e, job=None))
        no_request_reached(foreign, r)


def test_graph_redirect_is_not_followed():
    e = H.emu()
    with H.Emulator() as foreign:
        e.add_fault(target="graph", redirect=foreign.url + "/v1.0/servicePrincipals/%s/"
                    "synchronization/jobs/%s" % (H.SP_DEMO, H.JOB_SCIM), times=-1)
        r = ends_with_one_line(run(e))
        no_request_reached(foreign, r)
        eq(e.counters()["graph_requests"], 1, "Graph requests", r)


def test_graph_redirect_307_is_not_followed():
    e = H.emu()
    with H.Emulator() as foreign:
        e.add_fault(target="graph", status=307, redirect=foreign.url + "/v1.0/x", times=-1)
        r = ends_with_one_line(run(e))
        no_request_reached(foreign, r)


def test_sign_in_redirect_does_not_carry_the_secret_away():
    e = H.emu()
    with H.Emulator() as foreign:
        e.add_fault(target="login", status=307,
                    redirect=foreign.url + "/%s/oauth2/v2.0/token" % H.TENANT, times=-1)
        r = ends_with_one_line(run(e))
        no_request_reached(foreign, r)
        eq(e.counters()["graph_requests"], 0, "Graph requests without a token", r)


def test_list_redirect_is_not_followed():
    e = H.emu()
    with H.Emulator() as foreign:
        e.add_fault(target="graph", redirect=list_url(foreign.url, skip=0), times=-1)
        r = ends_with_one_line(run(e, job=None))
        no_request_reached(foreign, r)


# -- syslog ---------------------------------------------------------------------------
def test_stalled_syslog_does_not_hang_the_handler():
    # A syslog daemon that stopped reading: its socket accepts no more
    # datagrams. The handler's decision line must not block the run past its
    # deadline.
    with H.Syslog() as log:
        filler = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            filler.connect(log.path)
            filler.setblocking(False)
            filled = 0
            try:
                for _ in range(100000):
                    filler.send(b"<14>filler: the receiver is stuck")
                    filled += 1
            except BlockingIOError:
                pass
            true(filled < 100000, "the syslog socket never filled up")
            e = H.emu()
            sdir = H.scratch_dir("state-")
            os.chmod(sdir, 0o700)
            r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX, extra=[
                "-t", "5", "--event-handler", "--state-dir", sdir, "CRITICAL", "HARD", "3"]),
                env=log.env, timeout=5 + 30)
        finally:
            filler.close()
    true(r.elapsed <= 5 + SLACK, "the handler took %.2f s with a stalled syslog" % r.elapsed, r)
    eq(r.rc, 0, "exit status of a handler that started the job", r)
    eq(e.counters()["starts"].get(H.JOB_BOX), 1, "starts of the Box job", r)

