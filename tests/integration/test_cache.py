# SPDX-License-Identifier: GPL-3.0-or-later
"""The token cache (man page: TOKEN CACHE): one sign-in per identity per token
lifetime, whatever the concurrency; safe directory and file modes."""

import os
import pwd
import stat

import harness as H
from harness import expect, eq, true


def test_two_checks_one_sign_in():
    e = H.emu()
    cache = H.cache_dir()
    for _ in range(2):
        expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    c = e.counters()
    eq(c["sign_ins_total"], 1, "sign-ins")
    eq(c["graph_requests"], 2, "Graph requests")


def test_twenty_concurrent_cold_checks_sign_in_once():
    e = H.emu()
    cache = H.cache_dir()
    args = H.check_args(e, job=H.JOB_SCIM, cache=cache)
    for r in H.run_concurrently(args, 20):
        expect(r, 0)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins for 20 concurrent cold checks")
    eq(e.counters()["graph_requests"], 20, "Graph requests")


def test_cache_dir_writable_by_others_is_refused():
    e = H.emu()
    cache = H.cache_dir()
    os.chmod(cache, 0o777)
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    expect(r, 3, first_contains=["writ"])
    eq(e.counters()["sign_ins_total"], 0, "sign-ins with an unsafe cache")


def test_cache_dir_group_writable_is_refused():
    e = H.emu()
    cache = H.cache_dir()
    os.chmod(cache, 0o770)
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 3, first_contains=["writ"])


def test_cache_dir_symlink_to_foreign_dir_is_refused():
    if os.geteuid() != 0:
        raise H.Skip("needs root to chown the directory to nobody")
    e = H.emu()
    target = H.cache_dir()
    os.chown(target, pwd.getpwnam("nobody").pw_uid, -1)
    link = H.cache_dir(create=False)
    os.symlink(target, link)
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=link)), 3)


def test_changed_secret_signs_in_anew():
    e = H.emu()
    cache = H.cache_dir()
    cid, _ = H.CLIENTS["reader"]
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    new = "rotated-secret-K7~wVALUE"
    e.add_client(cid, secret=new, permissions=[H.READ])
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache, client=(cid, new)))
    expect(r, 0)
    eq(e.counters()["sign_ins"].get(cid), 2, "sign-ins after the secret changed", r)


def test_changed_secret_that_is_wrong_is_not_served_from_cache():
    e = H.emu()
    cache = H.cache_dir()
    cid, _ = H.CLIENTS["reader"]
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache,
                                  client=(cid, "not-the-secret-J2~qNOPE")))
    expect(r, 3, first_contains=["AADSTS7000215"])


def test_different_clients_have_separate_entries():
    e = H.emu()
    cache = H.cache_dir()
    for client in ("reader", "writer", "reader", "writer"):
        expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache, client=client)), 0)
    c = e.counters()
    eq(c["sign_ins_total"], 2, "sign-ins for two clients, two checks each")


def test_short_token_lifetime_signs_in_every_time():
    e = H.emu()
    e.settings(token_lifetime=200)
    cache = H.cache_dir()
    for _ in range(3):
        expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    eq(e.counters()["sign_ins_total"], 3, "sign-ins with tokens of 200 s")


def test_token_lifetime_over_five_minutes_is_reused():
    e = H.emu()
    e.settings(token_lifetime=400)
    cache = H.cache_dir()
    for _ in range(3):
        expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins with tokens of 400 s")


def test_rejected_cached_token_signs_in_once_more():
    e = H.emu()
    cache = H.cache_dir()
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    e.revoke_tokens()
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    expect(r, 0)
    c = e.counters()
    eq(c["sign_ins_total"], 2, "sign-ins", r)
    eq(c["graph_requests"], 3, "Graph requests (1 + rejected + retry)", r)
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    eq(e.counters()["sign_ins_total"], 2, "sign-ins after the renewed token was cached")


def test_fresh_token_rejected_is_not_retried_endlessly():
    e = H.emu()
    e.add_fault(target="graph", status=401, times=-1, json={"error": {
        "code": "InvalidAuthenticationToken", "message": "Access token validation failure."}})
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM))
    # a client secret can sign in: only --access-token-file cannot renew
    expect(r, 3, first_contains=["InvalidAuthenticationToken"], absent=["no renewal possible"])
    true(e.counters()["sign_ins_total"] <= 2, "too many sign-ins", r)
    true(e.counters()["graph_requests"] <= 2, "too many Graph requests", r)


def test_cache_modes_and_no_secret_inside():
    e = H.emu()
    cache = H.cache_dir(create=False)
    expect(H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache)), 0)
    st = os.stat(cache)
    eq(stat.S_IMODE(st.st_mode), 0o700, "cache directory mode")
    files = [os.path.join(cache, f) for f in os.listdir(cache)]
    true(files, "the cache directory is empty")
    cid, secret = H.CLIENTS["reader"]
    for f in files:
        if os.path.isdir(f):
            continue
        eq(stat.S_IMODE(os.stat(f).st_mode), 0o600, "mode of %s" % f)
        with open(f, "rb") as fh:
            data = fh.read()
        true(secret.encode() not in data, "the client secret is stored in %s" % f)


def test_default_cache_dir_under_xdg_runtime_dir():
    e = H.emu()
    runtime = H.cache_dir()
    args = H.check_args(e, job=H.JOB_SCIM)
    i = args.index("--token-cache")
    del args[i:i + 2]
    for _ in range(2):
        expect(H.run_plugin(args, env={"XDG_RUNTIME_DIR": runtime}), 0)
    d = os.path.join(runtime, "check_entra_sync-%d" % os.getuid())
    true(os.path.isdir(d), "no cache directory %s" % d)
    eq(stat.S_IMODE(os.stat(d).st_mode), 0o700, "default cache directory mode")
    eq(e.counters()["sign_ins_total"], 1, "sign-ins")


def test_no_token_cache_signs_in_every_time():
    e = H.emu()
    args = H.check_args(e, job=H.JOB_SCIM)
    i = args.index("--token-cache")
    args[i:i + 2] = ["--no-token-cache"]
    for _ in range(2):
        expect(H.run_plugin(args, env={"XDG_RUNTIME_DIR": H.cache_dir()}), 0)
    eq(e.counters()["sign_ins_total"], 2, "sign-ins without a cache")
