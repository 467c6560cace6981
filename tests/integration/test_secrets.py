# SPDX-License-Identifier: GPL-3.0-or-later
"""Secret hygiene (doc/design.md: secrets): in every mode, at -vvv, on success and on
error, and with every sign-in method, no client secret, client assertion or
access token reaches stdout, stderr, syslog, argv or any file but the token
cache. Tokens are learnt from the cache entries (the emulator does not list
the tokens it issues) and from the token files the tests write."""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import harness as H
from harness import eq, true

CID, SECRET = H.CLIENTS["reader"]
CERT_CID = "aaaaaaaa-0000-0000-0000-0000000000c5"
WINDOW = 12  # a leak of any 12 consecutive characters of a secret counts


def private_dir():
    d = H.scratch_dir("secrets-")
    os.chmod(d, 0o700)
    return d


def windows(secret):
    if len(secret) <= WINDOW:
        return [secret]
    return [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)]


class Watch:
    """Runs the plugin, keeps every output, learns every token, and checks at
    the end that none of the secrets it knows shows up anywhere."""

    def __init__(self):
        self.caches = []
        self.secrets = set(s for _, s in H.CLIENTS.values())
        self.results = []
        self.dirs = []  # directories the plugin may write to besides the cache

    def cache(self):
        d = H.cache_dir()
        self.caches.append(d)
        return d

    def state_dir(self):
        d = private_dir()
        self.dirs.append(d)
        return d

    def run(self, args, env=None, rcs=(0,)):
        r = H.run_plugin(["-vvv"] + list(args), env=env)
        true(r.rc in rcs, "exit %d, expected one of %s" % (r.rc, rcs), r)
        true(r.first_line.startswith("ENTRA SYNC ") or "--event-handler" in args
             or "--start" in args or "--list" in args, "no status line", r)
        self.results.append(r)
        self.learn_tokens()
        return r

    def learn_tokens(self):
        for d in self.caches:
            for name in os.listdir(d):
                if not re.fullmatch(r"[0-9a-f]{64}", name):
                    continue
                with open(os.path.join(d, name)) as f:
                    m = re.search(r"^access_token=(.+)$", f.read(), re.M)
                if m:
                    self.secrets.add(m.group(1))

    def assert_clean(self, extra_texts=()):
        true(len(self.secrets) > len(H.CLIENTS), "no token was learnt: the test saw nothing")
        texts = [(r, r.stdout + r.stderr) for r in self.results]
        texts += [(None, t) for t in extra_texts]
        for r, text in texts:
            for s in self.secrets:
                for w in windows(s):
                    true(w not in text, "a secret or token (%r...) appears in the output"
                         % s[:6], r)
            true(not re.search(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ", text),
                 "a JWT (client assertion?) appears in the output", r)
        for d in self.dirs:
            for root, _, files in os.walk(d):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        data = f.read().decode("utf-8", "replace")
                    for s in self.secrets:
                        true(s not in data, "a secret or token is in %s" % name)
        for d in self.caches:
            for root, _, files in os.walk(d):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        data = f.read().decode("utf-8", "replace")
                    for s in H.CLIENTS.values():
                        true(s[1] not in data, "a client secret is in the cache file %s" % name)


# -- every mode ----------------------------------------------------------------------
def test_check_and_list_in_every_format_leak_nothing():
    e = H.emu()
    w = Watch()
    cache = w.cache()
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    w.run(H.check_args(e, cache=cache), rcs=(2,))
    for fmt in ("text", "json", "icinga2", "nagios"):
        w.run(H.check_args(e, cache=cache, extra=["--list", "--format=" + fmt]))
    w.assert_clean()


def test_start_and_event_handler_leak_nothing():
    e = H.emu()
    w = Watch()
    sdir = w.state_dir()
    cache = w.cache()
    hargs = ["--event-handler", "--state-dir", sdir]
    w.run(H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache,
                       extra=hargs + ["OK", "HARD", "1"]))
    w.run(H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache,
                       extra=hargs + ["CRITICAL", "SOFT", "1"]))
    w.run(H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache,
                       extra=hargs + ["CRITICAL", "HARD", "3"]))
    eq(e.counters()["starts"].get(H.JOB_BOX), 1, "starts by the acting handler")
    e.quarantine(H.JOB_BOX)
    w.run(H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache,
                       extra=hargs + ["--dry-run", "CRITICAL", "HARD", "3"]), rcs=(0, 1))
    # within the handler's cooldown: refused by the rules, then forced
    w.run(H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache,
                       extra=["--start", "--state-dir", sdir]), rcs=(1,))
    e.quarantine(H.JOB_BOX)
    w.run(H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache,
                       extra=["--start", "--force", "--state-dir", sdir]))
    # refused by Graph: the reader may not start
    w.run(H.check_args(e, client="reader", job=H.JOB_BOX, cache=w.cache(),
                       extra=["--start", "--force", "--state-dir", sdir]), rcs=(2,))
    w.run(H.check_args(e, client="reader", job=H.JOB_BOX, cache=w.cache(),
                       extra=hargs + ["CRITICAL", "HARD", "3"]), rcs=(0, 1, 2, 3))
    w.assert_clean()


# -- errors ----------------------------------------------------------------------------
def test_errors_leak_nothing():
    e = H.emu()
    w = Watch()
    wrong = "wrong-secret-K7~qNOTTHEVALUE"
    w.secrets.add(wrong)
    H._SECRETS.add(wrong)
    w.run(H.check_args(e, client=(CID, wrong), job=H.JOB_SCIM, cache=w.cache()), rcs=(3,))
    w.run(H.check_args(e, client="noperm", job=H.JOB_SCIM, cache=w.cache()), rcs=(3,))
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=w.cache(),
                       tenant="99999999-2222-3333-4444-555555555555"), rcs=(3,))
    # a cached token that Graph no longer accepts: dropped, signed in anew
    cache = w.cache()
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    e.revoke_tokens()
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    # Graph errors whose bodies echo request details
    e.add_fault(target="graph", status=400, json={"error": {"code": "BadRequest",
                "message": "bad", "innerError": {"request-id": "r"}}})
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=cache), rcs=(3,))
    e.add_fault(target="graph", status=429, retry_after="100", times=-1)
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=cache, extra=["-t", "3"]), rcs=(3,))
    e.reset()
    e.add_fault(target="login", status=400, body="client_secret=%s&echo=1" % SECRET)
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=w.cache()), rcs=(3,))
    w.assert_clean()


def test_secret_given_on_the_command_line_is_not_echoed():
    e = H.emu()
    value = "argv-secret-R2~wDONOTECHO"
    H._SECRETS.add(value)
    for bad in (["--client-secret=" + value], ["--client-secret", value],
                ["--secret=" + value]):
        r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, extra=bad))
        eq(r.rc, 3, "exit status of a usage error", r)
        true(value not in r.stdout + r.stderr, "the mistyped secret is echoed back", r)


# -- every sign-in method -------------------------------------------------------------
def _cert_copy():
    d = private_dir()
    dst = os.path.join(d, "client.pem")
    shutil.copyfile(os.path.join(H.certs(), "client.pem"), dst)
    os.chmod(dst, 0o600)
    return dst


def _token_by_hand(e):
    form = urllib.parse.urlencode({"client_id": CID, "client_secret": SECRET,
                                   "scope": "https://graph.microsoft.com/.default",
                                   "grant_type": "client_credentials"}).encode()
    req = urllib.request.Request("%s/%s/oauth2/v2.0/token" % (e.url, H.TENANT), data=form)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["access_token"]


def test_every_sign_in_method_leaks_nothing():
    e = H.emu()
    w = Watch()
    with open(os.path.join(H.certs(), "client.crt")) as f:
        e.add_client(CERT_CID, certificate_pem=f.read(), permissions=[H.READ])
    pem = _cert_copy()
    base = ["--login-url", e.url, "--graph-url", e.url, "-s", H.SP_DEMO, "-j", H.JOB_SCIM]
    # the private key's base64 must not leak either
    with open(pem) as f:
        key_b64 = re.search(r"-----BEGIN (?:RSA )?PRIVATE KEY-----\n(.+?)-----END",
                            f.read(), re.S).group(1).replace("\n", "")
    w.secrets.add(key_b64[100:160])
    for alg in ("RS256", "PS256"):
        w.run(["-T", H.TENANT, "-C", CERT_CID, "--certificate", pem, "--jwt-alg", alg,
               "--token-cache", w.cache()] + base)
    eq(e.counters()["assertion_algs"], {"RS256": 1, "PS256": 1}, "assertions verified")
    # an assertion the emulator refuses (certificate not registered for this client)
    w.run(["-T", H.TENANT, "-C", CID, "--certificate", pem, "--token-cache", w.cache()] + base,
          rcs=(3,))
    # environment instead of files
    w.run(["--token-cache", w.cache()] + base,
          env={"AZURE_TENANT_ID": H.TENANT, "AZURE_CLIENT_ID": CID, "AZURE_CLIENT_SECRET": SECRET})
    w.run(["-T", H.TENANT, "-C", CERT_CID, "--token-cache", w.cache()] + base,
          env={"AZURE_CLIENT_CERTIFICATE_PATH": pem})
    # managed identity, system and user assigned
    for mi in ("--managed-identity", "--managed-identity=" + H.MI_USER):
        w.run([mi, "--imds-url", e.url, "--token-cache", w.cache()] + base)
    # a token from elsewhere
    token = _token_by_hand(e)
    w.secrets.add(token)
    d = private_dir()
    tf = os.path.join(d, "token")
    with open(tf, "w") as f:
        f.write(token + "\n")
    os.chmod(tf, 0o600)
    w.run(["--access-token-file", tf] + base)
    e.revoke_tokens()
    w.run(["--access-token-file", tf] + base, rcs=(3,))
    # no cache at all: the tokens are unknown, so only the known ones and JWTs are checked
    w.run(H.check_args(e, job=H.JOB_SCIM, extra=["--no-token-cache"]))
    w.assert_clean()


# -- syslog ------------------------------------------------------------------------------
def test_syslog_lines_hold_no_secret():
    w = Watch()
    with H.Syslog() as log:
        e = H.emu()
        sdir = w.state_dir()
        cache = w.cache()
        for extra in (["--event-handler", "--state-dir", sdir, "OK", "HARD", "1"],
                      ["--event-handler", "--state-dir", sdir, "CRITICAL", "HARD", "3"],
                      ["--start", "--force", "--state-dir", sdir]):
            e.quarantine(H.JOB_BOX)
            w.run(H.check_args(e, client="writer", job=H.JOB_BOX, cache=cache, extra=extra),
                  env=log.env)
        w.run(H.check_args(e, client="reader", job=H.JOB_BOX, cache=w.cache(),
                           extra=["--start", "--force", "--state-dir", sdir]), env=log.env,
              rcs=(2,))
        msgs = log.lines()
    mine = [m for m in msgs if "check_entra_sync" in m]
    true(len(mine) >= 3, "expected syslog lines from the handler and --start, got %r" % msgs)
    w.assert_clean(extra_texts=mine)


# -- argv ----------------------------------------------------------------------------------
# Every spelling by which a secret could be put on the command line. getopt
# would take an unambiguous prefix of a long option, and "--opt=VALUE" and
# "--opt VALUE" are the same to it; a value in any of them would be visible
# to every user in ps.
SECRET_ON_ARGV = (
    ["--client-secret", SECRET],
    ["--client-secret=" + SECRET],
    ["--secret", SECRET],
    ["--secret=" + SECRET],
    ["--client-secre", SECRET],
    ["--client-s=" + SECRET],
    ["--password", SECRET],
    ["-p", SECRET],
    [SECRET],
)


def test_a_secret_on_the_command_line_is_refused_and_never_echoed():
    e = H.emu()
    base = ["-T", H.TENANT, "-C", CID, "--login-url", e.url, "--graph-url", e.url,
            "--token-cache", H.cache_dir(), "-s", H.SP_DEMO, "-j", H.JOB_SCIM]
    for spelling in SECRET_ON_ARGV:
        # run_plugin itself fails the test if the secret shows up anywhere
        r = H.run_plugin(base + spelling)
        H.expect(r, 3, one_line=True)
        true("secret" in r.first_line.lower() or "option" in r.first_line.lower()
             or "argument" in r.first_line.lower(),
             "the refusal of %r does not say what was wrong" % spelling[0][:16], r)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins with a secret on the command line")
    eq(e.counters()["graph_requests"], 0, "Graph requests with a secret on the command line")


def test_cache_entry_holds_the_token_but_never_the_secret():
    e = H.emu()
    w = Watch()
    cache = w.cache()
    w.run(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    names = [n for n in os.listdir(cache) if re.fullmatch(r"[0-9a-f]{64}", n)]
    eq(len(names), 1, "cache entries")
    with open(os.path.join(cache, names[0]), "rb") as f:
        data = f.read()
    true(SECRET.encode() not in data, "the secret is in the cache entry")
    true(base64.b64encode(SECRET.encode()) not in data, "the secret (base64) is in the cache")
    w.assert_clean()
