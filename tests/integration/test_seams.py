# SPDX-License-Identifier: GPL-3.0-or-later
"""The test seams (CHECK_ENTRA_SYNC_CLOCK_OFFSET, CHECK_ENTRA_SYNC_ROOT,
CHECK_ENTRA_SYNC_SYSLOG_SOCKET) apply only to a run whose Graph is on
loopback, the emulator. Against any other Graph a stray one in an
operator's shell would open the guard rails: a clock days ahead passed the
cooldown and the cap of --start, another root kept a start history the
daemon's handler never saw. The non-loopback Graph here is an address on the
loopback of a network of its own (SPEC 18) where nothing listens."""

import calendar
import json
import os
import time

import harness as H
from harness import eq, true

FAR = "192.0.2.10"
THREE_YEARS = 3 * 365 * 86400


def seam_env(root, extra=None):
    env = {H.CLOCK_ENV: str(THREE_YEARS), H.ROOT_ENV: root}
    env.update(extra or {})
    return env


def packaged_root():
    """A root holding the packaged state directory, so that a run which
    honours the root names it with -vv."""
    root = H.fixed_root()
    os.makedirs(os.path.join(root, "var", "lib", "check-entra-sync"), 0o700)
    return root


def judged_at(r):
    doc = json.loads(r.stdout)
    return calendar.timegm(time.strptime(doc["time"], "%Y-%m-%dT%H:%M:%SZ"))


def test_clock_and_root_apply_only_against_a_loopback_graph():
    e = H.emu()
    # the emulator on loopback: the seams apply, as the tests need them
    root = packaged_root()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["--output-format=json", "-vv"]),
                     env=seam_env(root))
    true(abs(judged_at(r) - (time.time() + THREE_YEARS)) < 3600,
         "the clock moved with a loopback Graph", r)
    true(os.path.join(root, "var", "lib", "check-entra-sync") in r.stderr,
         "the root's state directory with a loopback Graph", r)
    # any other Graph: the machine's clock and the machine's paths
    with H.NetNS(FAR) as ns:
        root = packaged_root()
        args = H.check_args(e, job=H.JOB_SCIM, extra=["--output-format=json", "-vv", "-t", "5"])
        args[args.index("--graph-url") + 1] = "https://%s:9" % FAR
        args[args.index("--login-url") + 1] = "https://%s:9" % FAR
        r = H.run_plugin(args, env=seam_env(root), netns=ns)
        eq(r.rc, 3, "exit status with nothing listening", r)
        true(abs(judged_at(r) - time.time()) < 3600,
             "CHECK_ENTRA_SYNC_CLOCK_OFFSET moved the clock of a run against another Graph", r)
        true("state directory" in r.stderr and root not in r.stderr,
             "CHECK_ENTRA_SYNC_ROOT moved the state directory of a run against another Graph",
             r)


def test_the_syslog_socket_applies_only_against_a_loopback_graph():
    e = H.emu()
    sdir = H.scratch_dir("state-")
    os.chmod(sdir, 0o700)
    with H.Syslog() as log:
        args = H.check_args(e, client="writer", job=H.JOB_BOX,
                            extra=["--event-handler", "--state-dir", sdir, "-t", "5",
                                   "CRITICAL", "HARD", "3"])
        env = dict(log.env)
        r = H.run_plugin(args, env=env)
        eq(len(log.lines()), 1, "decision lines at the test's socket with a loopback Graph", r)
        with H.NetNS(FAR) as ns:
            args[args.index("--graph-url") + 1] = "https://%s:9" % FAR
            args[args.index("--login-url") + 1] = "https://%s:9" % FAR
            r = H.run_plugin(args, env=env, netns=ns)
            eq(r.rc, 3, "exit status with nothing listening", r)
        eq(len(log.lines()), 1,
           "CHECK_ENTRA_SYNC_SYSLOG_SOCKET took the line of a run against another Graph", r)
