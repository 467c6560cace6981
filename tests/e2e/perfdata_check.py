#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Strict checks of check_entra_sync perfdata (SPEC section 5), for e2e tests.

  perfdata_check.py grammar [--perfdata]   'label'=value[UOM];warn;crit;min;max
  perfdata_check.py rule (--single | --jobs SP.json) [--perfdata]
  perfdata_check.py budget --jobs SP.json [--max-output BYTES]
  perfdata_check.py labels [--perfdata]

Input on stdin: the plugin's whole output (perfdata after the first '|' of
the first line, and after a '|' in the long output, as Nagios reads it), or
with --perfdata the perfdata alone (status.dat performance_data, Icinga's
$service.perfdata$). Every problem is printed on its own line; the exit
status is 1 when there is one, 0 otherwise. 'labels' prints one label a line.

The rule: with -j (--single) labels are bare; without -j every label but
'time' is PREFIX_METRIC, PREFIX being the templateId with every character
outside [A-Za-z0-9_] replaced by '_', plus '_' and a hex suffix where two
jobs share a template (and shortened where the label would pass 60
characters). Labels are [A-Za-z0-9_]{1,60} and unique; units are s for
ages and time, % for progress, none for counts. 'budget' checks what the
output budget promises: at most --max-output bytes (default 8192), a
summary under 200 characters, and successive_failures, quarantine_age and
(for a job that ever succeeded) last_success_age of every job.
"""
import json
import re
import sys

UNITS = {"last_success_age": "s", "successive_failures": "", "escrowed": "", "exported": "",
         "imported": "", "quarantine_age": "s", "quarantine_series": "", "progress": "%",
         "last_export_age": "s", "episode_age": "s"}
# Once per run, never prefixed.
RUN_METRICS = ("time", "credential_expires_in")
KEPT = ("last_success_age", "successive_failures", "quarantine_age")
NUM = r"-?[0-9]+(?:\.[0-9]+)?"
VALUE_RE = re.compile(r"^(?:(?P<num>%s)(?P<uom>[^;0-9.\-]*)|(?P<u>U))$" % NUM)
RANGE_RE = re.compile(r"^@?(?:~|%s)?(?::(?:%s)?)?$" % (NUM, NUM))
MINMAX_RE = re.compile(r"^(?:%s)?$" % NUM)
TOKEN_RE = re.compile(r"\s*('(?:[^']|'')+'|[^'=\s]+)=(\S*)")
LABEL_RE = re.compile(r"^[A-Za-z0-9_]{1,60}$")


def split_output(text):
    """(summary, perfdata) of a plugin's whole output, as Nagios splits it."""
    lines = text.split("\n")
    first, _, perf = lines[0].partition("|")
    extra = []
    for line in lines[1:]:
        if "|" in line:
            extra.append(line.split("|", 1)[1])
    return first.rstrip(" "), " ".join(p.strip() for p in [perf] + extra if p.strip())


def parse(perfdata):
    """[(label, fields...)], problems. A field list is value;warn;crit;min;max."""
    items, problems, pos = [], [], 0
    s = perfdata.strip()
    while pos < len(s):
        m = TOKEN_RE.match(s, pos)
        if not m:
            problems.append("unparseable perfdata from character %d: %r" % (pos, s[pos:pos + 60]))
            break
        label = m.group(1)
        if label.startswith("'"):
            label = label[1:-1].replace("''", "'")
        items.append((label, m.group(2)))
        pos = m.end()
    out = []
    for label, raw in items:
        fields = raw.split(";")
        item = {"label": label, "raw": raw}
        if len(fields) > 5:
            problems.append("%s: more than 5 fields: %r" % (label, raw))
            continue
        fields += [""] * (5 - len(fields))
        m = VALUE_RE.match(fields[0])
        if not m:
            problems.append("%s: value %r is not a plain decimal (or U) with a unit" % (label, fields[0]))
            continue
        item["value"] = None if m.group("u") else float(m.group("num"))
        item["uom"] = m.group("uom") or ""
        if item["uom"] not in ("", "s", "%"):
            problems.append("%s: unit %r is not s, %% or none" % (label, item["uom"]))
        for name, f in zip(("warn", "crit"), fields[1:3]):
            if not RANGE_RE.match(f) or f == "@":
                problems.append("%s: %s %r is not a range" % (label, name, f))
            item[name] = f
        for name, f in zip(("min", "max"), fields[3:5]):
            if not MINMAX_RE.match(f):
                problems.append("%s: %s %r is not a number" % (label, name, f))
            item[name] = f
        out.append(item)
    return out, problems


def base_of(label):
    for base in sorted(UNITS, key=len, reverse=True):
        if label == base:
            return "", base
        if label.endswith("_" + base):
            return label[:-len(base) - 1], base
    return None, None


def sanitize(template):
    return re.sub(r"[^A-Za-z0-9_]", "_", template)


def check_rule(items, single, jobs):
    problems = []
    labels = [i["label"] for i in items]
    dup = sorted({l for l in labels if labels.count(l) > 1})
    if dup:
        problems.append("labels not unique: %s" % " ".join(dup))
    bad = [i["label"] for i in items if not LABEL_RE.match(i["label"])]
    if bad:
        problems.append("%d of %d labels not [A-Za-z0-9_]{1,60}, e.g. %s"
                        % (len(bad), len(items), " ".join(bad[:3])))
    if labels.count("time") != 1:
        problems.append("'time' appears %d times, not once" % labels.count("time"))
    prefixes = {}
    for i in items:
        if i["label"] in RUN_METRICS:
            if i.get("uom") != "s":
                problems.append("time: unit %r, not s" % i.get("uom"))
            continue
        prefix, base = base_of(i["label"])
        if base is None:
            problems.append("label %r: no known metric" % i["label"])
            continue
        if "uom" in i and i["uom"] != UNITS[base] and i["value"] is not None:
            problems.append("%s: unit %r, not %r" % (i["label"], i["uom"], UNITS[base]))
        if single and prefix:
            problems.append("label %r: with -j labels are bare" % i["label"])
        if not single and not prefix:
            problems.append("label %r: without -j every label carries its job's prefix" % i["label"])
        prefixes.setdefault(prefix, []).append(base)
    for prefix, bases in prefixes.items():
        if len(set(bases)) != len(bases):
            problems.append("prefix %r: a metric appears twice" % prefix)
    if single or jobs is None:
        return problems
    by_template = {}
    for j in jobs:
        by_template.setdefault(sanitize(j["templateId"]), []).append(j["id"])
    if len(prefixes) != len(jobs):
        problems.append("%d label prefixes for %d jobs" % (len(prefixes), len(jobs)))
    # Templates too long for a 60-character label are shortened; how is the
    # plugin's business, so such a prefix only has to start like the template.
    fits = {t: len(t) + 1 + max(map(len, UNITS)) <= 60 for t in by_template}
    unclaimed = set(prefixes)
    for t, ids in sorted(by_template.items(), key=lambda kv: not fits[kv[0]]):
        if len(ids) == 1 and fits[t]:
            mine = {t} & unclaimed
        elif len(ids) == 1:
            mine = {p for p in unclaimed if p != t and p[:8] == t[:8]}
        elif fits[t]:
            mine = {p for p in unclaimed if re.match(r"^%s_[0-9a-f]+$" % re.escape(t), p)}
        else:
            mine = {p for p in unclaimed if p[:8] == t[:8] and re.search(r"_[0-9a-f]+$", p)}
        if len(mine) != len(ids):
            want = t if len(ids) == 1 else t + "_<hex>"
            problems.append("template %r (%d job%s): %d prefix%s %s, want %d (%s)"
                            % (t, len(ids), "s" if len(ids) > 1 else "", len(mine),
                               "es" if len(mine) != 1 else "", " ".join(sorted(mine)) or "-",
                               len(ids), want))
        unclaimed -= mine
    if unclaimed:
        problems.append("%d prefixes name no job's template, e.g. %s"
                        % (len(unclaimed), " ".join(sorted(unclaimed)[:3])))
    return problems


def never_succeeded(job):
    st = job.get("status") or {}
    return not st.get("lastSuccessfulExecution") and not (
        (st.get("lastExecution") or {}).get("state") == "Succeeded")


def check_budget(text, items, jobs, max_output):
    problems = []
    size = len(text.encode())
    if size > max_output:
        problems.append("output is %d bytes, more than %d" % (size, max_output))
    summary, _ = split_output(text)
    if len(summary) >= 200:
        problems.append("summary before '|' is %d characters, not under 200" % len(summary))
    per_base = {}
    for i in items:
        prefix, base = base_of(i["label"])
        if base:
            per_base.setdefault(base, {})[prefix] = i
    never = sum(1 for j in jobs if never_succeeded(j))
    for base in KEPT:
        have = len(per_base.get(base, {}))
        need = len(jobs) - (never if base == "last_success_age" else 0)
        if have < need:
            problems.append("%s kept for %d jobs, not all %d" % (base, have, need))
    return problems


def main(argv):
    if not argv or argv[0] not in ("grammar", "rule", "budget", "labels"):
        sys.exit(__doc__)
    cmd, opts = argv[0], argv[1:]
    text = sys.stdin.read()
    perfdata = text.strip() if "--perfdata" in opts else split_output(text)[1]
    items, problems = parse(perfdata)
    jobs = None
    if "--jobs" in opts:
        with open(opts[opts.index("--jobs") + 1]) as f:
            jobs = json.load(f)["jobs"]
    if cmd == "labels":
        print("\n".join(i["label"] for i in items))
        return 0
    if cmd == "rule":
        problems += check_rule(items, "--single" in opts, jobs)
    elif cmd == "budget":
        max_output = int(opts[opts.index("--max-output") + 1]) if "--max-output" in opts else 8192
        problems += check_budget(text, items, jobs or [], max_output)
    elif not items:
        problems.append("no perfdata")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
