# SPDX-License-Identifier: GPL-3.0-or-later
"""Text from Graph, from files and from libcurl that must not reach the
output as sent (SPEC 5a, 8a): bidi controls and zero-width characters,
credentials in a URL, any token the run has held, and an id so long that it
would push the decision off its own line. Each test failed against the
commit before its fix (TEST_PLUGIN=...)."""

import json
import os

import harness as H
from harness import eq, expect, true

# Bidi controls and zero-width characters (SPEC 5a).
HIDDEN = ["\u061c", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b",
          "\u202c", "\u202d", "\u202e", "\u2060", "\u2066", "\u2067", "\u2068", "\u2069",
          "\ufeff"]
# "Box RLO fdp.exe PDF ...": what a web UI would show reversed.
TRICK = "Box \u202efdp.exe\u202c \u2066x\u2069 s\u200bc\u200di\ufeffm\u061c\u200e"


def shows_none(r, what, text=None):
    text = (r.stdout + r.stderr) if text is None else text
    found = sorted({"U+%04X" % ord(c) for c in HIDDEN if c in text})
    eq(found, [], "bidi or zero-width characters in %s" % what, r)


def state_dir():
    d = H.scratch_dir("state-")
    os.chmod(d, 0o700)
    return d


# -- 10. bidi and zero-width characters --------------------------------------
def test_a_graph_error_message_shows_no_bidi_or_zero_width_character():
    e = H.emu()
    e.add_fault(target="graph", status=400, json={"error": {
        "code": "Bad\u202eRequest", "message": TRICK, "innerError": {"date": "x\u2066"}}})
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["-vv"]))
    expect(r, 3, first_contains=["fdp.exe"])
    shows_none(r, "the status line and -vv")
    # raw in the body (not JSON-escaped), as the -vvv trace shows it
    e.add_fault(target="graph", status=400, body=json.dumps(
        {"error": {"code": "BadRequest", "message": TRICK}}, ensure_ascii=False))
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["-vvv"]))
    expect(r, 3, first_contains=["fdp.exe"])
    true("fdp.exe" in r.stderr, "the trace does not show the body", r)
    shows_none(r, "the -vvv trace")


def test_handler_and_syslog_show_no_bidi_or_zero_width_character():
    e = H.emu()
    e.add_fault(target="graph", method="POST", path_contains="/start", status=409,
                json={"error": {"code": "Conflict", "message": TRICK}})
    with H.Syslog() as log:
        r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                      extra=["--event-handler", "--state-dir", state_dir(),
                                             "CRITICAL", "HARD", "3"]), env=log.env)
        eq(r.rc, 2, "exit status of a refused start", r)
        true("fdp.exe" in r.stdout, "Graph's message is not shown", r)
        shows_none(r, "the decision line")
        lines = log.lines()
        true(any("fdp.exe" in l for l in lines), "the decision is not in syslog: %r" % lines, r)
        shows_none(r, "syslog", "".join(lines))


def test_display_names_show_no_bidi_or_zero_width_character_in_any_list_format():
    e = H.emu()
    job = H.make_job("app")
    job["templateId"] = "app\u202e\u200b"
    e.control("PUT", "/_emu/servicePrincipals/" + H.SP_TEST,
              {"appId": H.APP_TEST, "displayName": TRICK, "jobs": [job]})
    base = H.check_args(e, client="auditor", sp=H.SP_DEMO)[:-2]
    for fmt in ("text", "json", "icinga2", "nagios", "ids"):
        r = H.run_plugin(base + ["--list", "--all-service-principals", "--format=" + fmt])
        eq(r.rc, 0, "exit status of --format=" + fmt, r)
        true("fdp.exe" in r.stdout, "the display name is missing from --format=" + fmt, r)
        shows_none(r, "--format=" + fmt)
        if fmt == "json":
            # escaped, not dropped: the template keeps its value for scripts
            tpls = [j["templateId"] for sp in json.loads(r.stdout)["servicePrincipals"]
                    for j in sp["jobs"]]
            true(job["templateId"] in tpls, "JSON does not keep the value: %r" % tpls, r)


def test_names_from_the_id_file_show_no_bidi_or_zero_width_character():
    e = H.emu()
    e.put_sp(H.SP_TEST, [H.make_job("app")], appId=H.APP_TEST)
    d = H.scratch_dir("sps-")
    path = os.path.join(d, "sps")
    with open(path, "w", encoding="utf-8") as f:
        f.write("%s %s\n%s Demo %s\n" % (H.SP_TEST, TRICK, H.SP_DEMO, "\u202eorp"))
    base = H.check_args(e, sp=H.SP_DEMO)[:-2] + ["--service-principals-file", path]
    r = H.run_plugin(base)
    expect(r, 2, contains=["fdp.exe"])
    shows_none(r, "check mode's long output")
    for fmt in ("text", "json", "icinga2"):
        r = H.run_plugin(base + ["--list", "--format=" + fmt])
        eq(r.rc, 0, "exit status of --format=" + fmt, r)
        true("fdp.exe" in r.stdout, "the file's name is missing from --format=" + fmt, r)
        shows_none(r, "--format=" + fmt)


# -- 7. a proxy's password --------------------------------------------------
PASSWORDS = ("Passw0rd", "Pass/w0rd")
BAD_PROXIES = ["htp://user:Passw0rd@127.0.0.1:1",          # unsupported scheme
               "http://user:Passw0rd@127.0.0.1:99999",      # bad port
               "socks6://user:Passw0rd@127.0.0.1:1",        # unknown socks version
               "user:Passw0rd@127.0.0.1:99999",             # no scheme, bad port
               "http://user:Pass/w0rd@127.0.0.1:1",         # a '/' in the password
               "http://user:Passw0rd@127.0.0.1:1"]          # nobody listens


def no_password(r, what):
    text = r.stdout + r.stderr
    true(not any(p in text for p in PASSWORDS), "the proxy's password is printed (%s)" % what, r)


def proxy_ini(proxy, mode=0o640):
    """--extra-opts for an ini file naming proxy: the place for a proxy with
    a password besides the environment (the command line is anybody's to
    read in ps)."""
    path = os.path.join(H.scratch_dir("ini-"), "proxy.ini")
    with open(path, "w") as f:
        f.write("[check_entra_sync]\nproxy = %s\n" % proxy)
    os.chmod(path, mode)
    return "--extra-opts=@" + path


def test_a_proxy_password_appears_in_no_message():
    e = H.emu(tls=True)
    for px in BAD_PROXIES:
        r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=[proxy_ini(px), "-vvv"]))
        expect(r, 3)
        no_password(r, "proxy = " + px)
    for var in ("https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        for px in BAD_PROXIES:
            r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["-vvv"]), env={var: px})
            eq(r.rc, 3, "exit status with %s=%s" % (var, px), r)
            no_password(r, "%s=%s" % (var, px))


def test_a_proxy_password_stays_out_of_the_handler_line_and_syslog():
    e = H.emu(tls=True)
    with H.Syslog() as log:
        for px in BAD_PROXIES:
            r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                          extra=[proxy_ini(px), "--event-handler",
                                                 "--state-dir", state_dir(), "CRITICAL",
                                                 "HARD", "3"]), env=log.env)
            eq(r.rc, 3, "exit status with proxy = " + px, r)
            no_password(r, "the decision line with proxy = " + px)
        lines = log.lines()
        eq(len(lines), len(BAD_PROXIES), "syslog lines", r)
        true(not any(p in l for p in PASSWORDS for l in lines),
             "the proxy's password is in syslog: %r" % lines, r)


def test_a_proxy_password_only_where_other_users_cannot_read_it():
    # ps shows every user the command line, and an ini file may be 0644
    e = H.emu(tls=True)
    px = "http://user:Passw0rd@127.0.0.1:1"
    for proxy in (["--proxy", px], ["--proxy=" + px], ["--prox", px]):
        r = expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=proxy)), 3,
                   one_line=True, first_contains=["--proxy carries a user name or password",
                                                  "https_proxy", "--extra-opts"])
        no_password(r, " ".join(proxy))
    world = proxy_ini(px, mode=0o644)
    r = expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=[world])), 3, one_line=True,
               first_contains=["%s: line 2: proxy carries a user name or password, and every "
                               "user may read the file: chmod o-r it" % world[len("--extra-opts=@"):]])
    no_password(r, "a world-readable ini file")
    eq(e.counters()["requests"], [], "requests made")
    # readable by its group only (root:nagios 0640): the proxy is taken, and
    # nobody listens on it
    r = expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=[proxy_ini(px)])), 3)
    true("127.0.0.1" in r.first_line, "the proxy is named", r)
    no_password(r, "a proxy from a private ini file")
    # without a password the command line is fine
    r = expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM,
                                         extra=["--proxy", "http://127.0.0.1:1"])), 3)
    true("127.0.0.1" in r.first_line, "the proxy is named", r)


def test_a_service_url_with_a_password_is_refused_without_showing_it():
    e = H.emu()
    for opt in ("--graph-url", "--login-url", "--imds-url"):
        args = H.check_args(e, job=H.JOB_SCIM, extra=["-vv"])
        url = e.url.replace("://", "://user:Passw0rd@")
        if opt in args:
            args[args.index(opt) + 1] = url
        else:
            args += [opt, url]
        r = expect(H.run_plugin(args), 3, first_contains=[opt, "user name or password"],
                   one_line=True)
        no_password(r, opt)
    eq(e.counters()["requests"], [], "requests with a password in a service URL")


# -- 8. every token the run has held ------------------------------------------
OLD_TOKEN = "opaque-old-token-7Hq2xZ0vLm9Kp4Ws"   # not JWT-shaped: only the list finds it


def _plant_old_token(e, cache, client):
    """A cache warmed by one run, its entry then holding OLD_TOKEN; the
    command line of that run."""
    args = H.check_args(e, client=client, job=H.JOB_BOX, cache=cache)
    eq(H.run_plugin(args).rc, 2, "exit status of the warm-up")
    entries = [f for f in os.listdir(cache) if len(f) == 64]
    eq(len(entries), 1, "cache entries after one check")
    with open(os.path.join(cache, entries[0]), "w") as f:
        f.write("check_entra_sync token v1\nexpires_at=4102444800\naccess_token=%s\nend\n"
                % OLD_TOKEN)
    return args


def test_an_older_token_echoed_after_a_renewal_is_scrubbed():
    echo = "the token %s is not valid here" % OLD_TOKEN
    for mode in ("check", "handler"):
        e = H.emu()
        args = _plant_old_token(e, H.cache_dir(), "writer")
        if mode == "handler":
            args += ["--event-handler", "--state-dir", state_dir(), "CRITICAL", "HARD", "3"]
        # Graph refuses the cached token, the run signs in afresh, and the
        # next answer echoes the token it replaced.
        e.add_fault(target="graph", status=401, json={"error": {
            "code": "InvalidAuthenticationToken", "message": echo}})
        e.add_fault(target="graph", status=403, json={"error": {
            "code": "Forbidden", "message": echo, "innerError": {"request-id": OLD_TOKEN}}})
        with H.Syslog() as log:
            r = H.run_plugin(args + ["-vv"], env=log.env)
            eq(r.rc, 3, "exit status (%s)" % mode, r)
            true("is not valid here" in r.stdout, "Graph's message is not shown", r)
            eq(e.counters()["sign_ins_total"], 2, "sign-ins: the warm-up and the renewal", r)
            text = r.stdout + r.stderr + "".join(log.lines())
        for piece in (OLD_TOKEN, OLD_TOKEN[:12], OLD_TOKEN[-12:]):
            true(piece not in text, "the older token is printed (%s)" % mode, r)


# -- 12. an id that would push the action off the decision line ----------------
LONG_JOB = "Box." + "a" * 120000   # 120 KB: within one argument's limit


def test_a_huge_job_id_is_cut_and_the_action_kept():
    e = H.emu()
    with H.Syslog() as log:
        for state, action in (("CRITICAL", ": error - could not read the job"),
                              ("WARNING", ": skipped - service WARNING HARD")):
            r = H.run_plugin(H.check_args(e, client="writer", job=LONG_JOB,
                                          extra=["--event-handler", "--state-dir", state_dir(),
                                                 state, "HARD", "3"]), env=log.env)
            eq(r.rc, 3 if state == "CRITICAL" else 0, "exit status (%s)" % state, r)
            true(r.first_line.startswith("job Box.aaaa") and "...%s" % action in r.first_line,
                 "the decision line does not keep the action %r" % action, r)
            true(len(r.first_line) < 1024, "the decision line is %d bytes" % len(r.first_line), r)
        lines = log.lines()
        eq(len(lines), 2, "syslog lines", r)
        true(": error - " in lines[0] and ": skipped - " in lines[1],
             "syslog lost the action: %r" % [l[:200] for l in lines], r)
        r = H.run_plugin(H.check_args(e, client="writer", job=LONG_JOB,
                                      extra=["--start", "--state-dir", state_dir()]), env=log.env)
        # --start reads the job first (SPEC 6a): Graph's 414 answers that read
        eq(r.rc, 3, "exit status of --start", r)
        true("job Box.aaaa" in r.first_line and
             "... not started (no start was sent): could not read it: Graph HTTP 414"
             in r.first_line, "the --start line does not keep what happened", r)
        true(len(r.first_line) < 1024, "the --start line is %d bytes" % len(r.first_line), r)
