# SPDX-License-Identifier: GPL-3.0-or-later
"""Event handler, --start and --list against the emulator: when the handler
acts, which jobs it starts, the cooldown and daily limit, dry-run, missing
permission, concurrency, the operator start, discovery formats, syslog."""

import json
import os
import re
import socket
import stat
import tempfile
import threading

import harness as H
from harness import eq, true

REASONS_ALLOWED = ["EncounteredBaseEscrowThreshold", "EncounteredTotalEscrowThreshold",
                   "EncounteredEscrowProportionThreshold", "EncounteredQuarantineException",
                   "Unknown", "IngestionInterrupted"]
# Never started by default: the two that need a person, and any reason the
# plugin does not know (Microsoft adds values; none is retried blindly).
REASONS_DENIED = ["TooManyDeletes", "QuarantinedOnDemand", "EncounteredNewFutureReason"]


def state_dir():
    d = H.scratch_dir("state-")
    os.chmod(d, 0o700)
    return d


def handler(e, state="CRITICAL", stype="HARD", attempt=3, client="writer", job=None,
            sp=H.SP_DEMO, sdir=None, extra=(), cache=None, positional=True, env=None):
    args = ["--event-handler", "--state-dir", sdir or state_dir()] + list(extra)
    if not positional:
        args += ["--service-state", state, "--state-type", stype, "--attempt", str(attempt)]
    args = H.check_args(e, client=client, sp=sp, job=job, cache=cache, extra=args)
    if positional:
        args += [state, stype, str(attempt)]
    return H.run_plugin(args, env=env)


def quarantine(reason, began_ago=7200):
    return {"currentBegan": "{{now-%d}}" % began_ago, "nextAttempt": "{{now+3600}}",
            "reason": reason, "seriesBegan": "{{now-%d}}" % began_ago, "seriesCount": 2,
            "error": None}


def starts(e):
    return e.counters()["starts"]


def no_restarts(e, r=None):
    eq(e.counters()["restarts"], {}, "restart calls (the handler must never restart)", r)


def lines(r):
    return [l for l in r.stdout.splitlines() if l.strip()]


def line_for(r, job_id):
    found = [l for l in lines(r) if l.startswith("job %s:" % job_id)]
    true(len(found) == 1, "expected one line for job %s" % job_id, r)
    return found[0]


def state_files(d):
    return sorted(n for n in os.listdir(d) if n.endswith(".state"))


# -- when to act --------------------------------------------------------------
def test_handler_acts_only_on_critical_hard_or_the_soft_attempt():
    e = H.emu()
    cache = H.cache_dir()
    for st in ("OK", "WARNING", "CRITICAL", "UNKNOWN"):
        for stype in ("SOFT", "HARD"):
            for attempt in (1, 2, 3):
                e.reset()
                acts = st == "CRITICAL" and (stype == "HARD" or attempt == 2)
                r = handler(e, st, stype, attempt, job=H.JOB_BOX, cache=cache,
                            extra=["--on-soft-attempt", "2", "--dry-run"])
                what = "%s %s %d" % (st, stype, attempt)
                eq(r.rc, 0, "exit status for " + what, r)
                c = e.counters()
                eq(c["starts"], {}, "starts for " + what, r)
                if acts:
                    true(c["graph_requests"] >= 1, "no Graph request for " + what, r)
                    true("would start (dry-run)" in r.stdout, "no dry-run start for " + what, r)
                else:
                    eq(c["graph_requests"], 0, "Graph requests for " + what, r)
                    eq(c["sign_ins_total"], 0, "sign-ins for " + what, r)
                    eq(len(lines(r)), 1, "decision lines for " + what, r)
                    true("skipped" in r.stdout and "no Graph request" in r.stdout,
                         "decision not printed for " + what, r)


def test_handler_ignores_soft_critical_without_on_soft_attempt():
    e = H.emu()
    for attempt in (1, 2, 3, 4):
        r = handler(e, "CRITICAL", "SOFT", attempt, job=H.JOB_BOX)
        eq(r.rc, 0, "exit status", r)
    eq(e.counters()["graph_requests"], 0, "Graph requests", r)


def test_handler_takes_state_as_options_too():
    e = H.emu()
    r = handler(e, "WARNING", "HARD", 3, job=H.JOB_BOX, positional=False)
    eq(r.rc, 0, "exit status", r)
    eq(e.counters()["graph_requests"], 0, "Graph requests", r)
    r = handler(e, "CRITICAL", "HARD", 3, job=H.JOB_BOX, positional=False)
    eq(r.rc, 0, "exit status", r)
    eq(starts(e), {H.JOB_BOX: 1}, "starts", r)


# -- what to start ------------------------------------------------------------
def test_handler_starts_quarantined_job_and_reports_new_status():
    e = H.emu()
    sdir = state_dir()
    r = handler(e, job=H.JOB_BOX, sdir=sdir)
    eq(r.rc, 0, "exit status", r)
    l = line_for(r, H.JOB_BOX)
    true(": started - " in l and "EncounteredQuarantineException" in l and "now Active" in l,
         "start line lacks action, reason or new status", r)
    true("request-id " in l, "start line lacks the request-id", r)
    eq(starts(e), {H.JOB_BOX: 1}, "starts", r)
    no_restarts(e, r)
    eq(state_files(sdir), [H.JOB_BOX + ".state"], "state files", r)
    mode = os.stat(os.path.join(sdir, H.JOB_BOX + ".state")).st_mode
    eq(stat.S_IMODE(mode), 0o600, "state file mode", r)


def test_handler_without_job_starts_only_the_quarantined_one():
    e = H.emu()
    r = handler(e)
    eq(r.rc, 0, "exit status", r)
    true(": skipped - " in line_for(r, H.JOB_SCIM), "healthy job not skipped", r)
    true(": started - " in line_for(r, H.JOB_BOX), "quarantined job not started", r)
    eq(starts(e), {H.JOB_BOX: 1}, "starts", r)


def test_handler_each_quarantine_reason():
    e = H.emu()
    jobs = [H.make_job(template="r%d" % i, code="Quarantine", quarantine=quarantine(reason))
            for i, reason in enumerate(REASONS_ALLOWED + REASONS_DENIED)]
    e.put_sp(H.SP_TEST, jobs, appId=H.APP_TEST)
    r = handler(e, sp=H.SP_TEST)
    # every allowed reason started; the denied ones need repair and were left
    # alone by the rules: exit 1
    eq(r.rc, 1, "exit status", r)
    s = starts(e)
    for job, reason in zip(jobs, REASONS_ALLOWED + REASONS_DENIED):
        l = line_for(r, job["id"])
        if reason in REASONS_ALLOWED:
            eq(s.get(job["id"]), 1, "starts of a job quarantined for " + reason, r)
            true(": started - " in l, reason + " not reported as started", r)
        else:
            eq(s.get(job["id"]), None, "starts of a job quarantined for " + reason, r)
            true(": skipped - " in l and reason in l, reason + " not reported as skipped", r)
    no_restarts(e, r)


def test_handler_too_many_deletes_with_job_is_skipped():
    e = H.emu()
    e.quarantine(H.JOB_BOX, "TooManyDeletes")
    r = handler(e, job=H.JOB_BOX)
    eq(r.rc, 1, "exit status of a repair the rules refuse", r)
    true("approve or reject the deletes" in r.stdout, "no hint for TooManyDeletes", r)
    eq(starts(e), {}, "starts", r)


def test_handler_unknown_reason_is_refused_saying_so():
    e = H.emu()
    job = H.make_job(template="newreason", code="Quarantine",
                     quarantine=quarantine("EncounteredNewFutureReason"))
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    r = handler(e, sp=H.SP_TEST, job=job["id"])
    eq(r.rc, 1, "exit status of a repair the rules refuse", r)
    l = line_for(r, job["id"])
    true(": skipped - " in l and "EncounteredNewFutureReason" in l and "--allow-reason" in l,
         "the refusal does not quote the reason and name --allow-reason", r)
    # no Microsoft page lists reasons a start cures: the line says what is true
    true("a reason this plugin does not know" in l and "cure" not in l,
         "the refusal says the reason is unknown, not that a start cures others", r)
    eq(starts(e), {}, "starts of a job quarantined for an unknown reason", r)
    r = handler(e, sp=H.SP_TEST, job=job["id"],
                extra=["--allow-reason", "EncounteredNewFutureReason"])
    eq((r.rc, starts(e)), (0, {job["id"]: 1}), "exit and starts with the reason allowed", r)


def test_handler_allow_reason_replaces_the_default_set():
    e = H.emu()
    e.quarantine(H.JOB_BOX, "TooManyDeletes")
    r = handler(e, job=H.JOB_BOX, extra=["--allow-reason", "TooManyDeletes"])
    eq(r.rc, 0, "exit status", r)
    eq(starts(e), {H.JOB_BOX: 1}, "starts with TooManyDeletes allowed", r)
    e.reset()
    r = handler(e, job=H.JOB_BOX, extra=["--allow-reason", "Unknown"])
    eq(starts(e), {}, "starts of EncounteredQuarantineException when only Unknown is allowed", r)


def test_handler_empty_reason_needs_explicit_allow():
    e = H.emu()
    job = H.make_job(template="noreason", code="Quarantine", quarantine=quarantine(""))
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    r = handler(e, sp=H.SP_TEST, job=job["id"])
    eq(r.rc, 1, "exit status of a repair the rules refuse", r)
    true("no reason given" in r.stdout, "the refusal does not say the reason is empty", r)
    eq(starts(e), {}, "starts of a job quarantined without a reason", r)
    r = handler(e, sp=H.SP_TEST, job=job["id"], extra=["--allow-reason", ""])
    eq(starts(e), {job["id"]: 1}, "starts with --allow-reason ''", r)


def test_handler_paused_needs_start_paused():
    e = H.emu()
    job = H.make_job(template="paused", code="Paused", schedule_state="Paused")
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    r = handler(e, sp=H.SP_TEST, job=job["id"])
    eq(r.rc, 1, "exit status of a repair the rules refuse", r)
    true("--start-paused" in r.stdout, "skip reason does not name --start-paused", r)
    eq(starts(e), {}, "starts without --start-paused", r)
    r = handler(e, sp=H.SP_TEST, job=job["id"], extra=["--start-paused"])
    eq(r.rc, 0, "exit status", r)
    eq(starts(e), {job["id"]: 1}, "starts with --start-paused", r)


def test_handler_never_starts_a_running_job():
    e = H.emu()
    r = handler(e, job=H.JOB_SCIM, extra=["--start-paused", "--cooldown", "0"])
    eq(r.rc, 0, "exit status", r)
    eq(starts(e), {}, "starts", r)
    no_restarts(e, r)


# -- guard rails --------------------------------------------------------------
def test_handler_dry_run_neither_starts_nor_records():
    e = H.emu()
    sdir = state_dir()
    r = handler(e, job=H.JOB_BOX, sdir=sdir, extra=["--dry-run"])
    eq(r.rc, 0, "exit status", r)
    true("would start (dry-run)" in line_for(r, H.JOB_BOX), "no dry-run decision", r)
    eq(starts(e), {}, "starts", r)
    eq(state_files(sdir), [], "state files after a dry run", r)


def test_handler_cooldown_refuses_second_start():
    e = H.emu()
    sdir = state_dir()
    r = handler(e, job=H.JOB_BOX, sdir=sdir)
    eq(r.rc, 0, "first run", r)
    e.quarantine(H.JOB_BOX)
    r = handler(e, job=H.JOB_BOX, sdir=sdir)
    eq(r.rc, 1, "exit status of a run refused by the cooldown", r)
    l = line_for(r, H.JOB_BOX)
    true(": refused - " in l and "cooldown" in l, "refusal does not name the cooldown", r)
    eq(starts(e), {H.JOB_BOX: 1}, "starts", r)


def test_handler_max_starts_per_day():
    e = H.emu()
    sdir = state_dir()
    opts = ["--cooldown", "0", "--max-starts", "2"]
    # quarantined again for another reason each time: no start reads as one
    # that did not help (whose backoff has tests of its own, test_repair)
    for n, reason in ((1, "Unknown"), (2, "EncounteredQuarantineException")):
        r = handler(e, job=H.JOB_BOX, sdir=sdir, extra=opts)
        eq(r.rc, 0, "run %d" % n, r)
        e.quarantine(H.JOB_BOX, reason)
    r = handler(e, job=H.JOB_BOX, sdir=sdir, extra=opts)
    eq(r.rc, 1, "exit status of the third run", r)
    true("--max-starts 2" in line_for(r, H.JOB_BOX), "refusal does not name --max-starts", r)
    eq(starts(e), {H.JOB_BOX: 2}, "starts", r)


def test_handler_read_only_client_is_refused_by_graph():
    e = H.emu()
    sdir = state_dir()
    r = handler(e, client="reader", job=H.JOB_BOX, sdir=sdir)
    eq(r.rc, 2, "exit status when Graph refuses the start", r)
    true("Synchronization.ReadWrite.All" in r.stdout, "output does not name the permission", r)
    eq(starts(e), {}, "starts", r)
    eq(state_files(sdir), [], "state files after a refused start", r)


def test_handler_unreadable_job_is_unknown():
    e = H.emu()
    r = handler(e, job="Box.00000000000000000000000000000000")
    eq(r.rc, 3, "exit status when the job cannot be read", r)
    true("could not read" in r.stdout, "no reason given", r)


def test_handler_refuses_an_unsafe_state_dir():
    e = H.emu()
    sdir = state_dir()
    os.chmod(sdir, 0o777)
    try:
        r = handler(e, job=H.JOB_BOX, sdir=sdir)
    finally:
        os.chmod(sdir, 0o700)
    eq(r.rc, 3, "exit status", r)
    true("writable by group or others" in r.stdout, "no reason given", r)
    eq(starts(e), {}, "starts", r)


def test_handler_odd_job_id_stays_inside_the_state_dir():
    e = H.emu()
    sdir = state_dir()
    r = handler(e, job="../../escape", sdir=sdir)
    eq(r.rc, 3, "exit status (no such job)", r)
    for name in os.listdir(sdir):
        true(name.startswith("x_") and "/" not in name, "unexpected file %s" % name, r)
    true(not os.path.exists(os.path.join(sdir, "..", "..", "escape.lock")), "lock escaped", r)


def test_two_handlers_at_once_start_the_job_once():
    for cooldown in ("3600", "0"):
        e = H.emu()
        sdir = state_dir()
        cache = H.cache_dir()
        results = []

        def one():
            results.append(handler(e, job=H.JOB_BOX, sdir=sdir, cache=cache,
                                   extra=["--cooldown", cooldown]))

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        eq(starts(e), {H.JOB_BOX: 1}, "starts with 4 handlers at once, --cooldown " + cooldown)
        started = [r for r in results if ": started - " in r.stdout]
        eq(len(started), 1, "handlers reporting a start\n" +
           "\n".join(r.describe() for r in results), None)
        # Which handler wins is the race's; each exit status follows its
        # decision (the man page's EXIT STATUS): refused 1, started or skipped 0.
        for r in results:
            decision = re.search(r": (started|skipped|refused) - ", r.first_line)
            true(decision, "a handler's decision line", r)
            eq(r.rc, 1 if decision.group(1) == "refused" else 0,
               "exit status of a handler that %s" % decision.group(1), r)
        no_restarts(e)


# -- --start ------------------------------------------------------------------
def test_start_whose_sign_in_fails_sends_nothing_and_counts_nothing():
    # --start reads nothing first: its sign-in comes with the start. When it
    # fails no start reached Graph, and the handler's cooldown must not see one.
    e = H.emu()
    sdir = state_dir()
    wrong = (H.CLIENTS["writer"][0], "wrong-secret-Vx9~NOTIT")
    r = H.run_plugin(H.check_args(e, client=wrong, job=H.JOB_BOX,
                                  extra=["--start", "--state-dir", sdir]))
    H.expect(r, 3, first_contains=["job %s not started" % H.JOB_BOX, "AADSTS7000215",
                                   "no start was sent"])
    eq(e.counters()["graph_requests"], 0, "Graph requests", r)
    r = handler(e, job=H.JOB_BOX, sdir=sdir)
    eq(r.rc, 0, "the handler after a start that was not sent", r)
    eq(starts(e), {H.JOB_BOX: 1}, "starts: the handler's", r)


def test_start_by_operator_and_handler_sees_it():
    e = H.emu()
    sdir = state_dir()
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                  extra=["--start", "--state-dir", sdir]))
    H.expect(r, 0, first_contains=["started job " + H.JOB_BOX, "HTTP 204", "request-id"])
    eq(starts(e), {H.JOB_BOX: 1}, "starts", r)
    with open(os.path.join(sdir, H.JOB_BOX + ".state")) as f:
        true("operator" in f.read(), "operator start not recorded", r)
    e.quarantine(H.JOB_BOX)
    r = handler(e, job=H.JOB_BOX, sdir=sdir)
    eq(r.rc, 1, "handler after an operator start (cooldown)", r)
    eq(starts(e), {H.JOB_BOX: 1}, "starts", r)


def test_start_by_reader_is_refused_and_names_the_permission():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, client="reader", job=H.JOB_BOX,
                                  extra=["--start", "--state-dir", state_dir()]))
    H.expect(r, 2, first_contains=["Synchronization.ReadWrite.All"], one_line=True)
    eq(starts(e), {}, "starts", r)


def test_start_keeps_the_cooldown_unless_forced():
    # SPEC 6a: --start keeps the handler's rules; --force overrides them
    e = H.emu()
    sdir = state_dir()
    args = ["--start", "--state-dir", sdir]
    H.expect(H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX, extra=args)), 0)
    e.quarantine(H.JOB_BOX, "TooManyDeletes")   # another reason: the start may yet help
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX, extra=args))
    H.expect(r, 1, first_contains=["not started", "--cooldown 3600s", "--force"])
    eq(starts(e), {H.JOB_BOX: 1}, "operator starts within the cooldown", r)
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX, extra=args + ["--force"]))
    H.expect(r, 0, first_contains=["started job " + H.JOB_BOX])
    eq(starts(e), {H.JOB_BOX: 2}, "operator starts with --force", r)


# -- --list -------------------------------------------------------------------
def list_fixture(e):
    jobs = [H.make_job(template="scim"),
            H.make_job(template="Box", code="Quarantine",
                       quarantine=quarantine("EncounteredQuarantineException")),
            H.make_job(template="scim", hexid="fedcba9876543210fedcba9876543210",
                       code="Paused", schedule_state="Paused")]
    e.put_sp(H.SP_TEST, jobs, appId=H.APP_TEST)
    return jobs


def run_list(e, fmt):
    return H.run_plugin(H.check_args(e, sp=H.SP_TEST, extra=["--list", "--format=" + fmt]))


def test_list_text_has_every_job():
    e = H.emu()
    jobs = list_fixture(e)
    r = run_list(e, "text")
    eq(r.rc, 0, "exit status", r)
    for j in jobs:
        true(j["id"] in r.stdout, "job %s missing" % j["id"], r)
    true("EncounteredQuarantineException" in r.stdout and "PT40M" in r.stdout,
         "reason or interval missing", r)
    eq(starts(e), {}, "starts", r)


def test_list_json_parses_and_has_every_job():
    e = H.emu()
    jobs = list_fixture(e)
    r = run_list(e, "json")
    eq(r.rc, 0, "exit status", r)
    doc = json.loads(r.stdout)
    got = {j["id"]: j for j in doc["jobs"]}
    eq(sorted(got), sorted(j["id"] for j in jobs), "job ids", r)
    box = got[jobs[1]["id"]]
    eq(box["status"], "Quarantine", "status", r)
    eq(box["quarantineReason"], "EncounteredQuarantineException", "reason", r)
    eq(box["schedule"], {"interval": "PT40M", "state": "Active"}, "schedule", r)
    eq(got[jobs[0]["id"]]["quarantineReason"], None, "reason of a healthy job", r)


def test_list_icinga2_defines_a_service_per_job():
    e = H.emu()
    jobs = list_fixture(e)
    r = run_list(e, "icinga2")
    eq(r.rc, 0, "exit status", r)
    eq(r.stdout.count("object Service "), 3, "services", r)
    for j in jobs:
        true('vars.entra_sync_job = "%s"' % j["id"] in r.stdout, "job %s missing" % j["id"], r)
    for s in ('check_command = "entra_sync"', 'event_command = "entra_sync_repair"',
              'vars.entra_sync_service_principal = "%s"' % H.SP_TEST,
              'vars.entra_sync_tenant = "%s"' % H.TENANT, "vars.entra_sync_client_id"):
        true(s in r.stdout, "%s missing" % s, r)
    true(r.stdout.count("{") == r.stdout.count("}"), "unbalanced braces", r)
    # two scim jobs: named by job id, not both "Entra sync scim"
    eq(len(set(l for l in r.stdout.splitlines() if l.startswith("object Service"))), 3,
       "distinct service names", r)


def test_list_nagios_defines_a_service_per_job():
    e = H.emu()
    jobs = list_fixture(e)
    r = run_list(e, "nagios")
    eq(r.rc, 0, "exit status", r)
    eq(r.stdout.count("define service {"), 3, "services", r)
    for j in jobs:
        true("check_entra_sync!--job %s" % j["id"] in r.stdout, "check of %s" % j["id"], r)
        true("entra_sync_repair!--job %s" % j["id"] in r.stdout, "handler of %s" % j["id"], r)
    true("_ENTRA_SP\t\t%s" % H.SP_TEST in r.stdout, "service principal missing", r)
    true("use\t\t\tentra-sync-service" in r.stdout, "template missing", r)


def test_list_nagios_needs_object_id():
    e = H.emu()
    list_fixture(e)
    r = H.run_plugin(H.check_args(e, app_id=H.APP_TEST, extra=["--list", "--format=nagios"]))
    H.expect(r, 3, first_contains=["-s"])


# -- syslog ---------------------------------------------------------------------
def test_handler_decisions_go_to_syslog():
    e = H.emu()
    with H.Syslog() as log:
        handler(e, "WARNING", "HARD", 1, job=H.JOB_BOX, env=log.env)
        r = handler(e, job=H.JOB_BOX, env=log.env)
        msgs = log.lines()
    mine = [m for m in msgs if "check_entra_sync[" in m and H.JOB_BOX in m]
    # <PRI>: facility user (1) * 8 + severity; info 6, notice 5
    skipped = [m for m in mine if ": skipped - " in m]
    started = [m for m in mine if ": started - " in m]
    true(skipped and skipped[0].startswith("<14>"), "no LOG_INFO skip line in %r" % msgs, r)
    true(started and started[0].startswith("<13>"), "no LOG_NOTICE start line in %r" % msgs, r)
    true("request-id" in started[0], "syslog start line lacks the request-id", r)


def test_a_timeout_is_unknown_whatever_the_timeout_state_says():
    # -t N:ok is the check's to choose; a handler that could not read the
    # jobs did not do anything, with or without -j.
    for job, first in ((None, "ENTRA SYNC UNKNOWN - timeout after 2s"),
                       (H.JOB_BOX, "job %s: error - could not read the job: timeout" % H.JOB_BOX)):
        e = H.emu()
        e.add_fault(target="graph", delay=10)
        r = handler(e, job=job, extra=["-t", "2:ok"])
        eq(r.rc, 3, "exit status", r)
        true(r.first_line.startswith(first), "first line starts with %r" % first, r)
        eq(e.counters()["starts"], {}, "starts", r)
