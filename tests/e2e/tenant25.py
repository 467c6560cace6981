#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tenant of 25 provisioning service principals for the tenant e2e test
(test_tenant_services.sh): more than one $batch of 20.

  tenant25.py put URL     installs them into the emulator at URL, and empties
                          the default fixture's service principal, so that
                          --list --all-service-principals finds these 25 only
  tenant25.py list        "SP_ID JOB_ID", one service principal a line
  tenant25.py quarantined the id of the one quarantined job

Each has one job. The job of the 23rd (index 22, in the second $batch) has
just gone into quarantine for EncounteredQuarantineException, a reason the
event handler starts by default; it succeeded 20 minutes before, so once a
cycle has run it is healthy by its age thresholds as well (jobs40.py). The
other 24 succeeded 10 to 14 minutes ago (PT40M). Templates repeat, as they do
in a real tenant, so perfdata labels must be told apart by the job id.
"""
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jobs40 import healthy, job_id, quarantined  # noqa: E402

COUNT = 25
QUARANTINED = 22
DEFAULT_SP = "5a1f0c2e-0000-4000-8000-000000000001"
TEMPLATES = ["scim", "Box", "slack", "aws", "github", "zoom", "salesforce"]


def sp_id(i):
    return "5a1f0c2e-0000-4000-8000-0000000025%02x" % i


def template(i):
    return TEMPLATES[i % len(TEMPLATES)]


def job(i):
    if i == QUARANTINED:
        return quarantined(template(i), i, 5, 1200)
    return healthy(template(i), i, "PT40M", 600 + 10 * i, exported=2, imported=40 + i)


def put(url, path, body):
    req = urllib.request.Request(url + path, method="PUT", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


def main(argv):
    if argv[:1] == ["put"] and len(argv) == 2:
        put(argv[1], "/_emu/servicePrincipals/" + DEFAULT_SP,
            {"appId": "bbbbbbbb-0000-0000-0000-000000000001", "jobs": []})
        for i in range(COUNT):
            put(argv[1], "/_emu/servicePrincipals/" + sp_id(i),
                {"appId": "bbbbbbbb-0000-0000-0000-0000000025%02x" % i,
                 "displayName": "Contoso %s %02d" % (template(i), i), "jobs": [job(i)]})
    elif argv == ["list"]:
        print("\n".join("%s %s" % (sp_id(i), job(i)["id"]) for i in range(COUNT)))
    elif argv == ["quarantined"]:
        print(job_id(template(QUARANTINED), QUARANTINED))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
