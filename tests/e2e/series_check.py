#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare what Icinga 2 received from the plugin with what its writers stored.

The e2e tests run a PerfdataWriter next to the GraphiteWriter or the
InfluxdbWriter. Its lines ("records") hold, for every check result, the
perfdata string exactly as Icinga 2 got it and the check's execution end,
which is the timestamp both writers use (truncated to seconds). So the
expected series are derived from the plugin's own output of that run:

  series_check.py received RECORDS --service S (--single | --jobs SP.json)
      perfdata of every check result of S: strict grammar and label rule
  series_check.py graphite RECORDS --whisper DIR [--wait SECONDS]
  series_check.py influx RECORDS --url URL --db DB [--wait SECONDS]
      every metric of every check result is stored ("presence:"), with its
      value, warn, crit, min and max at that second ("values:"); a value
      Icinga 2 cannot parse (U) leaves a gap, not a point ("gap:");
      every quarantine_age that was above 0 rises, then drops to 0 and
      stays there ("quarantine:"); --since TS ignores check results before
      TS (Icinga 2's GraphiteWriter drops what comes before it connects)
  series_check.py labels RECORDS --service S
      the labels S reported, one a line

RECORDS is the PerfdataWriter spool directory (files service-perfdata.*).
Problems are printed one a line, prefixed by their kind; exit status 1
when there is one. --wait polls the store until nothing is missing.
"""
import glob
import json
import math
import os
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perfdata_check  # noqa: E402

CHECK_COMMAND = "entra_sync"
# Icinga 2 2.13 PerfdataValue: units it normalises, and how InfluxdbWriter names them.
UNIT_NAMES = {"s": "seconds", "%": "percent", "": None}


def read_records(spool):
    out = []
    for path in sorted(glob.glob(os.path.join(spool, "service-perfdata.*"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = dict(p.split("::", 1) for p in line.rstrip("\n").split("\t") if "::" in p)
                if "SERVICEPERFDATA" not in fields:
                    continue
                out.append({"ts": int(fields["EXEC"]), "host": fields["HOSTNAME"],
                            "service": fields["SERVICEDESC"], "state": fields.get("SERVICESTATE"),
                            "perfdata": fields["SERVICEPERFDATA"]})
    out.sort(key=lambda r: r["ts"])
    return out


def icinga_number(token):
    """What Icinga 2's ParseWarnCritMinMaxToken keeps of a threshold field."""
    if token in ("", "U") or any(c not in "+-0123456789.eE" for c in token):
        return None
    return float(token)


def expected(records):
    """{(host, service, label): {ts: {field: value or None}}} for unambiguous seconds,
    and the set of (host, service, label, field) that must exist."""
    per_second = {}
    for r in records:
        per_second.setdefault((r["host"], r["service"], r["ts"]), []).append(r)
    points, must = {}, set()
    for (host, svc, ts), rs in per_second.items():
        for r in rs:
            items, _ = perfdata_check.parse(r["perfdata"])
            for i in items:
                key = (host, svc, i["label"])
                if i.get("value") is None:
                    fields = None
                else:
                    fields = {"value": i["value"]}
                    for f in ("warn", "crit", "min", "max"):
                        v = icinga_number(i.get(f, ""))
                        if v is not None:
                            fields[f] = v
                    for f in fields:
                        must.add(key + (f,))
                    fields["unit"] = UNIT_NAMES.get(i.get("uom", ""))
                if len(rs) == 1:
                    points.setdefault(key, {})[ts] = fields
    return points, must


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


# --- stores ---------------------------------------------------------------
def graphite_escape(name):
    for c in " .\\/":
        name = name.replace(c, "_")
    return name


def graphite_label(label):
    for c in " \\/":
        label = label.replace(c, "_")
    return label.replace("::", ".")


def graphite_path(host, svc, label, field):
    return ".".join(["icinga2", graphite_escape(host), "services", graphite_escape(svc),
                     CHECK_COMMAND, "perfdata", graphite_label(label), field])


class Whisper:
    def __init__(self, root, since, until):
        import whisper  # python3-whisper, Debian's graphite-carbon depends on it
        self.whisper, self.root, self.since, self.until = whisper, root, since, until

    def series(self, host, svc, label, field):
        path = os.path.join(self.root, *graphite_path(host, svc, label, field).split(".")) + ".wsp"
        if not os.path.exists(path):
            return None
        (start, _end, step), values = self.whisper.fetch(path, self.since, self.until)
        return {start + n * step: v for n, v in enumerate(values) if v is not None}


class Influx:
    def __init__(self, url, db, since):
        self.url, self.db, self.since = url, db, since
        self.rows = None

    def query(self, q):
        data = urllib.parse.urlencode({"db": self.db, "q": q, "epoch": "s"}).encode()
        with urllib.request.urlopen(self.url + "/query", data=data, timeout=20) as r:
            return json.load(r)

    def load(self):
        res = self.query('SELECT * FROM "%s" WHERE time >= %ds' % (CHECK_COMMAND, self.since))
        rows = {}
        for s in res["results"][0].get("series", []):
            cols = s["columns"]
            for v in s["values"]:
                row = dict(zip(cols, v))
                if row.get("metric") is None:
                    continue
                rows.setdefault((row["hostname"], row["service"], row["metric"]), {})[row["time"]] = row
        self.rows = rows

    def series(self, host, svc, label, field):
        got = self.rows.get((host, svc, label))
        if got is None:
            return None
        return {ts: row.get(field) for ts, row in got.items() if row.get(field) is not None}


def compare(store, records):
    points, must = expected(records)
    problems = []
    cache = {}

    def series(key, field):
        if (key, field) not in cache:
            cache[(key, field)] = store.series(*key, field)
        return cache[(key, field)]

    missing = sorted(m for m in must if series(m[:3], m[3]) is None)
    for m in missing[:10]:
        problems.append("presence: no series for %s %s %s.%s" % m)
    if len(missing) > 10:
        problems.append("presence: %d more series missing" % (len(missing) - 10))
    wrong = []
    for key, by_ts in sorted(points.items()):
        for ts, fields in sorted(by_ts.items()):
            if fields is None:
                got = (series(key, "value") or {}).get(ts)
                if got is not None:
                    problems.append("gap: %s %s %s is U at %d, stored %r" % (key + (ts, got)))
                continue
            for f, want in fields.items():
                if f == "unit":
                    if isinstance(store, Influx):
                        got = (series(key, "unit") or {}).get(ts)
                        if got != want:
                            wrong.append("%s %s %s unit at %d: stored %r, want %r" % (key + (ts, got, want)))
                    continue
                s = series(key, f)
                if s is None:
                    continue
                got = s.get(ts)
                if not close(got, want):
                    wrong.append("%s %s %s.%s at %d: stored %r, want %r" % (key + (f, ts, got, want)))
    for w in wrong[:10]:
        problems.append("values: " + w)
    if len(wrong) > 10:
        problems.append("values: %d more differences" % (len(wrong) - 10))
    problems += quarantine(series, records)
    return problems


def quarantine(series, records):
    """Every quarantine_age above 0 in a check result must rise, then drop to 0."""
    problems, seen = [], {}
    for r in records:
        items, _ = perfdata_check.parse(r["perfdata"])
        for i in items:
            if i["label"].endswith("quarantine_age") and (i.get("value") or 0) > 0:
                seen.setdefault((r["host"], r["service"], i["label"]), True)
    if not seen:
        problems.append("quarantine: no check result had a quarantine_age above 0")
    for key in sorted(seen):
        s = series(key, "value") or {}
        vals = [s[t] for t in sorted(s)]
        if not rising_then_zero(vals):
            problems.append("quarantine: %s %s %s stored %s, not rising then 0"
                            % (key + (" ".join("%g" % v for v in vals) or "nothing",)))
    return problems


def rising_then_zero(vals):
    """0 or more zeros (before the quarantine), at least two rising values, then zeros."""
    start = next((n for n, v in enumerate(vals) if v > 0), len(vals))
    end = next((n for n in range(start, len(vals)) if vals[n] == 0), len(vals))
    rising, after = vals[start:end], vals[end:]
    return (len(rising) >= 2 and all(b >= a for a, b in zip(rising, rising[1:]))
            and rising[-1] > rising[0] and len(after) >= 1 and not any(after))


def received(records, service, single, jobs):
    mine = [r for r in records if r["service"] == service]
    if not mine:
        return ["received: no check result of %s" % service]
    problems, prefixes = [], set()
    for r in mine:
        items, probs = perfdata_check.parse(r["perfdata"])
        probs += perfdata_check.check_rule(items, single, jobs)
        problems += ["received: %s at %d: %s" % (service, r["ts"], p) for p in probs]
        prefixes.add(frozenset(perfdata_check.base_of(i["label"])[0] for i in items
                               if i["label"] not in perfdata_check.RUN_METRICS))
    if len(prefixes) > 1:
        problems.append("received: %s: the job prefixes changed between check results" % service)
    uniq = []
    for p in problems:
        q = p.split(": ", 2)[-1]
        if q not in [u.split(": ", 2)[-1] for u in uniq]:
            uniq.append(p)
    return uniq


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, spool, opts = argv[0], argv[1], argv[2:]

    def opt(name, default=None):
        return opts[opts.index(name) + 1] if name in opts else default

    records = [r for r in read_records(spool) if r["ts"] >= int(opt("--since", 0))]
    if cmd == "labels":
        labels = []
        for r in records:
            if r["service"] == opt("--service"):
                for i in perfdata_check.parse(r["perfdata"])[0]:
                    if i["label"] not in labels:
                        labels.append(i["label"])
        print("\n".join(labels))
        return 0
    if cmd == "received":
        jobs = None
        if opt("--jobs"):
            with open(opt("--jobs")) as f:
                jobs = json.load(f)["jobs"]
        problems = received(records, opt("--service"), "--single" in opts, jobs)
    elif cmd in ("graphite", "influx"):
        if not records:
            print("presence: no check results recorded")
            return 1
        since = records[0]["ts"] - 1
        deadline = time.time() + float(opt("--wait", 0))
        while True:
            if cmd == "graphite":
                store = Whisper(opt("--whisper"), since, int(time.time()) + 2)
            else:
                store = Influx(opt("--url"), opt("--db"), since)
                store.load()
            problems = compare(store, records)
            if not problems or time.time() >= deadline:
                break
            time.sleep(1)
    else:
        sys.exit(__doc__)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
