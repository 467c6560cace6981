# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft Graph as the plugin sees it: synchronization jobs, JSON batching,
service principals, the organization, on-premises directory synchronization
and application credentials, plus the fault machinery. Every handler takes a
Req and returns a Response, so plain requests and the items of a $batch go
through the same code (authorization, permissions, faults, throttling)."""

import base64
import copy
import datetime
import hashlib
import json
import re
import time
import uuid
from urllib.parse import parse_qs, quote, unquote, urlsplit

import emuauth
import emuprovlog
from emustate import (READ, WRITE, APP_READ, ORG_READ, ONPREM_READ, SYNC_ROLES, GLOBAL_ADMIN,
                      MAX_BATCH, replaces)


class Response:
    # Graph writes text beyond ASCII as raw UTF-8 ("Thomas Müller"); the
    # setting non_ascii=escaped (\u00fc) is the other spelling JSON allows.
    escape_non_ascii = False

    def __init__(self, status, body=b"", headers=None, obj=None):
        self.status, self.headers, self.obj = status, dict(headers or {}), obj
        if obj is not None:
            body = json.dumps(obj, ensure_ascii=Response.escape_non_ascii).encode()
            self.headers.setdefault("Content-Type", "application/json; charset=utf-8")
        self.body = body
        self.transport = {}   # truncate/trickle/invalid_utf8 asked for by a batch item


class Headers(dict):
    """Case-insensitive header lookup for batch items (the outer request's
    headers are Python's own case-insensitive message)."""

    def __init__(self, items=()):
        super().__init__()
        for k, v in dict(items).items():
            self[k] = v

    def __setitem__(self, k, v):
        super().__setitem__(k.lower(), v)

    def get(self, k, default=None):
        return super().get(k.lower(), default)

    def __contains__(self, k):
        return super().__contains__(k.lower())


class Req:
    def __init__(self, method, path, query, headers, body, base_url, client_request_id,
                 in_batch=False):
        self.method, self.path, self.query = method, path, query
        self.headers, self.body, self.base_url = headers, body, base_url
        self.request_id = str(uuid.uuid4())
        self.client_request_id = client_request_id
        self.in_batch = in_batch


def graph_error(status, code, message, req, headers=None):
    return Response(status, headers=headers, obj={"error": {"code": code, "message": message, "innerError": {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": req.request_id, "client-request-id": req.client_request_id}}})


# -- faults -------------------------------------------------------------------
def fault_response(f, target, req):
    if f.get("drop"):
        return None
    if f.get("redirect"):
        return Response(f.get("status", 302), headers={"Location": f["redirect"]})
    headers = dict(f.get("headers", {}))
    if "retry_after" in f:
        headers["Retry-After"] = str(f["retry_after"])
    status = int(f.get("status", 429 if "retry_after" in f else 200))
    if "json" in f:
        return Response(status, headers=headers, obj=f["json"])
    if "body" in f:
        headers.setdefault("Content-Type", "application/json")
        return Response(status, f["body"].encode("utf-8", "surrogateescape"), headers)
    if f.get("nest"):
        d = int(f["nest"])
        headers.setdefault("Content-Type", "application/json")
        return Response(status, b"[" * d + b"]" * d, headers)
    if status == 429 and target == "graph":
        r = graph_error(429, "TooManyRequests", "Too many requests.", req)
    elif status >= 400 and target == "graph":
        r = graph_error(status, "UnknownError", "Injected fault.", req)
    elif status >= 400:
        r = Response(status, obj=emuauth.aad_error(
            status, "temporarily_unavailable", 50196, "Injected fault.")[1])
    else:
        r = Response(status, obj={})
    r.headers.update(headers)
    return r


def mutate(f, resp):
    if f.get("next_link") and isinstance(resp.obj, dict) and "value" in resp.obj:
        resp = Response(resp.status, headers=resp.headers,
                        obj=dict(resp.obj, **{"@odata.nextLink": f["next_link"]}))
    if f.get("oversize") and isinstance(resp.obj, dict):
        size = int(f["oversize"])
        pad = max(0, size - len(resp.body) - 20)
        resp = Response(resp.status, headers=resp.headers,
                        obj=dict(resp.obj, **{"x-emulator-padding": "x" * pad}))
    if f.get("invalid_utf8"):
        b = resp.body
        i = b.find(b'":"')
        resp.body = b[:i + 3] + b"\xff\xfe\xc3" + b[i + 3:] if i >= 0 else b + b"\xff"
    return resp


def process(state, req, target, route):
    """Faults, then throttling (Graph only), then the real handler.
    -> (Response or None for a dropped connection, the fault that matched)."""
    fault = state.take_fault(target, req.method, req.path)
    if fault and fault.get("delay"):
        time.sleep(float(fault["delay"]))
        if not state.request_is_current():
            return None, fault    # its test has ended: closed unanswered, not logged
    if fault and replaces(fault):
        return fault_response(fault, target, req), fault
    if target == "graph" and not req.path.endswith("/$batch"):
        wait = state.throttled()
        if wait is not None:
            return graph_error(429, "TooManyRequests", "Too many requests; retry after %d s." % wait,
                               req, headers={"Retry-After": str(wait)}), fault
    resp = route(req)
    if fault and resp is not None:
        resp = mutate(fault, resp)
    return resp, fault


# -- routing --------------------------------------------------------------------
VERSION_RE = re.compile(r"^/(v1\.0|beta)(/.*)?$")
_SP = r"(?:/([^/()]+)|\(appId='([^']*)'\))"
ROUTES = [
    (re.compile(r"^/\$batch$"), "batch"),
    (re.compile(r"^/servicePrincipals/?$"), "sp_list"),
    (re.compile(r"^/servicePrincipals" + _SP + r"/?$"), "sp_get"),
    (re.compile(r"^/servicePrincipals" + _SP +
                r"/synchronization/jobs(?:/([^/]+)(?:/(start|pause|restart))?)?/?$"), "jobs"),
    (re.compile(r"^/organization(?:/([^/]+))?/?$"), "organization"),
    (re.compile(r"^/directory/onPremisesSynchronization(?:/([^/]+))?/?$"), "onprem_sync"),
    (re.compile(r"^/applications/?$"), "app_list"),
    (re.compile(r"^/applications" + _SP + r"/?$"), "app_get"),
    (re.compile(r"^/auditLogs/provisioning/?$"), "provisioning"),
]
SP_PROPS = ("id", "appId", "displayName", "appDisplayName", "accountEnabled",
            "servicePrincipalType", "servicePrincipalNames", "tags")
APP_PROPS = ("id", "appId", "displayName", "createdDateTime", "signInAudience",
             "passwordCredentials", "keyCredentials")
ONPREM_PROPS = ("id", "configuration", "features")
V1_CONFIGURATION = ("accidentalDeletionPrevention",)   # what the v1.0 resource page lists


class Graph:
    def __init__(self, state):
        self.state = state

    def route(self, req):
        try:
            m = VERSION_RE.match(req.path)
            if m:
                version, rest = m.group(1), m.group(2) or "/"
                for rx, name in ROUTES:
                    g = rx.match(rest)
                    if g:
                        if name == "batch":
                            return self.batch(req, version)
                        who = self.caller(req)
                        if isinstance(who, Response):
                            return who
                        return getattr(self, name)(req, who, version, *g.groups())
            seg = req.path.rstrip("/").rsplit("/", 1)[-1]
            return graph_error(400, "BadRequest", "Resource not found for the segment '%s'." % seg, req)
        except (ValueError, KeyError, TypeError) as e:
            return graph_error(400, "BadRequest", "emulator: %s" % e, req)

    # -- who is calling, and may they -------------------------------------------
    def caller(self, req):
        auth = req.headers.get("Authorization", "") or ""
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.", req)
        who = self.state.check_token(auth[7:].strip())
        if who is None:
            return graph_error(401, "InvalidAuthenticationToken",
                               "Access token has expired or is not yet valid.", req)
        return who

    @staticmethod
    def has(who, perms):
        return any(p in who["permissions"] for p in perms)

    def tenant_denied(self, req):
        """Missing permission on a directory endpoint: Authorization_RequestDenied
        (403), or with tenant_permission_error 401 the synchronization quirk."""
        if int(self.state.settings.get("tenant_permission_error", 403)) == 401:
            return graph_error(401, "UnknownError", "", req)
        return denied(req)

    def query(self, req):
        return {k: v[0] for k, v in parse_qs(req.query or "", keep_blank_values=True).items()}

    # -- synchronization jobs -------------------------------------------------------
    def jobs(self, req, who, version, sp_id, app_id, job_id, action):
        method = req.method
        need = (WRITE,) if action else (READ, WRITE)
        if not self.has(who, need):
            return graph_error(401, "UnknownError", "", req)
        if who["kind"] == "delegated" and not (who["wids"] & set(SYNC_ROLES)):
            return denied(req)
        st = self.state
        sp = st.find_sp(sp_id=sp_id) if sp_id else st.find_sp(app_id=app_id)
        if sp is None:
            return not_found(req, sp_id or app_id)
        ctx = "%s/%s/$metadata#servicePrincipals('%s')/synchronization/jobs" % (
            req.base_url, version, sp["id"])
        if job_id is None:
            if method != "GET":
                return graph_error(405, "Request_BadRequest", "Method not allowed.", req)
            return self.list_jobs(req, version, sp, ctx, app_id is not None)
        job = st.find_job(job_id, sp)
        if job is None:
            return graph_error(404, "Request_ResourceNotFound",
                               "Resource '%s' does not exist." % job_id, req)
        if action is None:
            if method != "GET":
                return graph_error(405, "Request_BadRequest", "Method not allowed.", req)
            with st.lock:
                return Response(200, obj=dict({"@odata.context": ctx + "/$entity"}, **job))
        if method != "POST":
            return graph_error(405, "Request_BadRequest", "Method not allowed.", req)
        if req.body is None and not req.in_batch:
            return Response(411, b"<h2>Length Required</h2>", {"Content-Type": "text/html"})
        if action == "restart":
            try:
                crit = json.loads(req.body or b"null")
                assert isinstance(crit, dict) and isinstance(crit.get("criteria"), dict)
            except (ValueError, AssertionError):
                return graph_error(400, "BadRequest", "restart needs a criteria object.", req)
        getattr(st, action)(job)
        return Response(204)

    def list_jobs(self, req, version, sp, ctx, by_app_id):
        q = self.query(req)
        try:
            skip = int(q.get("$skiptoken", "0"))
        except ValueError:
            return graph_error(400, "BadRequest", "Invalid $skiptoken.", req)
        st = self.state
        if sp.get("raw_list_body") is not None:
            return Response(200, sp["raw_list_body"].encode("utf-8"),
                            {"Content-Type": "application/json; charset=utf-8"})
        size = max(1, int(st.settings["page_size"]))
        with st.lock:
            page = [copy.deepcopy(j) for j in sp["jobs"][skip:skip + size]]
            more = skip + size < len(sp["jobs"])
        obj = {"@odata.context": ctx, "value": page}
        if more:
            where = ("servicePrincipals(appId='%s')" % sp["appId"] if by_app_id
                     else "servicePrincipals/%s" % sp["id"])
            obj["@odata.nextLink"] = "%s/%s/%s/synchronization/jobs?$skiptoken=%d" % (
                req.base_url, version, where, skip + size)
        return Response(200, obj=obj)

    # -- JSON batching ------------------------------------------------------------
    def batch(self, req, version):
        st = self.state
        st.count("batch_requests")
        if req.method != "POST":
            return graph_error(405, "Request_BadRequest", "Method not allowed.", req)
        who = self.caller(req)      # no or a bad token fails the whole batch
        if isinstance(who, Response):
            return who
        try:
            doc = json.loads(req.body or b"")
        except ValueError:
            return graph_error(400, "BadRequest", "The batch body is not valid JSON.", req)
        items = doc.get("requests") if isinstance(doc, dict) else None
        if not isinstance(items, list) or not items:
            return graph_error(400, "BadRequest", "The batch body needs a non-empty 'requests' array.", req)
        if len(items) > MAX_BATCH:
            return graph_error(400, "BadRequest", "The batch holds %d requests; at most %d are "
                               "allowed in one batch." % (len(items), MAX_BATCH), req)
        seen = set()
        for it in items:
            if not (isinstance(it, dict) and isinstance(it.get("id"), str) and it["id"]
                    and isinstance(it.get("method"), str) and isinstance(it.get("url"), str)):
                return graph_error(400, "BadRequest", "Every batch request needs a string id, "
                                   "method and url.", req)
            if it["id"].lower() in seen:
                return graph_error(400, "BadRequest", "Batch request ids must be unique; '%s' "
                                   "appears twice." % it["id"], req)
            seen.add(it["id"].lower())
        outcome, out, transport = {}, [], {}
        for it in items:
            deps = it.get("dependsOn") or []
            if any(outcome.get(str(d).lower(), 424) >= 400 for d in deps):
                inner_req = self.inner(req, version, it)
                resp = graph_error(424, "FailedDependency",
                                   "A request this one depends on failed.", inner_req)
            else:
                inner_req = self.inner(req, version, it)
                if inner_req is None:
                    resp = graph_error(400, "BadRequest", "A batch url is relative to the "
                                       "version root (e.g. /servicePrincipals) and is not "
                                       "itself a batch.", req)
                else:
                    st.count("graph_requests")
                    st.count("batch_items")
                    resp, fault = process(st, inner_req, "graph", self.route)
                    if resp is None:          # a dropped connection drops the whole batch
                        return None
                    for k in ("truncate", "trickle", "invalid_utf8"):
                        if fault and fault.get(k):
                            transport[k] = fault[k]
                    self.log_inner(req, inner_req, it["id"], resp.status)
            outcome[it["id"].lower()] = resp.status
            out.append(batch_item(it["id"], resp))
        order = st.settings.get("batch_order", "reversed")
        if order == "reversed":
            out.reverse()
        elif order == "shuffled":
            out.sort(key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
        resp = Response(200, obj={"responses": out})
        resp.transport = transport
        return resp

    @staticmethod
    def inner(req, version, it):
        url = it["url"]
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("//"):
            return None
        u = urlsplit("/" + url.lstrip("/"))
        if unquote(u.path).rstrip("/") == "/$batch":
            return None   # no batches inside a batch
        headers = Headers(it.get("headers") or {})
        headers["Authorization"] = req.headers.get("Authorization", "")
        body = it.get("body")
        body = None if body is None else (body.encode() if isinstance(body, str)
                                          else json.dumps(body).encode())
        return Req(it["method"].upper(), "/%s%s" % (version, unquote(u.path)), u.query, headers,
                   body, req.base_url, req.client_request_id, in_batch=True)

    def log_inner(self, outer, inner, item_id, status):
        h = outer.headers
        self.state.log_request({"method": inner.method, "path": inner.path, "status": status,
                                "batch_item": item_id, "headers": {
                                    "User-Agent": h.get("User-Agent"),
                                    "client-request-id": h.get("client-request-id"),
                                    "Content-Length": None, "Metadata": None,
                                    "Authorization-present": bool(inner.headers.get("Authorization"))}})

    # -- service principals ---------------------------------------------------------
    def sp_list(self, req, who, version):
        if not self.has(who, APP_READ):
            return self.tenant_denied(req)
        st = self.state
        st.count("service_principal_list_requests")
        q = self.query(req)
        top = q.get("$top", "100")
        if not re.fullmatch(r"\d{1,6}", top) or not 1 <= int(top) <= 999:
            return graph_error(400, "Request_UnsupportedQuery", "Invalid page size specified: "
                               "'%s'. Must be between 1 and 999 inclusive." % top, req)
        top = int(top)
        skip = decode_skiptoken(q.get("$skiptoken"))
        if skip is None:
            return graph_error(400, "Request_UnsupportedQuery", "The $skiptoken is not valid.", req)
        match = sp_filter(q.get("$filter"))
        if match is None:
            return graph_error(400, "Request_UnsupportedQuery", "Unsupported or invalid query "
                               "filter clause specified for property of resource 'ServicePrincipal'.", req)
        sel = selection(q, SP_PROPS, "servicePrincipal")
        if isinstance(sel, str):
            return graph_error(400, "BadRequest", sel, req)
        with st.lock:
            items = [sp for sp in st.sps.values() if match(sp)]
            page = [sp_view(sp) for sp in items[skip:skip + top]]
        page = [pick(v, sel) for v in page]
        obj = {"@odata.context": "%s/%s/$metadata#servicePrincipals%s" % (
            req.base_url, version, "(%s)" % ",".join(sel) if sel else ""), "value": page}
        if skip + top < len(items):
            q["$skiptoken"] = encode_skiptoken(skip + top)
            obj["@odata.nextLink"] = "%s/%s/servicePrincipals?%s" % (
                req.base_url, version, "&".join("%s=%s" % (k, quote(v, safe="$,'()= "))
                                                 for k, v in q.items()).replace(" ", "%20"))
        return Response(200, obj=obj)

    def sp_get(self, req, who, version, sp_id, app_id):
        if not self.has(who, APP_READ):
            return self.tenant_denied(req)
        sp = self.state.find_sp(sp_id=sp_id) if sp_id else self.state.find_sp(app_id=app_id)
        if sp is None:
            return not_found(req, sp_id or app_id)
        sel = selection(self.query(req), SP_PROPS, "servicePrincipal")
        if isinstance(sel, str):
            return graph_error(400, "BadRequest", sel, req)
        return Response(200, obj=dict({"@odata.context": "%s/%s/$metadata#servicePrincipals/$entity"
                                       % (req.base_url, version)}, **pick(sp_view(sp), sel)))

    # -- the tenant -----------------------------------------------------------------
    def organization(self, req, who, version, org_id):
        limited = not self.has(who, ORG_READ)
        if limited and not (who["kind"] == "delegated" and "User.Read" in who["permissions"]):
            return self.tenant_denied(req)
        st = self.state
        st.count("organization_requests")
        with st.lock:
            org = copy.deepcopy(st.tenant_data[who["tenant"]]["organization"])
        if version == "v1.0":
            org.pop("onPremisesLastPasswordSyncDateTime", None)   # beta only
        if limited:   # User.Read: only id, displayName and verifiedDomains are filled
            org = {k: (v if k in ("id", "displayName", "verifiedDomains") else None)
                   for k, v in org.items()}
        if org_id is not None and org_id.lower() != org["id"].lower():
            return not_found(req, org_id)
        sel = selection(self.query(req), tuple(org), "organization")
        if isinstance(sel, str):
            return graph_error(400, "BadRequest", sel, req)
        ctx = "%s/%s/$metadata#organization%s" % (req.base_url, version,
                                                 "(%s)" % ",".join(sel) if sel else "")
        if org_id is not None:
            return Response(200, obj=dict({"@odata.context": ctx + "/$entity"}, **pick(org, sel)))
        return Response(200, obj={"@odata.context": ctx, "value": [pick(org, sel)]})

    def onprem_sync(self, req, who, version, obj_id):
        if not self.has(who, ONPREM_READ):
            return self.tenant_denied(req)
        st = self.state
        if who["kind"] == "app" and st.settings.get("onprem_sync_app_tokens") == "refuse":
            return denied(req)
        if who["kind"] == "delegated" and GLOBAL_ADMIN not in who["wids"]:
            return denied(req)
        st.count("onprem_sync_requests")
        with st.lock:
            obj = copy.deepcopy(st.tenant_data[who["tenant"]]["onPremisesSynchronization"])
        if version == "v1.0" and isinstance(obj.get("configuration"), dict):
            obj["configuration"] = {k: v for k, v in obj["configuration"].items()
                                    if k in V1_CONFIGURATION}
        if obj_id is not None and obj_id.lower() != obj["id"].lower():
            return not_found(req, obj_id)
        sel = selection(self.query(req), ONPREM_PROPS, "onPremisesDirectorySynchronization")
        if isinstance(sel, str):
            return graph_error(400, "BadRequest", sel, req)
        ctx = "%s/%s/$metadata#directory/onPremisesSynchronization%s" % (
            req.base_url, version, "(%s)" % ",".join(sel) if sel else "")
        if obj_id is not None:
            return Response(200, obj=dict({"@odata.context": ctx + "/$entity"}, **pick(obj, sel)))
        return Response(200, obj={"@odata.context": ctx, "value": [pick(obj, sel)]})

    # -- applications (the monitoring identity's own credentials) -------------------
    def app_get(self, req, who, version, obj_id, app_id):
        if not self.has(who, APP_READ):
            return self.tenant_denied(req)
        st = self.state
        st.count("application_requests")
        app = st.find_application(app_id=app_id) if app_id is not None else \
            st.find_application(object_id=obj_id)
        if app is None:
            return not_found(req, app_id if app_id is not None else obj_id)
        sel = selection(self.query(req), APP_PROPS, "application")
        if isinstance(sel, str):
            return graph_error(400, "BadRequest", sel, req)
        # keyCredentials[].key only comes back when $select names keyCredentials
        # on a single object (keyCredential resource page).
        view = app_view(app, with_key=bool(sel) and "keyCredentials" in sel)
        ctx = "%s/%s/$metadata#applications%s/$entity" % (
            req.base_url, version, "(%s)" % ",".join(sel) if sel else "")
        return Response(200, obj=dict({"@odata.context": ctx}, **pick(view, sel)))

    def app_list(self, req, who, version):
        if not self.has(who, APP_READ):
            return self.tenant_denied(req)
        st = self.state
        st.count("application_requests")
        q = self.query(req)
        f = q.get("$filter")
        m = re.fullmatch(r"\s*appId\s+eq\s+'([^']*)'\s*", f or "") if f else None
        if f and not m:
            return graph_error(400, "Request_UnsupportedQuery", "Unsupported or invalid query "
                               "filter clause specified for property of resource 'Application'.", req)
        sel = selection(q, APP_PROPS, "application")
        if isinstance(sel, str):
            return graph_error(400, "BadRequest", sel, req)
        with st.lock:
            apps = [c["application"] for c in st.clients.values()
                    if not m or c["application"]["appId"].lower() == m.group(1).lower()]
            value = [pick(app_view(a, with_key=False), sel) for a in apps]
        ctx = "%s/%s/$metadata#applications%s" % (req.base_url, version,
                                                 "(%s)" % ",".join(sel) if sel else "")
        return Response(200, obj={"@odata.context": ctx, "value": value})


    # -- provisioning logs (emuprovlog.py) --------------------------------------------
    def provisioning(self, req, who, version):
        if req.method != "GET":
            return graph_error(405, "Request_BadRequest", "Method not allowed.", req)
        answer = emuprovlog.list_events(self.state, req, who, version, self.query(req))
        if answer[0] == "ok":
            return Response(200, obj=answer[1])
        _, status, code, message, headers = answer
        return graph_error(status, code, message, req, headers=headers)


# -- helpers ----------------------------------------------------------------------
def denied(req):
    return graph_error(403, "Authorization_RequestDenied",
                       "The caller lacks the privileges this operation needs.", req)


def not_found(req, what):
    return graph_error(404, "Request_ResourceNotFound", "Resource '%s' does not exist or one of "
                       "its queried reference-property objects are not present." % what, req)


def selection(q, allowed, type_name):
    """-> the $select list ([] when absent), or an error message string."""
    raw = q.get("$select")
    if raw is None:
        return []
    props = [p.strip() for p in raw.split(",") if p.strip()]
    for p in props:
        if p not in allowed:
            return "Could not find a property named '%s' on type 'microsoft.graph.%s'." % (p, type_name)
    return props


def pick(obj, sel):
    return {k: v for k, v in obj.items() if k in sel} if sel else obj


def sp_view(sp):
    return {"id": sp["id"], "appId": sp.get("appId"), "displayName": sp.get("displayName"),
            "appDisplayName": sp.get("displayName"), "accountEnabled": True,
            "servicePrincipalType": "Application",
            "servicePrincipalNames": [sp["appId"]] if sp.get("appId") else [],
            "tags": ["WindowsAzureActiveDirectoryIntegratedApp"]}


def app_view(app, with_key):
    view = copy.deepcopy(app)
    for k in view["keyCredentials"]:
        if not with_key:
            k["key"] = None
    return view


def sp_filter(f):
    """Supports "<prop> eq '<value>'" on id, appId and displayName."""
    if not f:
        return lambda sp: True
    m = re.fullmatch(r"\s*(id|appId|displayName)\s+eq\s+'([^']*)'\s*", f)
    if not m:
        return None
    prop, want = m.group(1), m.group(2).lower()
    return lambda sp: (sp.get(prop) or "").lower() == want


def encode_skiptoken(n):
    return base64.urlsafe_b64encode(("emu-sp-page:%d" % n).encode()).decode().rstrip("=")


def decode_skiptoken(tok):
    if tok is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)).decode()
        m = re.fullmatch(r"emu-sp-page:(\d+)", text)
        return int(m.group(1)) if m else None
    except (ValueError, UnicodeDecodeError):
        return None


def batch_item(item_id, resp):
    headers = {"Cache-Control": "no-cache", "x-ms-resource-unit": "1"}
    headers.update({k: v for k, v in resp.headers.items() if k.lower() != "content-length"})
    entry = {"id": item_id, "status": resp.status, "headers": headers}
    if resp.obj is not None:
        entry["body"] = resp.obj
    elif resp.body:
        try:
            entry["body"] = json.loads(resp.body)
        except (ValueError, RecursionError):
            # not JSON (a malformed page, HTML, nesting too deep): Graph can only
            # carry it as a string
            entry["body"] = resp.body.decode("utf-8", "replace")
    return entry
