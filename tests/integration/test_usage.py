# SPDX-License-Identifier: GPL-3.0-or-later
"""What a new user reads first: --help starts with the version line, as
--version does, fits an 80-column terminal, and names every option."""

import os
import re

import harness as H
from harness import eq, expect, true


def version():
    with open(os.path.join(H.ROOT, "plugin", "common.h")) as f:
        return re.search(r'#define PLUGIN_VERSION "([^"]+)"', f.read()).group(1)


def mode_options():
    """The options of main.c's table of modes, in its order."""
    with open(os.path.join(H.ROOT, "plugin", "main.c")) as f:
        text = f.read()
    table = text[text.index("modes[] = {"):]
    table = table[:table.index("};")]
    return re.findall(r'\{"([a-z-]+)", "[a-z_]+",\s*mode_', table)


def long_options():
    """The names in options.c's table and the modes' options, but for those
    listed only so that no secret on the command line is ever taken for a
    file name."""
    with open(os.path.join(H.ROOT, "plugin", "options.c")) as f:
        text = f.read()
    table = text[text.index("long_options[] = {"):]
    table = table[:table.index("{NULL, 0, NULL, 0}")]
    names = re.findall(r'\{"([a-z-]+)",', table) + mode_options()
    return [n for n in names if n not in ("client-secret", "secret", "password")]


def test_help_starts_with_the_version_line_and_fits_80_columns():
    r = H.run_plugin(["--help"])
    eq(r.rc, 0, "exit status of --help", r)
    lines = r.stdout.split("\n")
    eq(lines[0], "check_entra_sync " + version(), "first line of --help", r)
    wide = ["%d: %s" % (len(l), l) for l in lines if len(l) > 80]
    eq(wide, [], "lines of --help wider than 80 columns", r)
    true(all(c.isascii() for c in r.stdout), "--help holds more than ASCII", r)
    eq(r.stderr, "", "stderr of --help", r)


def test_version_and_help_share_the_first_line():
    v = H.run_plugin(["--version"])
    h = H.run_plugin(["--help"])
    eq(v.rc, 0, "exit status of --version", v)
    eq(v.stdout.split("\n")[0], h.stdout.split("\n")[0], "first lines of --version and --help", v)


def test_help_names_every_option():
    r = H.run_plugin(["--help"])
    names = long_options()
    true(len(names) > 40, "options.c's table was not read (%d names)" % len(names), r)
    missing = [n for n in names + ["extra-opts"] if "--" + n not in r.stdout]
    eq(missing, [], "options --help does not name", r)


def test_two_modes_exclude_each_other_in_one_message():
    modes = mode_options()
    eq(modes, ["event-handler", "start", "list", "directory-sync"], "the modes' options", None)
    want = "--event-handler, --start, --list and --directory-sync exclude each other"
    for a in modes:
        for b in modes:
            if a != b:
                r = H.run_plugin(["--" + a, "--" + b, "-s", "x"])
                expect(r, 3, first_contains=[want], one_line=True)
    # the same mode twice is that mode
    r = H.run_plugin(["--list", "--list", "-s", "x"])
    true("exclude" not in r.stdout, "--list twice refused as two modes", r)


def test_a_mode_option_may_be_abbreviated_when_unambiguous():
    # --dir is --directory-sync, which refuses -s; --sta could be --start,
    # --state, --state-dir, ...
    r = H.run_plugin(["--dir", "-s", "x"])
    expect(r, 3, first_contains=["--directory-sync checks the tenant's directory"], one_line=True)
    r = H.run_plugin(["--sta", "-s", "x"])
    expect(r, 3, first_contains=["unknown option or missing value: --sta"], one_line=True)
