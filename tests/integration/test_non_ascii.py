# SPDX-License-Identifier: GPL-3.0-or-later
"""Text beyond ASCII as Graph and the sign-in service write it: raw UTF-8
(accented display names, messages in other scripts, characters of four
bytes), and the same text escaped as \\uXXXX. json-c 0.18's strict mode
refused every raw byte above 0x7f, which made such an answer UNKNOWN on
Debian 13; the fixture sets are the non-ascii-* ones of
tests/emulator/fixtures/documented.json."""

import json
import os
import urllib.request

import harness as H
from harness import eq, expect, true

DOC_SP = "5a1f0c2e-0000-4000-8000-0000000000dd"
SP_NAME = "Provisionnement Zoë Café – Ελληνικά 日本語 😀"
QUARANTINE_MESSAGE = "SCIM エンドポイントの応答を処理できません 🚫 (Zoë Ångström)"
RUN_MESSAGE = "Учётная запись «Jürgen» не обновлена: ошибка 𝟒𝟎𝟑"


def check(e, extra=()):
    e.install_fixture("non-ascii-jobs")
    return H.run_plugin(H.check_args(e, sp=DOC_SP, extra=list(extra)))


def listing(e, fmt):
    client_id, secret = H.CLIENTS["auditor"]
    return H.run_plugin(["-T", H.TENANT, "-C", client_id,
                         "--client-secret-file", H.secret_file(secret),
                         "--login-url", e.url, "--graph-url", e.url,
                         "--token-cache", H.cache_dir(), "--list",
                         "--all-service-principals", "--format=" + fmt])


def test_the_emulator_writes_raw_utf8_as_graph_does():
    # Without this the tests below could pass on text json-c never saw raw.
    e = H.emu()
    e.install_fixture("non-ascii-jobs")
    token = e.mint_token(kind="app", roles=[H.READ])
    req = urllib.request.Request("%s/v1.0/servicePrincipals/%s/synchronization/jobs"
                                 % (e.url, DOC_SP), headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=20) as r:
        body = r.read()
    true(RUN_MESSAGE.encode() in body and b"\\u" not in body,
         "the job list does not carry the message as raw UTF-8: %r" % body[:300])


def test_quarantine_and_run_errors_in_other_scripts_are_read_and_shown():
    r = check(H.emu())
    expect(r, 2, first_contains=["scim quarantined for 1d",
                                 "SystemForCrossDomainIdentityManagementServiceIncompatible"],
           contains=["error SystemForCrossDomainIdentityManagementServiceIncompatible: "
                     + QUARANTINE_MESSAGE,
                     "last run failed (BoxEntryUpdateFailed: %s)" % RUN_MESSAGE],
           absent=["UNKNOWN", "?"])
    # Byte for byte: the four-byte characters survive (U+1F6AB, U+1D7D2).
    true("🚫".encode() in r.raw_stdout and "𝟒𝟎𝟑".encode() in r.raw_stdout,
         "a four-byte character did not survive", r)


def test_text_escaped_as_u_sequences_reads_the_same():
    e = H.emu()
    raw = check(e)
    e.settings(non_ascii="escaped")
    escaped = check(e)
    eq(escaped.rc, raw.rc, "exit status", escaped)
    eq(escaped.first_line.split(" | ")[0], raw.first_line.split(" | ")[0], "first line", escaped)
    for text in (QUARANTINE_MESSAGE, RUN_MESSAGE):
        true(text in escaped.stdout, "escaped text was not decoded: %s" % text, escaped)


def test_graph_error_in_another_script_is_quoted():
    e = H.emu()
    e.install_fixture("non-ascii-graph-error")
    r = H.run_plugin(H.check_args(e))
    expect(r, 3, first_contains=["Graph HTTP 403 Authorization_RequestDenied: Недостаточно прав "
                                 "для выполнения операции 🔒 (Zugriff verweigert für „Müller“)"])


def test_sign_in_error_in_other_scripts_is_quoted():
    e = H.emu()
    e.install_fixture("non-ascii-token-error")
    r = H.run_plugin(H.check_args(e))
    expect(r, 3, first_contains=["sign-in failed (HTTP 401 invalid_client, AADSTS7000215): "
                                 "Ungültiger geheimer Clientschlüssel für „Zoë“ – "
                                 "無効なクライアント シークレット 🔑"])


def test_listing_keeps_display_names_and_the_ids_file_takes_them_back():
    e = H.emu()
    e.install_fixture("non-ascii-jobs")
    text = listing(e, "text")
    eq(text.rc, 0, "exit status of --list", text)
    true("== %s (%s)" % (SP_NAME, DOC_SP) in text.stdout, "display name in --list", text)
    js = listing(e, "json")
    eq(js.rc, 0, "exit status of --list --format=json", js)
    names = {sp["id"]: sp["displayName"] for sp in json.loads(js.stdout)["servicePrincipals"]}
    eq(names.get(DOC_SP), SP_NAME, "displayName in --format=json", js)
    ids = listing(e, "ids")
    true("%s\t%s" % (DOC_SP, SP_NAME) in ids.stdout.splitlines(), "the ids line", ids)
    path = os.path.join(H.scratch_dir("ids-"), "sps")
    with open(path, "w", encoding="utf-8") as f:
        f.write(ids.stdout)
    client_id, secret = H.CLIENTS["reader"]
    r = H.run_plugin(["-T", H.TENANT, "-C", client_id, "--client-secret-file",
                      H.secret_file(secret), "--login-url", e.url, "--graph-url", e.url,
                      "--token-cache", H.cache_dir(), "--service-principals-file", path])
    eq(r.rc, 2, "exit status of the check over the listed ids", r)
    true("[CRITICAL] (%s) Box.1f2e3d4c5b6a79887766554433221100" % SP_NAME in r.stdout,
         "the long output names the service principal as listed", r)
