#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft Graph + identity platform + IMDS emulator for tests. See
PROTOCOL.md. Logs request lines (never bodies or headers) to stderr."""

import argparse
import json
import os
import re
import signal
import socket
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emuauth  # noqa: E402
import emufixtures  # noqa: E402
import emuprovlog  # noqa: E402
from emugraph import Graph, Req, Response, process  # noqa: E402
from emustate import State, Fault, DEFAULT_SETTINGS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN_RE = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
START_RE = re.compile(r"^/(?:v1\.0|beta)/servicePrincipals.*/synchronization/jobs/([^/]+)/start/?$")
STATE = None
GRAPH = None
SETTING_TYPES = {"token_lifetime": (int,), "page_size": (int,), "cycle_delay": (int, float, type(None)),
                 "throttle_after": (int, type(None)), "throttle_window": (int, float),
                 "batch_order": (str,), "tenant_permission_error": (int,),
                 "onprem_sync_app_tokens": (str,), "job_id_case": (str,), "non_ascii": (str,),
                 "reports_throttle": (int, type(None)), "reports_window": (int, float)}
SETTING_VALUES = {"batch_order": ("reversed", "request", "shuffled"),
                  "tenant_permission_error": (401, 403),
                  "onprem_sync_app_tokens": ("allow", "refuse"),
                  "job_id_case": ("insensitive", "exact"),
                  "non_ascii": ("raw", "escaped")}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "emulator"
    sys_version = ""
    timeout = 60

    _connections = 0

    def handle(self):
        # one handler per connection: its requests are numbered in the log
        with STATE.lock:
            Handler._connections += 1
            self.connection_id = Handler._connections
        self.served = 0
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
        STATE.begin_request()
        url = urlsplit(self.path)
        path = unquote(url.path)
        body = self.read_body()
        self.served += 1
        req = Req(method, path, url.query, self.headers, body, self.base_url(),
                  self.headers.get("client-request-id", ""))
        start = START_RE.match(path)
        if start and method == "POST":
            STATE.count_job("start_requests", start.group(1))
        self.request_id = req.request_id
        Response.escape_non_ascii = STATE.settings["non_ascii"] == "escaped"
        STATE.run_due_cycles()
        if path.startswith("/_emu/"):
            target = "control"
        elif TOKEN_RE.match(path):
            target = "login"
        elif path.startswith("/metadata/"):
            target = "imds"
        else:
            target = "graph"
        if target == "control":
            resp, fault = self.route(target, req), None
        else:
            if target == "graph":
                STATE.count("graph_requests")
            resp, fault = process(STATE, req, target, lambda r: self.route(target, r))
        # drop: closed unanswered; drop_after: the same once the request
        # has done what it does (a start that happened, its answer lost)
        if resp is None or (fault or {}).get("drop_after"):
            self.log_entry(method, path, 0)
            self.close_connection = True
            return
        self.log_entry(method, path, resp.status)
        self.send(req, resp, dict(fault or {}, **resp.transport))

    def log_entry(self, method, path, status):
        if path.startswith("/_emu/"):
            return
        h = self.headers
        STATE.log_request({"method": method, "path": path, "status": status,
                           "connection": self.connection_id, "on_connection": self.served,
                           "headers": {
            "User-Agent": h.get("User-Agent"), "client-request-id": h.get("client-request-id"),
            "Content-Length": h.get("Content-Length"), "Metadata": h.get("Metadata"),
            "Authorization-present": "Authorization" in h}})

    def send(self, req, resp, fault):
        body = resp.body
        self.send_response(resp.status)
        resp.headers.setdefault("request-id", req.request_id)
        if req.client_request_id:
            resp.headers.setdefault("client-request-id", req.client_request_id)
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

    # -- routing -----------------------------------------------------------
    def route(self, target, req):
        try:
            if target == "control":
                return self.control(req.method, req.path[len("/_emu"):], req.body)
            if target == "login":
                if req.method != "POST":
                    return Response(405, obj={"error": "invalid_request"})
                tenant = TOKEN_RE.match(req.path).group(1)
                st, obj = emuauth.token_endpoint(STATE, tenant, req.body or b"",
                                                 req.base_url + req.path)
                return Response(st, obj=obj)
            if target == "imds":
                if req.path != "/metadata/identity/oauth2/token" or req.method != "GET":
                    return Response(404, obj={"error": "not_found"})
                st, obj = emuauth.imds_endpoint(STATE, req.query, req.headers)
                return Response(st, obj=obj)
            return GRAPH.route(req)
        except (ValueError, KeyError, TypeError) as e:
            return Response(400, obj={"error": "emulator: %s" % e})

    # -- control API -------------------------------------------------------
    def control(self, method, path, body):
        data = json.loads(body) if body else {}
        if not isinstance(data, dict):
            raise ValueError("a control call body is a JSON object")
        job_call = re.match(r"^/jobs/([^/]+)/(quarantine|cycle|next-cycle|initial-cycle)$", path)
        if (method, path) == ("POST", "/reset"):
            STATE.reset()
        elif method == "PUT" and path.startswith("/servicePrincipals/"):
            STATE.put_sp(path.split("/", 2)[2], data)
        elif method == "POST" and re.match(r"^/servicePrincipals/[^/]+/generate-jobs$", path):
            sp_id = path.split("/")[2]
            jobs = emufixtures.generate_jobs(data.get("count", 60), data.get("mix"),
                                             data.get("seed", 1), data.get("share_every", 5), sp_id)
            old = STATE.find_sp(sp_id=sp_id) or {}
            sp = STATE.put_sp(sp_id, {"appId": data.get("appId", old.get("appId")),
                                      "displayName": data.get("displayName", old.get("displayName")),
                                      "jobs": jobs})
            return Response(200, obj={"servicePrincipalId": sp["id"],
                                      "jobs": [{"id": j["id"], "templateId": j["templateId"],
                                                "code": j["status"]["code"]} for j in sp["jobs"]]})
        elif job_call and method == "POST":
            job = STATE.find_job(job_call.group(1))
            if job is None:
                return Response(404, obj={"error": "no such job"})
            what = job_call.group(2)
            if what == "quarantine":
                STATE.quarantine(job, data.get("reason", "EncounteredQuarantineException"))
            elif what == "next-cycle":
                STATE.set_outcome(job, data)
            elif what == "initial-cycle":
                STATE.begin_initial_cycle(job, data)
            else:
                STATE.run_cycle(job)
                with STATE.lock:
                    return Response(200, obj={"ok": True, "status": job.get("status")})
        elif (method, path) == ("POST", "/provisioning/events"):
            return Response(200, obj=emuprovlog.generate(STATE, data))
        elif (method, path) == ("DELETE", "/provisioning/events"):
            with STATE.lock:
                STATE.provisioning["events"] = []
        elif (method, path) == ("POST", "/provisioning/licence"):
            tenant = STATE.tenant(data["tenant"]) if data.get("tenant") else STATE.default_tenant()
            with STATE.lock:
                if data.get("premium", True):
                    STATE.provisioning["unlicensed"].discard(tenant)
                else:
                    STATE.provisioning["unlicensed"].add(tenant)
        elif (method, path) == ("GET", "/provisioning/queries"):
            with STATE.lock:
                return Response(200, obj={"queries": list(STATE.provisioning["queries"])})
        elif (method, path) == ("GET", "/cycles"):
            now = STATE.now()
            with STATE.lock:
                return Response(200, obj={"pending": {j: round(t - now, 3) for j, t in STATE.cycles.items()},
                                          "outcomes": STATE.outcomes})
        elif (method, path) == ("GET", "/clock"):
            return Response(200, obj=STATE.clock())
        elif (method, path) == ("POST", "/clock"):
            return Response(200, obj=STATE.advance(data.get("advance", 0)))
        elif (method, path) == ("POST", "/clients"):
            STATE.add_client(data)
        elif (method, path) == ("POST", "/tokens"):
            return Response(200, obj=STATE.mint_token(data))
        elif (method, path) == ("GET", "/fixtures"):
            return Response(200, obj=emufixtures.names(STATE))
        elif method == "POST" and path.startswith("/fixtures/"):
            return Response(200, obj=emufixtures.install(STATE, path.split("/", 2)[2], data))
        elif (method, path) == ("POST", "/tenant/generate"):
            return Response(200, obj=emufixtures.generate_tenant(STATE, data))
        elif (method, path) == ("POST", "/tenant/directory-sync"):
            tenant = STATE.tenant(data.pop("tenant")) if data.get("tenant") else STATE.default_tenant()
            STATE.set_directory(tenant, data, replace=False)
        elif (method, path) == ("GET", "/tenant"):
            with STATE.lock:
                return Response(200, obj=STATE.tenant_data)
        elif (method, path) == ("POST", "/settings"):
            self.settings(data)
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

    @staticmethod
    def settings(data):
        unknown = set(data) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError("unknown settings: %s" % ", ".join(sorted(unknown)))
        for k, v in data.items():
            if isinstance(v, bool) or not isinstance(v, SETTING_TYPES[k]):
                raise ValueError("setting %s: wrong type %s" % (k, type(v).__name__))
            if k in SETTING_VALUES and v not in SETTING_VALUES[k]:
                raise ValueError("setting %s: one of %s" % (k, ", ".join(map(str, SETTING_VALUES[k]))))
        with STATE.lock:
            STATE.settings.update(data)


def _terminate(*_):
    raise SystemExit(0)


def main():
    global STATE, GRAPH
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
    GRAPH = Graph(STATE)
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
