# SPDX-License-Identifier: GPL-3.0-or-later
"""Output that fits Nagios and NRPE, and metric names that survive Graphite,
InfluxDB and Grafana: the --max-output budget, the label rule, plain
decimals, and diagnostics that never come before the status line (Icinga 2
reads stdout and stderr as one stream). Each test failed against the release
before these changes (TEST_PLUGIN=...)."""

import re
import subprocess
import os

import harness as H
from harness import eq, expect, perfdata, true

LABEL = re.compile(r"^[A-Za-z0-9_]{1,60}$")


def many(e, count, **mix):
    e.generate_jobs(H.SP_TEST, count, **({"mix": mix} if mix else {}))
    e.settings(page_size=999)
    return H.run_plugin(H.check_args(e, sp=H.SP_TEST))


def head_of(r):
    return r.first_line.split(" |", 1)[0]


def test_60_quarantined_jobs_fit_8_kib_with_a_short_summary():
    e = H.emu()
    r = many(e, 60, quarantined=60)
    eq(r.rc, 2, "exit status", r)
    true(len(r.raw_stdout) <= 8192, "printed %d bytes" % len(r.raw_stdout), r)
    true(len(head_of(r)) < 200, "the text before '|' is %d characters" % len(head_of(r)), r)
    true("60 of 60 jobs not OK" in r.first_line, "the summary does not count the jobs", r)
    # 60 long lines and 421 metrics cannot all fit: both are said
    true(re.search(r"^\[CRITICAL\] \.\.\. \d+ more jobs not OK, not shown to fit "
                   r"--max-output 8192$", r.stdout, re.M),
         "no line says how many jobs are not shown", r)
    true(re.search(r"^\(\d+ of 421 metrics left out to fit --max-output 8192\)$", r.stdout, re.M),
         "no line says how many metrics are left out", r)


def test_over_budget_ok_jobs_fold_and_troubled_jobs_keep_their_lines():
    e = H.emu()
    r = many(e, 40, healthy=36, quarantined=3, failed=1)
    lines = r.stdout.splitlines()
    true(len(r.raw_stdout) <= 8192, "printed %d bytes" % len(r.raw_stdout), r)
    bad = [l for l in lines[1:] if l.startswith("[CRITICAL]") or l.startswith("[WARNING]")]
    eq(len(bad), 4, "long-output lines of the jobs that are not OK", r)
    folded = [l for l in lines if re.match(r"^\[OK\] 36 more jobs OK:", l)]
    eq(len(folded), 1, "the line folding the OK jobs", r)
    # the metrics graphs need most survive for every job
    p = perfdata(r)
    for metric in ("successive_failures", "quarantine_age"):
        eq(len([k for k in p if k.endswith("_" + metric)]), 40, "jobs with " + metric, r)


def test_under_budget_every_job_keeps_its_line_and_all_metrics():
    e = H.emu()
    r = many(e, 10, healthy=9, quarantined=1)
    lines = r.stdout.splitlines()
    eq(len([l for l in lines[1:] if l.startswith("[")]), 10, "long-output lines", r)
    true("left out" not in r.stdout, "metrics were left out of a small output", r)


def test_a_smaller_budget_is_kept_and_too_small_a_budget_refused():
    e = H.emu()
    e.generate_jobs(H.SP_TEST, 50, mix={"healthy": 45, "quarantined": 3, "failed": 2})
    e.settings(page_size=999)
    r = H.run_plugin(H.check_args(e, sp=H.SP_TEST, extra=["--max-output", "1023"]))
    true(len(r.raw_stdout) <= 1023, "printed %d bytes with --max-output 1023" % len(r.raw_stdout), r)
    true(r.first_line.startswith("ENTRA SYNC CRITICAL - "), "no status line", r)
    r = H.run_plugin(H.check_args(e, sp=H.SP_TEST, extra=["--max-output", "100"]))
    expect(r, 3, first_contains=["--max-output"], one_line=True)


def test_labels_carry_a_prefix_even_for_one_job_and_keep_it_when_a_second_appears():
    e = H.emu()
    one = H.make_job("scim", last_success_ago=60)
    e.put_sp(H.SP_TEST, [one], appId=H.APP_TEST)
    before = perfdata(H.run_plugin(H.check_args(e, sp=H.SP_TEST)))
    true("scim_last_success_age" in before, "one job without -j has bare labels", None)
    e.put_sp(H.SP_TEST, [one, H.make_job("box", last_success_ago=60)], appId=H.APP_TEST)
    after = perfdata(H.run_plugin(H.check_args(e, sp=H.SP_TEST)))
    true(set(before) <= set(after), "a second job renamed the first one's metrics: %s -> %s"
         % (sorted(before), sorted(after)), None)


def test_shared_templates_get_a_stable_suffix_without_dots():
    e = H.emu()
    jobs = [H.make_job("scim", hexid="%032x" % i) for i in range(3)]
    jobs.append(H.make_job("google-workspace"))
    e.put_sp(H.SP_TEST, jobs, appId=H.APP_TEST)
    r = H.run_plugin(H.check_args(e, sp=H.SP_TEST))
    labels = list(perfdata(r))
    true(all(LABEL.match(l) for l in labels), "labels outside [A-Za-z0-9_]{1,60}: %s"
         % [l for l in labels if not LABEL.match(l)], r)
    eq(len(labels), len(set(labels)), "unique labels", r)
    scim = sorted({l.split("_")[1] for l in labels if l.startswith("scim_")})
    eq(len(scim), 3, "distinct suffixes of the three scim jobs", r)
    true(any(l.startswith("google_workspace_") for l in labels), "'-' is not replaced", r)
    # the suffix depends on the job id only: the same after the others go
    e.put_sp(H.SP_TEST, jobs[:1] + [jobs[3]], appId=H.APP_TEST)
    r2 = H.run_plugin(H.check_args(e, sp=H.SP_TEST))
    true(any(l.startswith("scim_") for l in perfdata(r2)), "no scim label", r2)


def test_thresholds_print_as_plain_decimals():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=[
        "-w", "99999999999999999", "--escrow-critical", "0.0000001"]))
    perf = r.first_line.split("|", 1)[1]
    true("e+" not in perf and "e-" not in perf, "exponent form in perfdata: %s" % perf, r)
    warn = re.search(r"last_success_age=\d+s;([^;]*);", perf).group(1)
    true(re.fullmatch(r"\d{18}", warn) is not None and abs(float(warn) - 1e17) < 1e3,
         "the -w threshold %r is not a plain decimal" % warn, r)
    true(";0.0000001;" in perf, "the escrow threshold is not a plain decimal", r)


def _merged(args):
    """Runs the plugin with stdout and stderr in one pipe, as Icinga 2 reads it."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    p = subprocess.run([H.PLUGIN] + args, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def test_verbose_diagnostics_follow_the_status_line():
    e = H.emu()
    for v in ("-v", "-vv"):
        rc, text = _merged(H.check_args(e, job=H.JOB_SCIM, extra=[v]))
        eq(rc, 0, "exit status with " + v)
        lines = text.splitlines()
        true(lines and lines[0].startswith("ENTRA SYNC OK - "),
             "with %s the first line is %r" % (v, lines[:1]))
        true(len(lines) > 2, "%s printed no diagnostics: %r" % (v, lines))
    # sign-in and cache diagnostics included, on a cold cache
    rc, text = _merged(H.check_args(e, job=H.JOB_SCIM, extra=["-vv"]))
    eq(text.splitlines()[0][:16], "ENTRA SYNC OK - ", "first line at -vv, cold cache")
    true("signed in" in text, "-vv says nothing about the sign-in: %r" % text[:300])


def test_verbose_diagnostics_of_a_failure_follow_the_unknown_line():
    e = H.emu()
    e.add_fault(target="graph", status=500)
    rc, text = _merged(H.check_args(e, job=H.JOB_SCIM, extra=["-vv"]))
    eq(rc, 3, "exit status")
    true(text.startswith("ENTRA SYNC UNKNOWN - "), "first line %r" % text.splitlines()[:1])
