# SPDX-License-Identifier: GPL-3.0-or-later
"""Credential expiry (man page: CREDENTIAL EXPIRY): a certificate's notAfter
on every run, a client secret's end from the application object with
--secret-expiry (at most once a day, the hint match, no permission), the
thresholds, and what the handler, --start and --list say about it."""

import datetime
import glob
import json
import os
import re
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

import harness as H
from harness import eq, expect, true

DAY = 86400
APP_READ = "Application.Read.All"
SP_WRITE = [H.READ, H.WRITE]
_KEY = []


def _key():
    if not _KEY:   # one RSA key for every test certificate: generating is slow
        _KEY.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _KEY[0]


def _certificate(days_left):
    """A self-signed certificate ending days_left days from now (negative:
    already ended): -> (path of a 0600 PEM with key and certificate, the
    certificate PEM for registration)."""
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expiry test %s" % days_left)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=400))
            .not_valid_after(now + datetime.timedelta(days=days_left))
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    path = os.path.join(H.cache_dir(), "client.pem")
    with open(path, "w") as f:
        f.write(key_pem + cert_pem)
    os.chmod(path, 0o600)
    return path, cert_pem


_n = [0]


def _client_id():
    _n[0] += 1
    return "aaaaaaaa-0000-0000-0000-0000000e%04x" % _n[0]


def _cert_client(e, days_left, permissions=(H.READ,)):
    cid = _client_id()
    path, pem = _certificate(days_left)
    e.control("POST", "/_emu/clients", {"client_id": cid, "certificate_pem": pem,
                                        "permissions": list(permissions)})
    return cid, path


def _cert_args(e, cid, path, cache=None, job=H.JOB_SCIM, extra=()):
    args = ["-T", H.TENANT, "-C", cid, "--certificate", path, "--login-url", e.url,
            "--graph-url", e.url, "--token-cache", cache or H.cache_dir(), "-s", H.SP_DEMO]
    return args + (["-j", job] if job else []) + list(extra)


def _secret_client(e, secret_end, permissions=(H.READ, APP_READ), secret=None, **more):
    """A client signing in with a secret that ends at secret_end (a time
    template), with more registration fields (extra_passwords, ...)."""
    cid = _client_id()
    secret = secret or "Zq%04x~secret-VALUE-for-expiry" % _n[0]
    H._SECRETS.add(secret)
    body = dict({"client_id": cid, "secret": secret, "permissions": list(permissions),
                 "secret_end": secret_end}, **more)
    e.control("POST", "/_emu/clients", body)
    return cid, secret


def _secret_args(e, client, cache=None, job=H.JOB_SCIM, extra=("--secret-expiry",)):
    return H.check_args(e, client=client, job=job, cache=cache, extra=extra)


def _expires_in(r):
    v = H.perfdata(r).get("credential_expires_in")
    true(v is not None, "no credential_expires_in metric", r)
    return int(v.rstrip("s"))


def _near(value, expected, what, r, slack=30):
    true(abs(value - expected) <= slack, "%s: %d, expected about %d" % (what, value, expected), r)


def _app_requests(e):
    return e.counters()["application_requests"]


def _expiry_entry(cache):
    found = glob.glob(os.path.join(cache, "*.expiry"))
    eq(len(found), 1, "credential cache entries in %s" % cache)
    return found[0]


def _age_entry(cache, seconds):
    """Makes the cached look-up seconds older than it is."""
    path = _expiry_entry(cache)
    with open(path) as f:
        text = f.read()
    checked = int(re.search(r"^checked_at=(\d+)$", text, re.M).group(1))
    with open(path, "w") as f:
        f.write(text.replace("checked_at=%d" % checked, "checked_at=%d" % (checked - seconds)))


# -- certificate: notAfter, locally, every run ---------------------------------
def test_certificate_far_from_its_end_is_ok_with_the_metric_and_no_lookup():
    e = H.emu()
    cid, path = _cert_client(e, 400)
    r = expect(H.run_plugin(_cert_args(e, cid, path)), 0, contains=["[OK] certificate ("])
    _near(_expires_in(r), 400 * DAY, "credential_expires_in", r, slack=120)
    true(" credential_expires_in=" in r.first_line and ";2592000:;604800:" in r.first_line,
         "metric without its thresholds on the first line", r)
    eq(_app_requests(e), 0, "application look-ups for a certificate", r)


def test_certificate_ending_within_30_days_warns():
    e = H.emu()
    cid, path = _cert_client(e, 20.5)
    r = expect(H.run_plugin(_cert_args(e, cid, path)), 1,
               first_contains=["scim active", "; certificate expires in 20d"],
               contains=["[WARNING] certificate ("])


def test_certificate_ending_within_7_days_is_critical():
    e = H.emu()
    cid, path = _cert_client(e, 3.5)
    expect(H.run_plugin(_cert_args(e, cid, path)), 2,
           first_contains=["certificate expires in 3d"], contains=["[CRITICAL] certificate"])


def test_expired_certificate_is_refused_and_the_unknown_says_why():
    # The identity platform refuses a key whose end has passed, in words
    # ("invalid signature") that point at the registration; the plugin knows
    # the certificate's notAfter and says that instead.
    e = H.emu()
    cid, path = _cert_client(e, -2)
    expect(H.run_plugin(_cert_args(e, cid, path)), 3, one_line=True,
           first_contains=["AADSTS700027", "hint: the certificate expired 2d ago (",
                           "upload a new one to the app registration"],
           absent=["not registered"])
    eq(e.counters()["sign_ins_total"], 0, "tokens issued for an expired certificate")
    # a refusal for another reason keeps its own hint
    other = "aaaaaaaa-0000-0000-0000-00000000dead"
    expect(H.run_plugin(_cert_args(e, other, path)), 3, one_line=True,
           first_contains=["AADSTS700016", "hint: application not found in the tenant"],
           absent=["certificate expired"])


def test_certificate_that_ends_while_its_token_is_cached_is_critical():
    # The first runs after the end still hold a token: the jobs are read and
    # the certificate's end is the news. The certificate ends 4 s after it
    # is made (40 s under valgrind); the test waits for that (the emulator
    # has no clock to move).
    e = H.emu()
    cid, path = _cert_client(e, 4.0 * H.SLOW / DAY)
    with open(path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    end = getattr(cert, "not_valid_after_utc", None) or \
        cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    end = end.timestamp()
    cache = H.cache_dir()
    expect(H.run_plugin(_cert_args(e, cid, path, cache=cache)), 2,
           first_contains=["certificate expires in"])
    wait = end + 1.0 - datetime.datetime.now(datetime.timezone.utc).timestamp()
    true(wait > 0, "the first run ended after the certificate (%.1f s late)" % -wait)
    time.sleep(wait)
    r = expect(H.run_plugin(_cert_args(e, cid, path, cache=cache)), 2,
               first_contains=["scim active", "certificate has expired"],
               contains=[" ago (warning below 30d"])
    true(_expires_in(r) < 0, "expires_in of an expired certificate is negative", r)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins: the first run's only", r)


def test_certificate_notafter_is_read_on_warm_runs_too():
    e = H.emu()
    cid, path = _cert_client(e, 20.5)
    cache = H.cache_dir()
    for _ in range(3):
        r = expect(H.run_plugin(_cert_args(e, cid, path, cache=cache)), 1)
        _near(_expires_in(r), 20.5 * DAY, "credential_expires_in", r, slack=120)
    c = e.counters()
    eq(c["sign_ins"].get(cid), 1, "sign-ins", r)
    eq(c["graph_requests"], 3, "Graph requests: the job reads alone", r)


def test_credential_thresholds_are_options():
    e = H.emu()
    cid, path = _cert_client(e, 20.5)
    expect(H.run_plugin(_cert_args(e, cid, path, extra=["--credential-warning", "10d",
                                                        "--credential-critical", "1d"])), 0)
    r = expect(H.run_plugin(_cert_args(e, cid, path, extra=["--credential-warning", "60d",
                                                            "--credential-critical", "30d"])),
               2, first_contains=["certificate expires in"])
    true(";5184000:;2592000:" in r.first_line, "thresholds of the options in the metric", r)
    r = H.run_plugin(_cert_args(e, cid, path, extra=["--credential-warning", "soon"]))
    expect(r, 3, first_contains=["--credential-warning"], one_line=True)


# -- client secret: the daily look-up -------------------------------------------
def test_secret_without_secret_expiry_reports_nothing_and_looks_up_nothing():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (3 * DAY))
    r = expect(H.run_plugin(_secret_args(e, client, extra=())), 0,
               absent=["credential_expires_in", "client secret"])
    eq(_app_requests(e), 0, "application look-ups", r)


def test_secret_matched_by_hint_reports_its_end():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (20.5 * DAY))
    r = expect(H.run_plugin(_secret_args(e, client)), 1,
               first_contains=["; client secret 'emulator secret' expires in 20d"],
               contains=["[WARNING] client secret 'emulator secret' (Secret ID ",
                         "application read 0s ago"])
    _near(_expires_in(r), 20.5 * DAY, "credential_expires_in", r)
    eq(_app_requests(e), 1, "application look-ups", r)


def test_secret_far_from_its_end_is_ok():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY))
    r = expect(H.run_plugin(_secret_args(e, client)), 0,
               contains=["[OK] client secret 'emulator secret'"])
    _near(_expires_in(r), 200 * DAY, "credential_expires_in", r)


def test_secret_within_7_days_is_critical():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (2.5 * DAY))
    expect(H.run_plugin(_secret_args(e, client)), 2,
           first_contains=["client secret 'emulator secret' expires in 2d"])


def test_several_secrets_with_the_hint_report_the_one_ending_first():
    e = H.emu()
    secret = "Kv7~shared-hint-secret-VALUE"
    # A rotation left an older secret with the same first three characters:
    # the one that ends first is reported, and the output says why.
    client = _secret_client(e, "{{now+%d}}" % (300 * DAY), secret=secret, extra_passwords=[
        {"displayName": "before rotation", "hint": "Kv7", "endDateTime": "{{now+%d}}" % (4.5 * DAY),
         "startDateTime": "{{now-%d}}" % (300 * DAY)},
        {"displayName": "unrelated", "hint": "xQ2", "endDateTime": "{{now+%d}}" % DAY}])
    r = expect(H.run_plugin(_secret_args(e, client)), 2,
               first_contains=["client secret 'before rotation' expires in 4d"],
               contains=["2 of the application's 3 client secrets share its hint",
                         "the one ending first is reported"])
    _near(_expires_in(r), 4.5 * DAY, "credential_expires_in", r)


def test_an_ended_secret_with_the_hint_is_not_the_one_in_use():
    e = H.emu()
    secret = "Pm3~current-secret-VALUE"
    client = _secret_client(e, "{{now+%d}}" % (100 * DAY), secret=secret, extra_passwords=[
        {"displayName": "expired last week", "hint": "Pm3",
         "endDateTime": "{{now-%d}}" % (7 * DAY)}])
    r = expect(H.run_plugin(_secret_args(e, client)), 0,
               contains=["[OK] client secret 'emulator secret'"])
    _near(_expires_in(r), 100 * DAY, "credential_expires_in", r)


def test_no_secret_with_the_hint_is_a_note():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (3 * DAY))
    # The application as Graph might show it after the secret in use was
    # deleted: two others, neither with its hint.
    e.add_fault(target="graph", path_contains="/applications", json={"passwordCredentials": [
        {"displayName": "a", "hint": "zzz", "endDateTime": "2031-01-01T00:00:00Z", "keyId": "k1"},
        {"displayName": "b", "hint": "yyy", "endDateTime": "2031-01-01T00:00:00Z", "keyId": "k2"}]},
        status=200, times=1)
    r = expect(H.run_plugin(_secret_args(e, client)), 0,
               contains=["client secret expiry unknown: none of the application's 2 client "
                         "secrets has the hint"],
               absent=["credential_expires_in"])


def test_without_application_read_all_a_note_never_a_failed_check_asked_daily():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (3 * DAY), permissions=[H.READ])
    cache = H.cache_dir()
    for _ in range(3):
        r = expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0,
                   contains=["client secret expiry unknown", "Application.Read.All",
                             "asked again after a day"],
                   absent=["credential_expires_in"])
    eq(_app_requests(e), 0, "application requests served (all refused)", r)
    refused = [q for q in e.counters()["requests"] if "/applications" in q["path"]]
    eq(len(refused), 1, "look-ups sent in 3 runs without the permission", r)
    eq(refused[0]["status"], 403, "status of the look-up", r)
    _age_entry(cache, DAY + 1)
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0)
    refused = [q for q in e.counters()["requests"] if "/applications" in q["path"]]
    eq(len(refused), 2, "look-ups after the day passed", r)


def test_application_of_another_tenant_is_a_note():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (3 * DAY))
    e.add_fault(target="graph", path_contains="/applications", status=404, times=1)
    expect(H.run_plugin(_secret_args(e, client)), 0,
           contains=["client secret expiry unknown: the tenant holds no application object"])


def test_daily_cache_one_lookup_for_100_warm_runs():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY))
    cache = H.cache_dir()
    args = _secret_args(e, client, cache=cache)
    expect(H.run_plugin(args), 0)   # cold: sign-in, job, application
    before = e.counters()
    for _ in range(100):
        r = expect(H.run_plugin(args), 0, contains=["application read "])
        _near(_expires_in(r), 200 * DAY, "credential_expires_in", r)
    after = e.counters()
    eq(after["application_requests"] - before["application_requests"], 0,
       "application look-ups in 100 warm runs", r)
    eq(after["graph_requests"] - before["graph_requests"], 100,
       "Graph requests in 100 warm runs (the job reads alone)", r)
    eq(after["sign_ins_total"], 1, "sign-ins", r)
    eq(after["application_requests"], 1, "application look-ups in all 101 runs", r)


def test_lookup_again_after_a_day():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY))
    cache = H.cache_dir()
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0)
    _age_entry(cache, DAY - 60)
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0)
    eq(_app_requests(e), 1, "look-ups within the day")
    _age_entry(cache, 120)
    r = expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0,
               contains=["application read 0s ago"])
    eq(_app_requests(e), 2, "look-ups once the day passed", r)


def test_failed_lookup_is_a_note_and_retried_after_an_hour():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY))
    cache = H.cache_dir()
    e.add_fault(target="graph", path_contains="/applications", status=500, times=1)
    r = expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0,
               contains=["client secret expiry unknown (asked again within the hour): Graph "
                         "HTTP 500"],
               absent=["credential_expires_in"])
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0,
           contains=["asked again within the hour"])
    eq(_app_requests(e), 0, "look-ups served (the one sent failed, none retried)", r)
    _age_entry(cache, 3601)
    r = expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0,
               contains=["[OK] client secret 'emulator secret'"])
    eq(_app_requests(e), 1, "look-ups after the hour", r)


def test_a_new_secret_is_looked_up_anew():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY))
    cache = H.cache_dir()
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0)
    # The secret is rotated: new value, new end. The cached answer was the old one's.
    cid = client[0]
    new = "Nw8~rotated-secret-VALUE"
    H._SECRETS.add(new)
    e.control("POST", "/_emu/clients", {"client_id": cid, "secret": new,
                                        "permissions": [H.READ, APP_READ],
                                        "secret_end": "{{now+%d}}" % (3.5 * DAY)})
    expect(H.run_plugin(_secret_args(e, (cid, new), cache=cache)), 2,
           first_contains=["client secret 'emulator secret' expires in 3d"])
    eq(_app_requests(e), 2, "look-ups: one per secret")


def test_cache_entry_is_private_and_holds_neither_secret_nor_hint():
    e = H.emu()
    secret = "Hq5~private-entry-secret-VALUE"
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY), secret=secret)
    cache = H.cache_dir()
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0)
    path = _expiry_entry(cache)
    eq(os.stat(path).st_mode & 0o777, 0o600, "mode of the entry")
    with open(path) as f:
        text = f.read()
    true(secret not in text and secret[:3] not in text, "secret or hint in the entry:\n" + text)
    true("outcome=known" in text, "entry:\n" + text)


def test_a_broken_cache_entry_is_looked_up_again():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY))
    cache = H.cache_dir()
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0)
    with open(_expiry_entry(cache), "w") as f:
        f.write("check_entra_sync credential v1\nchecked_at=garbage\n")
    expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0,
           contains=["[OK] client secret"])
    eq(_app_requests(e), 2, "look-ups (the broken entry counts as none)")


def test_no_token_cache_looks_up_on_every_run():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (200 * DAY))
    for _ in range(2):
        expect(H.run_plugin(_secret_args(e, client, extra=("--secret-expiry",
                                                            "--no-token-cache"))), 0,
               contains=["[OK] client secret"])
    eq(_app_requests(e), 2, "look-ups without a cache")


def test_expired_secret_stays_the_unknown_with_its_hint():
    e = H.emu()
    cid = _client_id()
    secret = "Ex9~expired-secret-VALUE"
    H._SECRETS.add(secret)
    e.control("POST", "/_emu/clients", {"client_id": cid, "secret": secret,
                                        "secret_expired": True,
                                        "permissions": [H.READ, APP_READ]})
    r = expect(H.run_plugin(_secret_args(e, (cid, secret))), 3,
               first_contains=["AADSTS7000222", "create a new one"], one_line=True)
    eq(_app_requests(e), 0, "look-ups without a token", r)


def test_managed_identity_has_nothing_to_report():
    e = H.emu()
    r = expect(H.run_plugin(["--managed-identity", "--imds-url", e.url, "--graph-url", e.url,
                             "--token-cache", H.cache_dir(), "-s", H.SP_DEMO, "-j", H.JOB_SCIM,
                             "--secret-expiry"]), 0,
               absent=["credential_expires_in", "client secret", "certificate"])
    eq(_app_requests(e), 0, "application look-ups", r)


# -- the other modes ----------------------------------------------------------------
def _state_dir():
    return H.cache_dir()


def test_event_handler_acts_and_its_decision_line_names_the_expiry():
    e = H.emu()
    cid, path = _cert_client(e, 3.5, permissions=SP_WRITE)
    r = H.run_plugin(_cert_args(e, cid, path, job=H.JOB_BOX, extra=[
        "--event-handler", "--state-dir", _state_dir(), "CRITICAL", "HARD", "3"]))
    eq(r.rc, 0, "handler exit status", r)
    true(r.first_line.startswith("job %s: started - " % H.JOB_BOX), "not started", r)
    true(re.search(r"; note: certificate expires in 3d \d+h \(CRITICAL\) \(request-id ",
                   r.first_line),
         "decision line does not name the expiry", r)
    eq(e.counters()["starts"], {H.JOB_BOX: 1}, "starts", r)


def test_event_handler_without_a_near_expiry_says_nothing_of_it():
    e = H.emu()
    cid, path = _cert_client(e, 300, permissions=SP_WRITE)
    r = H.run_plugin(_cert_args(e, cid, path, job=H.JOB_BOX, extra=[
        "--event-handler", "--state-dir", _state_dir(), "CRITICAL", "HARD", "3"]))
    eq(r.rc, 0, "handler exit status", r)
    true("note:" not in r.stdout, "a note about a credential far from its end", r)


def test_start_mentions_the_expiry_and_keeps_its_own_state():
    e = H.emu()
    cid, path = _cert_client(e, 20.5, permissions=SP_WRITE)
    r = expect(H.run_plugin(_cert_args(e, cid, path, job=H.JOB_BOX, extra=[
        "--start", "--state-dir", _state_dir()])), 0,
        first_contains=["started job " + H.JOB_BOX, "; note: certificate expires in 20d "],
        one_line=True)
    true(r.first_line.endswith("h (WARNING)"), "state of the note", r)
    eq(e.counters()["starts"], {H.JOB_BOX: 1}, "starts", r)


def test_list_mentions_the_expiry_in_every_format():
    e = H.emu()
    cid, path = _cert_client(e, 3.5)
    note = r"note: certificate expires in 3d \d+h \(CRITICAL\)$"
    r = H.run_plugin(_cert_args(e, cid, path, job=None, extra=["--list"]))
    eq(r.rc, 0, "list exit status", r)
    true(re.match(note, r.stdout.splitlines()[-1]), "text list does not end with the note", r)
    r = H.run_plugin(_cert_args(e, cid, path, job=None, extra=["--list", "--format=icinga2"]))
    true(re.match("// " + note, r.stdout.splitlines()[-1]), "icinga2 note", r)
    r = H.run_plugin(_cert_args(e, cid, path, job=None, extra=["--list", "--format=nagios"]))
    true(re.match("# " + note, r.stdout.splitlines()[-1]), "nagios note", r)
    r = H.run_plugin(_cert_args(e, cid, path, job=None, extra=["--list", "--format=json"]))
    doc = json.loads(r.stdout)
    eq(doc.get("credentialState"), "CRITICAL", "credentialState", r)
    _near(doc.get("credentialExpiresIn", 0), 3.5 * DAY, "credentialExpiresIn", r, slack=120)


def _app_with(e, creds):
    e.add_fault(target="graph", path_contains="/applications", json={"passwordCredentials": creds},
                status=200, times=1)


def _app_reads(e):
    return len([q for q in e.counters()["requests"] if "/applications" in q["path"]])


def test_a_secret_without_an_end_date_never_expires_and_says_so():
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (3 * DAY))
    cache = H.cache_dir()
    hint = client[1][:3]
    _app_with(e, [{"displayName": "forever", "hint": hint, "endDateTime": None, "keyId": "k1",
                   "startDateTime": "2020-01-01T00:00:00Z"}])
    for _ in range(2):   # the second run answers from the day's cache
        r = expect(H.run_plugin(_secret_args(e, client, cache=cache)), 0,
                   contains=["client secret 'forever' (Secret ID k1) has no end date: it never "
                             "expires"],
                   absent=["credential_expires_in", "expiry unknown", "none of the"])
    eq(_app_reads(e), 1, "application reads in two runs")


def test_a_secret_with_an_end_is_reported_before_one_without_it():
    # A rotation that left a secret with the same hint: the one that ends
    # first is the one to renew, whether or not the other ever ends.
    e = H.emu()
    client = _secret_client(e, "{{now+%d}}" % (3 * DAY))
    hint = client[1][:3]
    for order in ((None, "in3d"), ("in3d", None)):
        creds = []
        for i, end in enumerate(order):
            creds.append({"displayName": "s%d" % i, "hint": hint, "keyId": "k%d" % i,
                          "endDateTime": None if end is None else _iso_in(3 * DAY)})
        _app_with(e, creds)
        r = expect(H.run_plugin(_secret_args(e, client)), 2,
                   first_contains=["client secret 's%d' expires in " % order.index("in3d")],
                   contains=["2 of the application's 2 client secrets share its hint"])
        _near(_expires_in(r), 3 * DAY, "credential_expires_in", r, slack=120)


def _iso_in(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
