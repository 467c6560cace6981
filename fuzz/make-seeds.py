#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpora under fuzz/corpus/<target>/: the emulator fixtures
split into one job per file (times expanded against a fixed clock, so seeds
are reproducible), list pages, and hand-written inputs for the small parsers.
Deterministic: running it again rewrites the same files."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))
import emustate  # noqa: E402
from emustate import expand  # noqa: E402

NOW = 1796000000  # the clock the harnesses evaluate against
TENANT = "5e3a1f0c-8d2b-4c6e-9f7a-1b2c3d4e5f60"
GRAPH = "https://graph.microsoft.com"


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fixture_jobs():
    jobs = []
    fx_dir = os.path.join(ROOT, "tests", "emulator", "fixtures")
    for fn in sorted(os.listdir(fx_dir)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(fx_dir, fn), encoding="utf-8") as f:
            fx = expand(json.load(f), NOW)
        found = list(fx.get("jobs", []))
        for sp in fx.get("servicePrincipals", []):
            found.extend(sp.get("jobs", []))
        jobs.extend((fn[:-5], j) for j in found)
    return jobs


def job_seeds():
    jobs = fixture_jobs()
    for i, (src, job) in enumerate(jobs):
        write("job", "%s-%02d.json" % (src, i), json.dumps(job, indent=1))
    page = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#jobs",
            "value": [j for _, j in jobs[:4]],
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/servicePrincipals/x/"
                               "synchronization/jobs?$skiptoken=4"}
    write("job", "page-4.json", json.dumps(page))
    write("job", "page-empty.json", '{"value":[]}')
    write("job", "status-empty.json", '{"id":"scim.00","templateId":"scim","status":{}}')
    one = json.dumps(jobs[0][1]) if jobs else '{"id":"a.0","status":{}}'
    write("job", "dup-keys.json", one.replace('"status": {', '"status": {"code": "Quarantine", ', 1)
          .replace('{"id"', '{"id": "x.1", "id"', 1))
    write("job", "big-numbers.json", one.replace('"countEscrowed": ', '"countEscrowed": 1e400, "x": ', 1)
          .replace('"countSuccessiveCompleteFailures": ',
                   '"countSuccessiveCompleteFailures": 99999999999999999999, "y": ', 1))
    write("job", "counts-as-strings.json", json.dumps({
        "id": "scim.0123456789abcdef0123456789abcdef", "templateId": "scim",
        "schedule": {"interval": "P10675199DT2H48M5.4775807S", "state": "Disabled"},
        "status": {"code": "Quarantine", "countSuccessiveCompleteFailures": "9223372036854775807",
                   "lastExecution": {"state": "Failed", "countEscrowed": "-1",
                                     "error": {"code": "X|Y", "message": "a\nb|c"}},
                   "quarantine": {"reason": "", "currentBegan": "", "seriesCount": 2,
                                  "seriesBegan": "0001-01-01T00:00:00Z"},
                   "progress": [{"completedUnits": 5, "totalUnits": 0},
                                {"completedUnits": 7, "totalUnits": 3}]}}))


def token_seeds():
    # byte 0: status index, byte 1: output size - 1
    ok = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
          "access_token": "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwcyJ9.c2ln"}
    write("token", "ok", b"\x00\xff" + json.dumps(ok).encode())
    imds = {"access_token": "abc", "expires_in": "86399", "expires_on": "1796086399",
            "resource": "https://graph.microsoft.com", "token_type": "Bearer"}
    write("token", "imds", b"\x00\x40" + json.dumps(imds).encode())
    write("token", "expires-on-only", b"\x00\x10" + b'{"access_token":"t","expires_on":1796003600}')
    for code, text in ((7000215, "Invalid client secret provided."),
                       (7000222, "The provided client secret keys are expired."),
                       (700016, "Application with identifier 'x' was not found."),
                       (90002, "Tenant 'x' not found."),
                       (700027, "Client assertion failed signature validation."),
                       (700024, "Client assertion is not within its valid time range."),
                       (70011, "The provided value for scope is not valid.")):
        err = {"error": "invalid_client" if code != 70011 else "invalid_scope",
               "error_description": "AADSTS%d: %s\r\nTrace ID: 0\r\nCorrelation ID: 1" % (code, text),
               "error_codes": [code], "timestamp": "2026-11-29 00:00:00Z",
               "trace_id": "t", "correlation_id": "c"}
        write("token", "aadsts-%d" % code, b"\x02\xff" + json.dumps(err).encode())
    write("token", "html", b"\x06\x80<html><body>Service Unavailable</body></html>")
    write("token", "empty", b"\x01\x01")


def graph_error_seeds():
    # byte 0: status/need_write, byte 1: output size - 1, byte 2: request-id length
    rid = b"0f2f6b8e-9d5e-4c7a-8a51-3c1a2b4d5e6f"
    bodies = {
        "unknown-error": {"error": {"code": "UnknownError", "message": ""}},
        "not-found": {"error": {"code": "Request_ResourceNotFound", "message": "Resource 'x' does not exist.",
                                "innerError": {"date": "2026-11-29T00:00:00", "request-id": "r",
                                               "client-request-id": "c", "innerError": {"request-id": "deep"}}}},
        "throttled": {"error": {"code": "TooManyRequests", "message": "Too many requests."}},
    }
    for i, (name, body) in enumerate(sorted(bodies.items())):
        write("graph_error", name, bytes([i * 2, 0xff, len(rid)]) + json.dumps(body).encode() + rid)
    write("graph_error", "html", b"\x0f\x40\x00<h2>Length Required</h2>")
    write("graph_error", "wrong-type", b"\x02\xff\x00" + b'{"error":"denied"}')


def small_seeds():
    for i, r in enumerate(["10", "10:", "~:10", "10:20", "@10:20", "1h", "2d:3d", "@1.5m:~",
                           "-5:-1", ":", "@", "~:", "1e308:1e309", "0x10", "30s", "nan", "10:5"]):
        write("range", "r%02d" % i, r)
    for i, d in enumerate(["PT40M", "PT20M", "PT2M", "P10675199DT2H48M5.4775807S", "P1W", "PT0S",
                           "P1Y", "P1M", "PT1.5H", "P1DT", "PT", "P", "-PT5M", "PT9999999999999999999H",
                           "30", "30s", "5m", "2h", "1d", "-1.5h", "1e3s", ""]):
        write("duration", "d%02d" % i, d)
    for i, t in enumerate(["2017-07-19T14:55:58.5434447Z", "0001-01-01T00:00:00Z", "2026-11-29T00:00:00Z",
                           "2026-11-29T00:00:00.1Z", "2026-11-29T00:00:00+01:30", "2026-02-29T00:00:00Z",
                           "2024-02-29T23:59:60Z", "9999-12-31T23:59:59.9999999Z", "1970-01-01T00:00:00-00:00",
                           "2026-13-01T00:00:00Z", "2026-11-29T00:00:00.12345678Z", "", "2026-11-29"]):
        write("time", "t%02d" % i, t)
    for i, r in enumerate(["2", "2.128", "0", "-1", "120", "Sun, 06 Nov 1994 08:49:37 GMT",
                           "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                           "Wed, 29 Nov 2026 00:00:10 GMT", "1e400", "99999999999999999999", "nan",
                           "inf", " 3 ", "garbage"]):
        write("retry_after", "ra%02d" % i, r)
    write("redact", "form", "grant_type=client_credentials&client_id=a&client_secret=s3cr3t&scope=x")
    write("redact", "assertion", "client_assertion_type=urn%3Aietf&client_assertion=eyJ.eyJ.sig")
    write("redact", "json", '{"token_type":"Bearer","access_token":"abc\\"def","expires_in":3599}')
    write("redact", "header", "Authorization: Bearer abc.def.ghi")
    write("redact", "cookie", "Set-Cookie: x=1; Path=/")
    write("token_entry", "ok", "check_entra_sync token v1\nexpires_at=1796003600\naccess_token=abc-DEF_123.x\nend\n")
    write("token_entry", "truncated", "check_entra_sync token v1\nexpires_at=1796003600\naccess_tok")
    write("statefile", "two", "# check_entra_sync: starts\n1795990000 handler\n1795999000 operator\n")
    write("statefile", "future", "1896000000 handler\n")
    write("statefile", "episode", "1795900000 handler Unknown\nepisode 1795950000\n"
          "1795990000 handler EncounteredQuarantineException\n1795999000 operator -\n")


def json_seeds():
    src = os.path.join(HERE, "corpus", "job")
    for i, name in enumerate(sorted(os.listdir(src))[:12]):
        with open(os.path.join(src, name), "rb") as f:
            write("json", "job-%02d" % i, f.read())
    for name, text in (("dup", '{"a":1,"b":{"a":2,"a":3}}'), ("dup-escaped", '{"a":1,"\\u0061":2}'),
                       ("nest-70", "[" * 70 + "]" * 70), ("surrogate", '"\\ud800"'),
                       ("numbers", "[1e400,-0,99999999999999999999,1.0e-400]"),
                       ("spaces", ' {"a" : [ ] } \n'), ("trailing", "{} x"),
                       ("odd-keys", '{"":1,"\\"":2,"\\\\":3}')):
        write("json", name, text)


def directory_answers(fx, version):
    """The two answers of the $batch --directory-sync sends (graph.c), as
    the emulator gives them for a directory fixture: the organization with
    the members the plugin selects, onPremisesSynchronization whole (v1.0
    without what only beta carries)."""
    org = emustate.merge(emustate._default_organization(TENANT),
                         expand(fx.get("organization", {}), NOW))
    for k in ("onPremisesLastSyncDateTime", "onPremisesLastPasswordSyncDateTime"):
        if isinstance(org.get(k), str):
            org[k] = emustate.seconds_only(org[k])
    sync = emustate.merge(emustate._default_onprem_sync(TENANT),
                          expand(fx.get("onPremisesSynchronization", {}), NOW))
    sel = ["id", "onPremisesSyncEnabled", "onPremisesLastSyncDateTime"]
    if version == "beta":
        sel.append("onPremisesLastPasswordSyncDateTime")
    elif isinstance(sync.get("configuration"), dict):
        sync["configuration"] = {k: v for k, v in sync["configuration"].items()
                                 if k == "accidentalDeletionPrevention"}
    org_page = {"@odata.context": "%s/%s/$metadata#organization(%s)" % (GRAPH, version, ",".join(sel)),
                "value": [{k: org[k] for k in sel}]}
    sync_page = {"@odata.context": "%s/%s/$metadata#directory/onPremisesSynchronization"
                                   % (GRAPH, version),
                 "value": [sync]}
    return org_page, sync_page


def dirsync_seeds():
    # organization JSON, NUL, onPremisesSynchronization JSON [, NUL, tail]; the
    # tail: byte 0 thresholds (bits 0-1) and credential (bits 2-3), byte 1
    # --max-output, then the credential's name or why its look-up failed.
    with open(os.path.join(ROOT, "tests", "emulator", "fixtures", "documented.json"),
              encoding="utf-8") as f:
        fixtures = json.load(f)["fixtures"]
    answers = {}
    for name, fx in sorted(fixtures.items()):
        if fx.get("kind") != "directory":
            continue
        for version in ("beta", "v1.0"):
            org, sync = directory_answers(fx, version)
            answers[(name, version)] = (org, sync)
            write("dirsync", "%s-%s" % (name, version),
                  json.dumps(org).encode() + b"\0" + json.dumps(sync).encode())
    org, sync = answers[("dirsync-syncing", "beta")]
    both = json.dumps(org).encode() + b"\0" + json.dumps(sync).encode() + b"\0"
    write("dirsync", "tail-secret", both + b"\x05\xff" + b"monitoring secret")
    write("dirsync", "tail-failed", both + b"\x0a\x10" + b"Graph HTTP 503 on the application")
    write("dirsync", "tail-certificate", both + b"\x0f\x00" + b"/etc/nagios/entra.pem")
    write("dirsync", "tail-hostile", both + b"\xf5\x00" + b"a|b\nc\xff\xc2\x85\xe2\x80\xa8" * 20)
    odd = json.loads(json.dumps(sync))
    cfg = odd["value"][0]["configuration"]
    cfg["synchronizationInterval"] = "P10675199DT2H48M5.4775807S"
    cfg["customerRequestedSynchronizationInterval"] = 30
    cfg["accidentalDeletionPrevention"] = {"synchronizationPreventionType": "EnabledForSomething|x",
                                           "alertThreshold": 99999999999}
    write("dirsync", "odd-sync", json.dumps(org).encode() + b"\0" + json.dumps(odd).encode())
    org_odd = {"value": [{"id": TENANT, "onPremisesSyncEnabled": True,
                          "onPremisesLastSyncDateTime": "9999-12-31T23:59:59-23:59",
                          "onPremisesLastPasswordSyncDateTime": "1969-12-31T23:59:59Z"}]}
    write("dirsync", "odd-times", json.dumps(org_odd).encode() + b"\0" + json.dumps(sync).encode())
    write("dirsync", "empty-collections", b'{"value":[]}\0{"value":[]}')
    write("dirsync", "sync-enabled-string",
          b'{"value":[{"onPremisesSyncEnabled":"true"}]}\0{"value":[]}')


def app_credentials_seeds():
    # application JSON, NUL, the client secret the run signs in with
    secret = "Kv7~shared-hint-secret-VALUE"
    clients = (
        ("one", {"client_id": "11111111-2222-4333-8444-555555555555", "secret": secret}, {}),
        ("expired", {"client_id": "11111111-2222-4333-8444-555555555556", "secret": secret,
                     "secret_expired": True}, {}),
        ("rotation", {"client_id": "11111111-2222-4333-8444-555555555557", "secret": secret},
         {"secret_end": "{{now+%d}}" % (300 * 86400), "extra_passwords": [
             {"displayName": "before rotation", "hint": "Kv7",
              "endDateTime": "{{now+%d}}" % (4.5 * 86400), "startDateTime": "{{now-%d}}" % (300 * 86400)},
             {"displayName": "unrelated", "hint": "xQ2", "endDateTime": "{{now+86400}}"},
             {"displayName": "expired last week", "hint": "Kv7", "endDateTime": "{{now-604800}}"}]}),
        ("no-secret", {"client_id": "11111111-2222-4333-8444-555555555558", "secret": None}, {}),
    )
    for name, entry, more in clients:
        entry = dict({"secret_expired": False, "certs": []}, **entry)
        app = emustate.State._application(entry, dict(entry, **more), NOW)
        page = dict({"@odata.context": "%s/v1.0/$metadata#applications(passwordCredentials)/$entity"
                     % GRAPH}, passwordCredentials=app["passwordCredentials"])
        write("app_credentials", name, json.dumps(page).encode() + b"\0" + secret.encode())
    write("app_credentials", "null-list", b'{"passwordCredentials":null}\0' + secret.encode())
    write("app_credentials", "not-a-list", b'{"passwordCredentials":{}}\0' + secret.encode())
    odd = [{"hint": "Kv7~shared", "endDateTime": "2027-01-01T00:00:00Z"},
           {"hint": "Kv7", "keyId": "not a guid|\n", "displayName": "x" * 200 + "\u00e9",
            "startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2031-01-01T00:00:00.5Z"},
           {"hint": "Kv7", "endDateTime": "1960-01-01T00:00:00Z"},
           {"hint": 7, "endDateTime": 1796000000}, "not an object", None]
    write("app_credentials", "odd", json.dumps({"passwordCredentials": odd}).encode()
          + b"\0" + secret.encode())
    many = [{"hint": "Kv7", "keyId": "%08d-0000-4000-8000-000000000000" % i,
             "endDateTime": emustate.iso_seconds(NOW + i * 86400)} for i in range(70)]
    write("app_credentials", "seventy", json.dumps({"passwordCredentials": many}).encode()
          + b"\0" + secret.encode())


def cred_entry_seeds():
    # as credential_cache.c's cred_entry_format writes them
    magic = "check_entra_sync credential v1\n"
    write("cred_entry", "known", magic + "checked_at=%d\noutcome=known\nends_at=%d\nmatching=1\n"
          "secrets=3\nkey_id=3c3b5d2a-8f64-4c1e-9a7b-2d1e0f6a5b4c\nname=monitoring secret\nend\n"
          % (NOW - 3600, NOW + 40 * 86400))
    write("cred_entry", "no-match", magic + "checked_at=%d\noutcome=no-match\nends_at=-\nmatching=0\n"
          "secrets=2\nkey_id=\nname=\nend\n" % NOW)
    write("cred_entry", "failed", magic + "checked_at=%d\noutcome=failed\nends_at=-\nmatching=0\n"
          "secrets=0\nkey_id=\nname=Graph HTTP 503 on /applications: ServiceUnavailable\nend\n" % NOW)
    write("cred_entry", "truncated", magic + "checked_at=%d\noutcome=known\nends_at=17" % NOW)


def provlog_seeds():
    # pages as emuprovlog.py serves them (the documented failure example's
    # shape), hostile text, and cache entries as provlog_cache.c writes them
    import emuprovlog
    job = "scim.0123456789abcdef0123456789abcdef"

    def ev(when, code, oid, **kw):
        e = emuprovlog.event(job, when, code=code, reason=kw.pop("reason", "refused (%s)" % code),
                             source={"id": oid, "displayName": "User %s" % oid},
                             tenant=TENANT, **kw)
        e["id"] = "ev-%s-%s" % (code, oid)
        return e

    t = NOW + 60
    page = [ev(t, "A", "u1"), ev(t + 1, "A", "u1"), ev(t + 2, "B", "u2"),
            ev(t + 3, None, "u3", status="success"), ev(t + 4, None, "d1", status="skipped",
                                                         action="stagedDelete")]
    for e in page:
        e["changeId"] = e["cycleId"] = "c"
    write("provlog", "page", json.dumps({"value": page, "@odata.nextLink":
                                         GRAPH + "/v1.0/auditLogs/provisioning?$skiptoken=x"}))
    hostile = ev(t, "Bad|Code\u202e", "u9",
                 reason="x" * 3000 + " eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJyb2xlcyI6WyJBdWRpdExvZy5SZWFkIl19.sig |\u2066")
    hostile["changeId"] = hostile["cycleId"] = "c"
    write("provlog", "hostile", json.dumps({"value": [hostile]}))
    write("provlog", "empty", '{"value":[]}')
    write("provlog", "entry", "check_entra_sync object errors v1\njob=2b3f93d427fa4ba7\n"
          "began=1796000000000\nended=1796000600000\nread_at=1796003600\noutcome=known\n"
          "events=3\nobjects=2\ncapped=0\ncodes=2\nstaged=1\nstaged_capped=0\ntop=1\n"
          "objects=1\nevents=2\ncode=A\ncategory=nonServiceFailure\ntype=User\nname=User u1\n"
          "id=u1\nreason=refused (A)\nend\n")
    write("provlog", "denied", "check_entra_sync object errors v1\njob=e3b0c44298fc1c14\n"
          "began=0\nended=0\nread_at=1796003600\noutcome=no-permission\nevents=0\n"
          "objects=0\ncapped=0\ncodes=0\nstaged=-\nstaged_capped=0\ntop=0\nend\n")


def ini_seeds():
    # first line: the section to read (empty: check_entra_sync); then the file
    write("ini", "example", "\n" + open(os.path.join(HERE, "..", "contrib", "check_entra_sync.ini")).read())
    write("ini", "repair", "entra_sync_repair\n" +
          open(os.path.join(HERE, "..", "contrib", "check_entra_sync.ini")).read())
    write("ini", "crlf", "\n[check_entra_sync]\r\ntenant = 'a b'\r\n; c\r\nsecret-expiry")
    write("ini", "broken", "\n# c\nkey=before\n[check_entra_sync\n=v\n[]\n")
    write("ini", "others", "mine\n[other]\n=junk\n[ mine ] ; c\nk = \"v\"\n[mine]\nk2\n")


def main():
    ini_seeds()
    job_seeds()
    json_seeds()
    token_seeds()
    graph_error_seeds()
    small_seeds()
    dirsync_seeds()
    app_credentials_seeds()
    cred_entry_seeds()
    provlog_seeds()


if __name__ == "__main__":
    main()
