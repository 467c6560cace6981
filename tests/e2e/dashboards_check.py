#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run what contrib/grafana and contrib/icingaweb2 query against stored data.

  dashboards_check.py grafana-graphite DASHBOARD.json --render URL
  dashboards_check.py grafana-influx DASHBOARD.json --url URL --db DB
  dashboards_check.py grafana-prometheus DASHBOARD.json --url URL
      every templating variable finds values; with every variable at "All"
      every target of every panel returns data, and every field an InfluxQL
      target selects is stored; with one variable at a time set to one of
      its values, some panel still returns data; for Prometheus, every
      metric a target names is one Prometheus holds
  dashboards_check.py icingaweb2 TEMPLATES.ini --render URL --host HOST
      the templates load as icingaweb2-module-graphite 1.2 loads them
      (Templates::loadIni), each draws at least one graph for HOST with data
      behind every target, and every stored perfdata metric of the
      entra_sync services is drawn by one of them (so the module's default
      template draws none)
  dashboards_check.py icingaweb2-php TEMPLATES.ini
      PHP's parse_ini_string (what Icinga Web 2's IniParser calls) reads the
      file as this script does; exit status 77 when php is not installed
  dashboards_check.py png TEMPLATES.ini --render URL --host HOST
          --service SERVICE --template NAME [--job PREFIX] --out FILE
          [--from TIME] [--until TIME]
      the graph Icinga Web 2 would show, rendered by graphite-web to FILE;
      prints the values of its first series, oldest first

URL is graphite-web's (render API) or InfluxDB's HTTP API. Grafana is not
available on Debian, so its side is emulated: variable interpolation
($var, ${var}, ${var:format}, [[var]]), the graphite {a,b} and InfluxDB
(a|b) multi-value forms, allValue, variable regex with text/value groups.
Problems are printed one a line; exit status 1 when there is one.
"""
import configparser
import json
import re
import shutil
import struct
import subprocess
import sys
import urllib.parse
import urllib.request

VAR_RE = re.compile(r"\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}")
FROM = "-30min"


def http_get(url, params):
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params, doseq=True), timeout=60) as r:
        return r.read()


# --- Grafana emulation --------------------------------------------------------
def js_regex(text):
    m = re.match(r"^/(.*)/([a-z]*)$", text, re.S)
    body, flags = (m.group(1), m.group(2)) if m else (text, "")
    return re.compile(body.replace("(?<", "(?P<"), re.I if "i" in flags else 0)


def apply_regex(variable, texts):
    if not variable.get("regex"):
        return [(t, t) for t in texts]
    rx, out = js_regex(variable["regex"]), []
    for t in texts:
        m = rx.search(t)
        if not m:
            continue
        groups = m.groupdict()
        if "value" in groups or "text" in groups:
            value = groups.get("value") or groups.get("text")
            out.append((groups.get("text") or value, value))
        elif m.groups():
            out.append((m.group(1), m.group(1)))
        else:
            out.append((t, t))
    return sorted(set(out))


def regex_escape(value):
    return re.sub(r"[\\^$*+?.()|\[\]{}/-]", lambda m: "\\" + m.group(0), value)


def interpolate(text, selection, kind):
    """selection: name -> (values, is_all, all_value)."""
    def fmt(m):
        name = m.group(1) or m.group(2) or m.group(4)
        if name not in selection:
            return m.group(0)
        values, is_all, all_value = selection[name]
        if is_all and all_value is not None:
            return all_value
        if kind == "graphite":
            return values[0] if len(values) == 1 else "{%s}" % ",".join(values)
        esc = [regex_escape(v) for v in values]
        if kind == "prometheus":   # inside a PromQL string, as Grafana escapes it
            esc = [e.replace("\\", "\\\\") for e in esc]
        return esc[0] if len(esc) == 1 else "(%s)" % "|".join(esc)
    return VAR_RE.sub(fmt, text)


class Graphite:
    kind = "graphite"

    def __init__(self, render):
        self.url = render.rstrip("/")

    def variable_texts(self, query):
        return [n["text"] for n in json.loads(http_get(self.url + "/metrics/find", {"query": query}))]

    def run(self, target):
        """problems of one target: no series, or no point in any."""
        data = json.loads(http_get(self.url + "/render", {"target": target, "format": "json",
                                                           "from": FROM}))
        if not any(v is not None for s in data for v, _ in s["datapoints"]):
            return ["no data"]
        return []

    def target_text(self, t):
        return t["target"]


class Influx:
    kind = "influx"

    def __init__(self, url, db):
        self.url, self.db = url.rstrip("/"), db

    def query(self, q):
        res = json.loads(http_get(self.url + "/query", {"db": self.db, "q": q, "epoch": "s"}))
        r = res["results"][0]
        if "error" in r:
            raise ValueError(r["error"])
        return r.get("series", [])

    def variable_texts(self, query):
        return [v[1] if len(v) > 1 else v[0] for s in self.query(query) for v in s["values"]]

    def run(self, target):
        q = target.replace("$timeFilter", "time > now() - 30m").replace("$__interval", "1s")
        try:
            series = self.query(q)
        except ValueError as e:
            return ["InfluxDB error %s" % e]
        if not series:
            return ["no series"]
        problems = []
        cols = series[0]["columns"]
        for n, col in enumerate(cols):
            if col != "time" and not any(row[n] is not None for s in series for row in s["values"]):
                problems.append("column %s never set (field not stored?)" % col)
        return problems

    def target_text(self, t):
        return t["query"]


class Prometheus:
    kind = "prometheus"
    need = ("service_principal", "sync_job")

    def __init__(self, url):
        self.url = url.rstrip("/")

    def api(self, path, params):
        res = json.loads(http_get(self.url + "/api/v1/" + path, params))
        if res.get("status") != "success":
            raise ValueError(res.get("error", res))
        return res["data"]

    def variable_texts(self, query):
        m = re.match(r"^label_values\((?:(.*),\s*)?(\w+)\)$", query.strip())
        if m is None:
            raise ValueError("not a label_values() query: %s" % query)
        selector, label = m.group(1), m.group(2)
        params = {"match[]": selector} if selector else {}
        return self.api("label/%s/values" % label, params)

    def run(self, target):
        try:
            result = self.api("query", {"query": target})["result"]
        except (ValueError, OSError) as e:
            return ["Prometheus error %s" % e]
        problems = [] if result else ["no series"]
        names = set(self.api("label/__name__/values", {}))
        for name in sorted(set(re.findall(r"\bentra_sync_\w+", target)) - names):
            problems.append("metric %s is not in Prometheus" % name)
        return problems

    def target_text(self, t):
        return t["expr"]


def grafana(path, store):
    with open(path) as f:
        dash = json.load(f)
    problems = []
    for key in ("title", "uid", "schemaVersion", "panels", "templating"):
        if key not in dash:
            problems.append("dashboard has no %s" % key)
    if dash.get("schemaVersion", 0) < 36:
        problems.append("schemaVersion %s is older than Grafana 9's" % dash.get("schemaVersion"))
    variables = [v for v in dash["templating"]["list"] if v["type"] == "query"]
    names = [v["name"] for v in variables]
    for need in getattr(store, "need", ("host", "job")):
        if need not in names:
            problems.append("no templating variable %r" % need)
    options, selection = {}, {}
    for v in variables:
        q = interpolate(v["query"] if isinstance(v["query"], str) else v["query"].get("query", ""),
                        selection, store.kind)
        try:
            opts = apply_regex(v, store.variable_texts(q))
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            opts = []
            problems.append("variable %s: query failed: %s" % (v["name"], e))
        if not opts:
            problems.append("variable %s: no values for %s" % (v["name"], q))
        options[v["name"]] = [o[1] for o in opts]
        selection[v["name"]] = ([o[1] for o in opts] or ["none"], bool(v.get("includeAll")),
                                v.get("allValue") if v.get("includeAll") else None)
    panels = [p for p in dash["panels"] if p.get("targets")]
    if not panels:
        problems.append("no panel with targets")
    for p in panels:
        for t in p["targets"]:
            text = interpolate(store.target_text(t), selection, store.kind)
            for prob in store.run(text):
                problems.append("panel %r target %s: %s (%s)" % (p["title"], t["refId"], prob, text))
    # One variable at a time at a single value: some panel still has data.
    for v in variables:
        for value in options.get(v["name"], [])[:2]:
            sel = dict(selection)
            sel[v["name"]] = ([value], False, None)
            if not any(not store.run(interpolate(store.target_text(t), sel, store.kind))
                       for p in panels for t in p["targets"]):
                problems.append("with %s = %r no panel has data" % (v["name"], value))
    return problems


# --- icingaweb2-module-graphite emulation ---------------------------------------
SERVICE_NAME_TEMPLATE = "icinga2.$host.name$.services.$service.name$.$service.check_command$"


class MacroTemplate:
    """MacroTemplate.php of icingaweb2-module-graphite 1.2, the parts used here."""

    def __init__(self, text):
        self.text = text
        self.parts = text.split("$")
        self.wildcards = {}
        for n, part in enumerate(self.parts):
            m = re.match(r"([^:]+):(.+)", part)
            if m:
                self.parts[n] = m.group(1)
                self.wildcards[m.group(1)] = m.group(2)
        if len(self.parts) % 2 == 0:
            raise ValueError("odd number of '$' in %r" % text)

    def macros(self):
        return [p for n, p in enumerate(self.parts) if n % 2 and p]

    def resolve(self, variables, default=None):
        out = []
        for n, part in enumerate(self.parts):
            if n % 2 == 0:
                out.append(part)
            elif part in variables:
                out.append(variables[part])
            elif part == "":
                out.append("$")
            elif default is None:
                out.append("$%s$" % part)
            else:
                out.append(self.wildcards.get(part, default))
        return "".join(out)

    def reverse_resolve(self, resolved):
        rx, names = ["^"], []
        for n, part in enumerate(self.parts):
            if n % 2 == 0:
                rx.append(re.escape(part))
            elif part in names:
                rx.append("(?P=m%d)" % names.index(part))
            else:
                rx.append("(?P<m%d>.*)" % len(names))
                names.append(part)
        m = re.match("".join(rx) + r"\Z", resolved, re.S)
        if not m:
            return None
        return {name: m.group("m%d" % n) for n, name in enumerate(names)}


def load_templates(path):
    """{name: {"check_commands", "curves": {curve: (filter, function)}, "urlparams"}}, problems."""
    problems, raw = [], {}
    for section, options in ini_sections(path).items():
        m = re.match(r"^(.+)\.(graph|metrics_filters|urlparams|functions)$", section)
        if not m:
            problems.append("bad section name %r" % section)
            continue
        raw.setdefault(m.group(1), {})[m.group(2)] = options
    templates = {}
    for name, t in raw.items():
        graph = dict(t.get("graph", {}))
        commands = [c for c in re.split(r"\s*,\s*", graph.pop("check_command", "")) if c]
        if graph:
            problems.append("%s: bad graph options %s" % (name, ", ".join(graph)))
        if "metrics_filters" not in t:
            problems.append("%s: no metrics_filters (the module ignores the template)" % name)
            continue
        curves = {}
        functions = dict(t.get("functions", {}))
        for curve, flt in t["metrics_filters"].items():
            try:
                mt = MacroTemplate(flt)
                fn = MacroTemplate(functions.pop(curve, "$metric$"))
            except ValueError as e:
                problems.append("%s.%s: %s" % (name, curve, e))
                continue
            if len({"host_name_template", "service_name_template"} & set(mt.macros())) != 1:
                problems.append("%s.%s: needs exactly one of $host_name_template$ and "
                                "$service_name_template$" % (name, curve))
            for tpl in (mt, fn):
                if tpl.wildcards:
                    problems.append("%s.%s: ':' makes the module read a wildcard in %r"
                                    % (name, curve, tpl.text))
            curves[curve] = (mt, fn)
        if functions:
            problems.append("%s: functions without a metrics filter: %s" % (name, ", ".join(functions)))
        for k, v in t.get("urlparams", {}).items():
            try:
                MacroTemplate(v)
            except ValueError as e:
                problems.append("%s.urlparams.%s: %s" % (name, k, e))
        templates[name] = {"check_commands": commands, "curves": curves,
                           "urlparams": t.get("urlparams", {})}
    return templates, problems


def ini_sections(path):
    cp = configparser.RawConfigParser(comment_prefixes=(";", "#"), inline_comment_prefixes=None,
                                      strict=True)
    cp.optionxform = str
    with open(path) as f:
        cp.read_file(f)
    return {section: {k: (v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v)
                      for k, v in cp.items(section)} for section in cp.sections()}


def icingaweb2_php(path):
    if not shutil.which("php"):
        return None
    out = subprocess.run(["php", "-r", 'echo json_encode(parse_ini_string(file_get_contents($argv[1]),'
                          ' true), JSON_UNESCAPED_SLASHES);', path],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return ["php cannot parse %s: %s" % (path, (out.stderr or out.stdout).strip()[:200])]
    php, mine = json.loads(out.stdout), ini_sections(path)
    problems = []
    for section in sorted(set(php) | set(mine)):
        if php.get(section) != mine.get(section):
            problems.append("section %s: PHP reads %r, this check %r"
                            % (section, php.get(section), mine.get(section)))
    return problems


def graphite_escape(name):
    for c in " .\\/":
        name = name.replace(c, "_")
    return name


def service_prefix(host, service):
    return MacroTemplate(SERVICE_NAME_TEMPLATE).resolve({
        "host.name": graphite_escape(host), "service.name": graphite_escape(service),
        "service.check_command": "entra_sync"})


def charts(template, g, host, service):
    """[(curve -> metric)] as Template::getCharts combines them."""
    prefix = service_prefix(host, service)
    found = {}
    for curve, (mt, _fn) in template["curves"].items():
        full = MacroTemplate(mt.resolve({"service_name_template": prefix, "host_name_template": prefix}))
        query = full.resolve({}, "*")
        res = json.loads(http_get(g.url + "/metrics/expand", {"query": query}))["results"]
        for metric in res:
            variables = full.reverse_resolve(metric)
            if variables is not None:
                found.setdefault(curve, {})[metric] = variables
    if len(found) != len(template["curves"]):
        return []
    combos = [{}]
    for curve, metrics in found.items():
        combos = [dict(c, **{curve: m}) for c in combos for m, v in metrics.items()
                  if all(found[k][c[k]].get(x) == v.get(x) for k in c for x in v
                         if x in found[k][c[k]])]
    return combos


def chart_targets(template, combo):
    variables = {}
    for curve, metric in combo.items():
        variables.update(template["curves"][curve][0].reverse_resolve(metric) or {})
    targets = []
    for curve, metric in combo.items():
        targets.append(template["curves"][curve][1].resolve(dict(variables, metric=metric)))
    return targets, variables


def entra_services(g, host):
    return [n["text"] for n in json.loads(http_get(
        g.url + "/metrics/find", {"query": "icinga2.%s.services.*" % graphite_escape(host)}))
        if json.loads(http_get(g.url + "/metrics/find", {
            "query": "icinga2.%s.services.%s.entra_sync" % (graphite_escape(host), n["text"])}))]


def icingaweb2(path, g, host):
    templates, problems = load_templates(path)
    mine = {n: t for n, t in templates.items() if "entra_sync" in t["check_commands"]}
    if not mine:
        problems.append("no template for check_command entra_sync")
    services = entra_services(g, host)
    if not services:
        problems.append("no entra_sync service of %s in graphite" % host)
    drawn = set()
    for name, t in sorted(mine.items()):
        n_charts = 0
        for svc in services:
            for combo in charts(t, g, host, svc):
                n_charts += 1
                drawn.update(combo.values())
                targets, _ = chart_targets(t, combo)
                for target in targets:
                    for prob in g.run(target):
                        problems.append("%s for %s: %s (%s)" % (name, svc, prob, target))
        if not n_charts:
            problems.append("%s draws no graph for any entra_sync service of %s" % (name, host))
    for svc in services:
        stored = json.loads(http_get(g.url + "/metrics/expand", {
            "query": service_prefix(host, svc) + ".perfdata.*.value"}))["results"]
        left = sorted(set(stored) - drawn)
        if left:
            problems.append("%s: %d stored metrics no template draws (the default template "
                            "would), e.g. %s" % (svc, len(left), " ".join(left[:3])))
    return problems


def png(path, g, host, service, name, job, out, since, until):
    templates, problems = load_templates(path)
    if problems or name not in templates:
        return problems or ["no template %s" % name], []
    t = templates[name]
    combo = next((c for c in charts(t, g, host, service)
                  if chart_targets(t, c)[1].get("job", "") == job), None)
    if combo is None:
        return ["%s draws no graph for %s job %r" % (name, service, job)], []
    targets, variables = chart_targets(t, combo)
    params = {"target": targets, "from": since, "until": until, "width": "800", "height": "300",
              "bgcolor": "white", "fgcolor": "black", "majorGridLineColor": "grey",
              "minorGridLineColor": "white", "lineMode": "connected", "drawNullAsZero": "false",
              "graphType": "line", "tz": "UTC", "hideLegend": "false", "vTitle": "Percent"}
    for k, v in t["urlparams"].items():
        params[k] = MacroTemplate(v).resolve(variables)
    img = http_get(g.url + "/render", params)
    if img[:8] != b"\x89PNG\r\n\x1a\n":
        return ["graphite-web did not answer a PNG"], []
    width, height = struct.unpack(">II", img[16:24])
    if (width, height) != (800, 300):
        problems.append("PNG is %dx%d, not 800x300" % (width, height))
    with open(out, "wb") as f:
        f.write(img)
    data = json.loads(http_get(g.url + "/render", dict(params, format="json")))
    values = [v for v, _ in data[0]["datapoints"] if v is not None] if data else []
    return problems, values


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, path, opts = argv[0], argv[1], argv[2:]

    def opt(name, default=None):
        return opts[opts.index(name) + 1] if name in opts else default

    if cmd == "grafana-graphite":
        problems = grafana(path, Graphite(opt("--render")))
    elif cmd == "grafana-influx":
        problems = grafana(path, Influx(opt("--url"), opt("--db")))
    elif cmd == "grafana-prometheus":
        problems = grafana(path, Prometheus(opt("--url")))
    elif cmd == "icingaweb2":
        problems = icingaweb2(path, Graphite(opt("--render")), opt("--host"))
    elif cmd == "icingaweb2-php":
        problems = icingaweb2_php(path)
        if problems is None:
            print("php is not installed")
            return 77
    elif cmd == "png":
        problems, values = png(path, Graphite(opt("--render")), opt("--host"), opt("--service"),
                               opt("--template"), opt("--job", ""), opt("--out"),
                               opt("--from", FROM), opt("--until", "now"))
        print(" ".join("%g" % v for v in values))
    else:
        sys.exit(__doc__)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
