# SPDX-License-Identifier: GPL-3.0-or-later
"""An honest repair against the emulator (SPEC 4a and 6a): long cycles, times
ahead of the clock, pruned escrows, expiring schedules, one start history per
job whatever case -j is typed in, --start's guard rails, starts that did not
help and the backoff they bring, the episode, and old state files; then the
same facts as values, in --output-format=json and prometheus. Tests that
span hours move the emulator's clock and run the plugin with the same offset
(CHECK_ENTRA_SYNC_CLOCK_OFFSET)."""

import calendar
import json
import os
import re

import formats
import harness as H
from harness import eq, expect, true

BOX_UPPER = H.JOB_BOX.upper()
REASON = "EncounteredQuarantineException"


def state_dir():
    d = H.scratch_dir("state-")
    os.chmod(d, 0o700)
    return d


def handler(e, sdir, job=H.JOB_BOX, extra=(), client="writer"):
    args = H.check_args(e, client=client, job=job,
                        extra=["--event-handler", "--state-dir", sdir] + list(extra))
    return H.run_plugin(args + ["CRITICAL", "HARD", "3"], env=H.clock_env(e))


def start(e, sdir, job=H.JOB_BOX, extra=(), client="writer"):
    args = H.check_args(e, client=client, job=job,
                        extra=["--start", "--state-dir", sdir] + list(extra))
    return H.run_plugin(args, env=H.clock_env(e))


def check(e, sdir=None, job=H.JOB_BOX, sp=H.SP_DEMO, extra=()):
    more = (["--state-dir", sdir] if sdir else []) + list(extra)
    return H.run_plugin(H.check_args(e, sp=sp, job=job, extra=more), env=H.clock_env(e))


def line(r, job=H.JOB_BOX):
    found = [l for l in r.stdout.splitlines() if l.startswith("job %s:" % job)]
    true(len(found) == 1, "expected one decision line for %s" % job, r)
    return found[0]


def starts(e, job=H.JOB_BOX):
    return e.counters()["starts"].get(job, 0)


def write_state(sdir, text, job=H.JOB_BOX):
    path = os.path.join(sdir, job + ".state")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def in_progress(done, total, observed_ago, last_success_ago=36000):
    job = H.make_job("scim", last_success_ago=last_success_ago)
    job["status"]["progress"] = [{"completedUnits": done, "totalUnits": total,
                                  "units": "objects",
                                  "progressObservationDateTime": "{{now-%d}}" % observed_ago}]
    return job


# -- 4a: a cycle in progress is not a stale job ---------------------------------------
def test_an_advancing_cycle_is_not_a_stale_job():
    e = H.emu()
    job = in_progress(420, 1000, 120)
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    r = check(e, job=job["id"], sp=H.SP_TEST)
    expect(r, 0, first_contains=["cycle in progress: 42 %, observed 2m ago; last completed "
                                 "cycle 10h ago"])
    true(H.perfdata(r)["last_success_age"].startswith("360"),
         "last_success_age keeps the real age", r)
    # observed 81 minutes ago, two 40-minute intervals: no longer advancing
    job = in_progress(420, 1000, 81 * 60)
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    expect(check(e, job=job["id"], sp=H.SP_TEST), 2, first_contains=["last success 10h ago (> 4h)"])


def test_a_restarts_initial_cycle_advances_then_stalls():
    e = H.emu()
    job = H.make_job("scim", last_success_ago=600)
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    e.initial_cycle(job["id"], units=1000, duration=36000, observe_every=300, stall_after=18000)
    e.advance(15120)   # 4.2 h into a 10-hour cycle
    r = check(e, job=job["id"], sp=H.SP_TEST)
    expect(r, 0, first_contains=["cycle in progress: 42 %", "last completed cycle 4h"])
    e.advance(9000)    # stalled at 5 h: the last observation is 102 minutes old
    expect(check(e, job=job["id"], sp=H.SP_TEST), 2, first_contains=["(> 4h)"])


# -- 4a: times of past events ahead of the clock ---------------------------------------
def test_a_steady_state_in_year_9999_never_makes_a_job_fresh():
    e = H.emu()
    job = H.make_job("scim", last_success_ago=7 * 365 * 86400)
    job["status"]["steadyStateLastAchievedTime"] = "9999-12-31T23:59:59Z"
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    expect(check(e, job=job["id"], sp=H.SP_TEST), 2, first_contains=["last success 2555d"],
           contains=["steadyStateLastAchievedTime 9999-12-31 23:59:59Z"])


def test_a_last_directory_sync_in_year_9999_is_no_sync_time():
    e = H.emu()
    e.install_fixture("dirsync-syncing")
    e.set_directory(organization={"onPremisesLastSyncDateTime": "9999-12-31T23:59:59Z"})
    client_id, secret = H.CLIENTS["auditor"]
    r = H.run_plugin(["-T", H.TENANT, "-C", client_id, "--client-secret-file",
                      H.secret_file(secret), "--login-url", e.url, "--graph-url", e.url,
                      "--token-cache", H.cache_dir(), "--directory-sync"])
    expect(r, 1, first_contains=["9999-12-31 23:59:59Z lies ahead of this machine's clock"])


def test_a_start_recorded_a_year_ahead_is_said_not_waited_on():
    e = H.emu()
    sdir = state_dir()
    expect_start = handler(e, sdir)
    eq(expect_start.rc, 0, "the first start", expect_start)
    ahead = int(H.time.time()) + 365 * 86400
    write_state(sdir, "%d handler\n" % ahead)     # a clock that was a year ahead
    # Active again with the failed runs before the start: not "waiting" on that start
    r = check(e, sdir)
    expect(r, 2, contains=["a start recorded by this plugin"], absent=["waiting for its next"])
    e.quarantine(H.JOB_BOX)
    r = handler(e, sdir)
    eq(r.rc, 0, "the handler does not wait on it", r)
    true(": started - " in line(r) and "lies ahead of the clock" in line(r),
         "the start ahead is said", r)
    eq(starts(e), 2, "starts", r)


# -- 4a: pruned escrows and an expiring schedule ------------------------------------
def test_pruned_escrows_are_warning_never_ok_and_never_started():
    e = H.emu()
    sp = e.install_fixture("escrows-pruned")
    args = H.check_args(e, sp=sp["servicePrincipalId"])
    expect(H.run_plugin(args), 1, first_contains=["escrows pruned"])
    expect(H.run_plugin(args + ["--state", "escrows-pruned=critical"]), 2)
    r = H.run_plugin(args + ["--state", "escrows-pruned=ok"])
    expect(r, 3, first_contains=["never OK"])
    sp = e.install_fixture("escrows-pruned-paused")
    job = sp["jobs"][0]
    sdir = state_dir()
    r = H.run_plugin(H.check_args(e, client="writer", sp=sp["servicePrincipalId"], job=job,
                                  extra=["--event-handler", "--start-paused", "--state-dir",
                                         sdir, "CRITICAL", "HARD", "3"]))
    eq(r.rc, 1, "the handler leaves it to the clean-up", r)
    true("escrows pruned" in line(r, job), "the decision names the pruned escrows", r)
    start_args = H.check_args(e, client="writer", sp=sp["servicePrincipalId"], job=job,
                              extra=["--start", "--state-dir", sdir])
    expect(H.run_plugin(start_args), 1, first_contains=["escrows pruned", "--force"])
    eq(starts(e, job), 0, "starts without --force")
    expect(H.run_plugin(start_args + ["--force"]), 0, first_contains=["started job"])
    eq(starts(e, job), 1, "starts with --force")


def test_an_expiring_schedule_is_warning_naming_the_date():
    e = H.emu()
    for fixture, words in (("schedule-expiring", "schedule expires "),
                           ("schedule-expired", "schedule expired ")):
        sp = e.install_fixture(fixture)
        r = H.run_plugin(H.check_args(e, sp=sp["servicePrincipalId"]))
        expect(r, 1, first_contains=[words])
        true(re.search(words + r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", r.first_line),
             "the date is named", r)


# -- 6a: one id --------------------------------------------------------------------
def test_one_history_per_job_whatever_case_j_is_typed_in():
    e = H.emu()
    sdir = state_dir()
    r = start(e, sdir, job=BOX_UPPER)
    expect(r, 0, first_contains=["started job " + H.JOB_BOX])
    eq(sorted(os.listdir(sdir)), [H.JOB_BOX + ".lock", H.JOB_BOX + ".state"],
       "one history, named as Graph spells the id", r)
    expect(check(e, sdir, job=H.JOB_BOX), 1, first_contains=["waiting for its next cycle"])
    e.quarantine(H.JOB_BOX, "TooManyDeletes")
    r = handler(e, sdir, extra=["--allow-reason", "TooManyDeletes"])
    eq(r.rc, 1, "the handler keeps the cooldown of the operator's start", r)
    eq(starts(e), 1, "starts", r)


def test_a_job_id_graph_does_not_know_in_that_case_is_found_in_the_list():
    e = H.emu()
    e.settings(job_id_case="exact")
    r = check(e, job=BOX_UPPER)
    expect(r, 2, first_contains=["quarantined"])
    true(H.JOB_BOX in r.stdout, "the job is named as Graph spells it", r)


# -- 6a: --start has guard rails -----------------------------------------------------
def test_start_reads_the_job_and_starts_only_a_quarantined_or_paused_one():
    e = H.emu()
    sdir = state_dir()
    r = start(e, sdir, job=H.JOB_SCIM)
    expect(r, 1, first_contains=["is Active", "not started", "--force"])
    eq(starts(e, H.JOB_SCIM), 0, "starts of a running job", r)
    expect(start(e, sdir), 0)
    r = start(e, sdir)       # Active now: a second start in a row is refused
    expect(r, 1, first_contains=["is Active"])
    eq(starts(e), 1, "starts of Box after two --start in a row", r)
    expect(start(e, sdir, job=H.JOB_SCIM, extra=["--force"]), 0,
           first_contains=["started job " + H.JOB_SCIM])


def test_start_dry_run_reads_the_job_and_says_what_it_would_do():
    e = H.emu()
    sdir = state_dir()
    r = start(e, sdir, job="scim.ffffffffffffffffffffffffffffffff", extra=["--dry-run"])
    expect(r, 3, absent=["would start"])
    e.reset()
    r = start(e, sdir, extra=["--dry-run"])
    expect(r, 0, first_contains=["would start job %s, Quarantine (%s)" % (H.JOB_BOX, REASON)])
    true(e.counters()["graph_requests"] >= 1, "the job was read", r)
    eq((starts(e), os.listdir(sdir)), (0, [H.JOB_BOX + ".lock"]),
       "nothing started, nothing recorded", r)


# -- 6a: starts that did not help, the episode ---------------------------------------
def test_a_start_that_did_not_help_backs_off_and_the_check_says_so():
    e = H.emu()
    sdir = state_dir()
    e.next_cycle(H.JOB_BOX, "quarantine", reason=REASON, error_code="BoxInsufficientPermissions")
    broken = H.time.gmtime(H.time.time() - 259200)   # Box's series in the default fixture
    expect_first = handler(e, sdir)
    eq(expect_first.rc, 0, "the first start", expect_first)
    e.advance(2405)            # the next cycle: the cause persists
    r = check(e, sdir)
    expect(r, 2, first_contains=["broken since %s" % H.time.strftime("%Y-%m-%d", broken),
                                 "1 start by this plugin did not help"],
           contains=["the cause persists: Microsoft: the target application refused the "
                     "credentials"])
    p = H.perfdata(r)
    true(int(p["episode_age"].rstrip("s")) > 259200, "episode_age since the first series", r)
    true(int(p["quarantine_age"].rstrip("s")) < 60, "quarantine_age is Graph's new series", r)
    true("automatic disable in 28.0 days" in r.stdout, "Microsoft's 28 days follow Graph", r)

    r = handler(e, sdir)
    eq(r.rc, 1, "refused", r)
    true("the start 40m" in line(r) and "did not help" in line(r) and
         re.search(r"twice the previous gap \(2h;.*allowed in 1h (19|20)m", line(r)),
         "the backoff is said: twice the cooldown", r)
    e.advance(3600)            # past the cooldown, not past the backoff
    r = handler(e, sdir)
    eq((r.rc, starts(e)), (1, 1), "still backing off 1h 40m after the start", r)
    e.advance(1200)
    r = handler(e, sdir)
    eq((r.rc, starts(e)), (0, 2), "started again after twice the cooldown", r)
    e.advance(2405)
    r = handler(e, sdir)
    eq(r.rc, 1, "refused after the second futile start", r)
    true(re.search(r"twice the previous gap \(4h;.*allowed in 3h (19|20)m", line(r)),
         "twice the previous gap of 2h", r)
    expect(check(e, sdir), 2, first_contains=["2 starts by this plugin did not help"])
    times = e.counters()["start_times"][H.JOB_BOX]
    eq(len(times), 2, "start times", r)


def test_a_good_cycle_after_the_last_start_ends_the_episode():
    e = H.emu()
    sdir = state_dir()
    eq(handler(e, sdir).rc, 0, "a start")
    e.advance(600)             # waiting for the next cycle, the episode open
    r = check(e, sdir)
    expect(r, 1, first_contains=["waiting for its next cycle", "broken since"],
           contains=["1 start by this plugin so far"])
    true("episode_age" in H.perfdata(r), "episode_age while the episode is open", r)
    e.advance(1805)            # default next cycle: succeeds
    r = check(e, sdir)
    expect(r, 0, absent=["broken since", "episode_age"])


def test_an_old_state_file_is_still_read():
    e = H.emu()
    sdir = state_dir()
    write_state(sdir, "# check_entra_sync: starts of this job, epoch seconds and who "
                      "started it\n%d handler\n" % (int(H.time.time()) - 600))
    r = handler(e, sdir)
    eq(r.rc, 1, "the cooldown of a start in an old file holds", r)
    true("the last start was 10m" in line(r) and "--cooldown 3600s allows the next in" in line(r),
         "the old start is read", r)
    expect(check(e, sdir), 2, first_contains=["1 start by this plugin so far"])


def test_start_without_a_usable_history_starts_nothing_even_forced():
    # the rails cannot be kept without the history, and --force overrides the
    # rails, not the record: nothing is started, the message says why
    e = H.emu()
    sdir = state_dir()
    os.chmod(sdir, 0o777)
    try:
        for extra in ([], ["--force"]):
            r = start(e, sdir, extra=extra)
            expect(r, 3, first_contains=["not started", "writable by group or others"])
    finally:
        os.chmod(sdir, 0o700)
    eq(starts(e), 0, "starts", r)


# -- the repair as values: --output-format=json and prometheus (SPEC 16) ----------------
MAN_PAGE = os.path.join(H.ROOT, "doc", "check_entra_sync.1")
QUARANTINE_PAGE = ("https://learn.microsoft.com/entra/identity/app-provisioning/"
                   "application-provisioning-quarantine-status")


def epoch(iso):
    return calendar.timegm(H.time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def job_of(r, job):
    found = [j for j in json.loads(r.stdout)["jobs"] if j["id"] == job]
    eq(len(found), 1, "jobs with id %s in the json document" % job, r)
    return found[0]


def values(e, sdir=None, job=H.JOB_BOX, sp=H.SP_DEMO, rc=None, extra=()):
    """The json document's member for the job, the exposition, and both runs
    (which exit alike, rc when given)."""
    rj = check(e, sdir, job=job, sp=sp, extra=["--output-format=json"] + list(extra))
    rp = check(e, sdir, job=job, sp=sp, extra=["--output-format=prometheus"] + list(extra))
    eq(rp.rc, rj.rc, "exit status of prometheus and json", rp)
    if rc is not None:
        eq(rj.rc, rc, "exit status", rj)
    return job_of(rj, job), rp.stdout, rj


def test_a_start_that_did_not_help_is_data_in_json_and_prometheus():
    e = H.emu()
    sdir = state_dir()
    e.next_cycle(H.JOB_BOX, "quarantine", reason=REASON, error_code="BoxInsufficientPermissions")
    broken = H.time.time() - 259200          # Box's series in the default fixture
    eq(handler(e, sdir).rc, 0, "the first start")
    e.advance(2405)                           # the next cycle: the cause persists
    j, prom, r = values(e, sdir, rc=2)
    ep = j["episode"]
    eq((ep["starts"], ep["last_start_futile"]), (1, True), "the episode's starts and verdict", r)
    true(abs(epoch(ep["since"]) - broken) < 30, "broken since Box's first series: %r" % ep, r)
    true(259200 + 2405 <= ep["age"] <= 259200 + 2405 + 60, "episode age %r" % ep["age"], r)
    eq(j["metrics"]["episode_age"]["value"], ep["age"], "the metric episode_age", r)
    true(2405 <= j["last_start"]["age"] <= 2465, "the last start %r" % j["last_start"], r)
    true(j["quarantine"]["age"] < 60, "quarantine.age follows Graph's new series", r)
    eq([a["source"] for a in j["advice"]], [QUARANTINE_PAGE], "what Microsoft says, and where", r)
    true(j["advice"][0]["text"].startswith("Microsoft: the target application refused the "
                                           "credentials") and j["advice"][0]["text"] in j["text"],
         "the advice as the long output gives it", r)
    box = dict(sync_job=H.JOB_BOX, service_principal=H.SP_DEMO)
    true(259200 + 2405 <= formats.sample(prom, "entra_sync_job_episode_age_seconds", **box)
         <= 259200 + 2405 + 60, "entra_sync_job_episode_age_seconds", r)
    eq((formats.sample(prom, "entra_sync_job_episode_starts", **box),
        formats.sample(prom, "entra_sync_job_last_start_futile", **box)), (1, 1),
       "the episode's starts and the futile start in prometheus", r)


def test_the_episode_in_json_and_prometheus_opens_with_a_start_and_closes_with_a_good_cycle():
    e = H.emu()
    sdir = state_dir()
    j, prom, r = values(e, sdir, rc=2)
    eq((j["episode"], j["last_start"]), (None, None), "no start, no episode", r)
    true("episode" not in prom and "futile" not in prom, "no episode samples", r)
    eq(handler(e, sdir).rc, 0, "a start")
    e.advance(600)                            # waiting for the next cycle
    j, prom, r = values(e, sdir, rc=1)
    eq((j["episode"]["starts"], j["episode"]["last_start_futile"]), (1, False),
       "one start so far, not judged futile", r)
    eq([f["kind"] for f in j["findings"]], ["waiting"], "findings", r)
    true(600 <= j["last_start"]["age"] <= 660, "the last start %r" % j["last_start"], r)
    eq((formats.sample(prom, "entra_sync_job_episode_starts", sync_job=H.JOB_BOX),
        formats.sample(prom, "entra_sync_job_last_start_futile", sync_job=H.JOB_BOX)), (1, 0),
       "a start under way in prometheus", r)
    true(abs(formats.sample(prom, "entra_sync_job_episode_age_seconds", sync_job=H.JOB_BOX)
             - j["episode"]["age"]) <= 2, "the episode's age in both (two runs)", r)
    e.advance(1805)                           # the next cycle succeeds
    j, prom, r = values(e, sdir, rc=0)
    eq(j["episode"], None, "the episode after a good cycle", r)
    true("episode_age" not in j["metrics"], "no episode_age once it closed", r)
    true(j["last_start"]["age"] >= 2405, "the start stays recorded: %r" % j["last_start"], r)
    eq(j["advice"], [], "nothing to advise on an Active job", r)
    true("episode" not in prom and "futile" not in prom, "no episode samples once it closed", r)


def test_a_cycle_in_progress_in_json_says_what_the_thresholds_measured():
    e = H.emu()
    job = in_progress(420, 1000, 120)
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    j, prom, r = values(e, job=job["id"], sp=H.SP_TEST, rc=0)
    p = j["progress"]
    eq((p["percent"], p["completed_units"], p["total_units"], p["cycle_in_progress"]),
       (42, 420, 1000, True), "progress", r)
    true(120 <= p["observed_age"] <= 180, "observed_age %r" % p["observed_age"], r)
    true(abs(epoch(p["observed"]) - (H.time.time() - 120)) < 60, "observed %r" % p["observed"], r)
    true(j["last_success"]["age"] >= 36000, "the last completed cycle keeps its age", r)
    eq(formats.sample(prom, "entra_sync_job_progress_ratio", sync_job=job["id"]), 0.42,
       "progress in prometheus", r)
    job = in_progress(420, 1000, 81 * 60)     # no longer advancing
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    j, _, r = values(e, job=job["id"], sp=H.SP_TEST, rc=2)
    eq((j["progress"]["cycle_in_progress"], j["progress"]["observed_age"]), (False, None),
       "a cycle that stopped advancing", r)
    eq([(f["kind"], f["state"]) for f in j["findings"]], [("age", "CRITICAL")],
       "judged by the last success", r)
    eq(H.make_job("scim")["status"]["progress"], [], "a job without progress (the shape)")
    e.put_sp(H.SP_TEST, [H.make_job("scim")], appId=H.APP_TEST)
    j, _, r = values(e, job=H.make_job("scim")["id"], sp=H.SP_TEST, rc=0)
    eq(j["progress"], None, "progress of a job that reports none", r)


def test_times_ahead_of_the_clock_are_named_in_json():
    e = H.emu()
    job = H.make_job("scim", last_success_ago=7 * 365 * 86400)
    job["status"]["steadyStateLastAchievedTime"] = "9999-12-31T23:59:59Z"
    e.put_sp(H.SP_TEST, [job], appId=H.APP_TEST)
    j, _, r = values(e, job=job["id"], sp=H.SP_TEST, rc=2)
    eq(j["times_ahead"], [{"event": "steady_state", "time": "9999-12-31T23:59:59Z"}],
       "the time not taken", r)
    true(j["last_success"]["age"] >= 7 * 365 * 86400, "the age from the other times", r)
    sdir = state_dir()
    ahead = int(H.time.time()) + 365 * 86400
    write_state(sdir, "%d handler\n" % ahead)     # a clock that was a year ahead
    j, _, r = values(e, sdir)
    eq(j["times_ahead"], [{"event": "recorded_start",
                           "time": H.time.strftime("%Y-%m-%dT%H:%M:%SZ", H.time.gmtime(ahead))}],
       "the start recorded ahead", r)
    eq((j["last_start"], j["episode"]), (None, None), "a start ahead is no start", r)


def test_an_expiring_schedule_and_pruned_escrows_in_json():
    e = H.emu()
    for fixture, days in (("schedule-expiring", 3), ("schedule-expired", -2)):
        sp = e.install_fixture(fixture)
        r = H.run_plugin(H.check_args(e, sp=sp["servicePrincipalId"],
                                      extra=["--output-format=json"]))
        doc = json.loads(r.stdout)
        j = doc["jobs"][0]
        true(abs(epoch(j["schedule"]["expiration"]) - epoch(doc["time"]) - days * 86400) < 120,
             "expiration %r, %d days from the run" % (j["schedule"]["expiration"], days), r)
        eq([(f["kind"], f["state"]) for f in j["findings"]], [("expiration", "WARNING")],
           "the finding", r)
    sp = e.install_fixture("escrows-pruned")
    r = H.run_plugin(H.check_args(e, sp=sp["servicePrincipalId"], extra=["--output-format=json"]))
    j = json.loads(r.stdout)["jobs"][0]
    eq((j["escrows_pruned"], [a["source"] for a in j["advice"]]),
       (True, ["https://learn.microsoft.com/graph/api/resources/"
               "synchronization-synchronizationstatus"]), "pruned escrows and their advice", r)


def test_the_advice_in_json_is_the_man_page_s_with_its_source():
    e = H.emu()
    cases = {"EncounteredQuarantineException": ("box", 1),
             "EncounteredEscrowProportionThreshold": ("scim", 1),
             "QuarantinedOnDemand": ("slack", 1), "TooManyDeletes": ("workday", 1),
             "Unknown": ("github", 0), "IngestionInterrupted": ("API2AAD", 1)}
    jobs = []
    for reason, (template, _) in cases.items():
        jobs.append(H.make_job(template, code="Quarantine", quarantine={
            "reason": reason, "seriesBegan": "{{now-3600}}", "seriesCount": 1,
            "currentBegan": "{{now-3600}}", "nextAttempt": "{{now+3600}}", "error": None}))
    e.put_sp(H.SP_TEST, jobs, appId=H.APP_TEST)
    r = H.run_plugin(H.check_args(e, sp=H.SP_TEST, extra=["--output-format=json"]))
    with open(MAN_PAGE) as f:
        man = f.read().replace("\\:", "").replace("\\-", "-")
    for job, (reason, (template, n)) in zip(jobs, cases.items()):
        j = job_of(r, job["id"])
        eq(len(j["advice"]), n, "pieces of advice for %s (%s)" % (reason, template), r)
        for a in j["advice"]:
            true(a["text"] in j["text"], "%s: the long output's words" % reason, r)
            true(a["source"][len("https://"):] in man,
                 "%s: the man page names %s" % (reason, a["source"]), r)
