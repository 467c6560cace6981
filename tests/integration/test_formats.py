# SPDX-License-Identifier: GPL-3.0-or-later
"""--output-format=json and prometheus (SPEC 16) and --output-file: every
mode and state in every format with the same exit status, the facts each
format carries, the runs that could not do their work, hostile text, and
the atomic output file. run_plugin validates every json document against
the schema and checks every exposition with the grammar and promtool
(formats.py), so each run here is also a test of the contracts."""

import json
import os
import re
import stat
import time

import formats
import harness as H
from harness import eq, expect, true

FORMATS = ("nagios", "json", "prometheus")
samples, sample = formats.samples, formats.sample


def in_every_format(args, rc):
    """The runs of args in each format: all exit rc."""
    runs = {}
    for fmt in FORMATS:
        r = runs[fmt] = H.run_plugin(args + ["--output-format", fmt])
        eq(r.rc, rc, "exit status with --output-format " + fmt, r)
    return runs


def document(r):
    return json.loads(r.stdout)


def run(args, rc):
    """A run that must exit rc (expect() reads a nagios first line)."""
    r = H.run_plugin(args)
    eq(r.rc, rc, "exit status", r)
    return r


def job_of(doc, job_id):
    found = [j for j in doc["jobs"] if j["id"] == job_id]
    eq(len(found), 1, "jobs with id " + job_id)
    return found[0]


def quarantine(reason="EncounteredEscrowProportionThreshold", message="escrow"):
    return {"reason": reason, "seriesBegan": "{{now-90000}}", "seriesCount": 4,
            "currentBegan": "{{now-3600}}", "nextAttempt": "{{now+3600}}",
            "error": {"code": "EscrowThreshold", "message": message, "tenantActionable": True}}


# -- every state, every format -------------------------------------------------------
STATES = [
    (0, dict(template="scim")),
    (1, dict(template="paused", code="Paused")),
    (2, dict(template="box", code="Quarantine", quarantine=quarantine())),
    (3, dict(template="odd", code="SomethingNew")),
]


def test_every_state_exits_alike_in_every_format_with_one_job():
    e = H.emu()
    for rc, spec in STATES:
        job = H.make_job(**spec)
        e.put_sp(H.SP_TEST, [job])
        runs = in_every_format(H.check_args(e, sp=H.SP_TEST, job=job["id"]), rc)
        doc = document(runs["json"])
        eq((doc["state"], doc["exit_code"], doc["complete"]), (H.STATES[rc], rc, True),
           "json state", runs["json"])
        eq(job_of(doc, job["id"])["state_code"], rc, "the job's state_code", runs["json"])
        prom = runs["prometheus"].stdout
        eq(sample(prom, "entra_sync_state", mode="check"), rc, "entra_sync_state",
           runs["prometheus"])
        eq(sample(prom, "entra_sync_job_state", sync_job=job["id"]), rc,
           "entra_sync_job_state", runs["prometheus"])
        true(runs["nagios"].stdout.startswith("ENTRA SYNC %s - " % H.STATES[rc]),
             "the nagios status line", runs["nagios"])


def test_many_jobs_exit_with_the_worst_state_in_every_format():
    e = H.emu()
    jobs = [H.make_job(**spec) for _, spec in STATES]
    e.put_sp(H.SP_TEST, jobs)
    runs = in_every_format(H.check_args(e, sp=H.SP_TEST), 2)
    doc = document(runs["json"])
    eq(sorted(j["id"] for j in doc["jobs"]), sorted(j["id"] for j in jobs), "json jobs")
    eq([j["state"] for j in doc["jobs"]], ["CRITICAL", "WARNING", "UNKNOWN", "OK"],
       "jobs worst first, as the lines", runs["json"])
    prom = runs["prometheus"].stdout
    for rc, spec in STATES:
        eq(sample(prom, "entra_sync_job_state", template=spec["template"]), rc,
           "job_state of " + spec["template"], runs["prometheus"])


def test_directory_sync_exits_alike_in_every_format():
    e = H.emu()
    base = ["-T", H.TENANT, "-C", H.CLIENTS["auditor"][0], "--client-secret-file",
            H.secret_file(H.CLIENTS["auditor"][1]), "--login-url", e.url, "--graph-url", e.url,
            "--token-cache", H.cache_dir(), "--directory-sync"]
    for fixture, rc in (("dirsync-syncing", 0), ("dirsync-deletion-prevention-disabled", 1),
                        ("dirsync-turned-off", 2), ("dirsync-never", 3)):
        e.install_fixture(fixture)
        runs = in_every_format(base, rc)
        doc = document(runs["json"])
        eq((doc["mode"], doc["directory_sync"]["state_code"]), ("directory_sync", rc),
           "json mode and state of " + fixture, runs["json"])
        true("jobs" not in doc, "jobs in a --directory-sync document", runs["json"])
        prom = runs["prometheus"].stdout
        eq(sample(prom, "entra_sync_state", mode="directory_sync", tenant=H.TENANT), rc,
           "entra_sync_state of " + fixture, runs["prometheus"])
    e.install_fixture("dirsync-syncing")
    runs = in_every_format(base, 0)
    ds = document(runs["json"])["directory_sync"]
    eq((ds["sync"], ds["interval"]["seconds"], ds["interval"]["source"],
        ds["password_hash_sync"]["status"], ds["deletion_prevention"]["alert_threshold"]),
       ("enabled", 1800, "configured", "judged", 500), "directory sync facts", runs["json"])
    true(895 <= ds["last_sync"]["age"] <= 910, "last sync age %r" % ds["last_sync"])
    metrics = document(runs["json"])["metrics"]
    eq(metrics["last_sync_age"]["crit"]["end"], 10800, "crit of last_sync_age", runs["json"])
    prom = runs["prometheus"].stdout
    true(895 <= sample(prom, "entra_sync_directory_sync_last_sync_age_seconds") <= 910,
         "last sync age in prometheus", runs["prometheus"])
    eq(sample(prom, "entra_sync_directory_sync_interval_seconds"), 1800, "interval",
       runs["prometheus"])
    eq(sample(prom, "entra_sync_directory_sync_enabled"), 1, "enabled", runs["prometheus"])


# -- the facts -------------------------------------------------------------------------
def test_json_carries_a_quarantined_job_s_facts():
    e = H.emu()
    job = H.make_job(template="box", code="Quarantine", failures=3,
                     quarantine=quarantine(message='say "no" \\ \u202e'))
    e.put_sp(H.SP_TEST, [job])
    r = run(H.check_args(e, sp=H.SP_TEST, extra=["--output-format=json"]), 2)
    doc = document(r)
    eq((doc["plugin"], doc["mode"], doc["tenant"]), ("check_entra_sync", "check", H.TENANT),
       "the run", r)
    eq(doc["service_principals"], [{"id": H.SP_TEST, "app_id": None, "name": None,
                                    "error": None}], "service principals", r)
    j = job_of(doc, job["id"])
    eq((j["service_principal"], j["template"], j["status_code"]), (H.SP_TEST, "box", "Quarantine"),
       "ids", r)
    eq([(f["kind"], f["state"], f["threshold"]) for f in j["findings"]],
       [("status", "CRITICAL", None), ("failures", "CRITICAL", "2")], "findings", r)
    q = j["quarantine"]
    eq((q["reason"], q["series_count"]), ("EncounteredEscrowProportionThreshold", 4),
       "quarantine", r)
    eq(q["error"]["message"], 'say "no" \\ \u202e', "the message, escaped not dropped", r)
    true(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", q["since"]), "since is ISO 8601", r)
    true(89990 <= q["age"] <= 90010, "quarantine age %r" % q["age"], r)
    m = j["metrics"]
    eq((m["successive_failures"]["value"], m["successive_failures"]["crit"]),
       (3, {"range": "2", "start": 0, "end": 2, "alert_inside": False}), "failures metric", r)
    eq((m["quarantine_series"]["value"], m["quarantine_age"]["unit"]), (4, "s"), "metrics", r)
    true(j["last_success"]["age"] >= 600, "last success age", r)
    true(j["text"].startswith("[CRITICAL] " + job["id"]), "the job's line", r)
    true("time" in doc["metrics"], "the run's time metric", r)


def test_a_never_succeeded_job_has_no_age_in_json_or_prometheus():
    e = H.emu()
    job = H.make_job(template="fresh", code="NotRun", last_success_ago=None)
    e.put_sp(H.SP_TEST, [job])
    runs = in_every_format(H.check_args(e, sp=H.SP_TEST, job=job["id"]), 0)
    j = job_of(document(runs["json"]), job["id"])
    eq(j["last_success"], None, "last_success of a job that never succeeded", runs["json"])
    true("last_success_age" not in j["metrics"], "an age nobody knows", runs["json"])
    prom = runs["prometheus"].stdout
    true("entra_sync_job_last_success_age_seconds{" not in prom and
         "NaN" not in prom, "an unknown age in prometheus", runs["prometheus"])


def test_prometheus_labels_units_and_findings():
    e = H.emu()
    healthy = H.make_job(template="scim")
    healthy["status"]["progress"] = [{"completedUnits": 21, "totalUnits": 50,
                                      "progressObservationDateTime": "{{now-60}}",
                                      "units": "Entries"}]
    box = H.make_job(template="box", code="Quarantine", failures=3, quarantine=quarantine())
    # a last success on a whole second, so its timestamp is known exactly
    # (a time relative to the emulator's clock carries a fraction of a
    # second that rounding may carry either way)
    success = int(time.time()) - 600
    ended = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(success))
    for run_of in ("lastExecution", "lastSuccessfulExecution"):
        box["status"][run_of].update(timeBegan=ended, timeEnded=ended)
    e.put_sp(H.SP_TEST, [healthy, box])
    began = time.time()
    r = run(H.check_args(e, sp=H.SP_TEST, extra=["--output-format=prometheus"]), 2)
    ended_at = time.time()
    prom = r.stdout
    ids = dict(service_principal=H.SP_TEST, sync_job=box["id"], template="box")
    eq(sample(prom, "entra_sync_job_quarantined", **ids), 1, "quarantined", r)
    eq(sample(prom, "entra_sync_job_finding", kind="status", **ids), 2, "status finding", r)
    eq(sample(prom, "entra_sync_job_finding", kind="failures", **ids), 2, "failures finding", r)
    true(89990 <= sample(prom, "entra_sync_job_quarantine_age_seconds", **ids) <= 90010,
         "quarantine age in seconds", r)
    eq(sample(prom, "entra_sync_job_progress_ratio", sync_job=healthy["id"]), 0.42,
       "progress as a ratio (42 %)", r)
    eq(sample(prom, "entra_sync_service_principal_up", service_principal=H.SP_TEST), 1,
       "service principal up", r)
    eq(sample(prom, "entra_sync_up", mode="check", tenant=H.TENANT), 1, "up", r)
    true(prom.startswith("# ENTRA SYNC CRITICAL - "), "the summary as a comment", r)
    eq(sample(prom, "entra_sync_job_last_success_timestamp_seconds", sync_job=box["id"]),
       success, "last success timestamp", r)
    now = sample(prom, "entra_sync_run_timestamp_seconds")
    true(round(began) <= now <= round(ended_at),
         "the run's timestamp %s lies outside the run (%.3f to %.3f)" % (now, began, ended_at), r)


def test_every_metric_of_the_json_document_is_a_prometheus_family():
    """A metric added to the report must get a row in prometheus.c's table,
    or it would be missing from one format."""
    e = H.emu()
    job = H.make_job(template="box", code="Quarantine", quarantine=quarantine())
    job["status"]["progress"] = [{"completedUnits": 1, "totalUnits": 2, "units": "Entries",
                                  "progressObservationDateTime": "{{now-60}}"}]
    job["status"]["lastSuccessfulExecutionWithExports"] = dict(
        job["status"]["lastExecution"], timeEnded="{{now-700}}")
    e.put_sp(H.SP_TEST, [job])
    args = H.check_args(e, sp=H.SP_TEST, extra=["--export-warning", "2h"])
    names = set()
    doc = document(run(args + ["--output-format=json"], 2))
    for j in doc["jobs"]:
        names |= set(j["metrics"])
    names |= set(doc["metrics"])
    true({"progress", "last_export_age", "quarantine_age"} <= names,
         "the metrics this test means to cover: %s" % sorted(names))
    prom = H.run_plugin(args + ["--output-format=prometheus"]).stdout
    families = {n for n, _ in samples(prom)}
    for name in sorted(names):
        true(any(f.startswith("entra_sync_") and name in f for f in families)
             or name == "time" and "entra_sync_http_seconds" in families,
             "metric %s has no prometheus family among %s" % (name, sorted(families)))


def test_many_service_principals_one_unreadable_in_json_and_prometheus():
    e = H.emu()
    other = "5a1f0c2e-0000-4000-8000-0000000000bb"
    missing = "5a1f0c2e-0000-4000-8000-0000000000cc"
    e.put_sp(H.SP_TEST, [H.make_job(template="scim")])
    e.put_sp(other, [H.make_job(template="box", code="Quarantine", quarantine=quarantine())])
    args = H.check_args(e, sp=H.SP_TEST)[:-2] + ["-s", H.SP_TEST, "-s", other, "-s", missing]
    runs = in_every_format(args, 2)
    doc = document(runs["json"])
    by_id = {s["id"]: s for s in doc["service_principals"]}
    eq(sorted(by_id), sorted([H.SP_TEST, other, missing]), "service principals", runs["json"])
    true(by_id[missing]["error"] and "404" in by_id[missing]["error"],
         "the error of the missing one", runs["json"])
    eq((by_id[H.SP_TEST]["error"], by_id[other]["error"]), (None, None), "readable ones")
    eq({j["template"]: j["service_principal"] for j in doc["jobs"]},
       {"scim": H.SP_TEST, "box": other}, "each job's service principal", runs["json"])
    eq(len(doc["errors"]), 1, "error lines", runs["json"])
    prom = runs["prometheus"].stdout
    eq(sample(prom, "entra_sync_service_principal_up", service_principal=missing), 0,
       "the unreadable one", runs["prometheus"])
    eq(sample(prom, "entra_sync_service_principal_up", service_principal=other), 1,
       "a readable one", runs["prometheus"])
    eq(sample(prom, "entra_sync_job_quarantined", service_principal=other), 1,
       "the job of the other", runs["prometheus"])
    true("# error: [UNKNOWN] service principal " + missing in prom,
         "the error as a comment", runs["prometheus"])


def test_addressed_by_app_id_the_job_names_it():
    e = H.emu()
    r = run(H.check_args(e, app_id=H.APP_DEMO, job=H.JOB_SCIM, extra=["--output-format=json"]),
            0)
    doc = document(r)
    eq(doc["service_principals"], [{"id": None, "app_id": H.APP_DEMO, "name": None,
                                    "error": None}], "service principals", r)
    eq(doc["jobs"][0]["service_principal"], H.APP_DEMO, "the job's", r)
    r = H.run_plugin(H.check_args(e, app_id=H.APP_DEMO, job=H.JOB_SCIM,
                                  extra=["--output-format=prometheus"]))
    eq(sample(r.stdout, "entra_sync_job_state", service_principal=H.APP_DEMO), 0, "label", r)


# -- runs that could not do their work ------------------------------------------------------
def _failed_in_every_format(args, rc, words):
    runs = in_every_format(args, rc)
    true(words in runs["nagios"].first_line, "nagios says %r" % words, runs["nagios"])
    doc = document(runs["json"])
    eq((doc["complete"], doc["exit_code"]), (False, rc), "json of a failed run", runs["json"])
    true(words in doc["summary"], "json summary says %r" % words, runs["json"])
    true("jobs" not in doc, "a failed run with a list of jobs", runs["json"])
    prom = runs["prometheus"].stdout
    eq(sample(prom, "entra_sync_up"), 0, "entra_sync_up of a failed run", runs["prometheus"])
    eq(sample(prom, "entra_sync_state"), rc, "entra_sync_state", runs["prometheus"])
    true(words in prom.splitlines()[0], "the comment says %r" % words, runs["prometheus"])
    return runs


def test_a_failed_sign_in_is_a_document_in_every_format():
    e = H.emu()
    _failed_in_every_format(H.check_args(e, client=(H.CLIENTS["reader"][0], "wrong-Secret~1"),
                                         job=H.JOB_SCIM), 3, "sign-in failed")


def test_a_graph_error_is_a_document_in_every_format():
    e = H.emu()
    runs = _failed_in_every_format(H.check_args(e, sp="5a1f0c2e-0000-4000-8000-0000000000ee"),
                                   3, "404")
    true(document(runs["json"])["notes"], "the ids support asks for, as a note", runs["json"])


def test_a_timeout_with_its_state_is_a_document_in_every_format():
    e = H.emu()
    e.add_fault(target="graph", delay=3, times=3)
    _failed_in_every_format(H.check_args(e, job=H.JOB_SCIM, extra=["-t", "1:critical"]), 2,
                            "timeout after 1s")


def test_usage_errors_are_documents_in_the_format_asked_for_wherever_it_comes():
    e = H.emu()
    good = H.check_args(e, job=H.JOB_SCIM)
    for bad, mode in ((["--bogus"], "check"), (["-w", "nonsense"], "check"),
                      (["--directory-sync"], "directory_sync")):
        for fmt_first in (True, False):
            for fmt in ("json", "prometheus"):
                opt = ["--output-format=" + fmt]
                r = H.run_plugin(opt + good + bad if fmt_first else good + bad + opt)
                eq(r.rc, 3, "exit status of %s" % bad, r)
                if fmt == "json":
                    doc = document(r)
                    eq((doc["complete"], doc["state"], doc["mode"]), (False, "UNKNOWN", mode),
                       "json", r)
                else:
                    eq(sample(r.stdout, "entra_sync_up", mode=mode, tenant=H.TENANT), 0,
                       "up", r)
    eq(H.graph_requests(e.counters()), 0, "Graph requests before a usage error")
    r = H.run_plugin(["--output-format=prometheus", "-s"])
    eq(r.rc, 3, "a missing value, the last argument", r)
    true("missing value: -s" in r.stdout.splitlines()[0], "the comment", r)


def test_usage_error_of_directory_sync_is_said_as_directory_sync():
    r = H.run_plugin(["--directory-sync", "-s", H.SP_TEST, "--output-format=json"])
    eq(r.rc, 3, "exit status", r)
    eq(document(r)["mode"], "directory_sync", "mode of the failed run", r)


def test_output_format_leaves_the_handler_list_and_start_in_their_own_words():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=[
        "--event-handler", "OK", "HARD", "1", "--output-format=json"]))
    eq(r.rc, 0, "exit status of a handler with nothing to do", r)
    true(not r.stdout.lstrip().startswith("{"), "the decision line is no json", r)


# -- hostile text ------------------------------------------------------------------------------
HOSTILE = 'q"uo\\te \x01\x1f\x7f \u0085 \u2028 \u202e\u2066 z\u200bw\ufeff ' + "x" * 300


def test_hostile_strings_from_graph_stay_valid_in_every_format():
    e = H.emu()
    job = H.make_job(template="t", code="Quarantine",
                     quarantine=quarantine(reason=HOSTILE, message=HOSTILE),
                     error={"code": HOSTILE[:100], "message": HOSTILE})
    job["id"] = "t." + 'a"b\\c\u202ed\u200b'
    job["templateId"] = 'tp"l\\\u2066'
    job["schedule"]["interval"] = HOSTILE[:60]
    job["status"]["troubleshootingUrl"] = HOSTILE
    e.put_sp(H.SP_TEST, [job, H.make_job(template="scim")])
    runs = in_every_format(H.check_args(e, sp=H.SP_TEST), 2)
    j = job_of(document(runs["json"]), job["id"])
    reason = j["quarantine"]["reason"]
    eq(j["template"], 'tp"l\\\u2066', "the template, escaped rather than dropped", runs["json"])
    true(HOSTILE.startswith(reason) and len(reason) > 100,
         "the reason as read (cut to the model's 127 bytes): %r" % reason, runs["json"])
    prom = runs["prometheus"].stdout
    true('sync_job="t.a\\"b\\\\c d "' in prom and 'template="tp\\"l\\\\ "' in prom,
         "the labels escaped and made safe", runs["prometheus"])


def test_invalid_utf8_from_graph_is_refused_in_a_valid_document_of_every_format():
    """The JSON reader refuses it before any writer sees it (the writers'
    own replacement is the unit tests' and the output fuzzer's)."""
    e = H.emu()
    job = H.make_job(template="bad", code="Quarantine", quarantine=quarantine(message="MSG"))
    body = json.dumps({"value": [job]}).replace("MSG", "a\\u00e9 \udcff\udcfe end")
    for fmt in FORMATS:
        e.add_fault(target="graph", path_contains="/jobs", status=200, body=body, times=1)
        r = H.run_plugin(H.check_args(e, sp=H.SP_TEST, extra=["--output-format", fmt]))
        eq(r.rc, 3, "exit status", r)
        true("not valid json: invalid utf-8" in r.stdout.splitlines()[0].lower(), "why", r)


# -- --output-file --------------------------------------------------------------------------
def _out_dir():
    d = H.scratch_dir("out-")
    os.chmod(d, 0o755)
    return d


def test_output_file_is_replaced_atomically_in_every_format():
    e = H.emu()
    d = _out_dir()
    for fmt in FORMATS:
        path = os.path.join(d, "entra." + fmt)
        with open(path, "w") as f:
            f.write("old\n")
        os.chmod(path, 0o600)
        before = os.stat(path).st_ino
        r = H.run_plugin(H.check_args(e, job=H.JOB_BOX, extra=[
            "--output-format", fmt, "--output-file", path]))
        eq((r.rc, r.stdout), (2, ""), "exit status and stdout with --output-file", r)
        with open(path) as f:
            text = f.read()
        plain = H.run_plugin(H.check_args(e, job=H.JOB_BOX, extra=["--output-format", fmt]))
        eq(text.splitlines()[0][:40], plain.stdout.splitlines()[0][:40], "the file's output", r)
        true(os.stat(path).st_ino != before, "the file was written in place, not replaced", r)
        eq(stat.S_IMODE(os.stat(path).st_mode), 0o644,
           "mode of the output file (0644 less the umask 022)", r)
    eq(sorted(os.listdir(d)), ["entra.json", "entra.nagios", "entra.prometheus"],
       "files left in the directory")


def test_others_cannot_write_the_output_file_whatever_the_umask():
    # a daemon or a shell with umask 0 (or 002) made a metrics file others
    # could rewrite between runs: an OK of their choosing until the next
    e = H.emu()
    path = os.path.join(_out_dir(), "entra.prom")
    for umask in (0o000, 0o002, 0o077):
        old = os.umask(umask)
        try:
            r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=[
                "--output-format=prometheus", "--output-file", path]))
        finally:
            os.umask(old)
        eq((r.rc, r.stdout), (0, ""), "a good run", r)
        eq(stat.S_IMODE(os.stat(path).st_mode), 0o644 & ~umask,
           "mode of the output file with umask %04o" % umask, r)


def test_output_file_that_cannot_be_written_is_unknown_on_stdout_and_keeps_the_old_file():
    e = H.emu()
    d = _out_dir()
    path = os.path.join(d, "entra.prom")
    with open(path, "w") as f:
        f.write("old\n")
    for target, why in ((os.path.join(path, "x.prom"), "Not a directory"),
                        (os.path.join(d, "missing", "x.prom"), "No such file or directory"),
                        (d + "/", "names a directory")):
        for fmt in FORMATS:
            r = H.run_plugin(H.check_args(e, job=H.JOB_BOX, extra=[
                "--output-format", fmt, "--output-file", target]))
            eq(r.rc, 3, "exit status when the file cannot be written", r)
            true(why in r.stdout and "--output-file" in r.stdout,
                 "stdout says why (%s)" % why, r)
            true("CRITICAL" in r.stdout, "stdout says what the run found", r)
    with open(path) as f:
        eq(f.read(), "old\n", "the old file")
    eq(os.listdir(d), ["entra.prom"], "files in the directory (no temporary file left)")


def test_a_failed_run_replaces_the_output_file_too():
    e = H.emu()
    path = os.path.join(_out_dir(), "entra.prom")
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=[
        "--output-format=prometheus", "--output-file", path]))
    eq(r.rc, 0, "a good run", r)
    r = H.run_plugin(H.check_args(e, client=(H.CLIENTS["reader"][0], "wrong-Secret~1"),
                                  job=H.JOB_SCIM, extra=["--output-format=prometheus",
                                                         "--output-file", path]))
    eq((r.rc, r.stdout), (3, ""), "a failed run writes its file", r)
    with open(path) as f:
        text = f.read()
    eq(sample(text, "entra_sync_up"), 0, "up in the file after a failed run", r)
    r = H.run_plugin(["--output-format=json", "--output-file", path, "--bogus"])
    eq((r.rc, r.stdout), (3, ""), "a usage error writes its file", r)
    with open(path) as f:
        eq(json.load(f)["complete"], False, "the document of a usage error")


def test_the_format_checkers_catch_what_they_are_for():
    """The hooks that check every output: each catches a broken document."""
    true(formats.problems_of("json", b'{"plugin": "check_entra_sync"}'), "a partial document")
    true(formats.problems_of("json", b'{"plugin": "x"'), "a broken one")
    bad = [b'# HELP entra_sync_a a\n# TYPE entra_sync_a gauge\nentra_sync_a{job="x"} 1\n',
           b'entra_sync_a 1\n',
           b'# HELP entra_sync_a a\n# TYPE entra_sync_a gauge\nentra_sync_a NaN\n',
           b'# HELP entra_sync_a a\n# TYPE entra_sync_a gauge\nentra_sync_a{x="\xe2\x80\xae"} 1\n',
           b'# HELP entra_sync_a a\n# TYPE entra_sync_a gauge\nentra_sync_a{x="\xff"} 1\n',
           b'# HELP entra_sync_a a\n# TYPE entra_sync_a gauge\nentra_sync_a 1\nentra_sync_a 2\n']
    for text in bad:
        true(formats.problems_of("prometheus", text), "no problem found in %r" % text)
    good = b'# c\n# HELP entra_sync_a a\n# TYPE entra_sync_a gauge\nentra_sync_a{x="\\"y"} 1\n'
    eq(formats.problems_of("prometheus", good), [], "a good exposition")
