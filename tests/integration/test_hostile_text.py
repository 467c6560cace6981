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
