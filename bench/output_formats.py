# SPDX-License-Identifier: GPL-3.0-or-later
"""output_formats.py - section 5 of the cost benchmark: the output formats.

One check of a service principal with 1,000 healthy jobs (20 pages of 50),
warm token cache, once per --output-format: CPU (user + sys, median of
interleaved runs, bench/measure), the bytes written, and the user-space
instructions of one run (valgrind callgrind, which the load of the shared
machine does not move). The target (issue 22): json and prometheus cost at
most 5 % more than nagios.
"""

import copy
import json
import os
import shutil
import subprocess

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "tests", "emulator", "fixtures", "default.json")
HEALTHY_JOB = "scim.0123456789abcdef0123456789abcdef"
JOBS = 1000
PAGE = 50
SP = "5a1f0c2e-0000-4000-8000-0000f0f01000"
FORMATS = ("nagios", "json", "prometheus")
LIMIT = 1.05


def run_formats(b):
    """Fills b.out["formats"]."""
    fixture = json.load(open(FIXTURE))
    healthy = next(j for sp in fixture["servicePrincipals"] for j in sp["jobs"]
                   if j["id"] == HEALTHY_JOB)
    jobs = []
    for i in range(JOBS):
        j = copy.deepcopy(healthy)
        j["id"] = "scim.%032x" % (0xf0f00000 + i)
        jobs.append(j)
    b.emu.call("POST", "/_emu/settings", body={"page_size": PAGE})
    b.emu.call("PUT", "/_emu/servicePrincipals/" + SP, body={"appId": None, "jobs": jobs})
    cmds, first, size = {}, {}, {}
    for fmt in FORMATS:
        cmd = cmds[fmt] = b.plugin(b.warm_cache, sp=SP, job=None) + ["--output-format", fmt]
        first[fmt] = b.validate("plugin (%d jobs, %s)" % (JOBS, fmt), cmd)
        out = os.path.join(b.work, "formats.%s.out" % fmt)
        b.measure(cmd, out)
        size[fmt] = os.path.getsize(out)
    res = b.interleaved(cmds, max(3, b.a.scale_runs))
    ir = {}
    if shutil.which("valgrind"):
        for fmt, cmd in cmds.items():
            f = os.path.join(b.work, "callgrind.formats.%s" % fmt)
            subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + f] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                ir[fmt] = b.self_costs(f)["total"]
            except OSError:
                pass
    b.out["formats"] = {"samples": res, "ir": ir, "first": first, "size": size}


def f1(x):
    return "%.1f" % x


def formats_section(b):
    r = b.out.get("formats")
    if not r:
        return []
    res, ir = r["samples"], r["ir"]
    base_cpu, base_ir = res["nagios"].med(), ir.get("nagios")
    L = ["## 5. Output formats: one check of %d jobs in each `--output-format`" % JOBS, "",
         "One service principal with %d healthy jobs (%d pages of %d), warm token cache; the "
         "formats run interleaved, %d runs each. Instructions: one run under valgrind "
         "callgrind. nagios prints at most `--max-output` (8192) bytes and gives up the rest "
         "(fitting it is part of its cost); json and prometheus have no budget." % (
             JOBS, -(-JOBS // PAGE), PAGE, len(res["nagios"].cpu)), "",
         "| format | CPU median | CPU p95 | vs nagios | instructions | vs nagios | bytes "
         "written |", "|---|---:|---:|---:|---:|---:|---:|"]
    for fmt in FORMATS:
        s = res[fmt]
        L.append("| %s | %s ms | %s ms | %.3f× | %s | %s | %d |" % (
            fmt, f1(s.med()), f1(s.p95()), s.med() / base_cpu,
            "%.1f M" % (ir[fmt] / 1e6) if fmt in ir else "—",
            "%.3f×" % (ir[fmt] / base_ir) if fmt in ir and base_ir else "—", r["size"][fmt]))
    L += ["", "First lines: " + "; ".join(
        "%s `%s`" % (f, r["first"][f].replace("|", "\\|")[:90]) for f in FORMATS), ""]
    return L


def formats_targets(b, row):
    """The target of the output formats, rows of the table of cost targets."""
    r = b.out.get("formats")
    if not r:
        return
    res, ir = r["samples"], r["ir"]
    for fmt in ("json", "prometheus"):
        x, y = res[fmt].med(), res["nagios"].med()
        by_ir, ok_ir = "—", None
        if fmt in ir and "nagios" in ir:
            ri = ir[fmt] / ir["nagios"]
            ok_ir = ri <= LIMIT
            by_ir = "%.3f× (%.1f M vs %.1f M)" % (ri, ir[fmt] / 1e6, ir["nagios"] / 1e6)
        row("%d jobs in --output-format=%s: at most %.2f× the CPU of nagios" % (JOBS, fmt, LIMIT),
            "%.3f× (%s vs %s ms)" % (x / y, f1(x), f1(y)), x / y <= LIMIT, by_ir, ok_ir)
