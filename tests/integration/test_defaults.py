# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the start history and the token cache live when no option names
them: the Debian package's directories when they are there, per-user ones
otherwise, and one state directory for the check, the handler and --start
whatever their environment. The machine's own directories are never
touched: every fixed path sits under the test seam CHECK_ENTRA_SYNC_ROOT."""

import os
import pwd

import harness as H
from harness import eq, expect, true

STATE = "var/lib/check-entra-sync"
CACHE = "var/cache/check-entra-sync"
UID = os.geteuid()


def without_cache(args):
    """The usual command line without its --token-cache."""
    i = args.index("--token-cache")
    return args[:i] + args[i + 2:]


def packaged(root, *dirs):
    """The directories the Debian package creates, 0700, ours."""
    for d in dirs:
        path = os.path.join(root, d)
        os.makedirs(path, 0o755)
        os.chmod(path, 0o700)
    return [os.path.join(root, d) for d in dirs]


def start(e, root, extra=(), xdg=None):
    env = {H.ROOT_ENV: root}
    if xdg:
        env["XDG_RUNTIME_DIR"] = xdg
    return H.run_plugin(without_cache(H.check_args(e, client="writer", job=H.JOB_BOX,
                                                   extra=["--start"] + list(extra))), env=env)


def handler(e, root, xdg=None):
    env = {H.ROOT_ENV: root}
    if xdg:
        env["XDG_RUNTIME_DIR"] = xdg
    return H.run_plugin(without_cache(H.check_args(
        e, client="writer", job=H.JOB_BOX,
        extra=["--event-handler", "CRITICAL", "HARD", "3"])), env=env)


def check(e, root, extra=(), xdg=None, cache=None):
    env = {H.ROOT_ENV: root}
    if xdg:
        env["XDG_RUNTIME_DIR"] = xdg
    args = H.check_args(e, job=H.JOB_BOX, extra=list(extra), cache=cache)
    return H.run_plugin(args if cache else without_cache(args), env=env)


def of_nobody(d):
    """A fresh root whose packaged directory d belongs to nobody; the
    directory's path and nobody's passwd entry."""
    if os.geteuid() != 0:
        raise H.Skip("needs root to give a directory to nobody")
    who = pwd.getpwnam("nobody")
    root = H.fixed_root()
    path, = packaged(root, d)
    os.chown(path, who.pw_uid, who.pw_gid)
    return root, path, who


def test_handler_and_check_share_one_history_whatever_xdg_runtime_dir_says():
    # The daemon has no XDG_RUNTIME_DIR, an operator's shell has one, and
    # each names its own token cache: the history is still one.
    e = H.emu()
    root = H.fixed_root()
    r = handler(e, root)
    eq(r.rc, 0, "handler exit status", r)
    eq(e.counters()["starts"], {H.JOB_BOX: 1}, "starts", r)
    hist = os.path.join(root, "tmp", "check_entra_sync-%d-state" % UID, H.JOB_BOX + ".state")
    true(os.path.isfile(hist), "no start history at %s" % hist, r)
    r = check(e, root, xdg=H.scratch_dir("xdg-"), cache=H.cache_dir())
    expect(r, 1, first_contains=["started by this plugin", "waiting for its next cycle"])


def test_operator_start_is_seen_by_the_handler_without_state_dir():
    e = H.emu()
    root = H.fixed_root()
    r = start(e, root, xdg=H.scratch_dir("xdg-"))
    expect(r, 0, first_contains=["started job " + H.JOB_BOX])
    e.quarantine(H.JOB_BOX)
    r = handler(e, root)
    eq(r.rc, 1, "handler after the operator's start (cooldown)", r)
    true("cooldown" in r.stdout, "the handler does not name the cooldown", r)
    eq(e.counters()["starts"], {H.JOB_BOX: 1}, "starts", r)


def test_packaged_directories_hold_the_history_and_the_tokens():
    e = H.emu()
    root = H.fixed_root()
    state, cache = packaged(root, STATE, CACHE)
    r = start(e, root, extra=["-vv"], xdg=H.scratch_dir("xdg-"))
    expect(r, 0, first_contains=["started job " + H.JOB_BOX])
    true("token cache %s; state directory %s" % (cache, state) in r.stderr,
         "-vv does not name the packaged directories", r)
    true(os.path.isfile(os.path.join(state, H.JOB_BOX + ".state")),
         "no start history in %s" % state, r)
    true(len(os.listdir(cache)) > 0, "no token cached in %s" % cache, r)
    eq(os.listdir(os.path.join(root, "tmp")), [], "per-user directories made in tmp/", r)
    r = check(e, root)
    expect(r, 1, first_contains=["started by this plugin", "waiting for its next cycle"])


def test_state_dir_option_wins_over_the_packaged_directory():
    e = H.emu()
    root = H.fixed_root()
    state, = packaged(root, STATE)
    mine = H.scratch_dir("state-")
    os.chmod(mine, 0o700)
    r = start(e, root, extra=["--state-dir", mine])
    expect(r, 0)
    true(os.path.isfile(os.path.join(mine, H.JOB_BOX + ".state")), "not in --state-dir", r)
    eq(os.listdir(state), [], "files in the packaged state directory", r)


def test_start_refuses_another_users_state_directory_and_says_what_to_do():
    # root running --start where the history belongs to the monitoring user:
    # a start the handler could not see would slip past its cooldown and cap.
    root, state, who = of_nobody(STATE)
    e = H.emu()
    r = start(e, root)
    want = ("job %s not started: state directory %s belongs to nobody (uid %d), not to "
            "root (uid 0), who runs the plugin: run it as nobody (sudo -u nobody) or name "
            "another with --state-dir" % (H.JOB_BOX, state, who.pw_uid))
    expect(r, 3, first_contains=[want], one_line=True)
    eq(e.counters()["starts"], {}, "starts", r)
    eq(e.counters()["graph_requests"], 0, "Graph requests", r)


def test_handler_refuses_another_users_state_directory():
    root, _, _ = of_nobody(STATE)
    e = H.emu()
    r = handler(e, root)
    eq(r.rc, 3, "handler exit status", r)
    true("belongs to nobody" in r.stdout and "--state-dir" in r.stdout,
         "the handler does not say whose directory it is", r)
    eq(e.counters()["starts"], {}, "starts", r)


def test_check_reads_no_history_of_another_user_and_says_so_with_v():
    root, state, _ = of_nobody(STATE)
    e = H.emu()
    r = check(e, root, extra=["-v"])
    expect(r, 2, first_contains=["quarantined"])
    true("starts recorded by the event handler not read: state directory %s belongs to "
         "nobody" % state in r.stderr, "-v does not say why the history is not read", r)


def test_another_users_packaged_cache_is_passed_over_for_a_cache_of_ones_own():
    root, cache, _ = of_nobody(CACHE)
    e = H.emu()
    r = check(e, root)
    expect(r, 2, first_contains=["quarantined"])
    eq(os.listdir(cache), [], "files in another user's cache", r)
    own = os.path.join(root, "tmp", "check_entra_sync-%d" % UID)
    true(len(os.listdir(own)) > 0, "no token cached in %s" % own, r)
