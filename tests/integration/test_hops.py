# SPDX-License-Identifier: GPL-3.0-or-later
"""Every hop of a request (SPEC 8a): plain http only when the proxy that
would carry it is on loopback too, a start that goes out once on a
connection of its own, and trust anchors that cannot hold the run past -t.
Tests that need an address off loopback run in a network of their own
(SPEC 18). Each test failed against the commit before its fix
(TEST_PLUGIN=...)."""

import http.client
import os
import socket
import socketserver
import threading

import harness as H
from harness import eq, expect, true

FAR = "192.0.2.10"   # TEST-NET-1, on the loopback of the test's own network
SECRET = H.CLIENTS["reader"][1]


# -- 6. a plain-http request goes through no proxy off loopback ---------------
def far_proxy_refused(ns, e, proxy, env=None, extra=(), source="http_proxy"):
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=["-t", "5"] + list(extra)),
                     env=env, netns=ns)
    got = proxy.received()
    true(not any(SECRET.encode() in g for g in got),
         "the proxy off loopback read the client secret: %r" % got[:1], r)
    eq(got, [], "what reached the proxy off loopback", r)
    expect(r, 3, first_contains=["refusing plain http:// to 127.0.0.1 through the proxy %s "
                                 "(%s)" % (FAR, source)], one_line=True)
    eq(e.counters()["sign_ins_total"] + e.counters()["graph_requests"], 0,
       "requests that reached the emulator", r)


def test_a_plain_http_request_never_goes_through_a_proxy_off_loopback():
    with H.NetNS(FAR) as ns, H.Emulator(netns=ns) as e:
        proxy = H.Sink(ns, FAR)
        bare = "%s:%d" % (FAR, proxy.port)   # no scheme: an http proxy to libcurl
        far_proxy_refused(ns, e, proxy, env={"http_proxy": proxy.url})
        far_proxy_refused(ns, e, proxy, env={"ALL_PROXY": proxy.url}, source="all_proxy")
        far_proxy_refused(ns, e, proxy, env={"all_proxy": bare}, source="all_proxy")
        far_proxy_refused(ns, e, proxy, extra=["--proxy", proxy.url], source="--proxy")
        # --proxy wins over a loopback http_proxy, as in libcurl
        far_proxy_refused(ns, e, proxy, env={"http_proxy": "http://127.0.0.1:9"},
                          extra=["--proxy", bare], source="--proxy")


def test_a_proxy_off_loopback_that_no_proxy_exempts_is_not_used():
    with H.NetNS(FAR) as ns, H.Emulator(netns=ns) as e:
        proxy = H.Sink(ns, FAR)
        url = "http://%s:%d" % (FAR, proxy.port)
        for env, extra in (({"http_proxy": url, "no_proxy": "localhost,127.0.0.1"}, []),
                           ({"NO_PROXY": "127.0.0.0/8"}, ["--proxy", url]),
                           # libcurl ignores the upper-case HTTP_PROXY (CGI's Proxy: header)
                           ({"HTTP_PROXY": url}, [])):
            r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=extra), env=env, netns=ns)
            expect(r, 0)
        eq(proxy.received(), [], "what reached the proxy off loopback")


class _Forwarder(socketserver.ThreadingTCPServer):
    """A plain-http forward proxy on loopback: absolute-form requests,
    answered with what the target said; it remembers the request lines."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ForwardOne)
        self.lines = []
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _ForwardOne(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline().decode("latin-1").strip()
            if not line:
                return
            self.server.lines.append(line)
            method, target, _ = line.split(" ", 2)
            headers = {}
            while True:
                h = self.rfile.readline().decode("latin-1").strip()
                if not h:
                    break
                k, v = h.split(":", 1)
                headers[k.strip()] = v.strip()
            body = self.rfile.read(int(headers.get("Content-Length", 0)))
            hostport, path = target.split("://", 1)[1].split("/", 1)
            host, port = hostport.rsplit(":", 1)
            c = http.client.HTTPConnection(host, int(port), timeout=10)
            headers.pop("Proxy-Connection", None)
            c.request(method, "/" + path, body=body, headers=headers)
            resp = c.getresponse()
            data = resp.read()
            self.wfile.write(("HTTP/1.1 %d %s\r\n" % (resp.status, resp.reason)).encode())
            for k, v in resp.getheaders():
                if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.wfile.write(("%s: %s\r\n" % (k, v)).encode())
            self.wfile.write(("Content-Length: %d\r\n\r\n" % len(data)).encode())
            self.wfile.write(data)
            c.close()


def test_a_proxy_on_loopback_carries_plain_http():
    e = H.emu()
    fwd = _Forwarder()
    try:
        for env, extra in (({"http_proxy": "http://127.0.0.1:%d" % fwd.server_address[1]}, []),
                           ({}, ["--proxy", "localhost:%d" % fwd.server_address[1]])):
            before = len(fwd.lines)
            r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=extra), env=env)
            expect(r, 0)
            lines = fwd.lines[before:]
            true(any(l.startswith("POST %s/" % e.url) for l in lines),
                 "the sign-in did not go through the loopback proxy: %r" % lines, r)
            true(any(l.startswith("GET %s/v1.0/servicePrincipals" % e.url) for l in lines),
                 "the Graph read did not go through the loopback proxy: %r" % lines, r)
    finally:
        fwd.shutdown()
        fwd.server_close()


def test_managed_identity_never_takes_a_proxy():
    with H.NetNS(FAR) as ns, H.Emulator(netns=ns) as e:
        proxy = H.Sink(ns, FAR)
        r = H.run_plugin(["--managed-identity", "--imds-url", e.url, "--graph-url", e.url,
                          "--token-cache", H.cache_dir(), "-s", H.SP_DEMO, "-j", H.JOB_SCIM],
                         env={"http_proxy": "http://%s:%d" % (FAR, proxy.port)}, netns=ns)
        # the token comes straight from IMDS; Graph's plain-http read is
        # refused rather than sent through the proxy
        expect(r, 3, first_contains=["through the proxy %s (http_proxy)" % FAR])
        eq(e.counters()["imds_requests"], 1, "requests to IMDS", r)
        eq(proxy.received(), [], "what reached the proxy off loopback", r)


# -- 1. a start goes out once, on a connection of its own ----------------------
def state_dir():
    d = H.scratch_dir("state-")
    os.chmod(d, 0o700)
    return d


def start_posts(e):
    return [q for q in e.counters()["requests"]
            if q["method"] == "POST" and q["path"].endswith("/start")]


def test_a_start_whose_connection_dies_is_sent_once_and_may_have_started():
    e = H.emu()
    sdir = state_dir()
    # Graph acts on the start, then the connection closes before the answer:
    # libcurl resent such a request on a reused connection, a second start.
    e.add_fault(target="graph", method="POST", path_contains="/start", drop_after=True)
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                  extra=["--event-handler", "--state-dir", sdir,
                                         "CRITICAL", "HARD", "3"]))
    c = e.counters()
    eq(c["start_requests"].get(H.JOB_BOX, 0), 1, "start requests Graph received", r)
    eq(r.rc, 3, "exit status", r)
    true("may have happened" in r.stdout and "counted as a start" in r.stdout,
         "the decision does not say the start may have happened", r)
    eq([q["on_connection"] for q in start_posts(e)], [1],
       "the start's place on its connection", r)
    # the start happened; should the job be quarantined again at once, the
    # next run respects the cooldown: the lost answer counted as a start
    eq(c["starts"].get(H.JOB_BOX, 0), 1, "starts the emulator made", r)
    e.quarantine(H.JOB_BOX)
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                  extra=["--event-handler", "--state-dir", sdir,
                                         "CRITICAL", "HARD", "3"]))
    eq(r.rc, 1, "exit status of the next run", r)
    true("cooldown" in r.stdout, "the cooldown is not named", r)
    eq(e.counters()["start_requests"].get(H.JOB_BOX, 0), 1, "start requests after it", r)


def test_start_mode_sends_its_start_once_too():
    e = H.emu()
    e.add_fault(target="graph", method="POST", path_contains="/start", drop_after=True)
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                  extra=["--start", "--state-dir", state_dir()]))
    eq(e.counters()["start_requests"].get(H.JOB_BOX, 0), 1, "start requests Graph received", r)
    expect(r, 3, first_contains=["may have started"])


def test_a_start_uses_its_own_connection_and_no_other_request_reuses_it():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                  extra=["--event-handler", "--state-dir", state_dir(),
                                         "CRITICAL", "HARD", "3"]))
    eq(r.rc, 0, "exit status", r)
    reqs = e.counters()["requests"]
    starts = start_posts(e)
    eq([q["on_connection"] for q in starts], [1], "the start's place on its connection", r)
    on_it = [q["path"] for q in reqs if q["connection"] == starts[0]["connection"]]
    eq(len(on_it), 1, "requests on the start's connection: %r" % on_it, r)
    true(any(q["method"] == "GET" and q["connection"] != starts[0]["connection"]
             for q in reqs[reqs.index(starts[0]):]),
         "the status afterwards was not read", r)


# -- 9. nothing the plugin opens holds the run past -t -------------------------
def _fifo(d, name="fifo"):
    path = os.path.join(d, name)
    os.mkfifo(path)
    return path


def _hash_dir(with_fifo):
    """A hashed certificate directory trusting the test CA, with a FIFO
    under the name OpenSSL opens first for it (or a device)."""
    d = H.scratch_dir("capath-")
    src = os.path.join(H.certs(), "capath")
    name = [n for n in os.listdir(src) if n.endswith(".0")][0]
    if with_fifo:
        _fifo(d, name)
    else:
        os.symlink("/dev/zero", os.path.join(d, name))
    return d, name


def refused_at_once(r, *words):
    # A reader that blocked on the FIFO would hang until run_plugin's timeout
    # fails the test: the words are the proof, not the wall clock.
    expect(r, 3, first_contains=list(words) + ["refused"], one_line=True)


def test_trust_anchors_that_are_not_regular_files_are_refused_at_once():
    e = H.emu(tls=True)
    base = [a for a in H.check_args(e, job=H.JOB_SCIM, extra=["-t", "5"])]
    i = base.index("--cacert")
    del base[i:i + 2]
    d = H.scratch_dir("fifos-")
    fifo = _fifo(d)
    fifo_dir, name = _hash_dir(True)
    device_dir, _ = _hash_dir(False)
    for extra, env, words in (
            (["--cacert", fifo], {}, ["--cacert", "a FIFO"]),
            (["--capath", fifo_dir], {}, ["--capath", name, "a FIFO"]),
            (["--capath", device_dir], {}, ["--capath", name, "a device"]),
            (["--capath", fifo], {}, ["--capath", "not a directory"]),
            ([], {"SSL_CERT_DIR": fifo_dir}, ["SSL_CERT_DIR", name, "a FIFO"]),
            ([], {"SSL_CERT_DIR": "/etc/ssl/certs:" + fifo_dir}, ["SSL_CERT_DIR", name]),
            ([], {"SSL_CERT_FILE": fifo}, ["SSL_CERT_FILE", "a FIFO"]),
            (["--cacert", os.path.join(H.certs(), "ca.pem")], {"OPENSSL_CONF": fifo},
             ["OPENSSL_CONF", "a FIFO"])):
        r = H.run_plugin(base + extra, env=env, timeout=20)
        refused_at_once(r, *words)
    eq(e.counters()["requests"], [], "requests sent with an unusable trust anchor")


def test_no_file_the_plugin_opens_holds_the_run():
    # What the plugin reads itself goes through one reader that opens
    # without blocking and wants a regular file: pinned here for each.
    e = H.emu()
    d = H.scratch_dir("fifos-")
    fifo = _fifo(d)
    base = H.check_args(e, client="writer", job=H.JOB_BOX, extra=["-t", "5"])
    i = base.index("--client-secret-file")
    without_secret = base[:i] + base[i + 2:]
    for args, what in (
            (base[:i] + ["--client-secret-file", fifo] + base[i + 2:], "client secret file"),
            (without_secret + ["--certificate", fifo], "certificate file"),
            (without_secret + ["--access-token-file", fifo], "access token file"),
            (base[:-4] + ["--service-principals-file", fifo, "-j", H.JOB_BOX],
             "service principals file")):
        r = H.run_plugin(args, timeout=20)
        expect(r, 3, first_contains=[what, "not a regular file"], one_line=True)
    # the handler's state file and a token cache entry
    sdir = H.scratch_dir("state-")
    os.chmod(sdir, 0o700)
    _fifo(sdir, H.JOB_BOX + ".state")
    r = H.run_plugin(base + ["--event-handler", "--state-dir", sdir, "CRITICAL", "HARD", "3"],
                     timeout=20)
    eq(r.rc, 3, "exit status with a FIFO for the state file", r)
    true("state file" in r.stdout and "not a regular file" in r.stdout,
         "a FIFO state file is not refused", r)
    cache = H.cache_dir()
    args = H.check_args(e, job=H.JOB_SCIM, cache=cache)
    expect(H.run_plugin(args), 0)
    entry = [f for f in os.listdir(cache) if len(f) == 64][0]
    os.unlink(os.path.join(cache, entry))
    _fifo(cache, entry)
    expect(H.run_plugin(args, timeout=20), 0)


def test_the_plugin_itself_sends_a_start_again_only_when_graph_did_not_act():
    # 503/504 may hide a start: never again. 429 (throttled, not processed)
    # and a refused cached token (401, not authenticated): once more.
    for fault, sent, started, rc in (({"status": 503}, 1, 0, 3),
                                     ({"status": 504}, 1, 0, 3),
                                     ({"retry_after": "0.2"}, 2, 1, 0)):
        e = H.emu()
        e.add_fault(target="graph", method="POST", path_contains="/start", **fault)
        r = H.run_plugin(H.check_args(e, client="writer", job=H.JOB_BOX,
                                      extra=["--event-handler", "--state-dir", state_dir(),
                                             "CRITICAL", "HARD", "3"]))
        c = e.counters()
        eq((c["start_requests"].get(H.JOB_BOX, 0), c["starts"].get(H.JOB_BOX, 0), r.rc),
           (sent, started, rc), "start requests, starts and exit status after %r" % fault, r)
        true(all(q["on_connection"] == 1 for q in start_posts(e)),
             "a start went out on a reused connection", r)
    e = H.emu()
    cache = H.cache_dir()
    args = H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache,
                        extra=["--event-handler", "--state-dir", state_dir(),
                               "CRITICAL", "HARD", "3"])
    eq(H.run_plugin(args[:args.index("--event-handler")]).rc, 2, "the check that warms the cache")
    e.add_fault(target="graph", method="POST", path_contains="/start", status=401,
                json={"error": {"code": "InvalidAuthenticationToken", "message": "expired"}})
    r = H.run_plugin(args)
    c = e.counters()
    eq((c["start_requests"].get(H.JOB_BOX, 0), c["starts"].get(H.JOB_BOX, 0), r.rc), (2, 1, 0),
       "start requests, starts and exit status after a 401 on the cached token", r)
