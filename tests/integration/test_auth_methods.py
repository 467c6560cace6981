# SPDX-License-Identifier: GPL-3.0-or-later
"""Every way to get a token (man page: IDENTITY, TOKEN CACHE): client
secret, certificate (RS256 and PS256), managed identity, access token file;
the errors each one can meet; clouds; and cache entries kept apart per
credential."""

import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import harness as H
from harness import expect, eq, true

CID, SECRET = H.CLIENTS["reader"]


def _pem(name):
    return os.path.join(H.certs(), name)


def _read(path):
    with open(path) as f:
        return f.read()


def _private_copy(name, mode=0o600):
    """A copy of a make-certs.sh file with the given mode (the originals are
    shared by every test)."""
    d = H.cache_dir()
    dst = os.path.join(d, name)
    shutil.copyfile(_pem(name), dst)
    os.chmod(dst, mode)
    return dst


def _register_cert_client(e, client_id=CID, crt="client.crt", secret=None):
    e.add_client(client_id, secret=secret, certificate_pem=_read(_pem(crt)),
                 permissions=[H.READ])


def _cert_args(e, pem, client_id=CID, cache=None, extra=()):
    return ["-T", H.TENANT, "-C", client_id, "--certificate", pem,
            "--login-url", e.url, "--graph-url", e.url,
            "--token-cache", cache or H.cache_dir(), "-s", H.SP_DEMO, "-j", H.JOB_SCIM] + list(extra)


def _mi_args(e, client_id=None, cache=None, extra=()):
    mi = "--managed-identity" + ("=" + client_id if client_id else "")
    return [mi, "--imds-url", e.url, "--graph-url", e.url,
            "--token-cache", cache or H.cache_dir(), "-s", H.SP_DEMO, "-j", H.JOB_SCIM] + list(extra)


def _token_via_secret(e):
    """A token from the emulator's token endpoint, obtained the way a script
    would, for --access-token-file."""
    form = urllib.parse.urlencode({"client_id": CID, "client_secret": SECRET,
                                   "scope": "https://graph.microsoft.com/.default",
                                   "grant_type": "client_credentials"}).encode()
    req = urllib.request.Request("%s/%s/oauth2/v2.0/token" % (e.url, H.TENANT), data=form)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["access_token"]




def _cache_entries(cache):
    return sorted(f for f in os.listdir(cache) if re.fullmatch(r"[0-9a-f]{64}", f))


# -- client secret ----------------------------------------------------------
def test_client_secret_signs_in_then_uses_the_cache():
    e = H.emu()
    cache = H.cache_dir()
    r = expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache, extra=["-v"])), 0)
    true("signed in as client %s" % CID in r.stderr, "no sign-in note at -v", r)
    r = expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache, extra=["-v"])), 0)
    true(re.search(r"token from cache \(expires in \d+m\)", r.stderr), "no cache note", r)
    eq(e.counters()["sign_ins"].get(CID), 1, "sign-ins", r)


def test_expired_secret_names_aadsts7000222_with_hint():
    e = H.emu()
    cid = "aaaaaaaa-0000-0000-0000-0000000000e1"
    secret = "expired-secret-E5~kVALUE"
    e.control("POST", "/_emu/clients", {"client_id": cid, "secret": secret,
                                        "secret_expired": True, "permissions": [H.READ]})
    r = H.run_plugin(H.check_args(e, client=(cid, secret), job=H.JOB_SCIM))
    expect(r, 3, first_contains=["AADSTS7000222", "create a new one"], one_line=True)


def test_wrong_secret_hint_says_value_not_id():
    e = H.emu()
    r = H.run_plugin(H.check_args(e, client=(CID, "0b1c2d3e-not-the-value"), job=H.JOB_SCIM))
    expect(r, 3, first_contains=["HTTP 401 invalid_client, AADSTS7000215",
                                 "hint: use the secret's Value, not its Secret ID"],
           absent=["0b1c2d3e-not-the-value", "Trace ID"], one_line=True)


# -- certificate --------------------------------------------------------------
def test_certificate_rs256_signs_in_and_checks():
    e = H.emu()
    _register_cert_client(e)
    r = expect(H.run_plugin(_cert_args(e, _private_copy("client.pem"))), 0)
    c = e.counters()
    eq(c["assertion_algs"], {"RS256": 1}, "assertion algorithms", r)
    eq(c["sign_ins"].get(CID), 1, "sign-ins", r)


def test_certificate_ps256_signs_in_and_checks():
    e = H.emu()
    _register_cert_client(e)
    r = expect(H.run_plugin(_cert_args(e, _private_copy("client.pem"),
                                       extra=["--jwt-alg", "PS256"])), 0)
    eq(e.counters()["assertion_algs"], {"PS256": 1}, "assertion algorithms", r)


def test_certificate_from_environment():
    e = H.emu()
    _register_cert_client(e)
    args = ["--login-url", e.url, "--graph-url", e.url, "--token-cache", H.cache_dir(),
            "-s", H.SP_DEMO, "-j", H.JOB_SCIM]
    env = {"AZURE_TENANT_ID": H.TENANT, "AZURE_CLIENT_ID": CID,
           "AZURE_CLIENT_CERTIFICATE_PATH": _private_copy("client.pem")}
    r = expect(H.run_plugin(args, env=env), 0)
    eq(e.counters()["assertion_algs"], {"RS256": 1}, "assertion algorithms", r)


def test_unregistered_certificate_names_aadsts700027_with_hint():
    e = H.emu()
    _register_cert_client(e)
    r = H.run_plugin(_cert_args(e, _private_copy("client2.pem")))
    expect(r, 3, first_contains=["AADSTS700027", "hint: the certificate is not registered"],
           one_line=True)


def test_encrypted_key_is_refused_with_the_decrypt_command():
    e = H.emu()
    _register_cert_client(e)
    pem = _private_copy("client-enc.pem")
    r = H.run_plugin(_cert_args(e, pem))
    expect(r, 3, first_contains=["is encrypted; decrypt it with: openssl pkey -in %s -out %s.dec"
                                 % (pem, pem)], one_line=True)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins", r)


def test_key_not_matching_certificate_is_refused():
    e = H.emu()
    _register_cert_client(e)
    r = H.run_plugin(_cert_args(e, _private_copy("client-mismatch.pem")))
    expect(r, 3, first_contains=["does not match its certificate"], one_line=True)
    eq(e.counters()["sign_in_failures"], 0, "sign-in attempts", r)


def test_group_readable_certificate_warns_at_verbose_only():
    e = H.emu()
    _register_cert_client(e)
    pem = _private_copy("client.pem", 0o644)
    r = expect(H.run_plugin(_cert_args(e, pem)), 0)
    true("readable by group or others" not in r.stderr, "warning without -v", r)
    r = expect(H.run_plugin(_cert_args(e, pem, extra=["-v"])), 0)
    true("readable by group or others (mode 0644)" in r.stderr, "no warning at -v", r)


def _clock_shim():
    """An LD_PRELOAD library moving the wall clock by $FAKE_CLOCK_OFFSET
    seconds (monotonic time untouched), for when faketime is not installed."""
    d = os.path.join(H.WORK, "clockshim")
    so = os.path.join(d, "clockshim.so")
    if os.path.exists(so):
        return so
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "clockshim.c")
    with open(src, "w") as f:
        f.write(r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
static long offset(void) { const char *s = getenv("FAKE_CLOCK_OFFSET"); return s ? atol(s) : 0; }
int clock_gettime(clockid_t clk, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	int rc = real(clk, ts);
	if (rc == 0 && (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE)) ts->tv_sec += offset();
	return rc;
}
time_t time(time_t *t) { struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts); if (t) *t = ts.tv_sec; return ts.tv_sec; }
""")
    tmp = so + ".%d" % os.getpid()
    if subprocess.run([cc, "-shared", "-fPIC", "-o", tmp, src, "-ldl"]).returncode != 0:
        return None
    os.replace(tmp, so)
    return so


def _skewed(args, seconds):
    """Runs the plugin with its clock moved; faketime when installed."""
    if shutil.which("faketime"):
        return _run_wrapped(["faketime", "-f", "%+ds" % seconds], args, {})
    so = _clock_shim()
    if so is None:
        raise H.Skip("neither faketime nor a C compiler for a clock shim is available")
    return _run_wrapped([], args, {"LD_PRELOAD": so, "FAKE_CLOCK_OFFSET": str(seconds)})


def _run_wrapped(prefix, args, env):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    e.update(env)
    p = subprocess.run(prefix + [H.PLUGIN] + args, env=e, capture_output=True, timeout=40)
    return H.Result(p.returncode, p.stdout.decode(), p.stderr.decode(), 0.0, prefix + args)


def test_assertion_from_a_slow_clock_is_refused_with_clock_hint():
    e = H.emu()
    _register_cert_client(e)
    r = _skewed(_cert_args(e, _private_copy("client.pem")), -3600)
    expect(r, 3, first_contains=["AADSTS700024", "check the system clock"], one_line=True)


def test_assertion_from_a_fast_clock_is_refused_with_clock_hint():
    e = H.emu()
    _register_cert_client(e)
    r = _skewed(_cert_args(e, _private_copy("client.pem")), 3600)
    expect(r, 3, first_contains=["AADSTS700024", "check the system clock"], one_line=True)


def test_assertion_within_the_allowed_skew_is_accepted():
    e = H.emu()
    _register_cert_client(e)
    expect(_skewed(_cert_args(e, _private_copy("client.pem")), 120), 0)


# -- managed identity -----------------------------------------------------
def test_system_managed_identity_signs_in_and_checks():
    e = H.emu()
    cache = H.cache_dir()
    r = expect(H.run_plugin(_mi_args(e, cache=cache, extra=["-vv"])), 0)
    true("resource=https%3A%2F%2Fgraph.microsoft.com" in r.stderr, "IMDS URL not shown", r)
    c = e.counters()
    eq(c["sign_ins"].get(H.MI_SYSTEM), 1, "managed identity sign-ins", r)
    imds = [q for q in c["requests"] if q["path"].startswith("/metadata/")]
    eq(len(imds), 1, "IMDS requests", r)
    eq(imds[0]["headers"].get("Metadata"), "true", "Metadata header", r)
    expect(H.run_plugin(_mi_args(e, cache=cache)), 0)
    eq(e.counters()["imds_requests"], 1, "IMDS requests with a warm cache")


def test_user_assigned_managed_identity_signs_in():
    e = H.emu()
    r = expect(H.run_plugin(_mi_args(e, client_id=H.MI_USER, extra=["-vv"])), 0)
    true("&client_id=" + H.MI_USER in r.stderr, "client_id not in the IMDS URL", r)
    c = e.counters()
    eq(c["sign_ins"].get(H.MI_USER), 1, "user-assigned sign-ins", r)
    eq(c["sign_ins"].get(H.MI_SYSTEM), None, "system-assigned sign-ins", r)


def test_unknown_managed_identity_is_unknown_with_reason():
    e = H.emu()
    r = H.run_plugin(_mi_args(e, client_id="aaaaaaaa-0000-0000-0000-0000000000ff"))
    expect(r, 3, first_contains=["managed identity", "Identity not found"], one_line=True)


def test_metadata_endpoint_refuses_requests_without_the_header():
    e = H.emu()
    url = "%s/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s" % (
        e.url, urllib.parse.quote("https://graph.microsoft.com", safe=""))
    curl = shutil.which("curl")
    if curl:
        plain = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", url],
                               capture_output=True, text=True, timeout=10).stdout
        with_header = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                      "-H", "Metadata: true", url],
                                     capture_output=True, text=True, timeout=10).stdout
    else:
        try:
            urllib.request.urlopen(url, timeout=10)
            plain = "200"
        except urllib.error.HTTPError as x:
            plain = str(x.code)
        req = urllib.request.Request(url, headers={"Metadata": "true"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            with_header = str(resp.status)
    eq(plain, "400", "IMDS answer without Metadata: true")
    eq(with_header, "200", "IMDS answer with Metadata: true")
    expect(H.run_plugin(_mi_args(e)), 0)


def test_metadata_429_then_503_then_success_is_ok():
    e = H.emu()
    e.add_fault(target="imds", status=429, retry_after="0.2", times=1)
    e.add_fault(target="imds", status=503, times=1)
    r = expect(H.run_plugin(_mi_args(e)), 0, max_elapsed=10)
    statuses = [q["status"] for q in e.counters()["requests"] if q["path"].startswith("/metadata/")]
    eq(statuses, [429, 503, 200], "IMDS answers", r)


def test_metadata_is_never_reached_through_a_proxy():
    e = H.emu()
    r = H.run_plugin(_mi_args(e, extra=["--proxy", "http://127.0.0.1:9", "-t", "5"]))
    eq(e.counters()["imds_requests"], 1, "IMDS requests past a dead proxy", r)
    eq(e.counters()["sign_ins"].get(H.MI_SYSTEM), 1, "managed identity sign-ins", r)


# -- access token file ------------------------------------------------------
def test_access_token_file_is_used_as_is_and_not_cached():
    e = H.emu()
    token = _token_via_secret(e)
    cache = H.cache_dir()
    args = ["--access-token-file", H.token_file(token, "\r\n"), "--graph-url", e.url,
            "--token-cache", cache, "-s", H.SP_DEMO, "-j", H.JOB_SCIM, "-vvv"]
    r = expect(H.run_plugin(args), 0)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins (only the test's own)", r)
    eq(os.listdir(cache), [], "cache directory contents", r)
    true(token not in r.stdout + r.stderr, "the token appears in the output", r)


def test_rejected_access_token_file_says_no_renewal_possible():
    e = H.emu()
    path = H.token_file(_token_via_secret(e), "\r\n")
    e.revoke_tokens()
    r = H.run_plugin(["--access-token-file", path, "--graph-url", e.url,
                      "-s", H.SP_DEMO, "-j", H.JOB_SCIM])
    expect(r, 3, first_contains=["no renewal possible with --access-token-file"], one_line=True)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins (only the test's own)", r)


def test_empty_access_token_file_is_an_error():
    e = H.emu()
    r = H.run_plugin(["--access-token-file", H.token_file("", "\n"), "--graph-url", e.url,
                      "-s", H.SP_DEMO, "-j", H.JOB_SCIM])
    expect(r, 3, first_contains=["first line is empty"], one_line=True)
    eq(e.counters()["graph_requests"], 0, "Graph requests", r)



def test_vv_names_each_sign_in_method():
    """-vv says how the run signs in; each method has its own name, whatever
    the order of the methods in the code."""
    e = H.emu()
    _register_cert_client(e, secret=SECRET)
    token = _token_via_secret(e)
    runs = {
        "client secret": H.check_args(e, job=H.JOB_SCIM),
        "certificate": _cert_args(e, _private_copy("client.pem")),
        "managed identity": _mi_args(e),
        "access token file": ["--access-token-file", H.token_file(token, "\n"),
                              "--graph-url", e.url, "-s", H.SP_DEMO, "-j", H.JOB_SCIM],
    }
    for name, args in runs.items():
        r = expect(H.run_plugin(args + ["-vv"]), 0)
        true("identity: %s; token cache " % name in r.stderr, "-vv does not name %s" % name, r)

# -- clouds -------------------------------------------------------------------
CLOUDS = {
    "global": ("https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "usgov": ("https://login.microsoftonline.us", "https://graph.microsoft.us"),
    "dod": ("https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
    "china": ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}


def test_each_cloud_asks_for_its_own_scope():
    e = H.emu()
    for cloud, (_, graph) in CLOUDS.items():
        r = expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM,
                                             extra=["--cloud", cloud, "-vv"])), 0)
        true("scope %s/.default" % graph in r.stderr, "%s scope not shown" % cloud, r)
        true("sign-in: POST %s/%s/oauth2/v2.0/token" % (e.url, H.TENANT) in r.stderr,
             "overridden token URL not shown", r)
    scopes = e.counters()["scopes"]
    for _, graph in CLOUDS.values():
        eq(scopes.get(graph + "/.default"), 1, "sign-ins for scope %s" % graph)


def test_each_cloud_computes_its_login_and_graph_urls():
    # No overrides: the real hosts, which a network of its own cannot reach
    # (SPEC 18: no sign-in with a test secret may leave the machine), so the
    # run ends UNKNOWN, but -vv shows where it would go.
    with H.NetNS() as ns:
        for cloud, (login, graph) in CLOUDS.items():
            r = H.run_plugin(["-T", H.TENANT, "-C", CID, "--client-secret-file",
                              H.secret_file(SECRET), "--cloud", cloud, "--no-token-cache",
                              "-s", H.SP_DEMO, "-t", "3", "-vv"], timeout=20, netns=ns)
            eq(r.rc, 3, "%s exit code" % cloud, r)
            true("%s/%s/oauth2/v2.0/token" % (login, H.TENANT) in r.stderr,
                 "%s token URL not shown" % cloud, r)
            true(graph in r.stderr, "%s Graph URL not shown" % cloud, r)


def test_each_cloud_managed_identity_resource():
    e = H.emu()
    for cloud, (_, graph) in CLOUDS.items():
        r = expect(H.run_plugin(_mi_args(e, extra=["--cloud", cloud, "-vv"])), 0)
        true("resource=" + urllib.parse.quote(graph, safe="") in r.stderr,
             "%s resource not shown" % cloud, r)
    eq(sorted(e.counters()["scopes"]), sorted(g for _, g in CLOUDS.values()),
       "managed identity resources")


# -- cache separation ---------------------------------------------------------
def test_secret_certificate_and_managed_identity_have_separate_entries():
    e = H.emu()
    cache = H.cache_dir()
    cid = H.MI_USER  # the same client id for all four credentials
    secret = "shared-id-secret-M4~pVALUE"
    _register_cert_client(e, client_id=cid, secret=secret)
    pem = _private_copy("client.pem")
    runs = [H.check_args(e, client=(cid, secret), job=H.JOB_SCIM, cache=cache),
            _cert_args(e, pem, client_id=cid, cache=cache),
            _cert_args(e, pem, client_id=cid, cache=cache, extra=["--jwt-alg", "PS256"]),
            _mi_args(e, client_id=cid, cache=cache)]
    for args in runs + runs:
        expect(H.run_plugin(args), 0)
    c = e.counters()
    eq(c["sign_ins"].get(cid), 4, "sign-ins for four credentials, two checks each")
    eq(c["assertion_algs"], {"RS256": 1, "PS256": 1}, "assertions")
    eq(len(_cache_entries(cache)), 4, "cache entries")


def test_no_secret_token_or_assertion_in_vvv_output():
    e = H.emu()
    _register_cert_client(e, secret=SECRET)
    cache = H.cache_dir()
    outputs = []
    for args in (H.check_args(e, job=H.JOB_SCIM, cache=cache, extra=["-vvv"]),
                 _cert_args(e, _private_copy("client.pem"), cache=H.cache_dir(),
                            extra=["-vvv"])):
        r = expect(H.run_plugin(args), 0)
        outputs.append(r.stdout + r.stderr)
    entry = _read(os.path.join(cache, _cache_entries(cache)[0]))
    token = re.search(r"^access_token=(\S+)$", entry, re.M).group(1)
    for text in outputs:
        true(token not in text, "the access token appears in -vvv output")
        true("eyJhbGciOi" not in text, "a client assertion appears in -vvv output")
