# SPDX-License-Identifier: GPL-3.0-or-later
"""What a new user reads first: --help starts with the version line, as
--version does, fits an 80-column terminal, and names every option."""

import os
import re

import harness as H
from harness import eq, true


def version():
    with open(os.path.join(H.ROOT, "plugin", "common.h")) as f:
        return re.search(r'#define PLUGIN_VERSION "([^"]+)"', f.read()).group(1)


def long_options():
    """The names in options.c's table, but for those listed only so that no
    secret on the command line is ever taken for a file name."""
    with open(os.path.join(H.ROOT, "plugin", "options.c")) as f:
        text = f.read()
    table = text[text.index("long_options[] = {"):]
    table = table[:table.index("{NULL, 0, NULL, 0}")]
    names = re.findall(r'\{"([a-z-]+)",', table)
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
