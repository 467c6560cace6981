# SPDX-License-Identifier: GPL-3.0-or-later
"""Many service principals in one run (-s repeated, --service-principals-file)
through JSON batching, and discovery of every provisioning job of the tenant
(--list --all-service-principals)."""

import json
import os
import re
import subprocess
import tempfile

import harness as H
from harness import eq, expect, perfdata, true


def sp_id(i):
    return "5a1f0c2e-0000-4000-8000-%012x" % (0x100 + i)


def tenant(e, n, job=lambda i: H.make_job("app%d" % i, last_success_ago=60 + i)):
    ids = []
    for i in range(n):
        e.put_sp(sp_id(i), [job(i)])
        ids.append(sp_id(i))
    return ids


def args_for(e, ids, client="reader", extra=()):
    args = H.check_args(e, client=client, sp=ids[0], extra=list(extra))
    for i in ids[1:]:
        args += ["-s", i]
    return args


def id_file(lines):
    d = H.scratch_dir("sps-")
    path = os.path.join(d, "sps")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def batches(e):
    return e.counters()["batch_requests"]


def test_more_than_20_service_principals_cost_one_batch_per_20():
    e = H.emu()
    ids = tenant(e, 45)
    r = H.run_plugin(args_for(e, ids))
    expect(r, 0, first_contains=["all 45 jobs OK"])
    eq(batches(e), 3, "$batch calls for 45 service principals", r)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins", r)


def test_100_service_principals_cost_5_requests():
    e = H.emu()
    ids = tenant(e, 100)
    r = H.run_plugin(args_for(e, ids))
    expect(r, 0)
    c = e.counters()
    outer = [q for q in c["requests"] if "/oauth2/" not in q["path"] and "batch_item" not in q]
    eq(len(outer), 5, "Graph requests (HTTP round trips) for 100 service principals (%s)"
       % ", ".join("%s %s %s (connection %s, request %s on it)"
                   % (q["method"], q["path"], q["status"], q.get("connection"),
                      q.get("on_connection")) for q in outer), r)
    eq(c["batch_items"], 100, "job reads inside the batches", r)
    eq(c["sign_ins_total"], 1, "sign-ins", r)


def test_a_next_page_inside_a_batch_answer_is_followed():
    e = H.emu()
    ids = tenant(e, 21)
    e.put_sp(ids[4], [H.make_job("app4", hexid="%032x" % (400 + k)) for k in range(3)])
    e.settings(page_size=1)
    r = H.run_plugin(args_for(e, ids))
    expect(r, 0, first_contains=["all 23 jobs OK"])
    eq(batches(e), 2, "$batch calls for 21 service principals", r)
    pages = [q for q in e.counters()["requests"]
             if "batch_item" not in q and q["method"] == "GET" and ids[4] in q["path"]]
    eq(len(pages), 2, "plain GETs of the next two pages of one service principal", r)


def test_one_unknown_service_principal_among_30_is_its_own_error():
    e = H.emu()
    ids = tenant(e, 29) + ["5a1f0c2e-0000-4000-8000-00000000ffff"]
    r = H.run_plugin(args_for(e, ids))
    expect(r, 3, first_contains=["all 29 jobs OK", "1 of 30 service principals not read"])
    bad = [l for l in r.stdout.splitlines() if l.startswith("[UNKNOWN]")]
    eq(len(bad), 1, "lines of service principals not read", r)
    true("5a1f0c2e-0000-4000-8000-00000000ffff" in bad[0] and "404" in bad[0],
         "the failed service principal or its 404 is not named", r)


def test_a_batch_item_echoing_the_token_in_its_error_code_shows_none_of_it():
    e = H.emu()
    ids = tenant(e, 3)
    token = e.mint_token(kind="app", roles=[H.READ])
    d = H.scratch_dir("tok-")
    path = os.path.join(d, "token")
    with open(path, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    # a hostile Graph puts pieces of the bearer token in an item's error code
    # and inner error, which land in that service principal's own line
    e.add_fault(target="graph", path_contains="/servicePrincipals/%s/" % ids[1], status=404,
                json={"error": {"code": token[:60], "message": "gone",
                                "innerError": {"code": token[20:90], "date": token[-40:]}}},
                times=-1)
    args = ["--access-token-file", path, "--graph-url", e.url]
    for i in ids:
        args += ["-s", i]
    r = H.run_plugin(args)
    expect(r, 3, first_contains=["1 of 3 service principals not read"])
    bad = [l for l in r.stdout.splitlines() if l.startswith("[UNKNOWN]")]
    eq(len(bad), 1, "lines of service principals not read", r)
    true("404" in bad[0], "the item's status is not named", r)
    for k in range(0, len(token) - 8):
        if token[k:k + 8] in r.stdout + r.stderr:
            true(False, "a piece of the token is printed: %r" % token[k:k + 8], r)


def test_sixty_unreadable_service_principals_still_fit_the_budget():
    e = H.emu()
    ids = tenant(e, 100)
    for i in ids[:60]:
        e.add_fault(target="graph", path_contains="/servicePrincipals/%s/" % i, status=404,
                    times=-1, json={"error": {"code": "Request_ResourceNotFound",
                                              "message": "Resource '%s' does not exist." % i}})
    for budget in (8192, 1023, 512):
        r = H.run_plugin(args_for(e, ids, extra=["--max-output", str(budget)]))
        expect(r, 3, first_contains=["all 40 jobs OK", "60 of 100 service principals not read"])
        true(len(r.raw_stdout) <= budget, "%d bytes printed for --max-output %d"
             % (len(r.raw_stdout), budget), r)
        if budget == 8192:
            # the error lines fold first: the OK jobs keep every graph's core metrics
            shown = [l for l in r.stdout.splitlines() if l.startswith("[UNKNOWN] service")]
            more = [l for l in r.stdout.splitlines() if l.startswith("[UNKNOWN] ... ")]
            eq(len(more), 1, "lines saying how many service principals are not shown", r)
            # what fits beside 40 jobs' metrics: three lines of about 170 bytes
            eq(len(shown), 3, "error lines shown", r)
            true(more[0].startswith("[UNKNOWN] ... 57 more service principals not read"),
                 "the count of the others", r)
            eq(len({l for l in perfdata(r) if l.endswith("_successive_failures")}), 40,
               "OK jobs with their successive_failures metric", r)


def test_worst_state_wins_across_service_principals_and_labels_stay_unique():
    e = H.emu()
    ids = tenant(e, 3, job=lambda i: H.make_job("scim", hexid="%032x" % i,
                                                 code="Quarantine" if i == 2 else "Active",
                                                 failures=6 if i == 2 else 0))
    r = H.run_plugin(args_for(e, ids))
    expect(r, 2, first_contains=["quarantined"])
    labels = list(perfdata(r))
    eq(len(labels), len(set(labels)), "unique labels across service principals", r)
    eq(len({l for l in labels if l.endswith("_successive_failures")}), 3, "jobs in perfdata", r)
    owners = [l for l in r.stdout.splitlines()[1:] if l.startswith("[") and ids[2] in l]
    true(owners, "the long output does not name the service principal of each job", r)


def test_a_throttled_item_inside_a_batch_is_retried_alone():
    e = H.emu()
    ids = tenant(e, 25)
    e.add_fault(target="graph", path_contains="/servicePrincipals/%s/" % ids[7],
                retry_after="1", times=1)
    r = H.run_plugin(args_for(e, ids))
    expect(r, 0, first_contains=["all 25 jobs OK"])
    eq(batches(e), 3, "$batch calls: two, then one for the throttled item", r)
    eq(e.counters()["batch_items"], 26, "items sent: 25 and the retried one", r)


def test_a_throttled_item_past_the_deadline_is_reported_throttled():
    e = H.emu()
    ids = tenant(e, 5)
    e.add_fault(target="graph", path_contains="/servicePrincipals/%s/" % ids[1],
                retry_after="60", times=-1)
    r = H.run_plugin(args_for(e, ids, extra=["-t", "5"]))
    expect(r, 3, first_contains=["1 of 5 service principals not read"])
    true("throttled by Graph inside $batch" in r.stdout and "Retry-After 60s" in r.stdout,
         "the throttling is not named with its Retry-After", r)


def test_the_id_file_with_comments_names_and_duplicates():
    e = H.emu()
    ids = tenant(e, 3)
    path = id_file(["# provisioning apps", ids[0] + "  Contoso Box", "", ids[1], ids[0],
                    "  " + ids[2] + "\tSlack (prod)", ids[1].upper(),
                    ids[0].upper() + " Box again"])
    r = H.run_plugin(H.check_args(e, sp=ids[0])[:-2] + ["--service-principals-file", path])
    expect(r, 0, first_contains=["all 3 jobs OK"])
    eq(e.counters()["batch_items"], 3, "items for 3 distinct service principals", r)
    true("Contoso Box" in r.stdout and "Slack (prod)" in r.stdout,
         "the display names from the file are not used", r)
    true("Box again" not in r.stdout, "a repeated id's name replaced the first", r)


def test_an_id_file_with_a_hostile_line_is_refused_naming_the_line():
    e = H.emu()
    ids = tenant(e, 2)
    for bad in ("..", "../../etc", "5a1f0c2e-0000-4000-8000-000000000100/../x",
                "$(touch /tmp/PWNED)", "x" * 5000, "5a1f0c2e-0000-4000-8000-00000000010"):
        path = id_file([ids[0], bad, ids[1]])
        base = H.check_args(e, sp=ids[0])[:-2]
        r = H.run_plugin(base + ["--service-principals-file", path])
        expect(r, 3, first_contains=["line 2", "not a service principal object id"],
               one_line=True)
        true("PWNED" not in r.stdout, "the hostile line is echoed", r)
    eq(e.counters()["graph_requests"], 0, "Graph requests with a hostile id file")


def test_event_handler_acts_across_service_principals():
    e = H.emu()
    q = {"currentBegan": "{{now-600}}", "nextAttempt": "{{now+3600}}",
         "reason": "EncounteredQuarantineException", "seriesBegan": "{{now-600}}",
         "seriesCount": 1}
    ids = tenant(e, 4, job=lambda i: H.make_job("app%d" % i, code="Quarantine" if i % 2 else
                                                 "Active", quarantine=q if i % 2 else None))
    sdir = H.scratch_dir("state-")
    os.chmod(sdir, 0o700)
    argv = args_for(e, ids, client="writer", extra=["--event-handler", "--state-dir", sdir])
    r = H.run_plugin(argv + ["CRITICAL", "HARD", "3"])
    eq(r.rc, 0, "exit status", r)
    s = e.counters()["starts"]
    eq(sorted(s.values()), [1, 1], "starts of the two quarantined jobs", r)
    skipped = [l for l in r.stdout.splitlines() if ": skipped - " in l]
    eq(len(skipped), 2, "lines of the two active jobs", r)
    true(all("request-id " in l for l in skipped),
         "a skipped job's line names the request that read it", r)
    # the same rules: a second run within the cooldown starts nothing more
    e.control("POST", "/_emu/jobs/%s/quarantine" % H.make_job("app1")["id"])
    r = H.run_plugin(argv + ["CRITICAL", "HARD", "3"])
    eq(r.rc, 1, "exit status within the cooldown", r)
    true("cooldown" in r.stdout, "the cooldown is not named", r)
    eq(sorted(e.counters()["starts"].values()), [1, 1], "starts after the second run", r)


def test_event_handler_not_acting_names_every_service_principal():
    e = H.emu()
    ids = tenant(e, 3)
    sdir = H.scratch_dir("state-")
    os.chmod(sdir, 0o700)
    argv = args_for(e, ids, client="writer", extra=["--event-handler", "--state-dir", sdir])
    r = H.run_plugin(argv + ["WARNING", "HARD", "3"])
    eq(r.rc, 0, "exit status", r)
    true("job * (every job of 3 service principals): skipped - service WARNING HARD" in r.stdout,
         "the decision does not name all three service principals", r)
    eq(e.counters()["graph_requests"], 0, "Graph requests of a handler that does not act", r)


def test_list_every_service_principal_of_the_tenant_in_every_format():
    e = H.emu()
    gen = e.generate_tenant(service_principals=300, provisioning=12)
    state = e.control("GET", "/_emu/state")["servicePrincipals"]
    with_jobs = {sp["id"]: len(sp["jobs"]) for sp in state if sp["jobs"]}
    total_jobs = sum(with_jobs.values())
    base = H.check_args(e, client="auditor", sp=H.SP_DEMO)[:-2]
    before = e.counters()
    r = H.run_plugin(base + ["--list", "--all-service-principals", "--format=json"])
    after = e.counters()
    eq(r.rc, 0, "exit status", r)
    doc = json.loads(r.stdout)
    eq({sp["id"]: len(sp["jobs"]) for sp in doc["servicePrincipals"]}, with_jobs,
       "service principals with their number of jobs", r)
    true(set(gen["with_jobs"]) <= set(with_jobs), "the generated tenant did not provision", r)
    eq(after["batch_requests"] - before["batch_requests"], -(-len(state) // 20),
       "$batch calls: one per 20 service principals of the tenant", r)
    for fmt, word, count in (("text", "\n== ", len(with_jobs) - 1),
                             ("icinga2", "object Service", total_jobs),
                             ("nagios", "define service", total_jobs),
                             ("ids", "\n5a1f0c2e-", len(with_jobs))):
        r = H.run_plugin(base + ["--list", "--all-service-principals", "--format=" + fmt])
        eq(r.rc, 0, "exit status of --format=" + fmt, r)
        eq(r.stdout.count(word), count, "%r in --format=%s" % (word, fmt), r)


def test_the_tenant_listing_in_ids_format_feeds_one_check_of_every_job():
    e = H.emu()
    e.generate_tenant(service_principals=120, provisioning=30)
    hostile = "5a1f0c2e-0000-4000-8000-00000000abcd"
    e.control("PUT", "/_emu/servicePrincipals/" + hostile,
              {"displayName": "Evil\n00000000-0000-4000-8000-000000000001 forged\t#|x",
               "jobs": [H.make_job("evil", hexid="%032x" % 77)]})
    state = e.control("GET", "/_emu/state")["servicePrincipals"]
    total_jobs = sum(len(sp["jobs"]) for sp in state)
    base = H.check_args(e, client="auditor", sp=H.SP_DEMO)[:-2]
    r = H.run_plugin(base + ["--list", "--all-service-principals", "--format=ids"])
    eq(r.rc, 0, "exit status of the listing", r)
    lines = [l for l in r.stdout.splitlines() if not l.startswith("#")]
    eq(len(lines), sum(1 for sp in state if sp["jobs"]), "lines: one per provisioning one", r)
    true("(generated 00000)" in r.stdout, "display names missing from the id file", r)
    true(any(l.startswith(hostile + "\tEvil 00000000") for l in lines),
         "a display name with a newline is not kept on its service principal's line", r)
    path = id_file(r.stdout.splitlines())
    r = H.run_plugin(H.check_args(e, client="reader", sp=None)[:-2] +
                     ["--service-principals-file", path, "--max-output", "65536"])
    # the generated mix (seed 1) quarantines some: 7 of the 33 jobs
    expect(r, 2, first_contains=["7 of %d jobs not OK" % total_jobs])
    jobs = len({l for l in perfdata(r) if l.endswith("_successive_failures")})
    eq(jobs, total_jobs, "jobs checked from the id file", r)


def test_tenant_listing_progress_goes_to_a_terminal_only():
    e = H.emu()
    e.generate_tenant(service_principals=45, provisioning=3)
    base = H.check_args(e, client="auditor", sp=H.SP_DEMO)[:-2]
    args = base + ["--list", "--all-service-principals", "--format=ids"]
    r = H.run_plugin(args)
    eq(r.rc, 0, "exit status", r)
    eq(r.stderr, "", "stderr when it is not a terminal", r)
    # stderr a pseudo-terminal, stdout a pipe: progress there, the list intact
    master, slave = os.openpty()
    try:
        p = subprocess.run([H.PLUGIN] + args, stdout=subprocess.PIPE, stderr=slave,
                           stdin=subprocess.DEVNULL, timeout=40,
                           env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        os.close(slave)
        slave = None
        tty = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            tty += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    eq(p.returncode, 0, "exit status with a terminal on stderr")
    eq(p.stdout.decode(), r.stdout, "the list, whatever stderr is")
    total = len(e.control("GET", "/_emu/state")["servicePrincipals"])
    eq(tty.decode(), "%d service principals in the tenant\r\n"
       "\rreading jobs: %d of %d service principals\r\n" % (total, total, total),
       "what the terminal shows")


def test_listing_the_tenant_without_application_read_all_names_it():
    e = H.emu()
    base = H.check_args(e, client="reader", sp=H.SP_DEMO)[:-2]
    r = H.run_plugin(base + ["--list", "--all-service-principals"])
    expect(r, 3, first_contains=["Application.Read.All"], one_line=True)


def test_a_redirected_tenant_listing_is_not_followed_and_says_so():
    # Every Graph read goes through one path: a redirect on the service
    # principal list is named as the job reads name it, and not followed.
    e = H.emu()
    with H.Emulator() as foreign:
        e.add_fault(target="graph", path_contains="/v1.0/servicePrincipals", status=302,
                    redirect=foreign.url + "/v1.0/servicePrincipals", times=-1)
        base = H.check_args(e, client="auditor", sp=H.SP_DEMO)[:-2]
        r = expect(H.run_plugin(base + ["--list", "--all-service-principals"]), 3,
                   first_contains=["HTTP 302", "redirect to %s/v1.0/servicePrincipals not "
                                   "followed" % foreign.url])
        eq(foreign.counters()["graph_requests"], 0, "requests that followed the redirect", r)


def test_a_cached_token_refused_item_by_item_is_renewed_once():
    # Consent granted after the token was cached: Graph answers the $batch
    # 200 and each item 401. As for one request, the token is renewed once
    # and the refused items are asked again.
    e = H.emu()
    ids = tenant(e, 3)
    cid, secret = "aaaaaaaa-0000-0000-0000-00000000c0de", "Cn5~consent-later-SECRET"
    e.add_client(cid, secret=secret, permissions=[])
    cache = H.cache_dir()
    first = H.check_args(e, client=(cid, secret), sp=ids[0], cache=cache)
    expect(H.run_plugin(first), 3, first_contains=["Synchronization.Read.All"])
    e.add_client(cid, secret=secret, permissions=[H.READ])
    before = e.counters()
    args = H.check_args(e, client=(cid, secret), sp=ids[0], cache=cache)
    for i in ids[1:]:
        args += ["-s", i]
    r = expect(H.run_plugin(args), 0, first_contains=["all 3 jobs OK"])
    after = e.counters()
    eq(after["sign_ins_total"] - before["sign_ins_total"], 1, "sign-ins: the renewal", r)
    eq(after["batch_requests"] - before["batch_requests"], 2, "$batch calls: refused, then again", r)


def test_discovery_defines_each_service_once_whatever_the_listing_repeats():
    e = H.emu()
    sp_c = sp_id(77)
    app = H.make_job("app")
    e.put_sp(H.SP_TEST, [app, app], appId=H.APP_TEST)            # one job listed twice
    twin = H.make_job("scim", hexid=H.JOB_SCIM.split(".")[1])     # SP_DEMO's job id again
    e.put_sp(sp_c, [twin, H.make_job("other")], appId=H.APP_TEST)
    entry = lambda i, name: {"id": i, "appId": H.APP_TEST, "displayName": name}
    listing = {"value": [entry(H.SP_DEMO, "Demo"), entry(H.SP_TEST, "Test"),
                         entry(H.SP_DEMO.upper(), "Demo again"), entry(sp_c, "Twin"),
                         entry(H.SP_TEST, "Test again")]}
    base = H.check_args(e, client="auditor", sp=H.SP_DEMO)[:-2]
    want_jobs = {H.JOB_SCIM, H.JOB_BOX, app["id"], H.make_job("other")["id"]}
    for fmt in ("icinga2", "nagios", "text", "json", "ids"):
        e.add_fault(target="graph", method="GET", path_contains="/servicePrincipals",
                    times=1, json=listing)
        r = H.run_plugin(base + ["--list", "--all-service-principals", "--format=" + fmt])
        eq(r.rc, 0, "exit status of --format=" + fmt, r)
        out = r.stdout
        if fmt == "icinga2":
            names = re.findall(r'^object Service "([^"]+)"', out, re.M)
        elif fmt == "nagios":
            names = re.findall(r"^\tservice_description\t(.+)$", out, re.M)
        elif fmt == "text":
            names = re.findall(r"^== .*\((5a1f[0-9a-fA-F-]+)\)$", out, re.M)
            jobs = re.findall(r"^([A-Za-z]+\.[0-9a-f]{32}) ", out, re.M)
            eq(sorted(jobs), sorted([H.JOB_SCIM, H.JOB_BOX, app["id"], twin["id"],
                                     H.make_job("other")["id"]]), "jobs in the table", r)
        elif fmt == "json":
            doc = json.loads(out)
            names = [sp["id"].lower() for sp in doc["servicePrincipals"]]
            for sp in doc["servicePrincipals"]:
                ids = [j["id"] for j in sp["jobs"]]
                eq(len(ids), len(set(ids)), "jobs of %s in JSON" % sp["id"], r)
        else:
            names = [l.split("\t")[0].lower() for l in out.splitlines()
                     if not l.startswith("#")]
        eq(len(names), len(set(names)), "names defined more than once in --format=" + fmt, r)
        if fmt in ("icinga2", "nagios"):
            eq(len(names), len(want_jobs), "services in --format=" + fmt, r)
            true("left out: the service" in out and "is defined above" in out,
                 "the twin job's service is not said to be left out", r)
        else:
            eq(sorted(names), sorted([H.SP_DEMO, H.SP_TEST, sp_c]),
               "service principals in --format=" + fmt, r)
