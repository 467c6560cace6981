# SPDX-License-Identifier: GPL-3.0-or-later
"""contrib/checkmk/mrpe.cfg: each line is NAME [(OPTIONS)] COMMAND as
Checkmk's agent reads it, and each command, with only the installed paths
and Microsoft's addresses pointed at the test's files and the emulator,
gives the state the default fixture calls for, with no secret in argv."""

import os
import re
import shlex

import harness as H
from harness import eq, expect, true

MRPE = os.path.join(H.ROOT, "contrib", "checkmk", "mrpe.cfg")
INSTALLED = "/usr/lib/nagios/plugins/check_entra_sync"
ETC = "/etc/check-entra-sync/"
LINE = re.compile(r"^(\S+)\s+(?:\(([^)]*)\)\s+)?(\S.*)$")


def lines():
    with open(MRPE) as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def parsed():
    out = {}
    for l in lines():
        m = LINE.match(l)
        true(m, "not NAME [(OPTIONS)] COMMAND: %r" % l)
        name, options, command = m.groups()
        true(name not in out, "service %s twice" % name)
        out[name] = (options, shlex.split(command))
    return out


def test_each_line_is_a_named_service_with_the_installed_plugin_and_options_checkmk_knows():
    services = parsed()
    eq(sorted(services), ["Entra_directory_sync", "Entra_sync_Box", "Entra_sync_SCIM", "Entra_sync_tenant"],
       "services")
    for name, (options, argv) in services.items():
        eq(argv[0], INSTALLED, name + ": the installed plugin")
        for opt in (options or "").split(":"):
            true(re.fullmatch(r"interval=\d+", opt), "%s: option %r" % (name, opt))
        true("--timeout" in argv, name + ": a --timeout")
        for a in argv:
            true("secret" not in a or a in ("--client-secret-file", "--secret-expiry") or a.startswith(ETC),
                 "%s: %r on the command line" % (name, a))


def files(e):
    """The test's /etc/check-entra-sync: the example ini file with the
    emulator's addresses, the secret files and the service principals file."""
    d = H.scratch_dir("checkmk-etc-")
    with open(os.path.join(H.ROOT, "contrib", "check_entra_sync.ini")) as f:
        ini = f.read()
    secrets = {"entra-sync.secret": "reader", "entra-sync-repair.secret": "writer",
               "entra-directory.secret": "auditor"}
    for name, client in secrets.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(H.CLIENTS[client][1] + "\n")
        os.chmod(os.path.join(d, name), 0o600)
    ini = ini.replace(ETC, d + "/").replace("https://login.microsoftonline.com", e.url)
    ini = ini.replace("https://graph.microsoft.com", e.url)
    with open(os.path.join(d, "check_entra_sync.ini"), "w") as f:
        f.write(ini)
    with open(os.path.join(d, "entra-sync-service-principals"), "w") as f:
        f.write("# the default fixture\n%s Demo provisioning\n" % H.SP_DEMO)
    return d


def test_every_command_runs_against_the_emulator_with_the_state_the_fixture_calls_for():
    e = H.emu()
    etc = files(e)
    cache = H.cache_dir()
    want = {"Entra_sync_Box": 2, "Entra_sync_SCIM": 0, "Entra_sync_tenant": 2, "Entra_directory_sync": 0}
    for name, (_, argv) in parsed().items():
        args = [a.replace(ETC, etc + "/").replace("https://login.microsoftonline.com", e.url)
                .replace("https://graph.microsoft.com", e.url) for a in argv[1:]]
        r = H.run_plugin(args + ["--token-cache", cache])
        expect(r, want[name])
        true(" | " in r.first_line, name + ": perfdata on the first line", r)
