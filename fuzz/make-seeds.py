#!/usr/bin/env python3
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
from emustate import expand  # noqa: E402

NOW = 1796000000  # the clock fuzz_job.c evaluates against


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
        with open(os.path.join(fx_dir, fn)) as f:
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


def main():
    job_seeds()
    json_seeds()
    token_seeds()
    graph_error_seeds()
    small_seeds()


if __name__ == "__main__":
    main()
