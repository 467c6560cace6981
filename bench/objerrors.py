# SPDX-License-Identifier: GPL-3.0-or-later
"""objerrors.py - section 6 of the cost benchmark: --object-errors.

What reading the provisioning logs costs, counted by the emulator:
  - a 60-job service principal with 5 jobs not OK: provisioning log requests
    of the first check and of the ten checks after it (the cache: one read
    per job and cycle), and the CPU of a warm check with and without the
    option;
  - 40 concurrent checks of that service principal, one identity, cold;
  - 40 jobs failing, 40 concurrent checks of one job each, one identity: 40
    reads that Microsoft's limit (5 per 10 s per application) spreads over
    more than a minute; the 429s the emulator sent (it enforces the limit);
  - the same 40 checks each with a cache directory of its own, as 40
    hosts of one application would run them: the window is not shared.
"""

import datetime
import os
import re
import subprocess
import time

SP = "5a1f0c2e-0000-4000-8000-00000000e220"
SP40 = "5a1f0c2e-0000-4000-8000-00000000e240"
CLIENT = "cccccccc-0000-0000-0000-0000000000e2"
SECRET = "bench-logreader~VALUE"
PERMISSIONS = ["Synchronization.Read.All", "AuditLog.Read.All", "Directory.Read.All"]
CODES = ("SystemForCrossDomainIdentityManagementBadResponse", "AttributeMappingMissing",
         "DuplicateTargetEntries")


def counters(emu):
    c = emu.call("GET", "/_emu/counters")
    return {"audit": c["audit_requests"], "throttled": c["audit_throttled"],
            "graph": c["graph_requests"]}


def delta(before, after):
    return {k: after[k] - before[k] for k in before}


def epoch(text):
    """A job time as the emulator writes it (7 fraction digits) -> epoch."""
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$", text)
    d = datetime.datetime(*map(int, m.groups()[:6]), tzinfo=datetime.timezone.utc)
    return d.timestamp() + float(m.group(7) or 0)


def troubled_jobs(jobs):
    """The jobs --object-errors reads: all but the healthy ones."""
    return [j for j in jobs if not (j["status"].get("code") == "Active" and
                                    j["status"]["lastExecution"]["state"] == "Succeeded")]


def setup(b, sp, count, mix):
    got = b.emu.call("POST", "/_emu/servicePrincipals/%s/generate-jobs" % sp,
                     body={"count": count, "mix": mix, "seed": 5, "share_every": 0})
    state = b.emu.call("GET", "/_emu/state")
    jobs = next(s["jobs"] for s in state["servicePrincipals"] if s["id"] == got["servicePrincipalId"])
    troubled = troubled_jobs(jobs)
    now = time.time()
    for i, j in enumerate(troubled):
        le = j["status"]["lastExecution"]
        began, ended = epoch(le["timeBegan"]), epoch(le["timeEnded"])
        b.emu.call("POST", "/_emu/provisioning/events", body={
            "jobId": j["id"], "from": now - began - 5, "to": now - ended + 5,
            "failures": [{"code": CODES[k % 3], "objects": 20 + 7 * k + i} for k in range(3)],
            "successes": 30})
    return jobs, troubled


def command(b, cache, sp, job=None, extra=()):
    cmd = b.plugin(cache, client=CLIENT, secret=b.logreader_secret, sp=sp, job=job)
    return cmd + ["--object-errors"] + list(extra)


def warm_token(b, cache):
    """One run without the option: the identity's token is cached."""
    subprocess.run(b.plugin(cache, client=CLIENT, secret=b.logreader_secret, sp=SP, job=None),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def first_line(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return (r.stdout.splitlines() or ["(no output, exit %d)" % r.returncode])[0]


def concurrent(b, cmds):
    t0 = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
             for c in cmds]
    outs = [p.communicate() for p in procs]
    wall = time.monotonic() - t0
    skipped = sum(1 for o, _ in outs if "not read" in (o or ""))
    return [p.returncode for p in procs], wall, skipped


def run_objerrors(b):
    """Fills b.out["objerrors"]."""
    b.emu.call("POST", "/_emu/clients", body={"client_id": CLIENT, "secret": SECRET,
                                              "permissions": PERMISSIONS})
    b.logreader_secret = b.private_file("logreader.secret", SECRET + "\n")
    out = {}
    jobs, troubled = setup(b, SP, 60, {"healthy": 55, "quarantined": 2, "failed": 3})
    out["jobs"], out["troubled"] = len(jobs), len(troubled)
    out["staged"] = sum(1 for j in troubled
                        if ((j["status"].get("quarantine") or {}).get("reason") == "TooManyDeletes"))

    cache = os.path.join(b.work, "cache-objerr")
    first = command(b, cache, SP, extra=["-t", "60"])
    before = counters(b.emu)
    rc = b.measure(first)[0]
    out["first"] = dict(delta(before, counters(b.emu)), rc=rc)
    before = counters(b.emu)
    rcs = [b.measure(first)[0] for _ in range(10)]
    out["next10"] = dict(delta(before, counters(b.emu)), bad=sum(1 for r in rcs if r == 3))
    out["first_line"] = first_line(first)

    # CPU of a warm check, with and without the option, interleaved.
    plain = b.plugin(cache, client=CLIENT, secret=b.logreader_secret, sp=SP, job=None)
    res = b.interleaved({"with --object-errors": first, "without": plain}, 20)
    out["cpu"] = {k: (v.med(), v.p95()) for k, v in res.items()}

    # 40 concurrent checks of the whole service principal, one identity,
    # nothing of the logs cached, after the emulator's window emptied.
    cache2 = os.path.join(b.work, "cache-objerr-40")
    warm_token(b, cache2)
    time.sleep(11)
    before = counters(b.emu)
    rcs, wall, skipped = concurrent(b, [command(b, cache2, SP, extra=["-t", "60"])] * 40)
    out["burst"] = dict(delta(before, counters(b.emu)), wall=wall, skipped=skipped,
                        bad=sum(1 for r in rcs if r == 3))

    # 40 failing jobs, one check each, together: the window under pressure.
    jobs40, troubled40 = setup(b, SP40, 40, {"healthy": 0, "quarantined": 0, "failed": 40})
    for name, shared in (("shared", True), ("separate", False)):
        base = os.path.join(b.work, "cache-objerr-40jobs-" + name)
        caches = [base] * 40 if shared else ["%s-%02d" % (base, i) for i in range(40)]
        for c in sorted(set(caches)):
            warm_token(b, c)
        time.sleep(11)   # an empty window at the emulator
        before = counters(b.emu)
        cmds = [command(b, caches[i], SP40, job=troubled40[i]["id"], extra=["-t", "120"])
                for i in range(40)]
        rcs, wall, skipped = concurrent(b, cmds)
        out["forty_" + name] = dict(delta(before, counters(b.emu)), wall=wall,
                                    skipped=skipped, bad=sum(1 for r in rcs if r == 3))
    b.out["objerrors"] = out


def f1(x):
    return "%.1f" % x


def objerrors_section(b):
    o = b.out.get("objerrors")
    if not o:
        return []
    cpu = o["cpu"]
    L = ["## 6. --object-errors: provisioning log reads (emulator counters)", "",
         "The emulator enforces Microsoft's limit for the reporting APIs (5 requests per "
         "10 s per application and tenant: 429 with Retry-After). A read is one request per "
         "page of 500 events (the jobs here have about 100 failed events each) and one more "
         "for a TooManyDeletes quarantine (its staged deletes).", "",
         "| scenario | checks | log requests | 429s | Graph requests | wall | logs skipped | "
         "UNKNOWN exits |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
    f = o["first"]
    L.append("| %d jobs, %d not OK (%d TooManyDeletes): first check | 1 | %d | %d | %d | — | — | "
             "%d |" % (o["jobs"], o["troubled"], o["staged"], f["audit"], f["throttled"],
                       f["graph"], 1 if f["rc"] == 3 else 0))
    n = o["next10"]
    L.append("| the same, the ten checks after it | 10 | %d | %d | %d | — | — | %d |" % (
        n["audit"], n["throttled"], n["graph"], n["bad"]))
    u = o["burst"]
    L.append("| the same, 40 concurrent checks, one identity, cold | 40 | %d | %d | %d | %s s | "
             "%d | %d |" % (u["audit"], u["throttled"], u["graph"], f1(u["wall"]),
                            u["skipped"], u["bad"]))
    for key, label in (("forty_shared", "40 failing jobs, 40 concurrent checks (one job each), "
                                        "one identity, one cache directory, -t 120"),
                       ("forty_separate", "the same, each check with a cache directory of its "
                                          "own (40 hosts of one application)")):
        r = o[key]
        L.append("| %s | 40 | %d | %d | %d | %s s | %d | %d |" % (
            label, r["audit"], r["throttled"], r["graph"], f1(r["wall"]), r["skipped"],
            r["bad"]))
    L += ["", "CPU of one warm check of the %d jobs (median / p95 of 20, interleaved): with "
          "--object-errors %s / %s ms (%d summaries from the cache), without %s / %s ms." % (
              o["jobs"], f1(cpu["with --object-errors"][0]), f1(cpu["with --object-errors"][1]),
              o["troubled"], f1(cpu["without"][0]), f1(cpu["without"][1])),
          "", "First line: `%s`" % o["first_line"].replace("|", "\\|")[:160], ""]
    return L


def objerrors_targets(b, row):
    o = b.out.get("objerrors")
    if not o:
        return
    want = o["troubled"] + o["staged"]
    row("--object-errors, 60 jobs, 5 not OK: one log read per troubled job on the first "
        "check, none on the next ten",
        "%d, then %d" % (o["first"]["audit"], o["next10"]["audit"]),
        o["first"]["audit"] == want and o["next10"]["audit"] == 0)
    r = o["forty_shared"]
    row("40 concurrent checks of one identity: no 429 from the reporting limit",
        "%d 429s (%d log requests in %s s)" % (r["throttled"], r["audit"], f1(r["wall"])),
        r["throttled"] == 0 and o["burst"]["throttled"] == 0)
