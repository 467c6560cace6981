# SPDX-License-Identifier: GPL-3.0-or-later
"""Named fixture sets (fixtures/documented.json) installed by the control API,
and generators for big tenants and many-job service principals. Which
documented example each set models is in PROTOCOL.md."""

import hashlib
import os
import random

from emustate import HERE, Fault, expand

DEFAULT_SP = "5a1f0c2e-0000-4000-8000-0000000000dd"
DEFAULT_APP = "bbbbbbbb-0000-0000-0000-0000000000dd"
TEMPLATES = ("scim", "Box", "slack", "dropbox", "servicenow", "workday", "gsuite", "salesforce",
             "zscaler", "aws", "github", "atlassian", "zoom", "docusign", "adobe", "tableau",
             "snowflake", "webex", "figma", "miro")
QUARANTINE_REASONS = ("EncounteredQuarantineException", "EncounteredEscrowProportionThreshold",
                      "TooManyDeletes", "EncounteredTotalEscrowThreshold")
FAILURE_CODES = ("SystemForCrossDomainIdentityManagementServiceIncompatible",
                 "HybridSynchronizationActiveDirectoryInvalidGroupType",
                 "SystemForCrossDomainIdentityManagementBadResponse")


def names(state):
    return {n: fx["kind"] for n, fx in sorted(state.documented().items())}


def install(state, name, spec):
    """Installs fixture set `name`; spec may name servicePrincipalId, appId,
    tenant, append (jobs), and for error bodies status, path_contains,
    method, times."""
    fx = state.documented().get(name)
    if fx is None:
        raise KeyError("no fixture named %r (GET /_emu/fixtures lists them)" % name)
    kind = fx["kind"]
    if kind in ("jobs", "raw_jobs"):
        sp_id = spec.get("servicePrincipalId") or fx.get("servicePrincipalId") or DEFAULT_SP
        body = {"appId": spec.get("appId") or fx.get("appId") or DEFAULT_APP,
                "displayName": spec.get("displayName") or fx.get("displayName"),
                "jobs": fx.get("jobs", [])}
        if kind == "raw_jobs":
            with open(os.path.join(HERE, "fixtures", fx["file"]), encoding="utf-8") as f:
                body["raw_list_body"] = f.read()
        old = state.find_sp(sp_id=sp_id)
        if spec.get("append") and old is not None:
            with state.lock:
                old["jobs"].extend(expand(fx.get("jobs", [])))
            return {"servicePrincipalId": old["id"], "jobs": [j["id"] for j in old["jobs"]]}
        sp = state.put_sp(sp_id, body)
        return {"servicePrincipalId": sp["id"], "appId": sp["appId"],
                "jobs": [j["id"] for j in sp["jobs"]]}
    if kind == "directory":
        tenant = state.tenant(spec["tenant"]) if spec.get("tenant") else state.default_tenant()
        if tenant is None:
            raise ValueError("unknown tenant %r" % spec.get("tenant"))
        state.set_directory(tenant, fx)
        return {"tenant": tenant}
    if kind in ("graph_error", "token_error"):
        fault = {"target": "graph" if kind == "graph_error" else "login",
                 "status": int(spec.get("status", fx["status"])), "json": fx["body"],
                 "path_contains": spec.get("path_contains", ""),
                 "times": int(spec.get("times", 1))}
        if "method" in spec:
            fault["method"] = spec["method"]
        if fx.get("headers"):
            fault["headers"] = fx["headers"]
        with state.lock:
            state.faults.append(Fault(fault))
        return {"fault": fault}
    raise ValueError("fixture %r has an unknown kind %r" % (name, kind))


# -- generators -----------------------------------------------------------------
def _hex(*parts):
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _execution(state, ended_ago, entitled, exported=1, error=None, escrowed=0):
    return {"activityIdentifier": None, "countEntitled": entitled,
            "countEntitledForProvisioning": entitled, "countEscrowed": escrowed,
            "countEscrowedRaw": escrowed, "countExported": exported, "countExports": exported,
            "countImported": entitled, "countImportedDeltas": exported,
            "countImportedReferenceDeltas": 0, "error": error, "state": state,
            "timeBegan": "{{now-%d}}" % (ended_ago + 60), "timeEnded": "{{now-%d}}" % ended_ago}


def make_job(template, hexid, kind, n):
    """A job of one of three kinds: healthy, quarantined or failed; n varies
    times, counts and quarantine reasons."""
    entitled = 40 + (n * 37) % 900
    ok_ago = 300 + (n * 97) % 1800
    status = {"code": "Active", "countSuccessiveCompleteFailures": 0, "escrowsPruned": False,
              "lastExecution": _execution("Succeeded", ok_ago, entitled),
              "lastSuccessfulExecution": _execution("Succeeded", ok_ago, entitled),
              "lastSuccessfulExecutionWithExports": None, "progress": [], "quarantine": None,
              "steadyStateFirstAchievedTime": "{{now-%d}}" % (86400 * 30 + n),
              "steadyStateLastAchievedTime": "{{now-%d}}" % ok_ago,
              "synchronizedEntryCountByType": [{"key": "user to User", "value": entitled}],
              "troubleshootingUrl": None}
    if kind == "quarantined":
        reason = QUARANTINE_REASONS[n % len(QUARANTINE_REASONS)]
        err = None if reason == "TooManyDeletes" else {
            "code": "Quarantine" + reason, "message": "Job quarantined (%s)." % reason,
            "tenantActionable": True}
        status.update(code="Quarantine", countSuccessiveCompleteFailures=3 + n % 4,
                      lastExecution=_execution("Failed", 3600, 0, 0, err),
                      lastSuccessfulExecution=_execution("Succeeded", 172800, entitled),
                      steadyStateLastAchievedTime="{{now-172800}}",
                      quarantine={"currentBegan": "{{now-3600}}", "nextAttempt": "{{now+21600}}",
                                  "reason": reason, "seriesBegan": "{{now-%d}}" % (86400 * (1 + n % 5)),
                                  "seriesCount": 2 + n % 5, "error": err})
    elif kind == "failed":
        code = FAILURE_CODES[n % len(FAILURE_CODES)]
        status.update(countSuccessiveCompleteFailures=1,
                      lastExecution=_execution("Failed", 600, 0, 0, {
                          "code": code, "message": "The last cycle failed (%s)." % code,
                          "tenantActionable": True}),
                      lastSuccessfulExecution=_execution("Succeeded", 3000, entitled))
    elif kind != "healthy":
        raise ValueError("unknown job kind %r (healthy, quarantined, failed)" % kind)
    return {"id": "%s.%s" % (template, hexid), "templateId": template,
            "schedule": {"expiration": None, "interval": "PT40M", "state": "Active"},
            "status": status,
            "synchronizationJobSettings": [{"name": "QuarantineTooManyDeletesThreshold",
                                            "value": "500"}]}


def _kinds(count, mix, seed):
    mix = dict(mix or {})
    unknown = set(mix) - {"healthy", "quarantined", "failed"}
    if unknown:
        raise ValueError("unknown mix keys: %s" % ", ".join(sorted(unknown)))
    if not mix:
        bad = count // 10 if count >= 10 else (1 if count >= 3 else 0)
        mix = {"quarantined": bad, "failed": bad}
    q, f = int(mix.get("quarantined", 0)), int(mix.get("failed", 0))
    h = int(mix["healthy"]) if "healthy" in mix else count - q - f
    if min(q, f, h) < 0 or q + f + h != count:
        raise ValueError("the mix (%d healthy, %d quarantined, %d failed) does not add up to %d"
                         % (h, q, f, count))
    kinds = ["quarantined"] * q + ["failed"] * f + ["healthy"] * h
    random.Random(seed).shuffle(kinds)
    return kinds


def generate_jobs(count, mix=None, seed=1, share_every=5, salt=""):
    """count jobs with distinct templates, except that every share_every-th
    job shares the template of the job before it (so ids, not templates, tell
    them apart), in a deterministic shuffle of the mix of kinds."""
    if not 0 <= int(count) <= 2000:
        raise ValueError("count must be 0..2000")
    count, share_every = int(count), int(share_every or 0)
    jobs, t = [], -1
    for i, kind in enumerate(_kinds(count, mix, seed)):
        if not (share_every and i % share_every == share_every - 1 and t >= 0):
            t += 1
        template = TEMPLATES[t] if t < len(TEMPLATES) else "app%03d" % t
        jobs.append(make_job(template, _hex(salt, seed, i), kind, i))
    return jobs


def generate_tenant(state, spec):
    """Adds service_principals service principals (ids derived from the
    index), provisioning of them spread evenly carrying jobs_per_sp jobs
    each, the rest without jobs. Cheap: 5,000 take a few milliseconds."""
    n = int(spec.get("service_principals", 100))
    prov = int(spec.get("provisioning", min(n, 10)))
    per = int(spec.get("jobs_per_sp", 1))
    seed = int(spec.get("seed", 1))
    if not 0 <= prov <= n <= 100000 or not 0 <= per <= 1000:
        raise ValueError("need 0 <= provisioning <= service_principals <= 100000, jobs_per_sp <= 1000")
    step = n // prov if prov else 0
    chosen = set(range(0, step * prov, step)) if prov else set()
    jobs = generate_jobs(prov * per, spec.get("mix"), seed, spec.get("share_every", 5), "tenant")
    with_jobs, k = [], 0
    for i in range(n):
        sp_id = "5a1f0c2e-%04x-4000-9000-%012x" % (seed & 0xffff, i)
        app_id = "bbbbbbbb-%04x-4000-9000-%012x" % (seed & 0xffff, i)
        mine = []
        if i in chosen:
            mine = jobs[k * per:(k + 1) * per]
            k += 1
            with_jobs.append(sp_id)
        name = ("%s (generated %05d)" % (mine[0]["templateId"], i)) if mine else "Generated app %05d" % i
        state.put_sp(sp_id, {"appId": app_id, "displayName": name, "jobs": mine})
    return {"service_principals": n, "with_jobs": with_jobs, "jobs": prov * per}
