# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of the machine-readable formats that every test run gets for free:
run_plugin hands each result here. A run that asked for --output-format=json
has its document validated against contrib/json/check_entra_sync.schema.json
(Debian's python3-jsonschema); one that asked for prometheus has its
exposition read by a checker of the text format's grammar (below) and by
`promtool check metrics` (Debian's prometheus package), which must print
nothing."""

import json
import math
import os
import re
import shutil
import subprocess

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
        # Debian 11's jsonschema 3.2 (make portability) predates draft
        # 2020-12; the schema uses no keyword draft 7 lacks, and beside its
        # $refs (whose siblings draft 7 ignores) stand only descriptions.
        cls = getattr(jsonschema, "Draft202012Validator", jsonschema.Draft7Validator)
        cls.check_schema(schema)
        _validator = cls(schema)
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


# The text exposition format, version 0.0.4, as node_exporter's textfile
# collector reads it.
_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
_SAMPLE = re.compile(r"^(%s)(\{(?:%s(?:,%s)*)?\})? (\S+)$" % (_NAME, _LABEL, _LABEL))
_HELP = re.compile(r"^# HELP (%s) (.*)$" % _NAME)
_TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % _NAME)
_LABEL_NAMES = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="')


def exposition_problems(text):
    """What is wrong with text as this plugin's Prometheus exposition: the
    grammar, a # HELP and # TYPE before each family's samples, the samples
    of a family together, no series twice, no label "job" (Prometheus owns
    it), names under entra_sync_, finite values; a list, empty when none."""
    problems, seen_family, series, typed, helped = [], set(), set(), set(), set()
    current = None
    if text and not text.endswith("\n"):
        problems.append("no newline at the end")
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d: %r" % (n, line[:120])
        if line.startswith("#"):
            m_help, m_type = _HELP.match(line), _TYPE.match(line)
            if line.startswith(("# HELP", "# TYPE")) and not (m_help or m_type):
                problems.append("%s: malformed # HELP or # TYPE" % where)
            for m, into in ((m_help, helped), (m_type, typed)):
                if m and m.group(1) in into:
                    problems.append("%s: said twice" % where)
                elif m:
                    into.add(m.group(1))
            continue
        m = _SAMPLE.match(line)
        if m is None:
            problems.append("%s: not a sample line" % where)
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if not name.startswith("entra_sync_"):
            problems.append("%s: not an entra_sync_ name" % where)
        if name not in helped or name not in typed:
            problems.append("%s: no # HELP and # TYPE before it" % where)
        if name != current:
            if name in seen_family:
                problems.append("%s: its family's samples are not together" % where)
            seen_family.add(name)
            current = name
        names = _LABEL_NAMES.findall(labels)
        if "job" in names:
            problems.append("%s: the label job is Prometheus' own" % where)
        if len(set(names)) != len(names):
            problems.append("%s: a label twice" % where)
        if (name, labels) in series:
            problems.append("%s: the same series twice" % where)
        series.add((name, labels))
        try:
            if not math.isfinite(float(value)):
                problems.append("%s: a value that is not finite" % where)
        except ValueError:
            problems.append("%s: not a number" % where)
    return problems


_VALUE_SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
_LABEL_VALUE = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


def samples(text):
    """{(name, ((label, value), ...)): value} of an exposition, for tests
    that read it."""
    out = {}
    for line in text.splitlines():
        m = _VALUE_SAMPLE.match(line)
        if m:
            labels = tuple(sorted(_LABEL_VALUE.findall(m.group(2) or "")))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def sample(text, name, **labels):
    """The value of the one sample of name whose labels include labels."""
    found = [v for (n, ls), v in samples(text).items()
             if n == name and all((k, v2) in ls for k, v2 in labels.items())]
    if len(found) != 1:
        raise AssertionError("%d samples of %s %r in:\n%s" % (len(found), name, labels, text))
    return found[0]


def promtool_problems(text):
    """What promtool check metrics says about text, one line each."""
    promtool = shutil.which("promtool")
    if promtool is None:
        raise Unavailable("promtool is not installed (Debian's prometheus, tests/install-deps.sh)")
    p = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=30)
    said = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
    problems = ["promtool: " + l for l in said.splitlines()]
    if p.returncode != 0 and not problems:
        problems.append("promtool check metrics exited %d" % p.returncode)
    return problems


def prometheus_problems(text):
    return exposition_problems(text) + promtool_problems(text)


_CHECKERS = {"json": json_problems, "prometheus": prometheus_problems}


# What the text rules never let through raw, in any format: C0 and C1
# controls but the line end, DEL, the line and paragraph separators, bidi
# controls and zero-width characters (JSON escapes them, the others replace
# them).
_HIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                     "\u2060\u2066-\u2069\ufeff]")


def problems_of(fmt, data):
    """The problems of data (bytes) as a document of format fmt."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as x:
        return ["not UTF-8: %s" % x]
    found = ["a hidden or control character %r at offset %d" % (m.group(), m.start())
             for m in _HIDDEN.finditer(text)][:3]
    return found + _CHECKERS[fmt](text)


def check(argv, stdout):
    """The problems of the document a run printed or wrote (stdout, bytes)
    in the format its command line asked for (a list, empty when none, or
    when the format is nagios): stdout when it printed anything (a file that
    could not be written), else the --output-file."""
    fmt, path = options(argv)
    if fmt not in _CHECKERS:
        return []
    data = stdout
    if path is not None and stdout == b"":
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as x:
            return ["nothing on stdout and no --output-file: %s" % x]
    return ["--output-format=%s: %s" % (fmt, p) for p in problems_of(fmt, data)]
