"""Emulator state: fixture loading, time templates, clients, tokens,
service principals, counters and faults. No HTTP here."""

import copy
import datetime
import hashlib
import json
import re
import secrets
import threading
import time

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
DEFAULT_SETTINGS = {"token_lifetime": 3600, "page_size": 50}
_TEMPLATE = re.compile(r"^\{\{now(?:([+-])(\d+))?\}\}$")


def iso(ts):
    """Epoch seconds -> ISO 8601 UTC with 7 fraction digits, as Graph writes."""
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d0Z" % d.microsecond


def expand(value, now=None):
    """Replaces every string value "{{now}}", "{{now-N}}", "{{now+N}}"."""
    now = time.time() if now is None else now
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


def cert_ids(pem):
    """PEM certificate -> (public key, x5t, x5t#S256)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from base64 import urlsafe_b64encode

    cert = x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
    der = cert.public_bytes(Encoding.DER)
    b64 = lambda b: urlsafe_b64encode(b).rstrip(b"=").decode()
    return cert.public_key(), b64(hashlib.sha1(der).digest()), b64(hashlib.sha256(der).digest())


class Fault:
    KEYS = {"target", "path_contains", "method", "times", "status", "headers", "body",
            "json", "retry_after", "delay", "trickle", "drop", "truncate", "oversize",
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


class State:
    def __init__(self, fixture_path):
        self.fixture_path = fixture_path
        self.lock = threading.RLock()
        self.reset()

    # -- loading -----------------------------------------------------------
    def reset(self):
        with open(self.fixture_path) as f:
            fx = json.load(f)
        with self.lock:
            self.settings = dict(DEFAULT_SETTINGS)
            self.tenants = {}     # alias (lower) -> tenant id
            self.clients = {}     # client_id -> dict
            self.managed = {}     # client_id -> dict (tenant, permissions, system)
            self.tokens = {}      # token -> (client_id, permissions, expires_epoch)
            self.sps = {}         # sp id -> {"id","appId","jobs":[...]}
            self.faults = []
            self.counters = self._fresh_counters()
            for t in fx.get("tenants", []):
                for alias in [t["id"]] + t.get("domains", []):
                    self.tenants[alias.lower()] = t["id"]
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
                "assertion_algs": {}, "graph_requests": 0, "imds_requests": 0,
                "starts": {}, "pauses": {}, "restarts": {}, "requests": []}

    def default_tenant(self):
        return next(iter(self.tenants.values()), None)

    def add_client(self, c):
        if "client_id" not in c:
            raise ValueError("client_id is required")
        entry = {"client_id": c["client_id"],
                 "tenant": c.get("tenant") or self.default_tenant(),
                 "secret": c.get("secret"),
                 "secret_expired": bool(c.get("secret_expired", False)),
                 "permissions": list(c.get("permissions", [])),
                 "certs": []}
        pems = c.get("certificate_pem")
        for pem in ([pems] if isinstance(pems, str) else pems or []):
            key, x5t, x5t256 = cert_ids(pem)
            entry["certs"].append({"key": key, "x5t": x5t, "x5t#S256": x5t256})
        with self.lock:
            self.clients[c["client_id"]] = entry
        return entry

    def put_sp(self, sp_id, body):
        jobs = body.get("jobs", [])
        if not isinstance(jobs, list) or not all(isinstance(j, dict) and "id" in j for j in jobs):
            raise ValueError("jobs must be a list of objects with an id")
        with self.lock:
            self.sps[sp_id.lower()] = {"id": sp_id, "appId": body.get("appId"),
                                       "jobs": expand(copy.deepcopy(jobs))}

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
        with self.lock:
            for s in [sp] if sp else list(self.sps.values()):
                for j in s["jobs"]:
                    if j["id"] == job_id:
                        return j
        return None

    # -- tokens ------------------------------------------------------------
    def issue_token(self, client_id, permissions, scope):
        tok = secrets.token_urlsafe(48)
        life = int(self.settings["token_lifetime"])
        with self.lock:
            self.tokens[tok] = (client_id, list(permissions), time.time() + life)
            if scope is not None:
                c = self.counters
                c["sign_ins_total"] += 1
                c["sign_ins"][client_id] = c["sign_ins"].get(client_id, 0) + 1
                c["scopes"][scope] = c["scopes"].get(scope, 0) + 1
        return tok, life

    def check_token(self, tok):
        """-> (client_id, permissions) or None when unknown or expired."""
        with self.lock:
            t = self.tokens.get(tok)
            if t is None or t[2] <= time.time():
                return None
            return t[0], t[1]

    # -- job actions -------------------------------------------------------
    def start(self, job):
        with self.lock:
            st = job.setdefault("status", {})
            if st.get("code") in ("Quarantine", "Paused"):
                st["code"] = "Active"
                st["quarantine"] = None
                st["countSuccessiveCompleteFailures"] = 0
                # The cycle that start triggers succeeds, as when the admin
                # has fixed the cause; /_emu/jobs/{id}/quarantine models a
                # cause that persists.
                now = iso(time.time())
                run = {"activityIdentifier": None, "countEscrowed": 0,
                       "countExported": 0, "countImported": 0, "error": None,
                       "state": "Succeeded", "timeBegan": now, "timeEnded": now}
                st["lastExecution"] = dict(run)
                st["lastSuccessfulExecution"] = dict(run)
            sched = job.get("schedule")
            if isinstance(sched, dict) and sched.get("state") == "Paused":
                sched["state"] = "Active"
            self._count("starts", job["id"])

    def pause(self, job):
        with self.lock:
            job.setdefault("status", {})["code"] = "Paused"
            if isinstance(job.get("schedule"), dict):
                job["schedule"]["state"] = "Paused"
            self._count("pauses", job["id"])

    def restart(self, job):
        self._count("restarts", job["id"])

    def quarantine(self, job, reason):
        now = time.time()
        with self.lock:
            st = job.setdefault("status", {})
            old = st.get("quarantine") or {}
            st["code"] = "Quarantine"
            st["quarantine"] = {
                "currentBegan": iso(now),
                "nextAttempt": iso(now + 6 * 3600),
                "reason": reason,
                "seriesBegan": old.get("seriesBegan") or iso(now),
                "seriesCount": int(old.get("seriesCount") or 0) + 1,
                "error": {"code": "EmulatorQuarantine",
                          "message": "Quarantined by the test emulator (%s)." % reason,
                          "tenantActionable": True},
            }

    def _count(self, kind, job_id):
        with self.lock:
            d = self.counters[kind]
            d[job_id] = d.get(job_id, 0) + 1

    # -- faults and request log -------------------------------------------
    def take_fault(self, target, method, path):
        with self.lock:
            for f in self.faults:
                if f.times != 0 and f.matches(target, method, path):
                    if f.times > 0:
                        f.times -= 1
                    return f.spec
        return None

    def log_request(self, entry):
        with self.lock:
            reqs = self.counters["requests"]
            reqs.append(entry)
            del reqs[:-500]

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.counters))
