# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny test harness for running plugin/check_entra_sync against the Graph
emulator (tests/emulator). Standard library only. See run.py for the runner."""

import copy
import ctypes
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import formats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# TEST_PLUGIN runs the tests against another build (e.g. to see a new test
# fail against the release before a fix).
PLUGIN = os.environ.get("TEST_PLUGIN") or os.path.join(ROOT, "plugin", "check_entra_sync")
EMULATOR = os.path.join(ROOT, "tests", "emulator", "emulator.py")
FIXTURES = os.path.join(ROOT, "tests", "emulator", "fixtures")
WORK = os.path.join(ROOT, "tests", ".work")
VALGRIND = os.environ.get("VALGRIND") == "1"
SLOW = 10.0 if VALGRIND else 1.0   # scale for wall-clock assertions

# -- the default fixture --------------------------------------------------
TENANT = "11111111-2222-3333-4444-555555555555"
TENANT_DOMAIN = "contoso.onmicrosoft.com"
CLIENTS = {
    "reader": ("aaaaaaaa-0000-0000-0000-000000000001", "reader-secret-Q8~xVALUE"),
    "writer": ("aaaaaaaa-0000-0000-0000-000000000002", "writer-secret-Z3~yVALUE"),
    "noperm": ("aaaaaaaa-0000-0000-0000-000000000003", "noperm-secret-P1~zVALUE"),
    # Synchronization.Read.All, Organization.Read.All,
    # OnPremDirectorySynchronization.Read.All, Application.Read.All
    "auditor": ("aaaaaaaa-0000-0000-0000-000000000004", "auditor-secret-D4~wVALUE"),
    # Synchronization.Read.All and .ReadWrite.All, AuditLog.Read.All,
    # Directory.Read.All (--object-errors)
    "logreader": ("aaaaaaaa-0000-0000-0000-000000000005", "logreader-secret-L5~vVALUE"),
}
MI_SYSTEM = "aaaaaaaa-0000-0000-0000-00000000000a"
MI_USER = "aaaaaaaa-0000-0000-0000-00000000000b"
SP_DEMO = "5a1f0c2e-0000-4000-8000-000000000001"
APP_DEMO = "bbbbbbbb-0000-0000-0000-000000000001"
JOB_SCIM = "scim.0123456789abcdef0123456789abcdef"
JOB_BOX = "Box.fedcba9876543210fedcba9876543210"
SP_TEST = "5a1f0c2e-0000-4000-8000-0000000000aa"   # tests put their own jobs here
APP_TEST = "bbbbbbbb-0000-0000-0000-0000000000aa"
SENTINEL = "0001-01-01T00:00:00Z"
READ = "Synchronization.Read.All"
WRITE = "Synchronization.ReadWrite.All"

# every secret a test may use; run_plugin fails when one shows up in output
_SECRETS = {s for _, s in CLIENTS.values()}


class Skip(Exception):
    """Raise to report a test as skipped (TAP '# SKIP')."""


def fail(msg):
    raise AssertionError(msg)


# -- files ----------------------------------------------------------------
def _workdir(*parts):
    d = os.path.join(WORK, *parts)
    os.makedirs(d, exist_ok=True)
    return d


def certs():
    """The make-certs.sh output directory (created on first use)."""
    d = os.path.join(WORK, "certs")
    if not os.path.exists(os.path.join(d, ".complete")):
        subprocess.run([os.path.join(ROOT, "tests", "emulator", "make-certs.sh"), d],
                       check=True, stdout=subprocess.DEVNULL)
    return d


def secret_file(value):
    """A 0600 file holding value plus a newline; remembered as a secret."""
    _SECRETS.add(value)
    fd, path = tempfile.mkstemp(prefix="secret-", dir=_workdir("secrets"))
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return path


def token_file(token, ending="\n"):
    """A 0600 file holding an access token (for --access-token-file) and
    ending; remembered as a secret (a real one, 8 characters or more): no
    run may print it whole."""
    if len(token) >= 8:
        _SECRETS.add(token)
    fd, path = tempfile.mkstemp(prefix="token-", dir=_workdir("secrets"))
    with os.fdopen(fd, "w") as f:
        f.write(token + ending)
    return path


def cache_dir(create=True):
    """A fresh private token cache directory (or a path inside a fresh
    private directory that does not exist yet, with create=False)."""
    d = tempfile.mkdtemp(prefix="cache-", dir=_workdir("caches"))
    os.chmod(d, 0o700)
    return d if create else os.path.join(d, "cache")


ROOT_ENV = "CHECK_ENTRA_SYNC_ROOT"


def fixed_root():
    """A fresh directory for the plugin's documented test seam
    CHECK_ENTRA_SYNC_ROOT, which it puts in front of every fixed path it
    looks at by default (/var/lib/check-entra-sync, /var/cache/check-entra-sync,
    /tmp, the ini files under /etc): with its own tmp/, empty otherwise."""
    d = tempfile.mkdtemp(prefix="root-", dir=_workdir("roots"))
    os.chmod(d, 0o755)
    os.mkdir(os.path.join(d, "tmp"), 0o755)
    return d


def scratch_dir(prefix):
    """A fresh directory below the work tree, whatever ran before."""
    return tempfile.mkdtemp(prefix=prefix, dir=_workdir("caches"))


def shape(template_id):
    """A deep copy of the job in fixtures/shapes.json with that templateId."""
    with open(os.path.join(FIXTURES, "shapes.json")) as f:
        for j in json.load(f)["jobs"]:
            if j["templateId"] == template_id:
                return j
    raise KeyError(template_id)


def shape_ids():
    with open(os.path.join(FIXTURES, "shapes.json")) as f:
        return [j["templateId"] for j in json.load(f)["jobs"]]


def make_job(template="app", code="Active", interval="PT40M", last_success_ago=600,
             failures=0, escrowed=0, last_state="Succeeded", error=None, quarantine=None,
             schedule_state="Active", hexid=None):
    """A job built from parameters; last_success_ago None means never."""
    ended = SENTINEL if last_success_ago is None else "{{now-%d}}" % last_success_ago
    ex = {"activityIdentifier": None, "countEntitled": 10, "countEntitledForProvisioning": 10,
          "countEscrowed": escrowed, "countEscrowedRaw": escrowed, "countExported": 1,
          "countExports": 1, "countImported": 10, "countImportedDeltas": 1,
          "countImportedReferenceDeltas": 0, "error": error, "state": last_state,
          "timeBegan": ended, "timeEnded": ended}
    lse = dict(ex, state="Succeeded", error=None) if last_success_ago is not None else None
    return {"id": "%s.%s" % (template, hexid or (template.encode().hex() + "0" * 32)[:32]),
            "templateId": template,
            "schedule": {"expiration": None, "interval": interval, "state": schedule_state},
            "status": {"code": code, "countSuccessiveCompleteFailures": failures,
                       "escrowsPruned": False, "lastExecution": ex,
                       "lastSuccessfulExecution": lse, "lastSuccessfulExecutionWithExports": None,
                       "progress": [], "quarantine": quarantine,
                       "steadyStateFirstAchievedTime": SENTINEL,
                       "steadyStateLastAchievedTime": SENTINEL,
                       "synchronizedEntryCountByType": [], "troubleshootingUrl": None},
            "synchronizationJobSettings": []}


# -- the emulator ---------------------------------------------------------
class Emulator:
    """Context manager running tests/emulator/emulator.py on a random port.
    tls: False, True (= "server"), or the name of a make-certs.sh leaf
    ("server", "wronghost", "untrusted")."""

    def __init__(self, tls=False, fixture=None, netns=None, host=None):
        self.tls = "server" if tls is True else tls
        self.fixture = fixture
        self.netns = netns   # a NetNS: the emulator listens inside it
        self.host = host     # the address it listens on (default 127.0.0.1)
        self.proc = None

    def __enter__(self):
        d = tempfile.mkdtemp(prefix="emu-", dir=_workdir("emulators"))
        port_file = os.path.join(d, "port")
        self.log_path = os.path.join(d, "emulator.log")
        cmd = [sys.executable, EMULATOR, "--port", "0", "--port-file", port_file]
        if self.netns:
            cmd = self.netns.prefix + cmd
        if self.host:
            cmd += ["--host", self.host]
        if self.fixture:
            cmd += ["--fixture", self.fixture]
        if self.tls:
            c = certs()
            cmd += ["--tls-cert", os.path.join(c, self.tls + ".pem"),
                    "--tls-key", os.path.join(c, self.tls + ".key")]
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + 15
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("emulator did not start; see %s" % self.log_path)
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())
        host = "localhost" if self.tls else "127.0.0.1"
        if self.host and self.host not in ("0.0.0.0", "::"):
            host = self.host
        self.url = "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)
        # the control API is always reached through the test CA, even for the
        # wronghost/untrusted servers
        self._ctx = None
        if self.tls:
            self._ctx = ssl.create_default_context(cafile=os.path.join(certs(), "ca.pem"))
            if self.tls != "server":
                self._ctx.check_hostname = False
                self._ctx.verify_mode = ssl.CERT_NONE
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return False

    def control(self, method, path, json_body=None, **kw):
        json_body = kw.get("json", json_body)
        data = None if json_body is None else json.dumps(json_body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})

        def call():
            try:
                with urllib.request.urlopen(req, context=self._ctx, timeout=20) as r:
                    return r.read()
            except urllib.error.HTTPError as e:
                raise RuntimeError("emulator control %s %s: %d %s" % (method, path, e.code,
                                                                      e.read()))
        body = self.netns.call(call) if self.netns else call()
        return json.loads(body) if body else None

    def counters(self):
        return self.control("GET", "/_emu/counters")

    def reset(self):
        return self.control("POST", "/_emu/reset")

    def add_fault(self, **fault):
        return self.control("POST", "/_emu/faults", fault)

    def put_sp(self, sp_id, jobs, appId=None):
        return self.control("PUT", "/_emu/servicePrincipals/" + sp_id,
                            {"appId": appId, "jobs": copy.deepcopy(jobs)})

    def settings(self, **kw):
        return self.control("POST", "/_emu/settings", kw)

    def add_client(self, client_id, secret=None, certificate_pem=None, permissions=(READ,)):
        body = {"client_id": client_id, "permissions": list(permissions)}
        if secret is not None:
            _SECRETS.add(secret)
            body["secret"] = secret
        if certificate_pem is not None:
            body["certificate_pem"] = certificate_pem
        return self.control("POST", "/_emu/clients", body)

    def revoke_tokens(self):
        return self.control("DELETE", "/_emu/tokens")

    def quarantine(self, job_id, reason="EncounteredQuarantineException"):
        return self.control("POST", "/_emu/jobs/%s/quarantine" % job_id, {"reason": reason})

    def cycle(self, job_id):
        """Runs the job's next synchronization cycle now; -> its new status."""
        return self.control("POST", "/_emu/jobs/%s/cycle" % job_id)["status"]

    def next_cycle(self, job_id, outcome="succeed", **kw):
        """What the job's cycles do from now on: succeed, fail or quarantine
        (reason=..., error_code=..., message=..., exported=...)."""
        return self.control("POST", "/_emu/jobs/%s/next-cycle" % job_id, dict(kw, outcome=outcome))

    def advance(self, seconds):
        """Moves the emulator's clock forward (what falls due runs at its
        time); run the plugin with clock_env(e) to see the same time."""
        return self.control("POST", "/_emu/clock", {"advance": seconds})

    def clock_offset(self):
        return self.control("GET", "/_emu/clock")["offset"]

    def initial_cycle(self, job_id, **kw):
        """A long cycle whose progress advances with the clock (PROTOCOL.md)."""
        return self.control("POST", "/_emu/jobs/%s/initial-cycle" % job_id, kw)

    def install_fixture(self, name, **kw):
        """Installs a named set of fixtures/documented.json (PROTOCOL.md)."""
        return self.control("POST", "/_emu/fixtures/" + name, kw)

    def generate_tenant(self, **kw):
        return self.control("POST", "/_emu/tenant/generate", kw)

    def generate_jobs(self, sp_id, count, **kw):
        return self.control("POST", "/_emu/servicePrincipals/%s/generate-jobs" % sp_id,
                            dict(kw, count=count))

    def mint_token(self, **kw):
        """A token from the control API (kind "delegated" with scp and
        directory_roles, or "app" with roles); -> the token string."""
        return self.control("POST", "/_emu/tokens", kw)["access_token"]

    def set_directory(self, **kw):
        """Merges organization / onPremisesSynchronization values over the tenant's."""
        return self.control("POST", "/_emu/tenant/directory-sync", kw)

    def log_tail(self, n=15):
        try:
            with open(self.log_path) as f:
                return f.readlines()[-n:]
        except OSError:
            return []


# -- a network of its own (SPEC 18) ----------------------------------------
_CLONE_NEWNET = 0x40000000


class NetNS:
    """A network namespace of its own, for a test that needs a non-loopback
    address: nothing but `lo`, up, with those addresses on it, so whatever
    the plugin sends there stays on the machine even when it regresses.
    Root only: Skip says why when one cannot be made. Inside it run
    Emulator(netns=ns), run_plugin(..., netns=ns) and Sink(ns, address);
    ns.call(fn) runs fn in a thread of the namespace (its sockets are there).

        with H.NetNS("192.0.2.10") as ns: ..."""

    def __init__(self, *addresses):
        self.addresses = addresses
        self.proc = None

    def __enter__(self):
        if os.geteuid() != 0:
            raise Skip("a network namespace of its own needs root (unshare -n)")
        missing = [t for t in ("unshare", "nsenter", "ip") if shutil.which(t) is None]
        if missing:
            raise Skip("no %s: cannot make a network namespace" % ", ".join(missing))
        script = "ip link set lo up"
        for a in self.addresses:
            script += " && ip addr add %s/%d dev lo" % (a, 128 if ":" in a else 32)
        # the namespace lives as long as this process
        self.proc = subprocess.Popen(["unshare", "--net", "sh", "-c",
                                      script + " && echo ready && exec sleep 100000"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if self.proc.stdout.readline().strip() != b"ready":
            self.proc.wait()
            raise Skip("cannot make a network namespace: %s" %
                       self.proc.stderr.read().decode("utf-8", "replace").strip())
        self.path = "/proc/%d/ns/net" % self.proc.pid
        self.prefix = ["nsenter", "--net=" + self.path, "--"]
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return False

    def call(self, fn, *args):
        """fn(*args) in a thread that joined the namespace (setns(2) moves
        only the calling thread); its result, or what it raised."""
        out = {}

        def body():
            try:
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    if hasattr(os, "setns"):
                        os.setns(fd, _CLONE_NEWNET)
                    else:
                        libc = ctypes.CDLL(None, use_errno=True)
                        if libc.setns(fd, _CLONE_NEWNET) != 0:
                            raise OSError(ctypes.get_errno(), "setns")
                finally:
                    os.close(fd)
                out["value"] = fn(*args)
            except BaseException as x:   # handed to the caller
                out["error"] = x

        t = threading.Thread(target=body)
        t.start()
        t.join()
        if "error" in out:
            raise out["error"]
        return out["value"]


class Sink:
    """A TCP listener on address:port inside a NetNS that records every
    connection and what it sent, answers nothing and closes: where a packet
    that must never be sent would arrive. .received() -> [bytes, ...]."""

    def __init__(self, netns, address, port=0):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET

        def listen():
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((address, port))
            s.listen(16)
            return s
        self.sock = netns.call(listen)
        self.port = self.sock.getsockname()[1]
        self.url = "http://%s:%d" % ("[%s]" % address if ":" in address else address, self.port)
        self._got = []
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(1)
            data = b""
            try:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            conn.close()
            with self._lock:
                self._got.append(data)

    def received(self):
        time.sleep(0.1)
        with self._lock:
            return list(self._got)

    def close(self):
        self.sock.close()


_shared = {}


def emu(tls=False):
    """A shared emulator per TLS flavour, reset before it is handed out."""
    key = "server" if tls is True else tls
    e = _shared.get(key)
    if e is None or e.proc.poll() is not None:
        e = _shared[key] = Emulator(tls).__enter__()
    e.reset()
    return e


def stop_all():
    for e in _shared.values():
        e.__exit__(None, None, None)
    _shared.clear()


# -- running the plugin ---------------------------------------------------
class Result(tuple):
    """(rc, stdout, stderr, elapsed) with a few conveniences."""

    def __new__(cls, rc, out, err, elapsed, argv, raw_out=b"", raw_err=b""):
        r = super().__new__(cls, (rc, out, err, elapsed))
        r.argv = argv
        r.raw_stdout, r.raw_stderr = raw_out, raw_err
        return r

    rc = property(lambda s: s[0])
    stdout = property(lambda s: s[1])
    stderr = property(lambda s: s[2])
    elapsed = property(lambda s: s[3])
    first_line = property(lambda s: (s[1].splitlines() or [""])[0])

    def describe(self):
        lines = ["command: %s" % " ".join(self.argv),
                 "exit %d after %.2f s" % (self.rc, self.elapsed), "stdout:"]
        lines += ["  " + l for l in self.stdout.splitlines()[:40]]
        if self.stderr.strip():
            lines.append("stderr:")
            lines += ["  " + l for l in self.stderr.splitlines()[:40]]
        return "\n".join(lines)


def run_plugin(args, env=None, timeout=40, stdin=None, netns=None):
    """Runs the plugin with a clean environment (and, unless env names one,
    a fresh CHECK_ENTRA_SYNC_ROOT; inside netns, a NetNS, when given);
    returns a Result. While the binary is missing or being relinked (others
    may run make meanwhile), waits up to 60 s for it."""
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    if env:
        e.update(env)
    # Never the machine's own state, cache or ini files: a run that names no
    # directory gets a fresh, empty set of them, as every run did its own
    # token cache before.
    if ROOT_ENV not in e:
        e[ROOT_ENV] = fixed_root()
    argv = [PLUGIN] + [str(a) for a in args]
    if VALGRIND:
        argv = ["valgrind", "--quiet", "--error-exitcode=97", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect"] + argv
        timeout *= SLOW
    if netns:
        argv = netns.prefix + argv
    wait_until = time.monotonic() + 60
    while True:
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, env=e, stdin=subprocess.DEVNULL if stdin is None else None,
                               input=stdin, capture_output=True, timeout=timeout)
            break
        except subprocess.TimeoutExpired as x:
            fail("plugin still running after %d s: %s\nstdout: %s" % (
                timeout, " ".join(argv), (x.stdout or b"").decode("utf-8", "replace")))
        except OSError as x:   # ENOENT, EACCES or ETXTBSY while make relinks it
            if time.monotonic() > wait_until:
                fail("cannot run %s (make): %s" % (os.path.relpath(PLUGIN, ROOT), x))
            time.sleep(0.5)
    r = Result(p.returncode, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"), time.monotonic() - t0, argv,
               p.stdout, p.stderr)
    if VALGRIND and r.rc == 97:
        fail("valgrind reported errors\n" + r.describe())
    for s in _SECRETS:
        if s in r.stdout or s in r.stderr:
            fail("a client secret appears in the plugin's output\n" + r.describe())
    if r.rc < 0:
        fail("plugin died from signal %d\n%s" % (-r.rc, r.describe()))
    # Every json document (and prometheus exposition) any test makes is
    # checked against its contract, whatever else the test asserts.
    try:
        problems = formats.check(argv, r.raw_stdout)
    except formats.Unavailable as x:
        raise Skip(str(x))
    if problems:
        fail("the output breaks its format's contract:\n  %s\n%s"
             % ("\n  ".join(problems[:10]), r.describe()))
    return r



def run_concurrently(args, n, timeout=60):
    """Starts n plugin runs with the same arguments at once; returns their
    Results in start order, after re-raising the first harness failure."""
    results = [None] * n

    def one(i):
        try:
            results[i] = run_plugin(args, timeout=timeout)
        except AssertionError as x:
            results[i] = x

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        if isinstance(r, AssertionError):
            raise r
    return results

SYSLOG_ENV = "CHECK_ENTRA_SYNC_SYSLOG_SOCKET"
CLOCK_ENV = "CHECK_ENTRA_SYNC_CLOCK_OFFSET"


def clock_env(emu, env=None):
    """The environment that puts the plugin's clock where the emulator's is
    (the plugin's documented test seam), merged over env."""
    out = dict(env or {})
    out[CLOCK_ENV] = "%.3f" % emu.clock_offset()
    return out


class Syslog:
    """A private syslog socket (datagram, like /dev/log) for one test, reached
    through the plugin's documented test seam CHECK_ENTRA_SYNC_SYSLOG_SOCKET.
    .env is the environment to pass to run_plugin; .lines() what arrived."""

    def __init__(self):
        d = tempfile.mkdtemp(prefix="log-", dir=_workdir("syslog"))
        self.path = os.path.join(d, "log")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.env = {SYSLOG_ENV: self.path}
        self.received = []

    def lines(self):
        """Everything received so far (waits briefly for the last datagram)."""
        self.sock.settimeout(0.2)
        try:
            while True:
                self.received.append(self.sock.recv(65536).decode("utf-8", "replace"))
        except socket.timeout:
            pass
        return list(self.received)

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def check_args(emu, client="reader", sp=SP_DEMO, job=None, cache=None, tenant=TENANT,
               extra=(), app_id=None):
    """The usual command line: identity by client secret, both URLs at the
    emulator, a fresh private token cache, -s (or -a) and -j."""
    client_id, secret = CLIENTS[client] if isinstance(client, str) else client
    args = ["-T", tenant, "-C", client_id, "--client-secret-file", secret_file(secret),
            "--login-url", emu.url, "--graph-url", emu.url,
            "--token-cache", cache or cache_dir()]
    if emu.tls:
        args += ["--cacert", os.path.join(certs(), "ca.pem")]
    args += ["-a", app_id] if app_id else ["-s", sp]
    if job:
        args += ["-j", job]
    return args + list(extra)


# -- assertions -----------------------------------------------------------
STATES = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


def expect(r, rc, contains=(), first_contains=(), absent=(), one_line=False, max_elapsed=None):
    """Checks exit code, the 'ENTRA SYNC <STATE> - ' first line and text."""
    problems = []
    if r.rc != rc:
        problems.append("exit code %d, expected %d" % (r.rc, rc))
    want = "ENTRA SYNC %s - " % STATES.get(rc, "?")
    if not r.first_line.startswith(want):
        problems.append("first line does not start with %r" % want)
    for s in first_contains:
        if s.lower() not in r.first_line.lower():
            problems.append("first line lacks %r" % s)
    for s in contains:
        if s.lower() not in r.stdout.lower():
            problems.append("stdout lacks %r" % s)
    for s in absent:
        if s.lower() in (r.stdout + r.stderr).lower():
            problems.append("output contains %r" % s)
    if one_line:
        # one status line; Graph and sign-in errors may add the line with what
        # Microsoft support asks for (ids and dates), and nothing else
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        support = re.compile(r"^(trace_id|correlation_id|timestamp|inner error|date|request-id"
                             r"|client-request-id) ")
        if not (len(lines) == 1 or (len(lines) == 2 and support.match(lines[1]))):
            problems.append("output is not one line (plus the support line)")
    if max_elapsed is not None and r.elapsed > max_elapsed * SLOW:
        problems.append("took %.2f s, limit %.2f s" % (r.elapsed, max_elapsed * SLOW))
    if problems:
        fail("; ".join(problems) + "\n" + r.describe())
    return r


def eq(actual, expected, what, r=None):
    if actual != expected:
        fail("%s: got %r, expected %r%s" % (what, actual, expected,
                                            "\n" + r.describe() if r else ""))


def true(cond, what, r=None):
    if not cond:
        fail(what + ("\n" + r.describe() if r else ""))


def perfdata(r):
    """{label: value string} from every perfdata part of the output (first
    line after '|', and long output after a '|')."""
    out = {}
    items = []
    for line in r.stdout.splitlines():
        if "|" in line:
            items += line.split("|", 1)[1].split()
    for item in items:
        if "=" in item:
            k, v = item.split("=", 1)
            out[k.strip("'")] = v.split(";")[0]
    return out


def graph_requests(c):
    return c["graph_requests"]
