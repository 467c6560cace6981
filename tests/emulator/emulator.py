#!/usr/bin/env python3
"""Microsoft Graph synchronization + identity platform + IMDS emulator for
tests. See PROTOCOL.md. Logs request lines (never bodies or headers) to stderr."""

import argparse
import datetime
import json
import os
import re
import signal
import socket
import ssl
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit, parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emuauth  # noqa: E402
from emustate import State, Fault, READ, WRITE, DEFAULT_SETTINGS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN_RE = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
GRAPH_RE = re.compile(
    r"^/(v1\.0|beta)/servicePrincipals(?:/([^/()]+)|\(appId='([^']*)'\))"
    r"/synchronization/jobs(?:/([^/]+)(?:/(start|pause|restart))?)?/?$")
STATE = None


class Response:
    def __init__(self, status, body=b"", headers=None, obj=None):
        self.status, self.headers, self.obj = status, dict(headers or {}), obj
        if obj is not None:
            body = json.dumps(obj).encode()
            self.headers.setdefault("Content-Type", "application/json; charset=utf-8")
        self.body = body


def graph_error(status, code, message, req):
    return Response(status, obj={"error": {"code": code, "message": message, "innerError": {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": req.request_id, "client-request-id": req.client_request_id}}})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "emulator"
    sys_version = ""
    timeout = 60

    def handle(self):
        try:
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.do_handshake()
            super().handle()
        except (ssl.SSLError, ConnectionError, socket.timeout, OSError):
            self.close_connection = True

    def log_message(self, fmt, *args):
        sys.stderr.write("emulator: %s\n" % (fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    # -- request plumbing --------------------------------------------------
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = self.headers.get("Content-Length")
        return self.rfile.read(int(n)) if n else None

    def base_url(self):
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_port
        return "%s://%s" % (scheme, host)

    def dispatch(self, method):
        self.request_id = str(uuid.uuid4())
        self.client_request_id = self.headers.get("client-request-id", "")
        url = urlsplit(self.path)
        path, self.query = unquote(url.path), url.query
        body = self.read_body()
        if path.startswith("/_emu/"):
            target = "control"
        elif TOKEN_RE.match(path):
            target = "login"
        elif path.startswith("/metadata/"):
            target = "imds"
        else:
            target = "graph"
        if target == "graph":
            with STATE.lock:
                STATE.counters["graph_requests"] += 1
        fault = STATE.take_fault(target, method, path) if target != "control" else None
        if fault and fault.get("delay"):
            time.sleep(float(fault["delay"]))
        if fault and Fault(fault).replaces():
            resp = self.fault_response(fault, target)
        else:
            resp = self.route(target, method, path, body)
            if fault:
                resp = self.mutate(fault, resp)
        if resp is None:                      # drop
            self.log_entry(method, path, 0)
            self.close_connection = True
            return
        self.log_entry(method, path, resp.status)
        self.send(resp, fault or {})

    def log_entry(self, method, path, status):
        if path.startswith("/_emu/"):
            return
        h = self.headers
        STATE.log_request({"method": method, "path": path, "status": status, "headers": {
            "User-Agent": h.get("User-Agent"), "client-request-id": h.get("client-request-id"),
            "Content-Length": h.get("Content-Length"), "Metadata": h.get("Metadata"),
            "Authorization-present": "Authorization" in h}})

    def send(self, resp, fault):
        body = resp.body
        self.send_response(resp.status)
        resp.headers.setdefault("request-id", self.request_id)
        if self.client_request_id:
            resp.headers.setdefault("client-request-id", self.client_request_id)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if fault.get("truncate"):
            self.send_header("Connection", "close")
        self.end_headers()
        if fault.get("truncate"):
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        rate = fault.get("trickle")
        if rate:
            rate = max(1, int(rate))
            for i in range(0, len(body), rate):
                self.wfile.write(body[i:i + rate])
                self.wfile.flush()
                time.sleep(1)
        else:
            self.wfile.write(body)

    # -- faults ------------------------------------------------------------
    def fault_response(self, f, target):
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
            r = graph_error(429, "TooManyRequests", "Too many requests.", self)
        elif status >= 400 and target == "graph":
            r = graph_error(status, "UnknownError", "Injected fault.", self)
        elif status >= 400:
            r = Response(status, obj=emuauth.aad_error(
                status, "temporarily_unavailable", 50196, "Injected fault.")[1])
        else:
            r = Response(status, obj={})
        r.headers.update(headers)
        return r

    def mutate(self, f, resp):
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

    # -- routing -----------------------------------------------------------
    def route(self, target, method, path, body):
        try:
            if target == "control":
                return self.control(method, path[len("/_emu"):], body)
            if target == "login":
                if method != "POST":
                    return Response(405, obj={"error": "invalid_request"})
                tenant = TOKEN_RE.match(path).group(1)
                st, obj = emuauth.token_endpoint(STATE, tenant, body or b"", self.base_url() + path)
                return Response(st, obj=obj)
            if target == "imds":
                if path != "/metadata/identity/oauth2/token" or method != "GET":
                    return Response(404, obj={"error": "not_found"})
                st, obj = emuauth.imds_endpoint(STATE, self.query, self.headers)
                return Response(st, obj=obj)
            return self.graph(method, path, body)
        except (ValueError, KeyError, TypeError) as e:
            return Response(400, obj={"error": "emulator: %s" % e})

    def graph(self, method, path, body):
        m = GRAPH_RE.match(path)
        if not m:
            seg = path.rstrip("/").rsplit("/", 1)[-1]
            return graph_error(400, "BadRequest", "Resource not found for the segment '%s'." % seg, self)
        version, sp_id, app_id, job_id, action = m.groups()
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.", self)
        who = STATE.check_token(auth[7:].strip())
        if who is None:
            return graph_error(401, "InvalidAuthenticationToken",
                               "Access token has expired or is not yet valid.", self)
        perms = who[1]
        need = (WRITE,) if action else (READ, WRITE)
        if not any(p in perms for p in need):
            return graph_error(401, "UnknownError", "", self)
        sp = STATE.find_sp(sp_id=sp_id) if sp_id else STATE.find_sp(app_id=app_id)
        if sp is None:
            return graph_error(404, "Request_ResourceNotFound", "Resource '%s' does not exist or "
                               "one of its queried reference-property objects are not present."
                               % (sp_id or app_id), self)
        ctx = "%s/%s/$metadata#servicePrincipals('%s')/synchronization/jobs" % (
            self.base_url(), version, sp["id"])
        if job_id is None:
            if method != "GET":
                return graph_error(405, "Request_BadRequest", "Method not allowed.", self)
            return self.list_jobs(version, sp, ctx, app_id is not None)
        job = STATE.find_job(job_id, sp)
        if job is None:
            return graph_error(404, "Request_ResourceNotFound",
                               "Resource '%s' does not exist." % job_id, self)
        if action is None:
            if method != "GET":
                return graph_error(405, "Request_BadRequest", "Method not allowed.", self)
            with STATE.lock:
                return Response(200, obj=dict({"@odata.context": ctx + "/$entity"}, **job))
        if method != "POST":
            return graph_error(405, "Request_BadRequest", "Method not allowed.", self)
        if body is None:
            return Response(411, b"<h2>Length Required</h2>", {"Content-Type": "text/html"})
        if action == "restart":
            try:
                crit = json.loads(body or b"null")
                assert isinstance(crit, dict) and isinstance(crit.get("criteria"), dict)
            except (ValueError, AssertionError):
                return graph_error(400, "BadRequest", "restart needs a criteria object.", self)
        getattr(STATE, action)(job)
        return Response(204)

    def list_jobs(self, version, sp, ctx, by_app_id):
        q = parse_qs(self.query)
        try:
            skip = int(q.get("$skiptoken", ["0"])[0])
        except ValueError:
            return graph_error(400, "BadRequest", "Invalid $skiptoken.", self)
        size = max(1, int(STATE.settings["page_size"]))
        with STATE.lock:
            page = [dict(j) for j in sp["jobs"][skip:skip + size]]
            more = skip + size < len(sp["jobs"])
        obj = {"@odata.context": ctx, "value": page}
        if more:
            where = ("servicePrincipals(appId='%s')" % sp["appId"] if by_app_id
                     else "servicePrincipals/%s" % sp["id"])
            obj["@odata.nextLink"] = "%s/%s/%s/synchronization/jobs?$skiptoken=%d" % (
                self.base_url(), version, where, skip + size)
        return Response(200, obj=obj)

    # -- control API -------------------------------------------------------
    def control(self, method, path, body):
        data = json.loads(body) if body else {}
        if (method, path) == ("POST", "/reset"):
            STATE.reset()
        elif method == "PUT" and path.startswith("/servicePrincipals/"):
            STATE.put_sp(path.split("/", 2)[2], data)
        elif method == "POST" and re.match(r"^/jobs/[^/]+/quarantine$", path):
            job = STATE.find_job(path.split("/")[2])
            if job is None:
                return Response(404, obj={"error": "no such job"})
            STATE.quarantine(job, data.get("reason", "EncounteredQuarantineException"))
        elif (method, path) == ("POST", "/clients"):
            STATE.add_client(data)
        elif (method, path) == ("POST", "/settings"):
            unknown = set(data) - set(DEFAULT_SETTINGS)
            if unknown:
                raise ValueError("unknown settings: %s" % ", ".join(sorted(unknown)))
            with STATE.lock:
                STATE.settings.update(data)
        elif (method, path) == ("POST", "/faults"):
            with STATE.lock:
                STATE.faults.append(Fault(data))
        elif (method, path) == ("DELETE", "/faults"):
            with STATE.lock:
                STATE.faults = []
        elif (method, path) == ("DELETE", "/tokens"):
            with STATE.lock:
                STATE.tokens.clear()
        elif (method, path) == ("GET", "/counters"):
            return Response(200, obj=STATE.snapshot())
        elif (method, path) == ("GET", "/state"):
            with STATE.lock:
                return Response(200, obj={"settings": STATE.settings,
                                          "servicePrincipals": list(STATE.sps.values())})
        else:
            return Response(404, obj={"error": "unknown control call %s %s" % (method, path)})
        return Response(200, obj={"ok": True})


def _terminate(*_):
    raise SystemExit(0)


def main():
    global STATE
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--fixture", default=os.path.join(HERE, "fixtures", "default.json"))
    ap.add_argument("--quiet", action="store_true", help="do not log request lines")
    a = ap.parse_args()
    STATE = State(a.fixture)
    if a.quiet:
        Handler.log_message = lambda *args: None
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    signal.signal(signal.SIGTERM, _terminate)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_port)
        os.replace(tmp, a.port_file)
    sys.stderr.write("emulator: listening on %s:%d%s\n" % (a.host, srv.server_port,
                                                           " (TLS)" if a.tls_cert else ""))
    try:
        srv.serve_forever(poll_interval=0.2)
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()
