#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""baseline.py URL TOKENFILE [CAFILE] - what a site might write instead of the
plugin: read a cached token, GET the job with urllib, parse the JSON, map
status.code to a Monitoring Plugins exit code. Standard library only.
Without CAFILE Python's default trust is used (the system bundle)."""
import json
import ssl
import sys
import urllib.request

STATES = {"Active": 0, "NotRun": 0, "NotConfigured": 1, "Paused": 1, "Quarantine": 2}
NAMES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")


def main():
    url, token_file = sys.argv[1], sys.argv[2]
    ctx = ssl.create_default_context(cafile=sys.argv[3] if len(sys.argv) > 3 else None)
    with open(token_file) as f:
        token = f.readline().strip()
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=20) as r:
            job = json.load(r)
        code = (job.get("status") or {}).get("code") or "NotConfigured"
        rc = STATES.get(code, 3)
    except Exception as e:  # any failure is UNKNOWN, as in a real plugin
        code, rc = "error: %s" % e, 3
    print("ENTRA SYNC %s - %s" % (NAMES[rc], code))
    return rc


if __name__ == "__main__":
    sys.exit(main())
