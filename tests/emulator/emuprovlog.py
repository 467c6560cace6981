# SPDX-License-Identifier: GPL-3.0-or-later
"""The provisioning logs (GET /auditLogs/provisioning): provisioningObjectSummary
events as Graph lists them, the $filter Microsoft documents for the list
(parsed, so a filter Graph would refuse gets its 400), $top and $skiptoken
paging, the Entra reporting APIs' throttle (five requests per 10 s per
application and tenant), the permissions and the licence. No HTTP here:
answers are ("ok", body) or ("error", status, code, message, headers);
emugraph.py turns them into responses. See PROTOCOL.md, "Provisioning logs"."""

import base64
import datetime
import math
import re
import time
import uuid
from urllib.parse import quote

from emustate import expand, parse_iso

AUDIT_READ = ("AuditLog.Read.All",)
DIRECTORY_READ = ("Directory.Read.All", "Directory.ReadWrite.All")
LICENCE_ERROR = ("Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                 "Neither tenant is B2C or tenant doesn't have premium license")
CALLER_TOKEN = "{{caller_token}}"   # in a text: the requesting token, echoed
TOP_MAX = 1000
_NS = uuid.UUID("6f2d1c4e-2b7a-4c1d-9e3f-0a5b7c9d1e2f")

STATUSES = ("success", "warning", "failure", "skipped", "unknownFutureValue")
ACTIONS = ("create", "update", "delete", "disable", "stagedDelete", "other", "unknownFutureValue")
# What $filter may name, and its type: "string", "datetime", or the enum's
# members. Matched without regard to case (Microsoft's own bulkUpload answer
# points at "$filter=jobid eq '...'"); values are compared as sent ("The
# filters are all case sensitive").
PROPS = {
    "id": "string", "jobId": "string", "cycleId": "string", "changeId": "string",
    "tenantId": "string", "activityDateTime": "datetime",
    "provisioningAction": ACTIONS, "provisioningStatusInfo/status": STATUSES,
    "servicePrincipal/id": "string", "servicePrincipal/displayName": "string",
    "sourceIdentity/id": "string", "sourceIdentity/displayName": "string",
    "targetIdentity/id": "string", "targetIdentity/displayName": "string",
    "sourceSystem/displayName": "string", "targetSystem/displayName": "string",
}
OPERATORS = ("eq", "gt", "lt")        # and contains(): what the list page documents
REFUSED_OPERATORS = ("ne", "ge", "le", "has", "in")


class FilterError(ValueError):
    pass


# -- the $filter parser ---------------------------------------------------------
_TOKEN = re.compile(r"""\s*(?:
    (?P<lp>\() | (?P<rp>\)) | (?P<comma>,) |
    (?P<string>'(?:[^']|'')*') |
    (?P<datetime>\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d{1,7})?)?(?:Z|[+-]\d\d:\d\d))?) |
    (?P<number>-?\d+(?:\.\d+)?) |
    (?P<word>[A-Za-z_][A-Za-z0-9_.]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)(?P<enum>'(?:[^']|'')*')?
    )""", re.X)


def _tokens(text):
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterError("Syntax error at position %d in '%s'." % (pos, text))
        pos = m.end()
        kind = m.lastgroup if m.lastgroup != "enum" else "word"
        if m.group("enum") is not None:
            # an enum literal: microsoft.graph.provisioningResult'failure'
            out.append(("string", m.group("enum")[1:-1].replace("''", "'"), m.group("word")))
        elif kind == "string":
            out.append(("string", m.group("string")[1:-1].replace("''", "'"), None))
        else:
            out.append((kind, m.group(kind), None))
    return out


def _prop(name):
    for p in PROPS:
        if p.lower() == name.lower():
            return p
    raise FilterError("Could not find a property named '%s' on type "
                      "'microsoft.graph.provisioningObjectSummary'." % name)


def _value(kind, text, prop, op):
    ptype = PROPS[prop]
    if ptype == "datetime":
        if kind != "datetime":
            raise FilterError("A binary operator with incompatible types was detected. Found "
                              "operand types 'Edm.DateTimeOffset' and 'Edm.%s' for operator "
                              "kind '%s'." % ("String" if kind == "string" else "Int32", op))
        ts = parse_iso(text if text.endswith("Z") else text + "T00:00:00Z" if "T" not in text
                       else text)
        if ts is None:
            raise FilterError("The DateTimeOffset text '%s' is not valid." % text)
        return ts
    if kind != "string":
        raise FilterError("A binary operator with incompatible types was detected. Found operand "
                          "types 'Edm.String' and 'Edm.%s' for operator kind '%s'."
                          % ("DateTimeOffset" if kind == "datetime" else "Int32", op))
    if isinstance(ptype, tuple) and text not in ptype:
        raise FilterError("The string '%s' is not a valid enumeration type constant." % text)
    if op != "Equal":
        raise FilterError("The operator '%s' is not supported on property '%s'." % (op, prop))
    return text


def _get(ev, prop):
    v = ev
    for part in prop.split("/"):
        v = v.get(part) if isinstance(v, dict) else None
    return v


class _Parser:
    def __init__(self, text):
        self.t = _tokens(text)
        self.i = 0

    def peek(self, kind=None, word=None):
        if self.i >= len(self.t):
            return None
        tok = self.t[self.i]
        if kind and tok[0] != kind:
            return None
        if word and (tok[0] != "word" or tok[1].lower() != word):
            return None
        return tok

    def take(self):
        tok = self.t[self.i] if self.i < len(self.t) else None
        if tok is None:
            raise FilterError("The query specified in the URI is not valid: unexpected end.")
        self.i += 1
        return tok

    def parse(self):
        pred = self.expr()
        if self.i != len(self.t):
            raise FilterError("Syntax error: '%s' is not expected here." % self.t[self.i][1])
        return pred

    def expr(self):
        left = self.term()
        while self.peek("word", "or"):
            self.take()
            right = self.term()
            left = (lambda a, b: lambda ev: a(ev) or b(ev))(left, right)
        return left

    def term(self):
        left = self.factor()
        while self.peek("word", "and"):
            self.take()
            right = self.factor()
            left = (lambda a, b: lambda ev: a(ev) and b(ev))(left, right)
        return left

    def factor(self):
        if self.peek("lp"):
            self.take()
            inner = self.expr()
            if not self.peek("rp"):
                raise FilterError("')' or operator expected.")
            self.take()
            return inner
        tok = self.take()
        if tok[0] != "word":
            raise FilterError("Syntax error: '%s' is not a property." % tok[1])
        if tok[1].lower() == "contains" and self.peek("lp"):
            return self.contains()
        prop = _prop(tok[1])
        op = self.take()
        if op[0] != "word" or op[1].lower() not in OPERATORS:
            if op[0] == "word" and op[1].lower() in REFUSED_OPERATORS:
                raise FilterError("The operator '%s' is not supported by this filter; "
                                  "supported: eq, contains, gt, lt." % op[1])
            raise FilterError("Syntax error: '%s' is not a supported operator." % op[1])
        kind, text, _ = self.take()
        name = {"eq": "Equal", "gt": "GreaterThan", "lt": "LessThan"}[op[1].lower()]
        want = _value(kind, text, prop, name)
        if name == "Equal":
            return lambda ev: _cmp(_get(ev, prop), prop) == want
        if name == "GreaterThan":
            return lambda ev: (_cmp(_get(ev, prop), prop) or 0) > want
        return lambda ev: (_cmp(_get(ev, prop), prop) or 0) < want

    def contains(self):
        self.take()
        prop_tok = self.take()
        if prop_tok[0] != "word":
            raise FilterError("contains() needs a property first.")
        prop = _prop(prop_tok[1])
        if PROPS[prop] != "string" or not self.peek("comma"):
            raise FilterError("contains() takes a string property and a string.")
        self.take()
        kind, text, _ = self.take()
        if kind != "string" or not self.peek("rp"):
            raise FilterError("contains() takes a string property and a string.")
        self.take()
        return lambda ev: text in (_get(ev, prop) or "")


def _cmp(value, prop):
    return parse_iso(value) if PROPS[prop] == "datetime" else value


def parse_filter(text):
    """-> a predicate over events, or raises FilterError (Graph's 400)."""
    if text is None or not text.strip():
        return lambda ev: True
    return _Parser(text).parse()


# -- events ---------------------------------------------------------------------
def event(job_id, when, status="failure", action="create", code=None, reason=None,
          category="nonServiceFailure", source=None, tenant=None, sp=None, cycle_id=None):
    """One provisioningObjectSummary in the shape of the documented failure
    example (provisioningobjectsummary-list.md, Example 2)."""
    source = dict({"id": str(uuid.uuid4()), "displayName": "", "identityType": "User",
                   "details": {}}, **(source or {}))
    sp = sp or {"id": "00000000-0000-0000-0000-000000000000", "displayName": "Contoso"}
    info = None
    if status == "failure" or code is not None:
        info = {"errorCode": code or "", "reason": reason or "", "additionalDetails": None,
                "errorCategory": category, "recommendedAction": None}
    steps = [{"name": "EntryImportAdd", "provisioningStepType": "import", "status": "success",
              "description": "Received %s '%s' change of type (Add) from Azure Active Directory"
              % (source["identityType"], source["displayName"]), "details": {}},
             {"name": "EntryExportAdd", "provisioningStepType": "export", "status": status,
              "description": "%s %s '%s'" % ("Failed to" if status == "failure" else "Did",
                                             action, source["displayName"]),
              "details": {"ReportableIdentifier": source["displayName"] or source["id"]}}]
    return {
        "id": str(uuid.uuid4()),
        "activityDateTime": datetime.datetime.fromtimestamp(int(when), datetime.timezone.utc)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tenantId": tenant,
        "jobId": job_id,
        "cycleId": cycle_id or str(uuid.uuid5(_NS, "%s/%d" % (job_id, int(when) // 600))),
        "changeId": str(uuid.uuid4()),
        "provisioningAction": action,
        "durationInMilliseconds": 2785,
        "sourceSystem": {"id": "0404601d-a9c0-4ec7-bbcd-02660120d8c9",
                         "displayName": "Azure Active Directory", "details": {}},
        "targetSystem": {"id": str(uuid.uuid5(_NS, "target/" + job_id)),
                         "displayName": sp["displayName"],
                         "details": {"ApplicationId": str(uuid.uuid5(_NS, "app/" + job_id)),
                                     "ServicePrincipalId": sp["id"],
                                     "ServicePrincipalDisplayName": sp["displayName"]}},
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service",
                        "initiatorType": "system"},
        "servicePrincipal": dict(sp),
        "sourceIdentity": source,
        "targetIdentity": {"id": "", "displayName": "", "identityType": source["identityType"],
                           "details": {}},
        "provisioningStatusInfo": {"status": status, "errorInformation": info},
        "provisioningSteps": steps,
        "modifiedProperties": [{"displayName": "displayName", "oldValue": None,
                                "newValue": source["displayName"]}],
    }


def _when(spec, now):
    """A time as seconds ago (number) or a template/ISO string -> epoch."""
    if isinstance(spec, (int, float)):
        return now - spec
    ts = parse_iso(expand(spec, now))
    if ts is None:
        raise ValueError("not a time: %r" % (spec,))
    return ts


def generate(state, spec):
    """Control API: events for one job between "from" and "to" (seconds ago
    or times): "failures" [{"code","objects","repeat"?,"category"?,"reason"?,
    "type"?}], "successes" n, "staged" n (stagedDelete actions), and raw
    "events" [partial events merged over a generated one]. -> counts."""
    now = time.time()
    job = spec["jobId"]
    t0, t1 = _when(spec.get("from", 600), now), _when(spec.get("to", 60), now)
    tenant = spec.get("tenant") or state.default_tenant()
    sp = {"id": spec.get("servicePrincipalId", "00000000-0000-0000-0000-000000000000"),
          "displayName": spec.get("displayName", "Contoso")}
    made = []
    plan = []
    for f in spec.get("failures", []):
        for i in range(int(f.get("objects", 1))):
            for _ in range(int(f.get("repeat", 1))):
                plan.append(("failure", "create", f, i))
    plan += [("success", "update", {}, i) for i in range(int(spec.get("successes", 0)))]
    plan += [("skipped", "stagedDelete", {"code": None}, i) for i in range(int(spec.get("staged", 0)))]
    for k, (status, action, f, i) in enumerate(plan):
        when = t0 + (t1 - t0) * (k + 1) / (len(plan) + 1)
        code = f.get("code") if status == "failure" else None
        label = code or action
        oid = str(uuid.uuid5(_NS, "%s/%s/%d" % (job, label, i)))
        made.append(event(job, when, status, f.get("action", action), code,
                          f.get("reason", "The target refused the %s (%s)." % (action, label))
                          if status == "failure" else None,
                          f.get("category", "nonServiceFailure"),
                          {"id": oid, "displayName": f.get("name", "%s %04d" % (label, i)),
                           "identityType": f.get("type", "User")}, tenant, sp))
    for raw in spec.get("events", []):
        raw = expand(raw, now)
        base = event(job, now - 60, tenant=tenant, sp=sp)
        made.append(_merge(base, raw))
    with state.lock:
        state.provisioning["events"].extend(made)
    return {"events": len(made)}


def _merge(base, extra):
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


# -- the endpoint -----------------------------------------------------------------
def _throttled(state, who, now):
    """The reporting APIs' limit per application and tenant -> seconds to
    wait, or None (the request counted)."""
    limit = state.settings.get("reports_throttle")
    if not limit:
        return None
    window = float(state.settings.get("reports_window") or 10)
    key = (who["tenant"], who["client_id"])
    with state.lock:
        w = [t for t in state.provisioning["windows"].get(key, []) if t > now - window]
        if len(w) >= int(limit):
            state.provisioning["windows"][key] = w
            state.counters["audit_throttled"] += 1
            return max(1, int(math.ceil(w[0] + window - now)))
        w.append(now)
        state.provisioning["windows"][key] = w
    return None


def _skiptoken(offset, flt):
    raw = "emu-prov:%d:%s" % (offset, uuid.uuid5(_NS, flt or ""))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _offset(tok, flt):
    if tok is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    m = re.fullmatch(r"emu-prov:(\d+):(.*)", text)
    if not m or m.group(2) != str(uuid.uuid5(_NS, flt or "")):
        return None
    return int(m.group(1))


def list_events(state, req, who, version, query):
    """GET /{v}/auditLogs/provisioning -> ("ok", body) or ("error", ...)."""
    now = time.time()
    state.count("audit_requests")
    wait = _throttled(state, who, now)
    if wait is not None:
        return ("error", 429, "TooManyRequests", "Too many requests; retry after %d s." % wait,
                {"Retry-After": str(wait)})
    perms = who["permissions"]
    if not (any(p in perms for p in AUDIT_READ) and any(p in perms for p in DIRECTORY_READ)):
        return ("error", 403, "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.", {})
    with state.lock:
        unlicensed = who["tenant"] in state.provisioning["unlicensed"]
    if unlicensed:
        return ("error", 403) + LICENCE_ERROR + ({},)
    flt = query.get("$filter")
    top = query.get("$top", "50")
    record = {"filter": flt, "top": top, "skiptoken": "$skiptoken" in query}
    with state.lock:
        state.provisioning["queries"].append(record)
        del state.provisioning["queries"][:-500]
    if not re.fullmatch(r"\d{1,4}", top) or not 1 <= int(top) <= TOP_MAX:
        record["status"] = 400
        return ("error", 400, "BadRequest", "Invalid $top value '%s': it must be from 1 to %d."
                % (top, TOP_MAX), {})
    try:
        match = parse_filter(flt)
    except FilterError as x:
        record["status"] = 400
        return ("error", 400, "BadRequest", "Invalid filter clause: %s" % x, {})
    skip = _offset(query.get("$skiptoken"), flt)
    if skip is None:
        record["status"] = 400
        return ("error", 400, "BadRequest", "The $skiptoken is not valid.", {})
    with state.lock:
        mine = [e for e in state.provisioning["events"] if e.get("tenantId") == who["tenant"]]
    hits = sorted((e for e in mine if match(e)), key=lambda e: (e["activityDateTime"], e["id"]),
                  reverse=True)
    page = hits[skip:skip + int(top)]
    token = None
    auth = req.headers.get("Authorization", "") or ""
    if auth.startswith("Bearer "):
        token = auth[7:].strip()
    page = [_echo(e, token) for e in page]
    body = {"@odata.context": "%s/%s/$metadata#auditLogs/provisioning" % (req.base_url, version),
            "value": page}
    if skip + int(top) < len(hits):
        q = dict(query)
        q["$skiptoken"] = _skiptoken(skip + int(top), flt)
        body["@odata.nextLink"] = "%s/%s/auditLogs/provisioning?%s" % (
            req.base_url, version, "&".join("%s=%s" % (k, quote(v, safe="$,'()=:")) for k, v in q.items()))
    record["status"] = 200
    record["returned"] = len(page)
    return ("ok", body)


def _echo(ev, token):
    """A hostile server echoes the caller's token where a text asks for it."""
    info = (ev.get("provisioningStatusInfo") or {}).get("errorInformation")
    if token and isinstance(info, dict) and CALLER_TOKEN in (info.get("reason") or ""):
        ev = _merge(ev, {"provisioningStatusInfo": {"errorInformation": dict(
            info, reason=info["reason"].replace(CALLER_TOKEN, token))}})
    return ev
