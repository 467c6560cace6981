# SPDX-License-Identifier: GPL-3.0-or-later
"""--object-errors (SPEC 15): the provisioning logs of a troubled job's last
cycle in the check and the handler's decision line; the documented filter,
paging and its cap, one read per job and cycle shared by the check and the
handler, the application's shared window of five requests per 10 s, 429
inside -t, the permissions and the licence, hostile text."""

import glob
import os
import re
import stat
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import harness as H
from harness import eq, expect, true

SP = H.SP_TEST
JOB = "scim.0b1e2c3d4e5f60718293a4b5c6d7e8f9"
OTHER = "scim.ffffffffffffffffffffffffffffffff"
BEGAN, ENDED = 1300, 1200   # the last cycle, seconds ago: read long after its end


def _job(job_id=JOB, code="Active", state="EntryLevelErrors", escrowed=12, began=BEGAN,
         ended=ENDED, quarantine=None, failures=0):
    j = H.make_job(template="scim", code=code, escrowed=escrowed, last_state=state,
                   quarantine=quarantine, failures=failures, hexid=job_id.split(".")[1])
    le = j["status"]["lastExecution"]
    le["timeBegan"] = "{{now-%d}}" % began
    le["timeEnded"] = "{{now-%d}}" % ended if ended is not None else H.SENTINEL
    return j


def _setup(e, jobs=None):
    e.put_sp(SP, jobs if jobs is not None else [_job(), _job(OTHER, state="Succeeded",
                                                             escrowed=0)])


def _events(e, job=JOB, frm=BEGAN - 10, to=ENDED + 10, **kw):
    return e.control("POST", "/_emu/provisioning/events", dict(kw, jobId=job, **{"from": frm,
                                                                              "to": to}))


def _mixed(e):
    """The last cycle of JOB: 11 failed objects under three codes (one of
    them failing twice), successes; the same codes in an older cycle and in
    another job's cycle, which must not count."""
    _events(e, failures=[{"code": "SystemForCrossDomainIdentityManagementBadResponse",
                          "objects": 7, "repeat": 2, "category": "nonServiceFailure",
                          "reason": "The SCIM endpoint answered 400 for this user."},
                         {"code": "AttributeMappingMissing", "objects": 3,
                          "category": "configurationFailure"},
                         {"code": "DuplicateTargetEntries", "objects": 1}],
            successes=20)
    _events(e, frm=9000, to=8000, failures=[{"code": "OldCycleError", "objects": 40}])
    _events(e, job=OTHER, failures=[{"code": "OtherJobError", "objects": 30}])


def _check(e, client="logreader", job=None, extra=(), cache=None, opt=True):
    args = H.check_args(e, client=client, sp=SP, job=job, cache=cache,
                        extra=(["--object-errors"] if opt else []) + list(extra))
    return H.run_plugin(args)


def _handler(e, cache=None, job=None, extra=(), client="logreader"):
    sdir = H.scratch_dir("state-")
    os.chmod(sdir, 0o700)
    args = H.check_args(e, client=client, sp=SP, job=job, cache=cache,
                        extra=["--object-errors", "--event-handler", "--state-dir", sdir,
                               "--dry-run"] + list(extra))
    return H.run_plugin(args + ["CRITICAL", "HARD", "3"])


def _line(r, job_id=JOB):
    found = [l for l in r.stdout.splitlines() if l.startswith("job %s:" % job_id)]
    eq(len(found), 1, "decision lines for %s" % job_id, r)
    return found[0]


def _audit(e):
    return e.counters()["audit_requests"]


def _queries(e):
    return e.control("GET", "/_emu/provisioning/queries")["queries"]


def _entry(cache):
    found = [p for p in glob.glob(os.path.join(cache, "*.objerr-*")) if not p.endswith(".lock")
             and not p.endswith("-denied")]
    eq(len(found), 1, "object error entries in %s" % cache)
    return found[0]


def _age(path, seconds, field="read_at"):
    """Makes a cache entry's field (epoch seconds) seconds older."""
    with open(path) as f:
        text = f.read()
    m = re.search(r"^%s=(\d+)$" % field, text, re.M)
    with open(path, "w") as f:
        f.write(text.replace(m.group(0), "%s=%d" % (field, int(m.group(1)) - seconds)))


# -- without the option, and the emulator's own fidelity -------------------------------
def test_without_the_option_no_audit_request_is_made():
    e = H.emu()
    _setup(e)
    _mixed(e)
    expect(_check(e, opt=False), 0)
    eq(_audit(e), 0, "provisioning log requests without --object-errors")


def test_emulator_refuses_a_filter_graph_would_refuse():
    # The plugin's filter is checked by a parser, not a string match: an
    # operator the list does not document, an enum value in another case
    # or a quoted time is Graph's 400, so a plugin that sent one would fail
    # every test below.
    e = H.emu()
    tok = e.mint_token(kind="app", roles=["AuditLog.Read.All", "Directory.Read.All"])
    for flt in ("jobId eq '%s' and activityDateTime ge 2026-01-01T00:00:00Z" % JOB,
                "jobId eq '%s' and provisioningStatusInfo/status eq 'Failure'" % JOB,
                "jobId eq '%s' and activityDateTime gt '2026-01-01T00:00:00Z'" % JOB):
        req = urllib.request.Request(
            e.url + "/v1.0/auditLogs/provisioning?$filter=" + urllib.parse.quote(flt),
            headers={"Authorization": "Bearer " + tok})
        try:
            urllib.request.urlopen(req, timeout=10)
            status = 200
        except urllib.error.HTTPError as x:
            status = x.code
        eq(status, 400, "the emulator's answer to %r" % flt)


# -- what is read, and what it says ------------------------------------------------
def test_handler_names_the_top_error_code_of_the_last_cycle_only():
    e = H.emu()
    _setup(e)
    _mixed(e)
    r = _handler(e, job=JOB)
    line = _line(r)
    true("top object error SystemForCrossDomainIdentityManagementBadResponse (7 of 11 failed "
         "objects in the last cycle)" in line, "the top code, counted in objects of the last "
         "cycle of this job only", r)
    eq(r.rc, 0, "exit status", r)


def test_the_check_names_codes_examples_and_reasons_with_the_metric():
    e = H.emu()
    _setup(e)
    _mixed(e)
    r = expect(_check(e), 0, contains=[
        "object errors of the last cycle (began ", "11 failed objects in 18 events, 3 error codes; "
        "SystemForCrossDomainIdentityManagementBadResponse (nonServiceFailure) 7 objects, e.g. "
        "User 'SystemForCrossDomainIdentityManagementBadResponse 000",
        ": The SCIM endpoint answered 400 for this user.; AttributeMappingMissing "
        "(configurationFailure) 3 objects", "; DuplicateTargetEntries (nonServiceFailure) 1 object"],
        absent=["OldCycleError", "OtherJobError"])
    got = {k: v for k, v in H.perfdata(r).items() if k.endswith("failed_objects")}
    eq(sorted(got.values()), ["0", "11"], "failed_objects of both jobs (0: the healthy one, "
       "whose last run succeeded without escrows)", r)


def test_the_first_line_names_the_top_code_when_a_threshold_is_passed():
    e = H.emu()
    _setup(e)
    _mixed(e)
    r = expect(_check(e, job=JOB, extra=["--object-errors-critical", "10"]), 2,
               first_contains=["11 failed objects in the last cycle (> 10), mostly "
                               "SystemForCrossDomainIdentityManagementBadResponse"])
    true("failed_objects=11;;10;0" in r.first_line, "the metric with its threshold", r)


def test_the_query_is_the_documented_filter_with_top():
    e = H.emu()
    _setup(e)
    _mixed(e)
    _check(e)
    q = _queries(e)
    eq(len(q), 1, "queries for one troubled job", None)
    m = re.fullmatch(r"jobId eq '(.+)' and provisioningStatusInfo/status eq 'failure' and "
                     r"activityDateTime gt (\S+Z) and activityDateTime lt (\S+Z)", q[0]["filter"])
    true(m is not None and m.group(1) == JOB, "the filter sent: %r" % q[0]["filter"])
    eq((q[0]["top"], q[0]["status"]), ("500", 200), "$top and the answer")


def test_only_troubled_jobs_are_read():
    e = H.emu()
    healthy = _job(OTHER, state="Succeeded", escrowed=0)
    _setup(e, [healthy, _job()])
    _events(e, job=OTHER, failures=[{"code": "X", "objects": 2}])
    expect(_check(e), 0)
    eq([q["filter"].split("'")[1] for q in _queries(e)], [JOB],
       "the job with entry-level errors is read, the healthy one is not")


def test_failed_objects_change_the_state_only_with_a_threshold():
    e = H.emu()
    _setup(e)
    _mixed(e)
    cache = H.cache_dir()
    expect(_check(e, cache=cache), 0)
    expect(_check(e, cache=cache, extra=["--object-errors-warning", "10"]), 1,
           first_contains=["11 failed objects in the last cycle (> 10)"])
    expect(_check(e, cache=cache, extra=["--object-errors-critical", "5"]), 2)
    expect(_check(e, cache=cache, extra=["--object-errors-warning", "20"]), 0)
    eq(_audit(e), 1, "reads for four checks of one cycle")


def test_a_threshold_alone_turns_the_reading_on():
    e = H.emu()
    _setup(e)
    _mixed(e)
    expect(_check(e, opt=False, extra=["--object-errors-critical", "10"]), 2)
    eq(_audit(e), 1, "reads")


def test_object_errors_with_list_or_start_is_a_usage_error():
    e = H.emu()
    for mode in (["--list"], ["--start", "-j", JOB], ["--directory-sync"]):
        args = ["-T", H.TENANT, "-C", H.CLIENTS["logreader"][0], "--client-secret-file",
                H.secret_file(H.CLIENTS["logreader"][1]), "--graph-url", e.url,
                "--login-url", e.url, "--object-errors"] + mode
        if mode[0] != "--directory-sync":
            args += ["-s", SP]
        expect(H.run_plugin(args), 3, one_line=True,
               first_contains=["--object-errors (and its thresholds) go with check mode"])


# -- cost: one read per job and cycle ------------------------------------------------
def test_one_read_per_cycle_shared_by_the_check_and_the_handler():
    e = H.emu()
    _setup(e)
    _mixed(e)
    cache = H.cache_dir()
    for _ in range(3):
        _check(e, cache=cache)
    r = _handler(e, cache=cache, job=JOB)
    true("top object error" in _line(r), "the handler's line from the cached summary", r)
    eq(_audit(e), 1, "reads of one finished cycle by three checks and a handler")
    mode = stat.S_IMODE(os.stat(_entry(cache)).st_mode)
    eq(mode, 0o600, "the entry's mode")


def test_a_new_cycle_is_read_again():
    e = H.emu()
    _setup(e)
    _mixed(e)
    cache = H.cache_dir()
    _check(e, cache=cache)
    e.next_cycle(JOB, "fail", error_code="SystemForCrossDomainIdentityManagementBadResponse",
                 duration=30)
    e.cycle(JOB)
    _events(e, frm=25, to=5, failures=[{"code": "AfterTheRestart", "objects": 2}])
    r = _handler(e, cache=cache, job=JOB)
    true("top object error AfterTheRestart (2 of 2 failed objects" in _line(r),
         "the new cycle's errors", r)
    eq(_audit(e), 2, "reads of two cycles")


def test_a_cycle_that_ended_minutes_ago_is_read_again_once_its_logs_settled():
    # Microsoft's logs arrive minutes late: a read 20 s after the cycle's end
    # answers for 10 minutes only (one read after that is kept for good: the
    # rule's unit test, test_provlog).
    e = H.emu()
    _setup(e, [_job(began=80, ended=20)])
    _events(e, frm=70, to=25, failures=[{"code": "EarlyOne", "objects": 1}])
    cache = H.cache_dir()
    _check(e, cache=cache)
    _check(e, cache=cache)
    eq(_audit(e), 1, "reads within ten minutes of the first")
    _age(_entry(cache), 601)
    _check(e, cache=cache)
    eq(_audit(e), 2, "reads once the first is ten minutes old")


def test_a_running_cycle_is_read_again_after_ten_minutes():
    e = H.emu()
    _setup(e, [_job(code="Active", state="Failed", began=300, ended=None, failures=1)])
    _events(e, frm=290, to=10, failures=[{"code": "WhileRunning", "objects": 3}])
    cache = H.cache_dir()
    _check(e, cache=cache)
    _check(e, cache=cache)
    eq(_audit(e), 1, "reads of a running cycle within ten minutes")
    true(" lt " not in _queries(e)[0]["filter"], "no end bound while the cycle runs")
    _age(_entry(cache), 601)
    _check(e, cache=cache)
    eq(_audit(e), 2, "a running cycle's summary after ten minutes")


def test_a_cycle_read_long_after_its_end_is_not_read_again_hours_later():
    e = H.emu()
    _setup(e, [_job(began=3 * 3600 + 100, ended=3 * 3600)])
    _events(e, frm=3 * 3600 + 90, to=3 * 3600 + 10, failures=[{"code": "Old", "objects": 2}])
    cache = H.cache_dir()
    _check(e, cache=cache)
    _age(_entry(cache), 2 * 3600)   # read two hours ago, an hour after the cycle's end
    _check(e, cache=cache)
    eq(_audit(e), 1, "reads of a cycle whose logs had settled")


# -- paging and the cap ---------------------------------------------------------------
def test_next_pages_are_followed():
    e = H.emu()
    _setup(e)
    _events(e, failures=[{"code": "ManyPages", "objects": 700}])
    r = _handler(e, job=JOB)
    true("top object error ManyPages (700 of 700 failed objects" in _line(r), "all pages", r)
    eq([q["skiptoken"] for q in _queries(e)], [False, True], "the first page, then the next")


def test_a_next_link_away_from_graph_is_refused_and_never_unknown():
    # another port of loopback, and the userinfo trick that names Graph's
    # host:port before the '@': no request reaches it, the check stays OK
    e = H.emu()
    _setup(e)
    _mixed(e)
    with H.Emulator() as foreign:
        for base in (foreign.url, "http://127.0.0.1:%d@127.0.0.1:%d" % (e.port, foreign.port)):
            e.add_fault(target="graph", path_contains="/auditLogs/provisioning",
                        next_link=base + "/v1.0/auditLogs/provisioning?$skiptoken=x")
            expect(_check(e, job=JOB), 0, contains=[
                "object errors of job %s not read: the provisioning logs point their next page "
                "(@odata.nextLink) away from %s" % (JOB, e.url)])
        eq(foreign.counters()["requests"], [], "requests at the foreign host")


def test_reading_stops_at_1000_events_and_says_at_least():
    e = H.emu()
    e.settings(reports_throttle=None)
    _setup(e)
    _events(e, failures=[{"code": "Flood", "objects": 1300}])
    r = _handler(e, job=JOB)
    true("top object error Flood (1000 of at least 1000 failed objects" in _line(r),
         "the cap, said", r)
    eq(len(_queries(e)), 2, "pages read for 1,300 events")


# -- permissions, licence ---------------------------------------------------------------
def test_without_the_permissions_a_note_never_a_failed_check_asked_daily():
    e = H.emu()
    _setup(e)
    _mixed(e)
    cache = H.cache_dir()
    expect(_check(e, client="writer", cache=cache), 0, contains=[
        "object errors not read: Graph refused the provisioning logs; they need the Microsoft "
        "Graph application permissions AuditLog.Read.All and Directory.Read.All (admin consent "
        "granted) and a tenant with Microsoft Entra ID P1 or P2 (asked again after "])
    r = expect(_check(e, client="writer", cache=cache, extra=["--object-errors-warning", "1"]),
               0)
    got = [v for k, v in H.perfdata(r).items() if k.endswith("failed_objects")]
    eq(got, ["0"], "failed_objects: the healthy job's 0, none for the job whose logs were "
       "refused", r)
    eq(_audit(e), 1, "asked once, the refusal remembered")
    r = _handler(e, cache=cache, job=JOB, client="writer")
    true("object errors not read: no permission AuditLog.Read.All and Directory.Read.All"
         in _line(r), "the handler names the permissions", r)
    denied = glob.glob(os.path.join(cache, "*.objerr-denied"))
    eq(len(denied), 1, "the refusal entry")
    _age(denied[0], 86401)
    _check(e, client="writer", cache=cache)
    eq(_audit(e), 2, "asked again after a day")


def test_a_tenant_without_p1_or_p2_is_a_note_too():
    e = H.emu()
    _setup(e)
    _mixed(e)
    e.control("POST", "/_emu/provisioning/licence", {"premium": False})
    cache = H.cache_dir()
    expect(_check(e, cache=cache), 0, contains=[
        "object errors not read: the tenant has no Microsoft Entra ID P1 or P2 licence, which "
        "the provisioning logs need besides AuditLog.Read.All and Directory.Read.All"])
    r = _handler(e, cache=cache, job=JOB)
    true("object errors not read: the tenant has no Microsoft Entra ID P1 or P2" in _line(r),
         "the licence named", r)
    eq(_audit(e), 1, "asked once")


# -- throttling and the deadline -----------------------------------------------------------
def test_a_429_is_waited_for_inside_the_timeout():
    e = H.emu()
    _setup(e)
    _mixed(e)
    e.add_fault(target="graph", path_contains="/auditLogs/provisioning", retry_after="1.5")
    t0 = time.monotonic()
    r = _handler(e, job=JOB)
    true("top object error" in _line(r), "read after the wait", r)
    true(time.monotonic() - t0 >= 1.5, "waited Retry-After", r)


def test_a_429_beyond_the_timeout_skips_the_logs_with_a_note_never_unknown():
    e = H.emu()
    _setup(e)
    _mixed(e)
    e.add_fault(target="graph", path_contains="/auditLogs/provisioning", retry_after="30",
                times=-1)
    r = _check(e, extra=["-t", "6", "--object-errors-warning", "1"])
    expect(r, 0, max_elapsed=6, contains=["object errors of job %s not read: Graph throttled "
                                          "the provisioning logs (HTTP 429, Retry-After 30)" % JOB])
    r = _handler(e, job=JOB, extra=["-t", "15"])
    true("object errors not read: Graph throttled the provisioning logs" in _line(r), "why", r)


def test_a_retry_after_echoing_a_secret_is_not_printed():
    # a proxy or server that echoes the caller's secret in Retry-After: the
    # note says what was read of it, never the header's text (the harness
    # fails any run that prints a client secret)
    e = H.emu()
    _setup(e)
    _mixed(e)
    e.add_fault(target="graph", path_contains="/auditLogs/provisioning",
                retry_after="x " + H.CLIENTS["logreader"][1], times=-1)
    expect(_check(e, job=JOB, extra=["-t", "8"]), 0, contains=[
        "object errors of job %s not read: Graph throttled the provisioning logs (HTTP 429, "
        "Retry-After unreadable)" % JOB])


def test_the_shared_window_keeps_concurrent_checks_under_five_requests_per_10s():
    e = H.emu()
    jobs = [_job("scim.%032x" % (0xabc0 + i)) for i in range(8)]
    _setup(e, jobs)
    for j in jobs:
        _events(e, job=j["id"], failures=[{"code": "E", "objects": 2}])
    cache = H.cache_dir()
    # one identity, one cache: 40 checks, five of each job, started together
    args = []
    for k in range(40):
        args.append(H.check_args(e, client="logreader", sp=SP, job=jobs[k % 8]["id"],
                                 cache=cache, extra=["--object-errors", "-t", "30"]))
    results = [None] * 40

    def one(i):
        results[i] = H.run_plugin(args[i], timeout=60)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c = e.counters()
    eq(c["audit_throttled"], 0, "429s from the reporting throttle")
    eq(c["audit_requests"], 8, "one read per job")
    for r in results:
        eq(r.rc, 0, "exit status", r)


def test_a_full_window_and_a_short_timeout_skip_the_logs_quickly():
    e, cache = _signed_in()
    true(not glob.glob(os.path.join(cache, "reports-*")), "no window before a read")
    _full_window(cache, e, time.time())
    r = _handler(e, cache=cache, job=JOB, extra=["-t", "12"])
    true("object errors not read: Microsoft allows 5 log reads per 10 s per application" in
         _line(r), "why", r)
    eq(_audit(e), 0, "requests past a full window")
    true(r.elapsed < 8, "no wait that cannot end inside -t", r)


def test_a_window_ahead_of_the_clock_frees_within_its_length():
    # The clock went back an hour after five reads: the window's times are
    # ahead of it. They count as just sent, so the window frees within its
    # 11 s, not an hour later when the clock gets back there.
    e, cache = _signed_in()
    _full_window(cache, e, time.time() + 3600)
    r = _handler(e, cache=cache, job=JOB, extra=["-t", "20"])
    true("top object error SystemForCrossDomainIdentityManagementBadResponse" in _line(r),
         "read once the window's length has passed", r)
    eq(_audit(e), 1, "reads")


def _signed_in():
    """The emulator with _mixed's events, and a cache whose key exists."""
    e = H.emu()
    _setup(e)
    _mixed(e)
    cache = H.cache_dir()
    expect(_check(e, cache=cache, opt=False), 0)
    return e, cache


def _full_window(cache, e, sent):
    """The application's window with five reads sent at sent (epoch)."""
    name = os.path.join(cache, "reports-" + _window_hash(cache, e))
    with open(name, "w") as f:
        f.write("check_entra_sync reports window v1\nblocked_until=0\nsent=%s\nend\n"
                % ",".join(str(int(sent * 1000)) for _ in range(5)))
    os.chmod(name, 0o600)


def _window_hash(cache, e):
    """The window's name as the plugin derives it (Graph URL, tenant, client id)."""
    import hashlib
    material = "%s\n%s\n%s" % (e.url, H.TENANT, H.CLIENTS["logreader"][0])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


# -- TooManyDeletes ---------------------------------------------------------------------
def test_too_many_deletes_counts_the_deletes_waiting_for_approval():
    e = H.emu()
    q = {"currentBegan": "{{now-1200}}", "nextAttempt": "{{now+3600}}", "reason": "TooManyDeletes",
         "seriesBegan": "{{now-1200}}", "seriesCount": 1, "error": None}
    _setup(e, [_job(code="Quarantine", state="Failed", escrowed=0, quarantine=q, failures=1)])
    _events(e, staged=12, failures=[{"code": "DeleteHeld", "objects": 1}])
    r = _handler(e, job=JOB)
    true("12 deletes waiting for approval" in _line(r), "staged deletes counted", r)
    expect(_check(e, job=JOB), 2, contains=[
        "; 12 deletes waiting for approval (provisioning logs, action StagedDelete)"])
    filters = [q["filter"] for q in _queries(e)]
    true(any("provisioningAction eq 'stagedDelete'" in f for f in filters),
         "a second query for the staged deletes: %r" % filters)


# -- hostile text ---------------------------------------------------------------------------
def test_hostile_text_is_scrubbed_in_the_cache_and_the_lines():
    e = H.emu()
    _setup(e)
    _events(e, failures=[{"code": "Bad|Code\u202e\u0007", "objects": 2,
                          "name": "Eve \u2066|\u200b'\"",
                          "reason": "x" * 100000 + " token {{caller_token}} end"}])
    _events(e, failures=[{"code": "Echo", "objects": 1,
                          "reason": "your token was {{caller_token}} thanks"}])
    cache = H.cache_dir()
    r = _handler(e, cache=cache, job=JOB)
    line = _line(r)
    true("top object error Bad/Code" in line and "\u202e" not in line and "\u0007" not in line,
         "the code cleaned", r)
    r = _check(e, cache=cache, job=JOB)
    out = r.stdout + r.stderr
    true("eyJ" not in out and "\u202e" not in out and "\u2066" not in out and
         "\u200b" not in out and "\u0007" not in out, "the check's output is clean", r)
    eq(out.count("|"), 1, "'|' only as the perfdata separator", r)
    true("Bad/Code" in r.stdout and "your token was *** thanks" in r.stdout,
         "the code cleaned, the echoed token scrubbed", r)
    text = open(_entry(cache), encoding="utf-8").read()
    true("eyJ" not in text and "***" in text, "no token in the cache entry", r)
    true(len(text) < 8192 and "\u2066" not in text and "|" not in text.replace("\n", ""),
         "the entry is cut and clean", r)


# -- the formats of values -------------------------------------------------------------------
def _doc(r):
    import json
    return json.loads(r.stdout)


def _job_of(doc, job_id):
    found = [j for j in doc["jobs"] if j["id"] == job_id]
    eq(len(found), 1, "jobs %s in the document" % job_id)
    return found[0]


def test_json_carries_the_summary_of_each_job():
    # every json run is validated against contrib/json/check_entra_sync.schema.json
    e = H.emu()
    _setup(e)
    _mixed(e)
    r = _check(e, extra=["--output-format", "json", "--object-errors-warning", "10"])
    eq(r.rc, 1, "exit status", r)
    doc = _doc(r)
    o = _job_of(doc, JOB)["object_errors"]
    eq((o["status"], o["failed_objects"], o["events"], o["codes"], o["capped"]),
       ("known", 11, 18, 3, False), "the counts", r)
    eq([(c["code"], c["objects"]) for c in o["top"]],
       [("SystemForCrossDomainIdentityManagementBadResponse", 7),
        ("AttributeMappingMissing", 3), ("DuplicateTargetEntries", 1)], "the top codes", r)
    top = o["top"][0]
    eq((top["category"], top["example"]["type"], top["reason"]),
       ("nonServiceFailure", "User", "The SCIM endpoint answered 400 for this user."),
       "the first code's example and reason", r)
    eq(_job_of(doc, JOB)["metrics"]["failed_objects"]["value"], 11, "the metric", r)
    true(any(f["kind"] == "object_errors" and f["threshold"] == "10"
             for f in _job_of(doc, JOB)["findings"]), "the finding with its threshold", r)
    eq(_job_of(doc, OTHER)["object_errors"], None, "the healthy job read nothing", r)


def test_json_says_why_the_logs_were_not_read():
    e = H.emu()
    _setup(e)
    _mixed(e)
    r = _check(e, client="writer", extra=["--output-format", "json"])
    doc = _doc(r)
    o = _job_of(doc, JOB)["object_errors"]
    eq((o["status"], o["failed_objects"], o["top"]), ("no_permission", None, []), "refused", r)
    true(any("AuditLog.Read.All and Directory.Read.All" in n for n in doc["notes"]),
         "the note names the permissions", r)


def test_prometheus_exposes_failed_objects_codes_and_staged_deletes():
    # every prometheus run is checked by the grammar and promtool check metrics
    e = H.emu()
    q = {"currentBegan": "{{now-1200}}", "nextAttempt": "{{now+3600}}", "reason": "TooManyDeletes",
         "seriesBegan": "{{now-1200}}", "seriesCount": 1, "error": None}
    _setup(e, [_job(code="Quarantine", state="Failed", escrowed=0, quarantine=q, failures=1)])
    _events(e, staged=5, failures=[{"code": "Quote\"And\\Back|slash", "objects": 2}])
    r = _check(e, extra=["--output-format", "prometheus"])
    labels = 'service_principal="%s",sync_job="%s",template="scim"' % (SP, JOB)
    for line in ('entra_sync_job_failed_objects{%s} 2' % labels,
                 'entra_sync_job_error_code_objects{%s,code="Quote\\"And\\\\Back/slash"} 2' % labels,
                 'entra_sync_job_staged_deletes{%s} 5' % labels):
        true(line in r.stdout.splitlines(), "the sample %s" % line, r)
