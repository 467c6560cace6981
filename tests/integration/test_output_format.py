# SPDX-License-Identifier: GPL-3.0-or-later
"""--output-format (the option name of Monitoring Plugins' own library): the
check and --directory-sync print the format it names, with the same exit
status; nagios is today's output, byte for byte; an unknown name is a usage
error that names the formats there are."""

import re

import harness as H
from harness import eq, expect, true


def _same_but_time(a, b):
    """a and b byte for byte, but for the HTTP time metric."""
    t = re.compile(r"time=\d+\.\d{3}s")
    return t.sub("time=T", a) == t.sub("time=T", b)


def _never_succeeded_sp(e):
    """A service principal whose only job never ran: no age in its output."""
    job = H.make_job(template="workday", code="NotConfigured", last_success_ago=None)
    e.put_sp(H.SP_TEST, [job])
    return job


def test_nagios_format_is_the_default_output_byte_for_byte():
    e = H.emu()
    job = _never_succeeded_sp(e)
    args = H.check_args(e, sp=H.SP_TEST, job=job["id"])
    plain = expect(H.run_plugin(args), 1, first_contains=["not configured"])
    for name in ("nagios", "Nagios"):
        r = H.run_plugin(args + ["--output-format", name])
        eq(r.rc, plain.rc, "exit status with --output-format " + name, r)
        true(_same_but_time(r.stdout, plain.stdout),
             "--output-format %s printed other bytes than the default:\n%s\n---\n%s"
             % (name, plain.stdout, r.stdout), r)


def test_nagios_format_of_directory_sync_is_the_default_output():
    e = H.emu()
    e.install_fixture("dirsync-never")
    base = ["-T", H.TENANT, "-C", H.CLIENTS["auditor"][0], "--client-secret-file",
            H.secret_file(H.CLIENTS["auditor"][1]), "--login-url", e.url, "--graph-url", e.url,
            "--token-cache", H.cache_dir(), "--directory-sync"]
    plain = expect(H.run_plugin(base), 3,
                   first_contains=["directory synchronization is not enabled"])
    r = H.run_plugin(base + ["--output-format=nagios"])
    eq(r.rc, plain.rc, "exit status", r)
    true(_same_but_time(r.stdout, plain.stdout), "other bytes than the default", r)


def test_unknown_output_format_is_a_usage_error_naming_the_formats():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["--output-format", "xml"]))
    expect(r, 3, first_contains=["--output-format must be ", "nagios", "not 'xml'"],
           one_line=True)
    eq(H.graph_requests(e.counters()), 0, "Graph requests before a usage error", r)
