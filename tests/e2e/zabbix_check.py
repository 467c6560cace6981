#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the Zabbix template makes of one value of its master item (a file):
  zabbix_check.py jobs FILE    the discovered jobs, "SP JOB TEMPLATE" a line
  zabbix_check.py items FILE   every item of every job resolved: "KEY VALUE"
                               a line; exit 1 when one fails (not discarded)
Uses tests/integration/zabbix_template.py, the same reading as the
integration test."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import zabbix_template as Z  # noqa: E402


def main():
    what, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        doc = json.load(f)
    rows = Z.discover(doc) or []
    if what == "jobs":
        for r in sorted(rows, key=lambda r: r["{#JOB_ID}"]):
            print(r["{#SP_ID}"], r["{#JOB_ID}"], r["{#TEMPLATE}"])
        return 0
    t = Z.template()
    failed = 0
    todo = [(i, {}) for i in t["items"] if i.get("type") == "DEPENDENT"]
    todo += [(p, r) for r in rows for p in t["discovery_rules"][0]["item_prototypes"]]
    for item, macros in todo:
        key = item["key"]
        for k, v in macros.items():
            key = key.replace(k, v)
        value, err = Z.value_of(item, doc, macros)
        if err not in (None, "discarded"):
            failed += 1
        print(key, value if err is None else "(%s)" % err)
    return 1 if failed else 0


sys.exit(main())
