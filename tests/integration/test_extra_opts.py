# SPDX-License-Identifier: GPL-3.0-or-later
"""--extra-opts[=SECTION][@FILE]: options from an ini file, the command line
winning; the default section and the Monitoring Plugins' search for the
file; and the files and lines it refuses, each with one clear UNKNOWN."""

import os
import pwd

import harness as H
from harness import eq, expect, true


def ini(text, mode=0o644, name="plugins.ini"):
    """text in a fresh file of ours (mode as given)."""
    path = os.path.join(H.scratch_dir("ini-"), name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def identity(e, client="reader", section="check_entra_sync"):
    """A section holding the whole identity and the emulator's URLs."""
    cid, secret = H.CLIENTS[client]
    return ("[%s]\ntenant = %s\nclient-id = %s\nclient-secret-file = %s\n"
            "login-url = %s\ngraph-url = %s\ntoken-cache = %s\n"
            % (section, H.TENANT, cid, H.secret_file(secret), e.url, e.url, H.cache_dir()))


def run(*args, env=None):
    return H.run_plugin(list(args), env=env)


def test_identity_and_urls_come_from_the_default_section():
    e = H.emu()
    f = ini(identity(e))
    r = run("--extra-opts=@" + f, "-s", H.SP_DEMO, "-j", H.JOB_SCIM)
    expect(r, 0, first_contains=["scim active"])
    # the same with the value as a separate word, as Icinga 2 renders it
    expect(run("--extra-opts", "@" + f, "-s", H.SP_DEMO, "-j", H.JOB_SCIM), 0)


def test_a_named_section_and_every_section_of_that_name():
    e = H.emu()
    f = ini("[check_entra_sync]\nclient-id = not-this-one\n\n" + identity(e, section="reader") +
            "[other]\nclient-id = nor-this\n[reader]\njob = " + H.JOB_SCIM + "\n")
    r = run("--extra-opts=reader@" + f, "-s", H.SP_DEMO)
    expect(r, 0, first_contains=["scim active"])


def test_the_event_handler_takes_its_identity_from_the_file_too():
    e = H.emu()
    f = ini(identity(e, client="writer"))
    sdir = H.scratch_dir("state-")
    os.chmod(sdir, 0o700)
    r = run("--event-handler", "--extra-opts=@" + f, "--state-dir", sdir, "-s", H.SP_DEMO,
            "-j", H.JOB_BOX, "CRITICAL", "HARD", "3")
    eq(r.rc, 0, "handler exit status", r)
    eq(e.counters()["starts"], {H.JOB_BOX: 1}, "starts", r)


def test_the_command_line_wins_over_the_file():
    e = H.emu()
    f = ini(identity(e) + "warning = 1\njob = " + H.JOB_SCIM + "\n")
    expect(run("--extra-opts=@" + f, "-s", H.SP_DEMO), 1, first_contains=["> 1s"])
    # wherever --extra-opts stands: the file is read first
    expect(run("-s", H.SP_DEMO, "-w", "1h", "--extra-opts=@" + f), 0)


def test_a_repeatable_option_on_the_command_line_replaces_the_files():
    e = H.emu()
    f = ini(identity(e) + "service-principal = %s\nservice-principal = %s\n"
            % (H.SP_TEST, H.SP_DEMO))
    # the file's two are read together
    r = run("--extra-opts=@" + f)
    expect(r, 2, first_contains=["1 of 2 service principals not read"])
    # -s on the command line sets both aside (or -j would refuse two)
    expect(run("--extra-opts=@" + f, "-s", H.SP_DEMO, "-j", H.JOB_SCIM), 0)
    # and so does -a, of the same group
    expect(run("--extra-opts=@" + f, "-a", H.APP_DEMO, "-j", H.JOB_SCIM), 0)


def test_a_credential_on_the_command_line_sets_aside_the_files():
    e = H.emu()
    f = ini(identity(e) + "certificate = /nonexistent/monitoring.pem\n")
    expect(run("--extra-opts=@" + f, "-s", H.SP_DEMO, "-j", H.JOB_SCIM), 3,
           first_contains=["give only one of"])
    cid, secret = H.CLIENTS["reader"]
    expect(run("--extra-opts=@" + f, "--client-secret-file", H.secret_file(secret),
               "-s", H.SP_DEMO, "-j", H.JOB_SCIM), 0)


def test_the_default_file_is_found_where_the_monitoring_plugins_look():
    e = H.emu()
    root = H.fixed_root()
    d = os.path.join(root, "etc", "monitoring-plugins")
    os.makedirs(d)
    with open(os.path.join(d, "monitoring-plugins.ini"), "w") as f:
        f.write("[check_disk]\nwarning=10%\n" + identity(e))
    args = ["--extra-opts", "-s", H.SP_DEMO, "-j", H.JOB_SCIM]
    expect(run(*args, env={H.ROOT_ENV: root}), 0)
    # MP_CONFIG_FILE names another
    other = ini("[check_entra_sync]\nclient-id = from-mp-config-file\n")
    expect(run(*args, env={H.ROOT_ENV: root, "MP_CONFIG_FILE": other}), 3,
           first_contains=["no credential"])
    # none at all
    r = run(*args, env={H.ROOT_ENV: H.fixed_root()})
    expect(r, 3, first_contains=["--extra-opts names no file", "none of the standard ones"],
           one_line=True)


def test_help_needs_no_file():
    r = run("--extra-opts=@/nonexistent/plugins.ini", "--help")
    eq(r.rc, 0, "exit status of --help", r)
    true("Usage:" in r.stdout, "no usage text", r)


# -- refusals -------------------------------------------------------------------------
def refused(path, want, *extra):
    r = run("--extra-opts=@" + path, "-s", H.SP_DEMO, *extra)
    expect(r, 3, first_contains=[want], one_line=True)
    return r


def test_a_file_others_may_change_is_refused():
    f = ini("[check_entra_sync]\ntenant = x\n", mode=0o664)
    refused(f, "ini file %s is writable by group or others (mode 0664)" % f)
    os.chmod(f, 0o646)
    refused(f, "is writable by group or others (mode 0646)")


def test_a_file_of_another_user_is_refused():
    if os.geteuid() != 0:
        raise H.Skip("needs root to give the file to nobody")
    f = ini("[check_entra_sync]\ntenant = x\n")
    os.chown(f, pwd.getpwnam("nobody").pw_uid, -1)
    refused(f, "ini file %s belongs to nobody, not to root, who runs the plugin" % f)


def test_a_secret_in_the_file_is_refused_and_never_shown():
    for key in ("client-secret", "secret", "password", "client_secret", "AZURE_CLIENT_SECRET"):
        f = ini("[check_entra_sync]\n%s = Q8~xFILESECRETVALUE\n" % key)
        r = refused(f, "line 2: %s would hold a secret" % key)
        true("client-secret-file=PATH" in r.first_line, "no hint at client-secret-file", r)
        true("FILESECRETVALUE" not in r.stdout + r.stderr, "the value was shown", r)
    # a value pasted alone on its line is not echoed either
    f = ini("[check_entra_sync]\nQ8~xFILESECRETVALUE\n")
    r = refused(f, "line 2: not an option name (not shown")
    true("FILESECRETVALUE" not in r.stdout + r.stderr, "the value was shown", r)


def test_what_the_file_may_not_set():
    cases = [
        ("start", "line 2: start chooses the mode: give it on the command line"),
        ("event-handler", "line 2: event-handler chooses the mode"),
        ("list", "line 2: list chooses the mode: give it on the command line"),
        ("directory-sync", "line 2: directory-sync chooses the mode"),
        ("Directory_Sync", "line 2: 'Directory_Sync' is written 'directory-sync'"),
        ("attempt = 3", "line 2: attempt is the daemon's to pass on each call"),
        ("help", "line 2: help is for the command line"),
        ("extra-opts = @/etc/x.ini", "line 2: an ini file names no other (extra-opts)"),
        ("w = 10", "line 2: 'w' is a short option; the file takes long names ('warning')"),
        ("token_cache = /tmp/x", "line 2: 'token_cache' is written 'token-cache'"),
        ("no-such-option = 1", "line 2: 'no-such-option' is not an option of check_entra_sync"),
        ("tenant", "line 2: tenant needs a value (tenant=...)"),
        ("no-token-cache = yes", "line 2: no-token-cache takes no value"),
        ("format = xml", "line 2: --format must be text, json, icinga2, nagios or ids"),
    ]
    for line, want in cases:
        f = ini("[check_entra_sync]\n%s\n" % line)
        refused(f, "ini file %s: %s" % (f, want))


def test_malformed_files_and_missing_sections():
    f = ini("tenant = x\n[check_entra_sync]\n")
    refused(f, "ini file %s: line 1: an option before the first [section]" % f)
    f = ini("[check_entra_sync\n")
    refused(f, "line 1: a section header reads [NAME]")
    f = ini("[other]\ntenant = x\n")
    refused(f, "ini file %s has no section [check_entra_sync]" % f)
    refused("/nonexistent/plugins.ini", "cannot open ini file /nonexistent/plugins.ini")
    r = run("--extra-opts=@", "-s", H.SP_DEMO)
    expect(r, 3, first_contains=["--extra-opts: no file name after '@'"], one_line=True)


def test_a_bad_entry_is_refused_even_where_the_command_line_wins():
    e = H.emu()
    f = ini(identity(e) + "warning = not-a-range\n")
    refused(f, "ini file %s: line 8: -w" % f, "-w", "1h")
