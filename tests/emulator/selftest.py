#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Self-test of the emulator: starts it on a free loopback port and checks
what PROTOCOL.md promises (start and cycles, JSON batching, tenant
endpoints, credentials, tokens, generators, fixtures). Prints TAP
("1..N", "ok N - ...", "not ok N - ..." with "# " reasons). Standard
library only; run: python3 tests/emulator/selftest.py"""

import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TENANT = "11111111-2222-3333-4444-555555555555"
READER = ("aaaaaaaa-0000-0000-0000-000000000001", "reader-secret-Q8~xVALUE")
WRITER = ("aaaaaaaa-0000-0000-0000-000000000002", "writer-secret-Z3~yVALUE")
AUDITOR = ("aaaaaaaa-0000-0000-0000-000000000004", "auditor-secret-D4~wVALUE")
LOGREADER = ("aaaaaaaa-0000-0000-0000-000000000005", "logreader-secret-L5~vVALUE")
SP = "5a1f0c2e-0000-4000-8000-000000000001"
BOX = "Box.fedcba9876543210fedcba9876543210"
SCIM = "scim.0123456789abcdef0123456789abcdef"
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Emu:
    def __init__(self):
        d = tempfile.mkdtemp(prefix="emu-selftest-")
        pf = os.path.join(d, "port")
        self.log = open(os.path.join(d, "log"), "w")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "emulator.py"),
                                      "--port", "0", "--port-file", pf, "--quiet"],
                                     stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 15
        while not os.path.exists(pf):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("Bail out! the emulator did not start")
            time.sleep(0.02)
        self.url = "http://127.0.0.1:%d" % int(open(pf).read())
        self.tokens = {}

    def close(self):
        self.proc.terminate()
        self.proc.wait(5)

    def call(self, method, path, body=None, headers=None, raw=False):
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        if method == "POST" and data is None:
            data = b""
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, hdrs, b = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, b = e.code, e.headers, e.read()
        if raw:
            return status, hdrs, b
        return status, hdrs, (json.loads(b) if b else None)

    def control(self, method, path, body=None):
        st, _, b = self.call(method, "/_emu" + path, body)
        if st != 200:
            raise AssertionError("control %s %s -> %d %r" % (method, path, st, b))
        return b

    def token(self, who=READER):
        if who not in self.tokens:
            form = urllib.parse.urlencode({"client_id": who[0], "client_secret": who[1],
                                           "scope": "https://graph.microsoft.com/.default",
                                           "grant_type": "client_credentials"}).encode()
            st, _, b = self.call("POST", "/%s/oauth2/v2.0/token" % TENANT, form)
            assert st == 200, b
            self.tokens[who] = b["access_token"]
        return self.tokens[who]

    def graph(self, method, path, who=READER, body=None, token=None, raw=False):
        h = {"Authorization": "Bearer " + (token or self.token(who))}
        if body is not None:
            h["Content-Type"] = "application/json"
        return self.call(method, path, body, h, raw=raw)

    def job(self, job_id=BOX, sp=SP):
        st, _, b = self.graph("GET", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s" % (sp, job_id))
        assert st == 200, (st, b)
        return b

    def reset(self):
        self.control("POST", "/reset")
        self.tokens = {}


def eq(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def ok(cond, what):
    if not cond:
        raise AssertionError(what)


def claims(token):
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


# -- start and cycles -----------------------------------------------------------
@test
def start_clears_quarantine_and_leaves_the_last_runs(e):
    before = e.job()["status"]
    st, _, _ = e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start" % (SP, BOX),
                       WRITER, body=b"")
    eq(st, 204, "start status")
    after = e.job()["status"]
    eq(after["code"], "Active", "code after start")
    eq(after["quarantine"], None, "quarantine after start")
    for k in ("lastExecution", "lastSuccessfulExecution", "countSuccessiveCompleteFailures"):
        eq(after[k], before[k], k + " after start")
    eq(e.control("GET", "/counters")["starts"], {BOX: 1}, "starts")
    pending = e.control("GET", "/cycles")["pending"]
    ok(2390 < pending[BOX] <= 2400, "default delay is the PT40M interval: %r" % pending)


@test
def a_start_whose_answer_is_lost_still_starts_and_is_counted(e):
    e.control("POST", "/faults", {"target": "graph", "method": "POST",
                                   "path_contains": "/start", "drop_after": True})
    try:
        e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start" % (SP, BOX),
                WRITER, body=b"")
        raise AssertionError("the start was answered")
    except (http.client.RemoteDisconnected, ConnectionError):
        pass
    eq(e.job()["status"]["code"], "Active", "code after the lost answer")
    c = e.control("GET", "/counters")
    eq((c["starts"], c["start_requests"]), ({BOX: 1}, {BOX: 1}), "starts and start requests")
    start = [q for q in c["requests"] if q["path"].endswith("/start")]
    eq([(q["status"], q["on_connection"]) for q in start], [(0, 1)],
       "the start in the log: unanswered, the first of its connection")


@test
def a_request_held_across_a_reset_is_not_logged_or_acted_on(e):
    # what a plugin that gave up at its deadline leaves behind: the request
    # waits in the emulator while the next test resets and begins
    e.control("POST", "/faults", {"target": "graph", "method": "POST",
                                   "path_contains": "/start", "delay": 1.5})
    token = e.token(WRITER)
    done = {}

    def late():
        try:
            done["answer"] = e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start"
                                     % (SP, BOX), body=b"", token=token)[0]
        except (http.client.RemoteDisconnected, ConnectionError) as x:
            done["answer"] = type(x).__name__
    t = threading.Thread(target=late)
    t.start()
    time.sleep(0.5)
    e.reset()
    t.join()
    c = e.control("GET", "/counters")
    eq(c["requests"], [], "the request log of the epoch after the reset")
    eq(c["starts"], {}, "starts after the reset")
    eq(e.job()["status"]["code"], "Quarantine", "the job after the reset")
    eq(done.get("answer"), "RemoteDisconnected", "what the held request got")


@test
def cycle_succeeds_by_default(e):
    e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start" % (SP, BOX), WRITER, body=b"")
    e.control("POST", "/jobs/%s/cycle" % BOX)
    s = e.job()["status"]
    eq((s["code"], s["lastExecution"]["state"], s["countSuccessiveCompleteFailures"]),
       ("Active", "Succeeded", 0), "after a succeeding cycle")
    eq(s["lastSuccessfulExecution"], s["lastExecution"], "lastSuccessfulExecution is the run")
    eq(s["steadyStateLastAchievedTime"], s["lastExecution"]["timeEnded"], "steady state")
    eq(e.control("GET", "/cycles")["pending"], {}, "pending cycles")
    eq(e.control("GET", "/counters")["cycles"], {BOX: 1}, "cycle counter")


@test
def cycle_fails_or_quarantines_on_request(e):
    e.control("POST", "/jobs/%s/next-cycle" % SCIM, {"outcome": "fail", "reason": "ScimEndpointDown"})
    e.control("POST", "/jobs/%s/cycle" % SCIM)
    s = e.job(SCIM)["status"]
    eq((s["code"], s["lastExecution"]["state"], s["lastExecution"]["error"]["code"],
        s["countSuccessiveCompleteFailures"]), ("Active", "Failed", "ScimEndpointDown", 1), "fail")
    e.control("POST", "/jobs/%s/next-cycle" % SCIM, {"outcome": "quarantine", "reason": "TooManyDeletes"})
    e.control("POST", "/jobs/%s/cycle" % SCIM)
    s = e.job(SCIM)["status"]
    eq((s["code"], s["quarantine"]["reason"], s["lastExecution"]["state"],
        s["countSuccessiveCompleteFailures"]), ("Quarantine", "TooManyDeletes", "Failed", 2), "quarantine")


@test
def cycle_runs_lazily_after_cycle_delay(e):
    e.control("POST", "/settings", {"cycle_delay": 0.3})
    e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start" % (SP, BOX), WRITER, body=b"")
    eq(e.job()["status"]["lastExecution"]["state"], "Failed", "before the delay")
    time.sleep(0.5)
    eq(e.job()["status"]["lastExecution"]["state"], "Succeeded", "after the delay")


def iso_epoch(s):
    import datetime
    d = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


@test
def clock_moves_forward_and_tokens_age_with_it(e):
    t0 = e.control("GET", "/clock")["epoch"]
    e.token()
    c = e.control("POST", "/clock", {"advance": 7200})
    ok(7199 < c["epoch"] - t0 < 7260 and c["offset"] == 7200, "clock after 2 h: %r" % c)
    st, _, b = e.graph("GET", "/v1.0/servicePrincipals/%s/synchronization/jobs" % SP)
    eq((st, b["error"]["code"]), (401, "InvalidAuthenticationToken"), "a 1-hour token 2 h later")
    st, _, _ = e.call("POST", "/_emu/clock", {"advance": -1})
    eq(st, 400, "the clock never goes back")
    e.reset()
    ok(e.control("GET", "/clock")["offset"] == 0, "reset sets the offset to 0")


@test
def quarantine_retries_6h_12h_24h_then_daily_and_persists(e):
    e.control("POST", "/jobs/%s/next-cycle" % SCIM, {"outcome": "quarantine",
                                                      "reason": "EncounteredQuarantineException"})
    e.control("POST", "/jobs/%s/cycle" % SCIM)
    q = e.job(SCIM)["status"]["quarantine"]
    began = iso_epoch(q["seriesBegan"])
    eq(iso_epoch(q["nextAttempt"]) - began, 6 * 3600, "first retry 6 h after the series began")
    e.control("DELETE", "/faults")
    for hours, count in ((6, 2), (12, 3), (24, 4), (48, 5)):
        e.control("POST", "/clock", {"advance": began + hours * 3600 + 1 - e.control("GET", "/clock")["epoch"]})
        e.tokens = {}
        q = e.job(SCIM)["status"]["quarantine"]
        eq(q["seriesCount"], count, "series count after the %d h retry" % hours)
        eq(iso_epoch(q["currentBegan"]) - began, hours * 3600, "currentBegan at the %d h retry" % hours)
        nxt = {6: 12, 12: 24, 24: 48, 48: 72}[hours]
        eq(iso_epoch(q["nextAttempt"]) - began, nxt * 3600, "next retry after the %d h one" % hours)
    eq(e.control("GET", "/counters")["retries"], {SCIM: 4}, "retries")
    eq(iso_epoch(q["seriesBegan"]), began, "the series goes on")
    e.control("POST", "/clock", {"advance": 30 * 86400})
    e.tokens = {}
    q = e.job(SCIM)["status"]["quarantine"]
    eq(q["nextAttempt"], "0001-01-01T00:00:00Z", "no retry after 28 days")
    eq(e.control("GET", "/counters")["retries"], {SCIM: 30}, "retries in 28 days (3, then 27 daily)")


@test
def a_start_ends_the_series_and_the_cause_brings_it_back(e):
    e.control("POST", "/jobs/%s/quarantine" % SCIM, {"reason": "EncounteredQuarantineException"})
    first = e.job(SCIM)["status"]["quarantine"]["seriesBegan"]
    e.control("POST", "/jobs/%s/next-cycle" % SCIM, {"outcome": "quarantine"})
    e.control("POST", "/clock", {"advance": 60})
    e.tokens = {}
    e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start" % (SP, SCIM), WRITER, body=b"")
    eq(e.job(SCIM)["status"]["quarantine"], None, "cleared at once")
    e.control("POST", "/clock", {"advance": 2400})
    q = e.job(SCIM)["status"]["quarantine"]
    ok(q is not None and q["seriesBegan"] != first and q["seriesCount"] == 1,
       "quarantined again in a new series at the next cycle: %r" % q)
    eq(len(e.control("GET", "/counters")["start_times"][SCIM]), 1, "start times")


@test
def an_initial_cycle_advances_over_observations(e):
    e.control("POST", "/jobs/%s/initial-cycle" % SCIM, {"units": 1000, "duration": 36000,
                                                         "observe_every": 600})
    seen = []
    for _ in range(3):
        e.control("POST", "/clock", {"advance": 3600})
        e.tokens = {}
        p = e.job(SCIM)["status"]["progress"][0]
        seen.append((p["completedUnits"], p["progressObservationDateTime"]))
    eq([c for c, _ in seen], [100, 200, 300], "completed units after 1, 2 and 3 h of 10")
    eq(len(set(t for _, t in seen)), 3, "observed anew each time")
    e.control("POST", "/clock", {"advance": 8 * 3600})
    e.tokens = {}
    s = e.job(SCIM)["status"]
    eq((s["code"], s["progress"], s["lastExecution"]["state"]), ("Active", [], "Succeeded"),
       "the cycle ended")
    e.control("POST", "/jobs/%s/initial-cycle" % BOX, {"stall_after": 1800, "escrows_pruned": True})
    e.control("POST", "/clock", {"advance": 7200})
    e.tokens = {}
    s = e.job(BOX)["status"]
    ok(s["progress"][0]["completedUnits"] < 100 and s["escrowsPruned"], "stalled: %r" % s["progress"])
    e.reset()
    e.control("POST", "/jobs/%s/initial-cycle" % BOX, {"duration": 600, "escrows_pruned": True})
    e.control("POST", "/clock", {"advance": 700})
    s = e.job(BOX)["status"]
    eq((s["code"], s["escrowsPruned"]), ("Paused", True), "paused for clean-up at the end")


@test
def job_ids_match_without_regard_to_case(e):
    eq(e.job(BOX.upper())["id"], BOX, "the id as stored")
    e.control("POST", "/settings", {"job_id_case": "exact"})
    st, _, _ = e.graph("GET", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s" % (SP, BOX.upper()))
    eq(st, 404, "exact matching")


@test
def start_on_paused_schedule_and_on_a_new_job(e):
    job = e.job()
    job["status"]["code"] = "Paused"
    job["schedule"]["state"] = "Paused"
    e.control("PUT", "/servicePrincipals/" + SP, {"appId": "x", "jobs": [job]})
    e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start" % (SP, BOX), WRITER, body=b"")
    eq(e.job()["schedule"]["state"], "Active", "schedule after start")
    r = e.control("POST", "/fixtures/cross-tenant-created-job")
    sp, jid = r["servicePrincipalId"], r["jobs"][0]
    e.graph("POST", "/v1.0/servicePrincipals/%s/synchronization/jobs/%s/start" % (sp, jid), WRITER, body=b"")
    s = e.job(jid, sp)
    eq((s["status"]["code"], s["schedule"]["state"], s["status"]["lastExecution"]["error"]["code"]),
       ("NotRun", "Active", "None"), "a new job after its first start")


# -- JSON batching --------------------------------------------------------------
def batch(e, urls, who=READER, version="v1.0"):
    body = {"requests": [{"id": str(i + 1), "method": "GET", "url": u} for i, u in enumerate(urls)]}
    return e.graph("POST", "/%s/$batch" % version, who, body=body)


@test
def batch_answers_every_item_out_of_order(e):
    before = e.control("GET", "/counters")
    st, _, b = batch(e, ["/servicePrincipals/%s/synchronization/jobs" % SP,
                         "servicePrincipals/%s/synchronization/jobs/%s" % (SP, BOX),
                         "/servicePrincipals/5a1f0c2e-0000-4000-8000-00000000dead/synchronization/jobs"])
    eq(st, 200, "batch status")
    ids = [r["id"] for r in b["responses"]]
    eq(ids, ["3", "2", "1"], "response order (reversed)")
    by = {r["id"]: r for r in b["responses"]}
    eq((by["1"]["status"], len(by["1"]["body"]["value"])), (200, 2), "list item")
    eq(by["2"]["body"]["id"], BOX, "job item")
    eq((by["3"]["status"], by["3"]["body"]["error"]["code"]), (404, "Request_ResourceNotFound"), "404 item")
    after = e.control("GET", "/counters")
    eq(after["batch_requests"] - before["batch_requests"], 1, "batch_requests")
    eq(after["graph_requests"] - before["graph_requests"], 4, "graph_requests (outer + 3 inner)")


@test
def batch_limits_and_errors(e):
    st, _, b = batch(e, ["/organization"] * 21)
    eq((st, b["error"]["code"]), (400, "BadRequest"), "21 requests")
    body = {"requests": [{"id": "a", "method": "GET", "url": "/organization"},
                         {"id": "A", "method": "GET", "url": "/organization"}]}
    eq(e.graph("POST", "/v1.0/$batch", body=body)[0], 400, "duplicate ids (case-insensitive)")
    body = {"requests": [{"id": "1", "method": "GET", "url": "/nope"},
                         {"id": "2", "dependsOn": ["1"], "method": "GET", "url": "/organization"}]}
    st, _, b = e.graph("POST", "/v1.0/$batch", body=body)
    eq({r["id"]: r["status"] for r in b["responses"]}, {"1": 400, "2": 424}, "dependsOn on a failure")
    st, _, b = batch(e, ["/organization"])
    eq(b["responses"][0]["status"], 403, "reader lacks Organization.Read.All inside a batch")
    st, _, b = e.graph("POST", "/v1.0/$batch", token="eyJ0.eyJ0.unknown",
                       body={"requests": [{"id": "1", "method": "GET", "url": "/organization"}]})
    eq((st, b["error"]["code"]), (401, "InvalidAuthenticationToken"), "a bad token fails the batch")


@test
def batch_item_faults_and_throttling(e):
    e.control("POST", "/faults", {"target": "graph", "path_contains": "/synchronization/jobs/" + BOX,
                                  "retry_after": "2.5"})
    st, _, b = batch(e, ["/servicePrincipals/%s/synchronization/jobs/%s" % (SP, BOX),
                         "/servicePrincipals/%s/synchronization/jobs/%s" % (SP, SCIM)])
    by = {r["id"]: r for r in b["responses"]}
    eq((by["1"]["status"], by["1"]["headers"].get("Retry-After")), (429, "2.5"), "faulted item")
    eq(by["2"]["status"], 200, "other item")
    e.control("POST", "/settings", {"throttle_after": 3, "throttle_window": 60})
    st, _, b = batch(e, ["/servicePrincipals/%s/synchronization/jobs" % SP] * 5)
    codes = sorted(r["status"] for r in b["responses"])
    eq(codes, [200, 200, 200, 429, 429], "throttling counts batch items")
    ok(all(r["headers"].get("Retry-After") for r in b["responses"] if r["status"] == 429), "Retry-After")
    eq(e.graph("GET", "/v1.0/servicePrincipals/%s/synchronization/jobs" % SP)[0], 429, "plain request too")


# -- the tenant -----------------------------------------------------------------
@test
def organization_by_version(e):
    q = "/organization?$select=id,onPremisesSyncEnabled,onPremisesLastSyncDateTime"
    st, _, b = e.graph("GET", "/v1.0" + q, AUDITOR)
    org = b["value"][0]
    eq((st, sorted(org)), (200, ["id", "onPremisesLastSyncDateTime", "onPremisesSyncEnabled"]), "v1.0 select")
    ok(org["onPremisesLastSyncDateTime"].endswith("Z") and "." not in org["onPremisesLastSyncDateTime"],
       "directory times without fraction")
    st, _, b = e.graph("GET", "/beta" + q + ",onPremisesLastPasswordSyncDateTime", AUDITOR)
    ok(b["value"][0]["onPremisesLastPasswordSyncDateTime"], "beta has the password sync time")
    st, _, b = e.graph("GET", "/v1.0/organization?$select=onPremisesLastPasswordSyncDateTime", AUDITOR)
    eq(st, 400, "v1.0 has no password sync time")
    st, _, b = e.graph("GET", "/v1.0/organization", READER)
    eq((st, b["error"]["code"]), (403, "Authorization_RequestDenied"), "missing Organization.Read.All")
    e.control("POST", "/settings", {"tenant_permission_error": 401})
    st, _, b = e.graph("GET", "/v1.0/organization", READER)
    eq((st, b["error"]["code"], b["error"]["message"]), (401, "UnknownError", ""), "the 401 quirk on request")


@test
def onprem_sync_by_version_and_presets(e):
    st, _, b = e.graph("GET", "/v1.0/directory/onPremisesSynchronization", AUDITOR)
    eq(sorted(b["value"][0]["configuration"]), ["accidentalDeletionPrevention"], "v1.0 configuration")
    st, _, b = e.graph("GET", "/beta/directory/onPremisesSynchronization/" + TENANT, AUDITOR)
    eq((b["configuration"]["synchronizationInterval"], b["features"]["passwordSyncEnabled"]),
       ("PT30M", True), "beta entity")
    eq(e.graph("GET", "/beta/directory/onPremisesSynchronization/x", AUDITOR)[0], 404, "wrong id")
    e.control("POST", "/fixtures/dirsync-customer-interval")
    st, _, b = e.graph("GET", "/beta/directory/onPremisesSynchronization", AUDITOR)
    eq(b["value"][0]["configuration"]["customerRequestedSynchronizationInterval"], "PT1H", "preset")
    e.control("POST", "/fixtures/dirsync-never")
    st, _, b = e.graph("GET", "/v1.0/organization", AUDITOR)
    eq(b["value"][0]["onPremisesSyncEnabled"], None, "never synced")
    e.control("POST", "/settings", {"onprem_sync_app_tokens": "refuse"})
    eq(e.graph("GET", "/beta/directory/onPremisesSynchronization", AUDITOR)[0], 403, "app tokens refused")


@test
def application_credentials(e):
    e.control("POST", "/clients", {"client_id": "cccccccc-0000-0000-0000-000000000001",
                                   "secret": "Zq9-secret-value", "permissions": ["Application.Read.All"],
                                   "secret_end": "{{now+86400}}",
                                   "extra_passwords": [{"hint": "old", "endDateTime": "{{now-86400}}"}]})
    me = ("cccccccc-0000-0000-0000-000000000001", "Zq9-secret-value")
    st, _, b = e.graph("GET", "/v1.0/applications(appId='%s')?$select=passwordCredentials,keyCredentials"
                       % me[0], me)
    eq(st, 200, "status")
    eq(sorted(k for k in b if not k.startswith("@")), ["keyCredentials", "passwordCredentials"], "select")
    hints = [p["hint"] for p in b["passwordCredentials"]]
    eq(hints, ["old", "Zq9"], "hints (extra first, then the one in use)")
    mine = b["passwordCredentials"][1]
    ok(abs(time.mktime(time.strptime(mine["endDateTime"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
           - (time.time() + 86400)) < 5, "secret_end: %r" % mine["endDateTime"])
    eq(mine["secretText"], None, "secretText")
    st, _, b = e.graph("GET", "/v1.0/applications?$filter=appId%%20eq%%20'%s'" % me[0], me)
    eq(len(b["value"]), 1, "$filter appId")
    eq(e.graph("GET", "/v1.0/applications(appId='aaaaaaaa-0000-0000-0000-00000000000a')", me)[0], 404,
       "a managed identity has no application")
    eq(e.graph("GET", "/v1.0/applications(appId='%s')" % me[0], READER)[0], 403, "reader")
    eq(e.control("GET", "/counters")["application_requests"], 3, "application_requests")


@test
def certificate_key_credential(e):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    import datetime
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "selftest")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=20))
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cid = "cccccccc-0000-0000-0000-000000000002"
    e.control("POST", "/clients", {"client_id": cid, "certificate_pem": pem,
                                   "permissions": ["Application.Read.All"]})
    tok = e.control("POST", "/tokens", {"kind": "app", "client_id": cid,
                                        "roles": ["Application.Read.All"]})["access_token"]
    st, _, b = e.graph("GET", "/v1.0/applications(appId='%s')?$select=keyCredentials" % cid, token=tok)
    k = b["keyCredentials"][0]
    eq(k["customKeyIdentifier"], cert.fingerprint(hashes.SHA1()).hex().upper(), "thumbprint")
    eq((k["type"], k["usage"]), ("AsymmetricX509Cert", "Verify"), "type, usage")
    ok(k["key"], "key with $select=keyCredentials")
    st, _, b = e.graph("GET", "/v1.0/applications(appId='%s')" % cid, token=tok)
    eq(b["keyCredentials"][0]["key"], None, "key without $select")


@test
def service_principals_page_and_big_tenant(e):
    t0 = time.monotonic()
    r = e.control("POST", "/tenant/generate", {"service_principals": 5000, "provisioning": 60,
                                               "jobs_per_sp": 1})
    ok(time.monotonic() - t0 < 3, "generating 5,000 took %.1f s" % (time.monotonic() - t0))
    eq((len(r["with_jobs"]), r["jobs"]), (60, 60), "generated")
    who = AUDITOR
    url, seen, pages = "/v1.0/servicePrincipals?$select=id,appId,displayName&$top=999", [], 0
    while url:
        st, _, b = e.graph("GET", url, who)
        eq(st, 200, "page status")
        pages += 1
        seen += b["value"]
        nxt = b.get("@odata.nextLink")
        url = nxt[len(e.url):] if nxt else None
    eq((len(seen), pages), (5001, 6), "service principals and pages")
    eq(sorted(seen[0]), ["appId", "displayName", "id"], "selected properties")
    eq(e.graph("GET", "/v1.0/servicePrincipals?$top=1000", who)[0], 400, "$top above 999")
    eq(e.graph("GET", "/v1.0/servicePrincipals", READER)[0], 403, "reader lacks Application.Read.All")
    sp = r["with_jobs"][7]
    st, _, b = batch(e, ["/servicePrincipals/%s/synchronization/jobs" % s for s in r["with_jobs"][:20]])
    eq(sorted(x["status"] for x in b["responses"]), [200] * 20, "20 job lists in one batch")
    ok(len(e.graph("GET", "/v1.0/servicePrincipals/%s/synchronization/jobs" % sp)[2]["value"]) == 1,
       "a generated service principal has its job")


@test
def many_jobs_generator(e):
    r = e.control("POST", "/servicePrincipals/5a1f0c2e-0000-4000-8000-0000000000b0/generate-jobs",
                  {"count": 60, "mix": {"quarantined": 5, "failed": 7}})
    codes = [j["code"] for j in r["jobs"]]
    eq((len(codes), codes.count("Quarantine")), (60, 5), "60 jobs, 5 quarantined")
    templates = [j["templateId"] for j in r["jobs"]]
    ok(len(set(templates)) < 60 and len(set(templates)) > 40, "some templates shared: %d" % len(set(templates)))
    eq(len(set(j["id"] for j in r["jobs"])), 60, "distinct ids")
    st, _, b = e.graph("GET", "/v1.0/servicePrincipals/5a1f0c2e-0000-4000-8000-0000000000b0/synchronization/jobs")
    ok(b.get("@odata.nextLink"), "60 jobs span two pages")
    failed = sum(1 for j in b["value"] if j["status"]["code"] == "Active"
                 and j["status"]["lastExecution"]["state"] == "Failed")
    ok(failed >= 1, "failed jobs on the first page")
    r = e.control("POST", "/servicePrincipals/5a1f0c2e-0000-4000-8000-0000000000b1/generate-jobs", {"count": 40})
    eq(len(r["jobs"]), 40, "40 jobs")


# -- tokens -----------------------------------------------------------------------
@test
def tokens_are_jwt_shaped_and_random(e):
    t1 = e.token(READER)
    e.tokens = {}
    t2 = e.token(READER)
    ok(t1 != t2, "two sign-ins, two tokens")
    c = claims(t1)
    eq((c["aud"], c["tid"], c["appid"], c["roles"], c["idtyp"]),
       ("https://graph.microsoft.com", TENANT, READER[0], ["Synchronization.Read.All"], "app"), "claims")
    ok(c["exp"] > time.time() + 3000, "exp")
    eq(t1.count("."), 2, "three parts")


@test
def delegated_tokens(e):
    tok = e.control("POST", "/tokens", {"scp": ["Synchronization.Read.All"]})["access_token"]
    c = claims(tok)
    eq((c["scp"], c["idtyp"]), ("Synchronization.Read.All", "user"), "delegated claims")
    path = "/v1.0/servicePrincipals/%s/synchronization/jobs" % SP
    eq(e.graph("GET", path, token=tok)[0], 403, "no directory role")
    tok = e.control("POST", "/tokens", {"scp": ["Synchronization.Read.All"],
                                        "directory_roles": ["Application Administrator"]})["access_token"]
    eq(e.graph("GET", path, token=tok)[0], 200, "with Application Administrator")
    tok = e.control("POST", "/tokens", {"scp": ["OnPremDirectorySynchronization.Read.All"],
                                        "directory_roles": ["Hybrid Identity Administrator"]})["access_token"]
    eq(e.graph("GET", "/v1.0/directory/onPremisesSynchronization", token=tok)[0], 403,
       "onPremisesSynchronization wants a Global Administrator")


# -- fixtures ---------------------------------------------------------------------
@test
def documented_fixtures_install(e):
    names = e.control("GET", "/fixtures")
    ok(len(names) >= 20, "fixture names: %r" % names)
    for name, kind in names.items():
        e.control("POST", "/fixtures/" + name, {"times": 1, "path_contains": "/never-matches"})
    e.control("POST", "/fixtures/list-jobs-example-malformed")
    st, _, raw = e.graph("GET", "/v1.0/servicePrincipals/5a1f0c2e-0000-4000-8000-0000000000dd/"
                         "synchronization/jobs", raw=True)
    eq(st, 200, "malformed list served")
    try:
        json.loads(raw)
        ok(False, "the documented list example must stay malformed")
    except ValueError:
        pass
    with open(os.path.join(HERE, "fixtures", "documented-list-jobs-malformed.txt"), "rb") as f:
        eq(raw, f.read(), "byte-faithful body")


@test
def documented_job_and_errors(e):
    r = e.control("POST", "/fixtures/get-job-example")
    j = e.job(r["jobs"][0], r["servicePrincipalId"])
    q = j["status"]["quarantine"]
    eq((j["status"]["code"], q["currentBegan"], q["reason"], q["seriesCount"], q["error"]["code"]),
       ("Paused", "", "", 2, "SalesforceInvalidCredentials"), "documented Get example")
    e.control("POST", "/fixtures/graph-error-nested", {"path_contains": "/organization"})
    st, _, b = e.graph("GET", "/v1.0/organization", AUDITOR)
    eq((st, b["error"]["innerError"]["innerError"]["code"]), (403, "missingApplicationRole"), "nested")
    e.control("POST", "/fixtures/token-error-invalid-scope")
    st, _, b = e.call("POST", "/%s/oauth2/v2.0/token" % TENANT, b"grant_type=client_credentials")
    eq((st, b["error_codes"]), (400, [70011]), "token error")
    ok("\r\nTrace ID: " + b["trace_id"] in b["error_description"], "trace id in the description")


# -- provisioning logs ------------------------------------------------------------
def _logs(e, flt, top=500, who=LOGREADER, extra=""):
    q = "$filter=%s&$top=%d%s" % (urllib.parse.quote(flt), top, extra)
    return e.graph("GET", "/v1.0/auditLogs/provisioning?" + q, who)


FAILED = "jobId eq '%s' and provisioningStatusInfo/status eq 'failure'" % BOX


@test
def provisioning_filter_is_parsed_and_a_wrong_one_refused(e):
    e.control("POST", "/settings", {"reports_throttle": None})
    e.control("POST", "/provisioning/events", {"jobId": BOX, "from": 700, "to": 600,
              "failures": [{"code": "A", "objects": 3}], "successes": 2, "staged": 1})
    e.control("POST", "/provisioning/events", {"jobId": SCIM, "from": 700, "to": 600,
              "failures": [{"code": "B", "objects": 4}]})
    st, _, b = _logs(e, FAILED + " and activityDateTime gt 2000-01-01T00:00:00Z")
    eq((st, len(b["value"])), (200, 3), "failures of the Box job only")
    eq({v["provisioningStatusInfo"]["errorInformation"]["errorCode"] for v in b["value"]}, {"A"},
       "codes")
    st, _, b = _logs(e, "jobid eq '%s' and provisioningAction eq 'stagedDelete'" % BOX)
    eq((st, len(b["value"])), (200, 1), "property names without regard to case, staged delete")
    st, _, b = _logs(e, "jobId eq '%s' and provisioningStatusInfo/status eq "
                     "microsoft.graph.provisioningResult'failure'" % BOX)
    eq((st, len(b["value"])), (200, 3), "the enum literal form")
    for bad, why in ((FAILED + " and activityDateTime ge 2000-01-01T00:00:00Z", "ge"),
                     (FAILED.replace("'failure'", "'Failure'"), "enum values keep their case"),
                     (FAILED + " and activityDateTime gt '2000-01-01T00:00:00Z'", "quoted time"),
                     ("jobIdentifier eq 'x'", "unknown property"),
                     (FAILED + " and", "dangling and"),
                     ("jobId eq '%s" % BOX, "unterminated string")):
        st, _, b = _logs(e, bad)
        eq(st, 400, why)
        ok(b["error"]["code"] == "BadRequest" and "request-id" in b["error"]["innerError"],
           "a Graph error body: %r" % b)
    st, _, b = _logs(e, FAILED, top=1001)
    eq(st, 400, "$top over 1000")


@test
def provisioning_pages_with_skiptoken(e):
    e.control("POST", "/settings", {"reports_throttle": None})
    e.control("POST", "/provisioning/events", {"jobId": BOX, "from": 700, "to": 600,
              "failures": [{"code": "A", "objects": 7}]})
    seen, path = [], None
    st, _, b = _logs(e, FAILED, top=3)
    while True:
        eq(st, 200, "page status")
        seen += [v["id"] for v in b["value"]]
        link = b.get("@odata.nextLink")
        if not link:
            break
        ok(link.startswith(e.url + "/v1.0/auditLogs/provisioning?") and "$skiptoken=" in link,
           "absolute next link: %r" % link)
        st, _, b = e.graph("GET", link[len(e.url):], LOGREADER)
    eq((len(seen), len(set(seen))), (7, 7), "every event once")


@test
def provisioning_throttle_permission_and_licence(e):
    codes = [_logs(e, FAILED)[0] for _ in range(6)]
    eq(codes, [200] * 5 + [429], "five requests in 10 s, then 429")
    st, h, b = _logs(e, FAILED)
    ok(st == 429 and 1 <= int(h["Retry-After"]) <= 10, "Retry-After on the 429")
    eq(e.control("GET", "/counters")["audit_throttled"], 2, "counted")
    e.control("POST", "/settings", {"reports_throttle": None})
    st, _, b = _logs(e, FAILED, who=READER)
    eq((st, b["error"]["code"]), (403, "Authorization_RequestDenied"), "no AuditLog.Read.All")
    e.control("POST", "/provisioning/licence", {"premium": False})
    st, _, b = _logs(e, FAILED)
    eq((st, b["error"]["code"]), (403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant"),
       "no P1/P2")


def main():
    e = Emu()
    print("1..%d" % len(TESTS))
    failed = 0
    try:
        for n, fn in enumerate(TESTS, 1):
            e.reset()
            try:
                fn(e)
                print("ok %d - %s" % (n, fn.__name__))
            except Exception as x:
                failed += 1
                print("not ok %d - %s" % (n, fn.__name__))
                text = str(x) if isinstance(x, AssertionError) else traceback.format_exc()
                for line in text.rstrip().splitlines():
                    print("# " + line)
            sys.stdout.flush()
    finally:
        e.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
