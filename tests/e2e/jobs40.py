#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Service principals for the dashboard and many-jobs e2e tests.

  jobs40.py many [--quarantined]   the 40-job service principal, JSON for
                                   PUT /_emu/servicePrincipals/{id}
  jobs40.py one [--quarantined]    one Box job (checked with -j)
  jobs40.py ids many|one           the job ids, one a line; the quarantined
                                   one first

Job ids are stable (derived from template and index), times are emulator
templates ("{{now-N}}"), so every run serves the same shapes:
12 jobs share the AD2AADProvisioning template and 8 share scim (their labels
need the suffix), one templateId needs its '-' replaced, one is too long to
fit a 60-character label as it is, one job never succeeded (a first cycle
in progress, with progress), one has escrows, the rest are healthy with
distinct templates. With --quarantined the Box job and the first scim job
have just gone into quarantine (5 s before) and are repairable
(EncounteredQuarantineException); they succeeded 20 minutes before, so once
started they are healthy by their age thresholds as well.
"""
import hashlib
import json
import sys

LONG_TEMPLATE = "AzureAD2OnPremisesHumanResourcesWorkdayWritebackConnector"
OTHERS = ["aws", "github", "atlassian", "zoom", "docusign", "adobe", "smartsheet",
          "tableau", "netsuite", "okta", "Box", "slack", "zendesk", "asana", "miro", "figma"]


def job_id(template, index):
    return "%s.%s" % (template, hashlib.md5(("%s-%d" % (template, index)).encode()).hexdigest())


def execution(state, ended, escrowed=0, exported=0, imported=0, error=None):
    return {"activityIdentifier": None, "countEntitled": imported,
            "countEntitledForProvisioning": imported, "countEscrowed": escrowed,
            "countEscrowedRaw": escrowed, "countExported": exported, "countExports": exported,
            "countImported": imported, "countImportedDeltas": imported,
            "countImportedReferenceDeltas": 0, "error": error, "state": state,
            "timeBegan": "{{now-%d}}" % (ended + 60), "timeEnded": "{{now-%d}}" % ended}


def healthy(template, index, interval, ago, escrowed=0, exported=0, imported=0, state="Succeeded"):
    last = execution(state, ago, escrowed, exported, imported)
    return {"id": job_id(template, index), "templateId": template,
            "schedule": {"expiration": None, "interval": interval, "state": "Active"},
            "status": {"code": "Active", "countSuccessiveCompleteFailures": 0,
                       "escrowsPruned": False, "lastExecution": last,
                       "lastSuccessfulExecution": execution("Succeeded", ago, 0, exported, imported),
                       "lastSuccessfulExecutionWithExports": None, "progress": [],
                       "quarantine": None,
                       "steadyStateFirstAchievedTime": "{{now-864000}}",
                       "steadyStateLastAchievedTime": "{{now-%d}}" % ago,
                       "synchronizedEntryCountByType": [], "troubleshootingUrl": None},
            "synchronizationJobSettings": []}


def quarantined(template, index, series_ago, last_success_ago, series_count=1):
    job = healthy(template, index, "PT40M", last_success_ago, exported=2, imported=40)
    err = {"code": "SystemForCrossDomainIdentityManagementServiceIncompatible",
           "message": "The SCIM endpoint answered 500 three times in a row.",
           "tenantActionable": True}
    st = job["status"]
    st["code"] = "Quarantine"
    st["countSuccessiveCompleteFailures"] = 3
    st["lastExecution"] = execution("Failed", 300, error=err)
    st["quarantine"] = {"currentBegan": "{{now-%d}}" % series_ago,
                        "nextAttempt": "{{now+21600}}",
                        "reason": "EncounteredQuarantineException",
                        "seriesBegan": "{{now-%d}}" % series_ago, "seriesCount": series_count,
                        "error": err}
    return job


def never_succeeded(template, index):
    return {"id": job_id(template, index), "templateId": template,
            "schedule": {"expiration": None, "interval": "PT40M", "state": "Active"},
            "status": {"code": "NotRun", "countSuccessiveCompleteFailures": 0,
                       "escrowsPruned": False, "lastExecution": None,
                       "lastSuccessfulExecution": None,
                       "lastSuccessfulExecutionWithExports": None,
                       "progress": [{"completedUnits": 340, "totalUnits": 1000, "units": "Users",
                                     "progressObservationDateTime": "{{now-30}}"}],
                       "quarantine": None,
                       "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
                       "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z",
                       "synchronizedEntryCountByType": [], "troubleshootingUrl": None},
            "synchronizationJobSettings": []}


def many(with_quarantine):
    # The first cycle in progress comes first: over the 8 KiB budget the
    # plugin drops the counts of the last OK jobs first, and its progress
    # metric is what the dashboards' progress panel needs.
    jobs = [never_succeeded("servicenow", 0)]
    for i in range(12):
        jobs.append(healthy("AD2AADProvisioning", i, "PT2M", 60, escrowed=i, exported=i * 2,
                            imported=2000 + i))
    for i in range(8):
        if i == 0 and with_quarantine:
            jobs.append(quarantined("scim", i, 5, 1200))
        else:
            jobs.append(healthy("scim", i, "PT40M", 600, exported=3 + i, imported=120 + i))
    jobs.append(healthy("salesforce", 0, "PT40M", 600, escrowed=120, exported=30, imported=500,
                        state="EntryLevelErrors"))
    jobs.append(healthy("google-workspace", 0, "PT40M", 900, exported=5, imported=300))
    jobs.append(healthy(LONG_TEMPLATE, 0, "PT40M", 900, exported=1, imported=80))
    for i, t in enumerate(OTHERS):
        jobs.append(healthy(t, 0, "PT40M", 300 + 10 * i, exported=i, imported=100 + i))
    assert len(jobs) == 40
    return {"appId": "bbbbbbbb-0000-0000-0000-0000000000e4", "jobs": jobs}


def one(with_quarantine):
    job = quarantined("Box", 0, 5, 1200) if with_quarantine else healthy(
        "Box", 0, "PT40M", 1200, exported=2, imported=40)
    return {"appId": "bbbbbbbb-0000-0000-0000-0000000000e1", "jobs": [job]}


def main(argv):
    if argv[:1] == ["ids"] and len(argv) == 2:
        sp = many(True) if argv[1] == "many" else one(True)
        jobs = sp["jobs"]
        jobs.sort(key=lambda j: j["status"]["code"] != "Quarantine")
        print("\n".join(j["id"] for j in jobs))
    elif argv[:1] == ["many"]:
        print(json.dumps(many("--quarantined" in argv[1:])))
    elif argv[:1] == ["one"]:
        print(json.dumps(one("--quarantined" in argv[1:])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
