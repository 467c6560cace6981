# SPDX-License-Identifier: GPL-3.0-or-later
"""Emulator state: fixture loading, time templates, clients and their
application objects, tokens, service principals, the tenant's organization
and directory synchronization objects, job actions and cycles, counters and
faults. No HTTP here."""

import base64
import copy
import datetime
import hashlib
import json
import math
import os
import re
import threading
import time
import uuid

import emujwt

SENTINEL = "0001-01-01T00:00:00Z"
GRAPH_HOSTS = (
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
)
SCOPES = tuple(h + "/.default" for h in GRAPH_HOSTS)
READ = "Synchronization.Read.All"
WRITE = "Synchronization.ReadWrite.All"
APP_READ = ("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All",
            "Directory.ReadWrite.All")
ORG_READ = ("Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All",
            "Directory.ReadWrite.All")
ONPREM_READ = ("OnPremDirectorySynchronization.Read.All",
               "OnPremDirectorySynchronization.ReadWrite.All")
# Directory roles that let a delegated caller use the synchronization API.
SYNC_ROLES = tuple(emujwt.ROLE_IDS[n] for n in (
    "Global Administrator", "Application Administrator", "Cloud Application Administrator",
    "Hybrid Identity Administrator"))
GLOBAL_ADMIN = emujwt.ROLE_IDS["Global Administrator"]

DEFAULT_SETTINGS = {
    "token_lifetime": 3600,
    "page_size": 50,              # jobs per list page
    "cycle_delay": None,          # seconds from start to the next cycle; None: the schedule interval
    "throttle_after": None,       # Graph requests (batch items included) per window, then 429
    "throttle_window": 10,
    "batch_order": "reversed",    # reversed | request | shuffled
    "tenant_permission_error": 403,   # 403 Authorization_RequestDenied or 401 UnknownError
    "onprem_sync_app_tokens": "allow",  # allow | refuse (the v1.0 page says app-only is not supported)
    "job_id_case": "insensitive",  # insensitive | exact: how a job id in a path is matched
    "non_ascii": "raw",           # raw (UTF-8, as Graph writes it) | escaped (\uXXXX)
    "reports_throttle": 5,        # provisioning log requests per window per client and tenant, then 429
    "reports_window": 10,
}
DEFAULT_CYCLE_DELAY = 2400        # 40 minutes: the app provisioning interval
# Microsoft's retries of a quarantined job (application-provisioning-quarantine-status.md):
# 6 h, 12 h and 24 h after the first failure, then every 24 h, for 28 days.
RETRY_FIRST = (6 * 3600, 12 * 3600, 24 * 3600)
RETRY_EVERY = 24 * 3600
RETRY_FOR = 28 * 86400
DEFAULT_OBSERVE_EVERY = 300       # seconds between progress observations of a long cycle

# The emulator's clock: the wall clock plus an offset that tests move forward
# (POST /_emu/clock) to see days pass; every time the emulator writes or
# judges (job times, tokens, assertions, certificates' key ends) comes from it.
_clock = {"offset": 0.0}


def now():
    return time.time() + _clock["offset"]
MAX_BATCH = 20
HERE = os.path.dirname(os.path.abspath(__file__))
_TEMPLATE = re.compile(r"^\{\{now(?:([+-])(\d+))?\}\}$")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_NS = uuid.UUID("3c0b9a52-7f1e-4d2a-8b6c-5e9f0a1d2c3b")


def iso(ts):
    """Epoch seconds -> ISO 8601 UTC with 7 fraction digits, as Graph writes job times."""
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d0Z" % d.microsecond


def iso_seconds(ts):
    """Epoch seconds -> ISO 8601 UTC without fraction, as directory objects carry them."""
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s):
    """ISO 8601 UTC (0-7 fraction digits) -> epoch seconds, or None."""
    if not isinstance(s, str):
        return None
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,7})?Z$", s)
    if not m:
        return None
    d = datetime.datetime(*map(int, m.groups()[:6]), tzinfo=datetime.timezone.utc)
    return d.timestamp() + float(m.group(7) or 0)


def seconds_only(value):
    """A templated or ISO time string -> the same time without fraction digits."""
    ts = parse_iso(value)
    return value if ts is None or value == SENTINEL else iso_seconds(ts)


def expand(value, now=None):
    """Replaces every string value "{{now}}", "{{now-N}}", "{{now+N}}"."""
    now = globals()["now"]() if now is None else now
    if isinstance(value, dict):
        return {k: expand(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, now) for v in value]
    if isinstance(value, str):
        m = _TEMPLATE.match(value)
        if m:
            off = int(m.group(2) or 0)
            return iso(now - off if m.group(1) == "-" else now + off)
    return value


def duration_seconds(text):
    """An ISO 8601 duration as Graph writes schedule intervals -> seconds, or None."""
    m = _DURATION.match(text) if isinstance(text, str) else None
    if not m or text in ("P", "PT"):
        return None
    d, h, mi, s = m.groups()
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)


def merge(base, extra):
    """Deep merge of dicts: extra's values win, nested dicts merge."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def stable_uuid(*parts):
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def _utc(cert, field):
    """A validity bound as epoch seconds. Debian 12's python3-cryptography
    (38) has only the naive UTC attribute; newer ones add ..._utc."""
    aware = getattr(cert, field + "_utc", None)
    if aware is not None:
        return aware.timestamp()
    return getattr(cert, field).replace(tzinfo=datetime.timezone.utc).timestamp()


def cert_info(pem):
    """PEM certificate -> dict with the public key, x5t, x5t#S256, SHA-1
    thumbprint (hex upper-case), validity, subject and DER (base64)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
    der = cert.public_bytes(Encoding.DER)
    return {"key": cert.public_key(),
            "x5t": emujwt.b64u(hashlib.sha1(der).digest()),
            "x5t#S256": emujwt.b64u(hashlib.sha256(der).digest()),
            "thumbprint": hashlib.sha1(der).hexdigest().upper(),
            "not_before": _utc(cert, "not_valid_before"),
            "not_after": _utc(cert, "not_valid_after"),
            "subject": cert.subject.rfc4514_string(),
            "der_b64": base64.b64encode(der).decode()}


class Fault:
    KEYS = {"target", "path_contains", "method", "times", "status", "headers", "body",
            "json", "retry_after", "delay", "trickle", "drop", "drop_after", "truncate", "oversize",
            "nest", "invalid_utf8", "redirect", "next_link"}
    # Faults with one of these answer instead of the real handler (no side effects).
    REPLACING = ("status", "body", "json", "drop", "redirect", "nest", "retry_after")

    def __init__(self, spec):
        unknown = set(spec) - self.KEYS
        if unknown:
            raise ValueError("unknown fault keys: %s" % ", ".join(sorted(unknown)))
        self.spec = spec
        self.times = int(spec.get("times", 1))

    def matches(self, target, method, path):
        s = self.spec
        want = s.get("target", "any")
        if want != "any" and want != target:
            return False
        if "method" in s and s["method"].upper() != method:
            return False
        return s.get("path_contains", "") in path

    def replaces(self):
        return any(k in self.spec for k in self.REPLACING)


def replaces(spec):
    return any(k in spec for k in Fault.REPLACING)


def _sum_counts(st):
    return sum(int(e.get("value") or 0) for e in st.get("synchronizedEntryCountByType") or []
               if isinstance(e, dict))


class State:
    def __init__(self, fixture_path):
        self.fixture_path = fixture_path
        self.lock = threading.RLock()
        # Each reset begins an epoch. A request is of the epoch it arrived
        # in: one still held (a delay fault) when a reset comes belongs to
        # the test before, so it is neither acted on nor logged after it.
        self.epoch = 0
        self._request = threading.local()
        self.reset()

    def begin_request(self):
        """Marks the calling thread's request as one of the current epoch."""
        self._request.epoch = self.epoch

    def request_is_current(self):
        """False when a reset came since this thread's request arrived."""
        return getattr(self._request, "epoch", self.epoch) == self.epoch

    # -- loading -----------------------------------------------------------
    def reset(self):
        with open(self.fixture_path) as f:
            fx = json.load(f)
        with self.lock:
            self.epoch += 1
            self.settings = dict(DEFAULT_SETTINGS)
            self.tenants = {}     # alias (lower) -> tenant id
            self.tenant_data = {}  # tenant id -> {"organization": {...}, "onPremisesSynchronization": {...}}
            self.clients = {}     # client_id -> dict (with its "application" object)
            self.managed = {}     # client_id -> dict (tenant, permissions, system)
            self.tokens = {}      # token -> dict (client_id, permissions, kind, wids, exp, tenant)
            self.sps = {}         # sp id (lower) -> {"id","appId","displayName","jobs":[...]}
            self.faults = []
            self.cycles = {}      # job id -> epoch when its next cycle runs
            self.outcomes = {}    # job id -> what its cycles do
            self.retries = {}     # job id -> epoch of Microsoft's next retry of its quarantine
            self.initial = {}     # job id -> a long (initial) cycle in progress
            _clock["offset"] = 0.0
            self.throttle = []    # epochs of the Graph requests in the current window
            # the provisioning logs (emuprovlog.py): events, throttle windows,
            # tenants without a premium licence, the queries asked
            self.provisioning = {"events": [], "windows": {}, "unlicensed": set(), "queries": []}
            self.counters = self._fresh_counters()
            for t in fx.get("tenants", []):
                for alias in [t["id"]] + t.get("domains", []):
                    self.tenants[alias.lower()] = t["id"]
                self.set_directory(t["id"], self.directory_preset(t.get("directory", "never")))
            for c in fx.get("clients", []):
                self.add_client(c)
            for m in fx.get("managed_identities", []):
                self.managed[m["client_id"]] = m
            for sp in fx.get("servicePrincipals", []):
                self.put_sp(sp["id"], sp)
            if "jobs" in fx and "servicePrincipals" not in fx:
                self.put_sp(fx.get("servicePrincipalId", "5a1f0c2e-0000-4000-8000-0000000000ff"), fx)

    @staticmethod
    def _fresh_counters():
        return {"sign_ins_total": 0, "sign_ins": {}, "sign_in_failures": 0, "scopes": {},
                "assertion_algs": {}, "graph_requests": 0, "batch_requests": 0,
                "batch_items": 0, "imds_requests": 0, "application_requests": 0,
                "organization_requests": 0, "onprem_sync_requests": 0,
                "service_principal_list_requests": 0, "throttled": 0,
                "audit_requests": 0, "audit_throttled": 0,
                "starts": {}, "start_requests": {}, "start_times": {}, "pauses": {},
                "restarts": {}, "cycles": {}, "retries": {}, "requests": []}

    def default_tenant(self):
        return next(iter(self.tenants.values()), None)

    # -- directory synchronization (organization + onPremisesSynchronization)
    @staticmethod
    def documented():
        with open(os.path.join(HERE, "fixtures", "documented.json"), encoding="utf-8") as f:
            return json.load(f)["fixtures"]

    def directory_preset(self, name):
        fx = self.documented().get(name if name.startswith("dirsync-") else "dirsync-" + name)
        if fx is None or fx.get("kind") != "directory":
            raise ValueError("no directory synchronization fixture named %r" % name)
        return fx

    def set_directory(self, tenant, data, replace=True):
        """Sets the tenant's organization and onPremisesSynchronization from a
        fixture (partial objects merged over complete defaults)."""
        now = self.now()
        org = expand(data.get("organization", {}), now)
        for k in ("onPremisesLastSyncDateTime", "onPremisesLastPasswordSyncDateTime"):
            if isinstance(org.get(k), str):
                org[k] = seconds_only(org[k])
        sync = expand(data.get("onPremisesSynchronization", {}), now)
        with self.lock:
            cur = {} if replace else self.tenant_data.get(tenant, {})
            base_org = cur.get("organization") or _default_organization(tenant)
            base_sync = cur.get("onPremisesSynchronization") or _default_onprem_sync(tenant)
            self.tenant_data[tenant] = {"organization": merge(base_org, org),
                                        "onPremisesSynchronization": merge(base_sync, sync)}

    # -- clients and their application objects ------------------------------
    def add_client(self, c):
        if "client_id" not in c:
            raise ValueError("client_id is required")
        now = self.now()
        cid = c["client_id"]
        entry = {"client_id": cid,
                 "tenant": c.get("tenant") or self.default_tenant(),
                 "secret": c.get("secret"),
                 "secret_expired": bool(c.get("secret_expired", False)),
                 "permissions": list(c.get("permissions", [])),
                 "certs": []}
        pems = c.get("certificate_pem")
        for pem in ([pems] if isinstance(pems, str) else pems or []):
            entry["certs"].append(cert_info(pem))
        entry["application"] = self._application(entry, c, now)
        with self.lock:
            self.clients[cid] = entry
        return entry

    @staticmethod
    def _application(entry, c, now):
        """The client's app registration as Graph serves it: one password
        credential for its secret (hint = first three characters) after any
        extra ones, one key credential per certificate after any extra ones."""
        cid = entry["client_id"]
        pwds = []
        for i, p in enumerate(c.get("extra_passwords", [])):
            p = expand(p, now)
            pwds.append({"customKeyIdentifier": p.get("customKeyIdentifier"),
                         "displayName": p.get("displayName", "older secret %d" % (i + 1)),
                         "endDateTime": seconds_only(p.get("endDateTime", iso(now + 90 * 86400))),
                         "hint": p.get("hint", "old"),
                         "keyId": p.get("keyId", stable_uuid(cid, "extra-password", i)),
                         "secretText": None,
                         "startDateTime": seconds_only(p.get("startDateTime", iso(now - 300 * 86400)))})
        if entry["secret"] is not None:
            end = c.get("secret_end")
            if end is None:
                end = iso(now - 86400) if entry["secret_expired"] else iso(now + 365 * 86400)
            pwds.append({"customKeyIdentifier": None, "displayName": "emulator secret",
                         "endDateTime": seconds_only(expand(end, now)),
                         "hint": entry["secret"][:3],
                         "keyId": stable_uuid(cid, "secret", entry["secret"]),
                         "secretText": None,
                         "startDateTime": seconds_only(expand(c.get("secret_start", "{{now-2592000}}"), now))})
        keys = []
        for i, k in enumerate(c.get("extra_keys", [])):
            k = expand(k, now)
            keys.append({"customKeyIdentifier": k.get("customKeyIdentifier"),
                         "displayName": k.get("displayName", "CN=older certificate %d" % (i + 1)),
                         "endDateTime": seconds_only(k.get("endDateTime", iso(now + 90 * 86400))),
                         "key": k.get("key"),
                         "keyId": k.get("keyId", stable_uuid(cid, "extra-key", i)),
                         "startDateTime": seconds_only(k.get("startDateTime", iso(now - 300 * 86400))),
                         "type": k.get("type", "AsymmetricX509Cert"),
                         "usage": k.get("usage", "Verify")})
        for cert in entry["certs"]:
            end = c.get("cert_end")
            keys.append({"customKeyIdentifier": cert["thumbprint"],
                         "displayName": cert["subject"],
                         "endDateTime": seconds_only(expand(end, now)) if end else iso_seconds(cert["not_after"]),
                         "key": cert["der_b64"],
                         "keyId": stable_uuid(cid, "cert", cert["thumbprint"]),
                         "startDateTime": iso_seconds(cert["not_before"]),
                         "type": "AsymmetricX509Cert", "usage": "Verify"})
        return {"id": emujwt.object_id(cid, "app"), "appId": cid,
                "displayName": c.get("display_name", "monitoring client %s" % cid[-4:]),
                "createdDateTime": iso_seconds(now - 400 * 86400),
                "signInAudience": "AzureADMyOrg",
                "passwordCredentials": pwds, "keyCredentials": keys}

    def find_application(self, app_id=None, object_id=None):
        with self.lock:
            for c in self.clients.values():
                a = c["application"]
                if (app_id is not None and a["appId"].lower() == app_id.lower()) or \
                        (object_id is not None and a["id"].lower() == object_id.lower()):
                    return a
        return None

    # -- service principals --------------------------------------------------
    def put_sp(self, sp_id, body):
        jobs = body.get("jobs", [])
        if not isinstance(jobs, list) or not all(isinstance(j, dict) and "id" in j for j in jobs):
            raise ValueError("jobs must be a list of objects with an id")
        name = body.get("displayName") or (jobs[0].get("templateId") if jobs else None) \
            or "app %s" % sp_id[:8]
        sp = {"id": sp_id, "appId": body.get("appId"), "displayName": name,
              "jobs": expand(copy.deepcopy(jobs), self.now())}
        if body.get("raw_list_body") is not None:
            sp["raw_list_body"] = body["raw_list_body"]
        with self.lock:
            self.sps[sp_id.lower()] = sp
            for j in sp["jobs"]:
                for pending in (self.cycles, self.retries, self.initial):
                    pending.pop(j["id"], None)
        return sp

    # -- lookups -----------------------------------------------------------
    def tenant(self, alias):
        return self.tenants.get(alias.lower())

    def find_sp(self, sp_id=None, app_id=None):
        with self.lock:
            if sp_id is not None:
                return self.sps.get(sp_id.lower())
            for sp in self.sps.values():
                if sp["appId"] and sp["appId"].lower() == app_id.lower():
                    return sp
        return None

    def find_job(self, job_id, sp=None):
        """The job with that id; like Graph's keys, without regard to case
        unless the setting job_id_case is "exact"."""
        exact = self.settings.get("job_id_case") == "exact"
        with self.lock:
            for s in [sp] if sp else list(self.sps.values()):
                for j in s["jobs"]:
                    if j["id"] == job_id or (not exact and j["id"].lower() == job_id.lower()):
                        return j
        return None

    # -- tokens ------------------------------------------------------------
    def issue_token(self, client_id, permissions, scope, appidacr="1", tenant=None):
        """An app-only token for a sign-in; scope None for tokens minted by the
        control API (not counted as sign-ins)."""
        life = int(self.settings["token_lifetime"])
        tenant = tenant or self.default_tenant()
        aud = (scope or GRAPH_HOSTS[0]).replace("/.default", "").rstrip("/")
        tok, claims = emujwt.mint(tenant, client_id, aud, life, roles=permissions, appidacr=appidacr,
                                  now=self.now())
        with self.lock:
            self.tokens[tok] = {"client_id": client_id, "permissions": set(permissions),
                                "kind": "app", "wids": set(claims["wids"]),
                                "exp": claims["exp"], "tenant": tenant}
            if scope is not None:
                c = self.counters
                c["sign_ins_total"] += 1
                c["sign_ins"][client_id] = c["sign_ins"].get(client_id, 0) + 1
                c["scopes"][scope] = c["scopes"].get(scope, 0) + 1
        return tok, life

    def mint_token(self, spec):
        """Control API: a token with the given permissions, app-only ("roles")
        or delegated ("scp" plus directory roles in "wids")."""
        kind = spec.get("kind", "delegated")
        if kind not in ("delegated", "app"):
            raise ValueError("kind must be delegated or app")
        tenant = self.tenant(spec.get("tenant", "")) if spec.get("tenant") else self.default_tenant()
        life = int(spec.get("lifetime", self.settings["token_lifetime"]))
        cid = spec.get("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e")
        aud = spec.get("audience", GRAPH_HOSTS[0])
        if kind == "app":
            perms = list(spec.get("roles", spec.get("permissions", [])))
            tok, claims = emujwt.mint(tenant, cid, aud, life, roles=perms, appidacr="1",
                                      now=self.now())
        else:
            perms = list(spec.get("scp", spec.get("permissions", [])))
            wids = emujwt.role_ids(spec.get("directory_roles", spec.get("wids", [])))
            tok, claims = emujwt.mint(tenant, cid, aud, life, scp=perms, wids=wids,
                                      upn=spec.get("upn"), now=self.now())
        with self.lock:
            self.tokens[tok] = {"client_id": cid, "permissions": set(perms), "kind": kind,
                                "wids": set(claims["wids"]), "exp": claims["exp"],
                                "tenant": tenant}
        return {"access_token": tok, "token_type": "Bearer", "expires_in": life, "claims": claims}

    def check_token(self, tok):
        """-> the token's entry (client_id, permissions, kind, wids, tenant), or
        None when unknown or expired."""
        with self.lock:
            t = self.tokens.get(tok)
            if t is None or t["exp"] <= self.now():
                return None
            return t

    # -- job actions -------------------------------------------------------
    def start(self, job):
        """What Graph promises for start: 204, the quarantine cleared, the
        job running again. Nothing about the last runs changes until the next
        cycle, which comes later (cycle_delay) and does what next-cycle says."""
        now = self.now()
        with self.lock:
            st = job.setdefault("status", {})
            code = st.get("code")
            sched = job.get("schedule") if isinstance(job.get("schedule"), dict) else None
            if code in ("Quarantine", "Paused"):
                never_ran = (st.get("lastExecution") is None and st.get("quarantine") is None
                             and st.get("lastSuccessfulExecution") is None)
                if never_ran:
                    # A new job's first start: NotRun with a placeholder execution, as the
                    # cross-tenant synchronization walkthrough shows it.
                    st["code"] = "NotRun"
                    st["lastExecution"] = placeholder_execution()
                    if sched and sched.get("state") == "Disabled":
                        sched["state"] = "Active"
                else:
                    st["code"] = "Active"
                st["quarantine"] = None
                if sched and sched.get("state") == "Paused":
                    sched["state"] = "Active"
                self.retries.pop(job["id"], None)
                self.cycles.setdefault(job["id"], now + self.cycle_delay(job))
            self.count_job("starts", job["id"])
            self.counters["start_times"].setdefault(job["id"], []).append(iso(now))

    def cycle_delay(self, job):
        d = self.settings.get("cycle_delay")
        if d is not None:
            return max(0.0, float(d))
        secs = duration_seconds((job.get("schedule") or {}).get("interval"))
        return secs if secs and 0 < secs <= 86400 else DEFAULT_CYCLE_DELAY

    def pause(self, job):
        with self.lock:
            job.setdefault("status", {})["code"] = "Paused"
            if isinstance(job.get("schedule"), dict):
                job["schedule"]["state"] = "Paused"
            for pending in (self.cycles, self.retries, self.initial):
                pending.pop(job["id"], None)
            self.count_job("pauses", job["id"])

    def restart(self, job):
        """Restart provisioning: a full initial cycle from now, out of
        quarantine (the plugin never calls it; tests use initial-cycle)."""
        self.begin_initial_cycle(job, {})
        self.count_job("restarts", job["id"])

    def begin_initial_cycle(self, job, spec):
        """A long cycle (a restart's or a first one): Active at once, a
        progress entry observed every observe_every seconds, completedUnits
        growing evenly over duration seconds, then the cycle ends as
        next-cycle says. stall_after stops the observations (and the end):
        a cycle that stopped advancing. escrows_pruned: the cycle hits the
        error threshold, its errors are pruned and the job pauses at the end
        (the synchronizationStatus page)."""
        now = self.now()
        units = int(spec.get("units", 1000))
        duration = float(spec.get("duration", 36000))
        every = float(spec.get("observe_every", DEFAULT_OBSERVE_EVERY))
        if units <= 0 or duration <= 0 or every <= 0:
            raise ValueError("units, duration and observe_every must be positive")
        with self.lock:
            st = job.setdefault("status", {})
            st.update(code="Active", quarantine=None,
                      escrowsPruned=bool(spec.get("escrows_pruned", False)))
            for pending in (self.cycles, self.retries):
                pending.pop(job["id"], None)
            stall = spec.get("stall_after")
            self.initial[job["id"]] = {
                "began": now, "units": units, "duration": duration, "every": every,
                "stall_at": now + float(stall) if stall is not None else None,
                "next": now, "pruned": bool(spec.get("escrows_pruned", False))}
            self._observe(job, now)

    def _observe(self, job, at):
        """One progress observation of the job's long cycle, at time at."""
        c = self.initial[job["id"]]
        done = min(c["units"], int(c["units"] * (at - c["began"]) / c["duration"]))
        job["status"]["progress"] = [{"completedUnits": done, "totalUnits": c["units"],
                                      "units": "objects",
                                      "progressObservationDateTime": iso(at)}]
        c["next"] = at + c["every"]

    def set_outcome(self, job, spec):
        outcome = spec.get("outcome", "succeed")
        if outcome not in ("succeed", "fail", "quarantine"):
            raise ValueError("outcome must be succeed, fail or quarantine")
        with self.lock:
            self.outcomes[job["id"]] = dict(spec, outcome=outcome)

    def _due_events(self):
        """(time, kind, job id) of every pending cycle, quarantine retry and
        long-cycle observation or end."""
        events = [(t, "cycle", j) for j, t in self.cycles.items()]
        events += [(t, "retry", j) for j, t in self.retries.items()]
        for j, c in self.initial.items():
            end = c["began"] + c["duration"]
            if c["stall_at"] is None or end <= c["stall_at"]:
                events.append((end, "end", j))
            nxt = c["next"]
            if nxt < end and (c["stall_at"] is None or nxt <= c["stall_at"]):
                events.append((nxt, "observe", j))
        return events

    def run_due_cycles(self, now=None):
        """Runs every event whose time has come, each at its own time and in
        order (one may schedule the next: a failed retry schedules Microsoft's
        next), so that moving the clock by days replays them as they would
        have happened. Events run lazily, when a request arrives. A cycle of
        a job paused meanwhile does not run."""
        now = self.now() if now is None else now
        with self.lock:
            while True:
                due = [e for e in self._due_events() if e[0] <= now]
                if not due:
                    return
                at, kind, job_id = min(due)
                job = self.find_job(job_id)
                if kind == "cycle":
                    del self.cycles[job_id]
                    if job is not None and (job.get("status") or {}).get("code") != "Paused":
                        self.run_cycle(job, at)
                elif kind == "retry":
                    del self.retries[job_id]
                    if job is not None:
                        self.retry(job, at)
                elif kind == "observe":
                    self._observe(job, at)
                else:
                    self.end_initial_cycle(job, at)

    def advance(self, seconds):
        """Moves the clock forward and replays what fell due meanwhile."""
        seconds = float(seconds)
        if not seconds >= 0:
            raise ValueError("advance takes seconds >= 0")
        with self.lock:
            _clock["offset"] += seconds
            self.run_due_cycles()
        return self.clock()

    def clock(self):
        t = self.now()
        return {"now": iso(t), "epoch": t, "offset": _clock["offset"]}

    @staticmethod
    def now():
        return now()

    def end_initial_cycle(self, job, at):
        c = self.initial.pop(job["id"])
        self.run_cycle(job, at, duration=c["duration"])
        if c["pruned"]:
            # the initial cycle ends, and the job waits paused for the clean-up
            st = job["status"]
            st.update(code="Paused", escrowsPruned=True)
            if isinstance(job.get("schedule"), dict):
                job["schedule"]["state"] = "Paused"
            for pending in (self.cycles, self.retries):
                pending.pop(job["id"], None)

    def retry(self, job, at):
        """Microsoft's retry of a quarantined job: a cycle that does what
        next-cycle says, and by default fails again (a cause does not go
        away by itself). Still quarantined: seriesCount grows, the next retry
        is scheduled; successful: the quarantine is lifted."""
        if (job.get("status") or {}).get("code") != "Quarantine":
            return
        q = job["status"].get("quarantine") or {}
        spec = self.outcomes.get(job["id"]) or {"outcome": "quarantine",
                                                "reason": q.get("reason") or "Unknown",
                                                "error_code": (q.get("error") or {}).get("code")}
        if spec["outcome"] == "fail":
            spec = dict(spec, outcome="quarantine", reason=q.get("reason") or "Unknown",
                        error_code=spec.get("reason"))
        self.run_cycle(job, at, spec=spec)
        self.count_job("retries", job["id"])

    def run_cycle(self, job, now=None, spec=None, duration=None):
        """One synchronization cycle, doing what next-cycle asked (default succeed)."""
        now = self.now() if now is None else now
        with self.lock:
            self.cycles.pop(job["id"], None)
            if spec is None:
                spec = self.outcomes.get(job["id"], {"outcome": "succeed"})
            st = job.setdefault("status", {})
            prev = st.get("lastSuccessfulExecution") or st.get("lastExecution") or {}
            entitled = int(prev.get("countEntitled") or 0) or _sum_counts(st) or 10
            began = now - float(duration if duration is not None else spec.get("duration", 45))
            run = {"activityIdentifier": str(uuid.uuid4()), "countEntitled": entitled,
                   "countEntitledForProvisioning": entitled, "countEscrowed": 0,
                   "countEscrowedRaw": 0, "countExported": 0, "countExports": 0,
                   "countImported": entitled, "countImportedDeltas": 0,
                   "countImportedReferenceDeltas": 0, "error": None, "state": "Succeeded",
                   "timeBegan": iso(began), "timeEnded": iso(now)}
            if spec["outcome"] == "succeed":
                exported = int(spec.get("exported", 2))
                run.update(countExported=exported, countExports=exported,
                           countImportedDeltas=exported)
                st.update(code="Active", quarantine=None, countSuccessiveCompleteFailures=0,
                          lastExecution=run, lastSuccessfulExecution=dict(run), progress=[],
                          steadyStateLastAchievedTime=iso(now))
                self.retries.pop(job["id"], None)
                if st.get("steadyStateFirstAchievedTime") in (None, "", SENTINEL):
                    st["steadyStateFirstAchievedTime"] = iso(now)
                if exported > 0:
                    st["lastSuccessfulExecutionWithExports"] = dict(run)
            else:
                err = _cycle_error(st, spec)
                run.update(state="Failed", error=dict(err), countImported=0,
                           countEntitled=0, countEntitledForProvisioning=0)
                st["lastExecution"] = run
                st["countSuccessiveCompleteFailures"] = int(
                    st.get("countSuccessiveCompleteFailures") or 0) + 1
                if spec["outcome"] == "quarantine":
                    self.quarantine(job, spec.get("reason", "EncounteredQuarantineException"),
                                    error=err, now=now)
                elif st.get("code") in (None, "NotRun"):
                    st["code"] = "Active"
            self.count_job("cycles", job["id"])

    def quarantine(self, job, reason, error=None, now=None):
        """Quarantines the job (or keeps it quarantined): a series begins
        unless one is running (a start ends it), and Microsoft's next retry
        is scheduled (nextAttempt): 6 h, 12 h, 24 h after the series began,
        then daily; none after 28 days (what Graph shows then is not
        documented: the emulator stops retrying)."""
        now = self.now() if now is None else now
        with self.lock:
            st = job.setdefault("status", {})
            old = st.get("quarantine") or {}
            series = parse_iso(old.get("seriesBegan")) if old.get("seriesBegan") else None
            series = now if series is None else series
            nxt = next_retry(series, now)
            st["code"] = "Quarantine"
            st["quarantine"] = {
                "currentBegan": iso(now),
                "nextAttempt": iso(nxt) if nxt is not None else SENTINEL,
                "reason": reason,
                "seriesBegan": iso(series),
                "seriesCount": int(old.get("seriesCount") or 0) + 1,
                "error": dict(error) if error else {
                    "code": "EmulatorQuarantine",
                    "message": "Quarantined by the test emulator (%s)." % reason,
                    "tenantActionable": True},
            }
            self.cycles.pop(job["id"], None)
            self.initial.pop(job["id"], None)
            if nxt is not None:
                self.retries[job["id"]] = nxt
            else:
                self.retries.pop(job["id"], None)

    def count_job(self, kind, job_id):
        with self.lock:
            d = self.counters[kind]
            d[job_id] = d.get(job_id, 0) + 1

    # -- throttling ----------------------------------------------------------
    def throttled(self, now=None):
        """Counts one Graph request against throttle_after per throttle_window;
        -> seconds to wait when it is over the limit (not counted), else None."""
        limit = self.settings.get("throttle_after")
        if not limit:
            return None
        now = self.now() if now is None else now
        window = float(self.settings.get("throttle_window") or 10)
        with self.lock:
            self.throttle = [t for t in self.throttle if t > now - window]
            if len(self.throttle) >= int(limit):
                self.counters["throttled"] += 1
                return max(1, int(math.ceil(self.throttle[0] + window - now)))
            self.throttle.append(now)
        return None

    # -- faults and request log -------------------------------------------
    def take_fault(self, target, method, path):
        with self.lock:
            for f in self.faults:
                if f.times != 0 and f.matches(target, method, path):
                    if f.times > 0:
                        f.times -= 1
                    return f.spec
        return None

    def count(self, name, n=1):
        with self.lock:
            self.counters[name] += n

    def log_request(self, entry):
        with self.lock:
            if not self.request_is_current():
                return
            reqs = self.counters["requests"]
            reqs.append(entry)
            del reqs[:-500]

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.counters))


def next_retry(series_began, now):
    """Microsoft's next retry of a quarantine series begun at series_began,
    after now; None once 28 days have passed."""
    offsets = list(RETRY_FIRST)
    while offsets[-1] + RETRY_EVERY <= RETRY_FOR:
        offsets.append(offsets[-1] + RETRY_EVERY)
    for off in offsets:
        # times pass through ISO strings (microseconds): a retry that has
        # just run must not come out as still ahead
        if series_began + off > now + 0.001:
            return series_began + off
    return None


def _cycle_error(st, spec):
    """The error a failing cycle reports: the code asked for ("error_code",
    or "reason" for outcome fail), else the job's last real error, else a
    generic one."""
    code = spec.get("error_code") or (spec.get("reason") if spec["outcome"] == "fail" else None)
    if code:
        return {"code": code, "message": spec.get("message", "The emulated cycle failed (%s)." % code),
                "tenantActionable": True}
    for e in ((st.get("lastExecution") or {}).get("error"), (st.get("quarantine") or {}).get("error")):
        if isinstance(e, dict) and e.get("code") not in (None, "", "None"):
            return dict(e)
    return {"code": "EmulatorCycleFailed", "message": "The emulated synchronization cycle failed.",
            "tenantActionable": True}


def placeholder_execution():
    """The lastExecution Graph shows on a job that has not run yet: "Failed",
    error code "None", zero counts, sentinel times."""
    return {"activityIdentifier": None, "countEntitled": 0, "countEntitledForProvisioning": 0,
            "countEscrowed": 0, "countEscrowedRaw": 0, "countExported": 0, "countExports": 0,
            "countImported": 0, "countImportedDeltas": 0, "countImportedReferenceDeltas": 0,
            "state": "Failed", "timeBegan": SENTINEL, "timeEnded": SENTINEL,
            "error": {"code": "None", "message": "", "tenantActionable": False}}


FEATURES = ("blockCloudObjectTakeoverThroughHardMatchEnabled", "blockSoftMatchEnabled",
            "bypassDirSyncOverridesEnabled", "cloudPasswordPolicyForPasswordSyncedUsersEnabled",
            "concurrentCredentialUpdateEnabled", "concurrentOrgIdProvisioningEnabled",
            "deviceWritebackEnabled", "directoryExtensionsEnabled",
            "fopeConflictResolutionEnabled", "groupWriteBackEnabled", "passwordSyncEnabled",
            "passwordWritebackEnabled", "quarantineUponProxyAddressesConflictEnabled",
            "quarantineUponUpnConflictEnabled", "softMatchOnUpnEnabled",
            "synchronizeUpnForManagedUsersEnabled", "unifiedGroupWritebackEnabled",
            "userForcePasswordChangeOnLogonEnabled", "userWritebackEnabled")


def _default_organization(tenant):
    return {"id": tenant, "deletedDateTime": None, "businessPhones": ["+31 20 555 0100"],
            "city": "Amsterdam", "country": None, "countryLetterCode": "NL",
            "createdDateTime": "2019-03-14T09:26:53Z", "defaultUsageLocation": None,
            "displayName": "Contoso (emulated)", "isMultipleDataLocationsForServicesEnabled": None,
            "marketingNotificationEmails": [], "onPremisesLastPasswordSyncDateTime": None,
            "onPremisesLastSyncDateTime": None, "onPremisesSyncEnabled": None,
            "partnerTenantType": None, "postalCode": None, "preferredLanguage": "en",
            "securityComplianceNotificationMails": [],
            "securityComplianceNotificationPhones": [], "state": None, "street": None,
            "technicalNotificationMails": ["it@contoso.onmicrosoft.com"], "tenantType": "AAD",
            "directorySizeQuota": {"used": 1312, "total": 300000}, "assignedPlans": [],
            "privacyProfile": {"contactEmail": "", "statementUrl": ""}, "provisionedPlans": [],
            "verifiedDomains": [{"capabilities": "Email, OfficeCommunicationsOnline",
                                 "isDefault": True, "isInitial": True,
                                 "name": "contoso.onmicrosoft.com", "type": "Managed"}]}


def _default_onprem_sync(tenant):
    return {"id": tenant,
            "configuration": {
                "accidentalDeletionPrevention": {"synchronizationPreventionType": "enabledForCount",
                                                 "alertThreshold": 500},
                "anchorAttribute": "mS-DS-ConsistencyGuid",
                "applicationId": "1a2b3c4d-0000-4000-8000-00000000c0de",
                "currentExportData": None,
                "customerRequestedSynchronizationInterval": None,
                "synchronizationClientVersion": "2.4.27.0",
                "synchronizationInterval": "PT30M",
                "writebackConfiguration": None},
            "features": {k: False for k in FEATURES}}
