# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet.py - section 4 of the cost benchmark: many service principals.

N service principals with one healthy job each, checked two ways:
  - N separate processes, one per service principal (`-s ID`), as a site
    monitors them one service each;
  - one process reading them all (`--service-principals-file`), which sends
    their reads 20 to a Graph `$batch` request.
Both with a warm token cache. Counted by the emulator: HTTP requests to Graph
(a `$batch` is one, whatever it carries), the reads inside batches, and
sign-ins. Timed by bench/measure: CPU (user + sys) and wall, summed over the
N processes, the median over runs of the batched one.
"""

import copy
import json
import os
import statistics
import time

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "tests", "emulator", "fixtures", "default.json")
HEALTHY_JOB = "scim.0123456789abcdef0123456789abcdef"
SIZES = (1, 10, 100, 1000)
# Service principals of this section: ids apart from every other section's.
SP_FORMAT = "5a1f0c2e-0000-4000-8000-0000f1ee%04x"
TARGET_SP = 100
TARGET_REQUESTS = 5
TARGET_CPU_SHARE = 0.10


def counters(emu):
    c = emu.call("GET", "/_emu/counters")
    # graph_requests counts every read, a batch's items included.
    return {"http": c["graph_requests"] - c["batch_items"], "items": c["batch_items"],
            "batches": c["batch_requests"], "sign_ins": c["sign_ins_total"]}


def delta(before, after):
    return {k: after[k] - before[k] for k in before}


def tenant(b, n, healthy):
    ids = []
    for i in range(n):
        sp = SP_FORMAT % i
        j = copy.deepcopy(healthy)
        j["id"] = "scim.%032x" % (0xf1ee0000 + i)
        b.emu.call("PUT", "/_emu/servicePrincipals/" + sp,
                   body={"appId": None, "displayName": "fleet app %04d" % i, "jobs": [j]})
        ids.append(sp)
    return ids


def batched_cmd(b, ids):
    lines = ["# bench fleet: %d service principals" % len(ids)]
    lines += ["%s fleet app %04d" % (sp, i) for i, sp in enumerate(ids)]
    path = b.private_file("fleet-%d.ids" % len(ids), "\n".join(lines) + "\n")
    cmd = b.plugin(b.warm_cache, sp=ids[0], job=None)
    k = cmd.index("-s")
    return cmd[:k] + ["--service-principals-file", path] + cmd[k + 2:] + ["-t", "120"]


def run_fleet(b):
    """Fills b.out["fleet"]: one row per size."""
    fixture = json.load(open(FIXTURE))
    healthy = next(j for sp in fixture["servicePrincipals"] for j in sp["jobs"]
                   if j["id"] == HEALTHY_JOB)
    rows = []
    runs = max(3, b.a.fleet_runs)
    all_ids = tenant(b, max(SIZES), healthy)
    for n in SIZES:
        ids = all_ids[:n]
        # N processes, once: the sum is what a site pays per interval.
        sep = [b.plugin(b.warm_cache, sp=sp, job=None) for sp in ids]
        b.measure(sep[0])  # the cache is warm; page cache too
        before = counters(b.emu)
        t0 = time.monotonic()
        cpu = 0.0
        bad = 0
        for cmd in sep:
            rc, ut, st = b.measure(cmd)[:3]
            cpu += (ut + st) / 1000.0
            bad += rc != 0
        wall = (time.monotonic() - t0) * 1000.0
        c_sep = delta(before, counters(b.emu))

        # One batched run, several times: medians.
        one = batched_cmd(b, ids)
        first = b.validate("plugin (%d service principals, batched)" % n, one)
        before = counters(b.emu)
        cpus, walls, rcs = [], [], []
        for _ in range(runs):
            rc, ut, st, _rss, wall_us = b.measure(one)[:5]
            cpus.append((ut + st) / 1000.0)
            walls.append(wall_us / 1000.0)
            rcs.append(rc)
        c_one = {k: v / runs for k, v in delta(before, counters(b.emu)).items()}
        rows.append({"n": n, "sep_cpu": cpu, "sep_wall": wall, "sep_counts": c_sep,
                     "sep_failed": bad, "one_cpu": statistics.median(cpus),
                     "one_wall": statistics.median(walls), "one_counts": c_one,
                     "one_failed": sum(1 for rc in rcs if rc != 0), "first": first,
                     "runs": runs})
    b.out["fleet"] = rows


def f1(x):
    return "%.1f" % x


def fleet_section(b):
    rows = b.out.get("fleet")
    if not rows:
        return []
    L = ["## 4. Many service principals: N processes or one batched run", "",
         "N service principals with one healthy job each, warm token cache. **N processes**: "
         "one `check_entra_sync -s ID` per service principal, run one after another (CPU and "
         "wall summed). **One run**: `check_entra_sync --service-principals-file F` with all "
         "N ids (median of %d runs; counts per run). Graph requests are HTTP requests (a "
         "`$batch` counts once); reads are the job lists asked for, inside batches or not." %
         rows[0]["runs"], "",
         "| service principals | way | Graph requests | reads in batches | sign-ins | CPU | "
         "CPU per job | wall | exits not 0 |",
         "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        s, o = r["sep_counts"], r["one_counts"]
        L.append("| %d | N processes | %d | %d | %d | %s ms | %s ms | %s ms | %d |" % (
            r["n"], s["http"], s["items"], s["sign_ins"], f1(r["sep_cpu"]),
            "%.2f" % (r["sep_cpu"] / r["n"]), f1(r["sep_wall"]), r["sep_failed"]))
        L.append("| %d | one run | %g | %g | %g | %s ms | %s ms | %s ms | %d |" % (
            r["n"], o["http"], o["items"], o["sign_ins"], f1(r["one_cpu"]),
            "%.2f" % (r["one_cpu"] / r["n"]), f1(r["one_wall"]), r["one_failed"]))
    L.append("")
    L.append("First line of the batched run: " + "; ".join(
        "%d: `%s`" % (r["n"], r["first"].replace("|", "\\|")[:120]) for r in rows))
    L.append("")
    return L


def fleet_targets(b, row):
    """The two targets of many service principals, rows of the table of cost
    targets (row(target, measured, ok) adds one)."""
    rows = {r["n"]: r for r in b.out.get("fleet", [])}
    r = rows.get(TARGET_SP)
    if r is None:
        return
    req = r["one_counts"]["http"]
    row("%d service principals in one run: at most %d Graph requests" % (TARGET_SP,
                                                                        TARGET_REQUESTS),
        "%g requests (%g reads in %g batches)" % (req, r["one_counts"]["items"],
                                                  r["one_counts"]["batches"]),
        req <= TARGET_REQUESTS)
    share = r["one_cpu"] / r["sep_cpu"]
    row("%d service principals in one run: at most 1/10 of the CPU of %d processes" % (
        TARGET_SP, TARGET_SP),
        "%s ms vs %s ms: %.3f" % (f1(r["one_cpu"]), f1(r["sep_cpu"]), share),
        share <= TARGET_CPU_SHARE)
