# SPDX-License-Identifier: GPL-3.0-or-later
"""The Zabbix template (contrib/zabbix/template_entra_sync.yaml) read the way
the Zabbix server uses it on one value of its master item: the discovery's
JSONPath and LLD macro paths, then each item prototype's JSONPath with the
macros put in, and its error handler. Only the part of Zabbix's JSONPath the
template uses is understood (members, [*], [N], filters comparing members
with == joined by &&, and the functions first() and length()); anything else
is an error, so the template cannot drift past what this checks."""

import json
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "contrib", "zabbix", "template_entra_sync.yaml")
USERPARAMS = os.path.join(ROOT, "contrib", "zabbix", "check_entra_sync.conf")


class NoMatch(Exception):
    """The path matched nothing: Zabbix's preprocessing step fails."""


def load():
    with open(TEMPLATE) as f:
        return yaml.safe_load(f)


def template():
    return load()["zabbix_export"]["templates"][0]


_TOKEN = re.compile(r"\.(\w+)\(\)|\.(\w+)|\['([^']*)'\]|\[\*\]|\[(\d+)\]|\[\?\((.*?)\)\]")
_COND = re.compile(r"^@\.(\w+)\s*==\s*'([^']*)'$")


def _filter(items, expr):
    conds = []
    for part in expr.split("&&"):
        m = _COND.match(part.strip())
        if not m:
            raise ValueError("filter not understood: %r" % expr)
        conds.append(m.groups())
    return [i for i in items if isinstance(i, dict) and all(str(i.get(k)) == v for k, v in conds)]


def jsonpath(doc, path):
    """The value of path in doc, as Zabbix returns it: a definite path its
    value, an indefinite one (a filter or [*]) the array of matches."""
    if not path.startswith("$"):
        raise ValueError("not a JSONPath: %r" % path)
    rest, nodes, indefinite = path[1:], [doc], False
    while rest:
        m = _TOKEN.match(rest)
        if not m:
            raise ValueError("JSONPath not understood at %r in %r" % (rest, path))
        func, name, quoted, index, cond = m.groups()
        rest = rest[m.end():]
        if func:
            if rest:
                raise ValueError("a function must end the path: %r" % path)
            if func == "first":
                if not nodes:
                    raise NoMatch(path)
                return nodes[0]
            if func == "length":
                return len(nodes)
            raise ValueError("function %s() not understood" % func)
        if m.group(0) == "[*]":
            indefinite = True
            nodes = [v for n in nodes for v in (n if isinstance(n, list) else
                                                n.values() if isinstance(n, dict) else [])]
        elif cond is not None:
            indefinite = True
            nodes = _filter([v for n in nodes if isinstance(n, list) for v in n], cond)
        elif index is not None:
            nodes = [n[int(index)] for n in nodes if isinstance(n, list) and int(index) < len(n)]
        else:
            key = name if name is not None else quoted
            nodes = [n[key] for n in nodes if isinstance(n, dict) and key in n]
    if not nodes:
        raise NoMatch(path)
    return nodes if indefinite else nodes[0]


def value_of(item, doc, macros=None):
    """What a dependent item gets from doc: its JSONPath (macros put in),
    then its error handler. Returns (value, None), (None, 'discarded') or
    (None, error): error is the message an unsupported item shows."""
    (step,) = [p for p in item["preprocessing"] if p["type"] == "JSONPATH"]
    (path,) = step["parameters"]
    for k, v in (macros or {}).items():
        path = path.replace(k, v)
    try:
        v = jsonpath(doc, path)
        if v is None:
            raise NoMatch(path + " is null")
        return (json.dumps(v) if isinstance(v, (list, dict)) else v), None
    except NoMatch as e:
        handler = step.get("error_handler", "ORIGINAL_ERROR")
        if handler == "CUSTOM_VALUE":
            return step.get("error_handler_params", ""), None
        if handler == "DISCARD_VALUE":
            return None, "discarded"
        return None, "no match: %s" % e


def discover(doc):
    """The LLD rows the discovery rule makes of doc: {macro: value}; None
    when a step discards the value (the discovered jobs stay as they were)."""
    (rule,) = template()["discovery_rules"]
    rows = doc
    for step in rule["preprocessing"]:
        (path,) = step["parameters"]
        if step["type"] == "CHECK_JSON_ERROR":
            try:
                found = jsonpath(rows, path)
            except NoMatch:
                continue
            if step.get("error_handler") != "DISCARD_VALUE":
                raise NoMatch("error in the JSON: %s" % found)
            return None
        if step["type"] != "JSONPATH":
            raise ValueError("preprocessing step %s not understood" % step["type"])
        try:
            rows = jsonpath(rows, path)
        except NoMatch:
            if step.get("error_handler") == "DISCARD_VALUE":
                return None
            raise
    out = []
    for row in rows:
        out.append({m["lld_macro"]: jsonpath(row, m["path"]) for m in rule["lld_macro_paths"]})
    return out


def userparameter_commands():
    """{key: command} of the UserParameter file."""
    out = {}
    with open(USERPARAMS) as f:
        for line in f:
            if line.startswith("UserParameter="):
                key, cmd = line[len("UserParameter="):].rstrip("\n").split(",", 1)
                out[key] = cmd
    return out
