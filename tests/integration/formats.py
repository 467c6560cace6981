# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of the machine-readable formats that every test run gets for free:
run_plugin hands each result here, and a run that asked for
--output-format=json has its document validated against
contrib/json/check_entra_sync.schema.json (Debian's python3-jsonschema)."""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "contrib", "json", "check_entra_sync.schema.json")

# The modes whose output --output-format governs: not these.
_OTHER_MODES = {"--list", "--event-handler", "--start", "-h", "--help", "-V", "--version"}

_validator = None


class Unavailable(Exception):
    """A checker this machine does not have (its Debian package is missing)."""


def options(argv):
    """(format, output file) as the command line argv gives them (the last
    of each wins; None when not given), or (None, None) for a mode whose
    output --output-format does not govern."""
    fmt = path = None
    args = [str(a) for a in argv]
    for i, a in enumerate(args):
        if a in _OTHER_MODES:
            return None, None
        for name in ("--output-format", "--output-file"):
            value = None
            if a.startswith(name + "="):
                value = a[len(name) + 1:]
            elif a == name and i + 1 < len(args):
                value = args[i + 1]
            if value is not None and name == "--output-format":
                fmt = value.lower()
            elif value is not None:
                path = value
    return fmt, path


def validator():
    global _validator
    if _validator is None:
        try:
            import jsonschema
        except ImportError:
            raise Unavailable("python3-jsonschema is not installed (tests/install-deps.sh)")
        with open(SCHEMA) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _validator = jsonschema.Draft202012Validator(schema)
    return _validator


def json_problems(text):
    """What is wrong with text as a document of the json format: a list of
    lines, empty when it is one JSON object that the schema accepts."""
    try:
        doc = json.loads(text)
    except ValueError as x:
        return ["not JSON: %s" % x]
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message)
            for e in validator().iter_errors(doc)]


_CHECKERS = {"json": json_problems}


def check(argv, stdout):
    """The problems of the document a run printed or wrote in the format
    its command line asked for (a list, empty when none, or when the format
    is nagios): stdout when it printed anything (a file that could not be
    written), else the --output-file."""
    fmt, path = options(argv)
    checker = _CHECKERS.get(fmt)
    if checker is None:
        return []
    text = stdout
    if path is not None and stdout == "":
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as x:
            return ["nothing on stdout and no --output-file: %s" % x]
    return ["--output-format=%s: %s" % (fmt, p) for p in checker(text)]
