# SPDX-License-Identifier: GPL-3.0-or-later
"""Attacks on the token cache (man page: TOKEN CACHE): whatever is planted in or
around the cache directory, the plugin never follows a link, never writes
through one, never uses a token it did not get from the configured sign-in,
and signs in afresh instead; an unsafe directory is refused outright."""

import hashlib
import os
import pwd
import re
import shutil
import stat
import tempfile
import threading

import harness as H
from harness import eq, expect, true

MAGIC = "check_entra_sync token v1\n"
FAKE_TOKEN = "FAKE-planted-token-0123456789abcdefFAKE"
# 30 processes queue on one lock; under valgrind each takes seconds
CONCURRENT_T = ["-t", "300" if H.VALGRIND else "30"]
H._SECRETS.add(FAKE_TOKEN)  # must never show up in any output either


def entries(cache):
    return sorted(f for f in os.listdir(cache) if re.fullmatch(r"[0-9a-f]{64}", f))


def warm(e, cache):
    """One check that fills cache; returns (args, entry path)."""
    args = H.check_args(e, job=H.JOB_SCIM, cache=cache)
    expect(H.run_plugin(args), 0)
    found = entries(cache)
    eq(len(found), 1, "cache entries after one check")
    return args, os.path.join(cache, found[0])


def fake_entry(token=FAKE_TOKEN, expires=4102444800):
    return "%sexpires_at=%d\naccess_token=%s\nend\n" % (MAGIC, expires, token)


def outsider_dir():
    """A directory outside the cache for link targets."""
    return H.scratch_dir("victim-")


def fingerprint(path):
    st = os.lstat(path)
    with open(path, "rb") as f:
        return (hashlib.sha256(f.read()).hexdigest(), st.st_ino, st.st_mode, st.st_uid)


def no_wrong_token_used(e, r=None):
    """Graph never answered 401: no planted, stale or foreign token was sent."""
    bad = [q for q in e.counters()["requests"] if q["status"] == 401]
    eq(bad, [], "Graph requests refused as unauthenticated", r)


def valid_entry(path, r=None):
    st = os.lstat(path)
    true(stat.S_ISREG(st.st_mode), "%s is not a regular file" % path, r)
    eq(stat.S_IMODE(st.st_mode), 0o600, "entry mode", r)
    eq(st.st_uid, os.geteuid(), "entry owner", r)
    with open(path) as f:
        text = f.read()
    true(re.fullmatch(re.escape(MAGIC) + r"expires_at=\d+\naccess_token=[^\n]+\nend\n", text),
         "entry is not well formed: %r" % text[:200], r)
    true(FAKE_TOKEN not in text, "the planted token is in the entry", r)


def fresh_sign_in_then_warm(e, args, entry, before, r):
    """The run r signed in once more; the entry is sound again and serves the
    next run without a sign-in."""
    expect(r, 0)
    eq(e.counters()["sign_ins_total"], before + 1, "sign-ins (one fresh sign-in)", r)
    no_wrong_token_used(e, r)
    valid_entry(entry, r)
    r2 = expect(H.run_plugin(args), 0)
    eq(e.counters()["sign_ins_total"], before + 1, "sign-ins on the next, warm run", r2)


# -- the entry ---------------------------------------------------------------------
def test_entry_symlink_to_a_fake_token_is_not_followed():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    victim = os.path.join(outsider_dir(), "planted")
    with open(victim, "w") as f:
        f.write(fake_entry())
    before_victim = fingerprint(victim)
    os.unlink(entry)
    os.symlink(victim, entry)
    r = H.run_plugin(args)
    fresh_sign_in_then_warm(e, args, entry, 1, r)
    eq(fingerprint(victim), before_victim, "the link target after the run", r)


def test_entry_symlink_to_passwd_is_neither_followed_nor_written():
    # As root every file is writable, so a copy stands in for /etc/passwd:
    # a bug here must not destroy the machine's own.
    if os.geteuid() == 0:
        victim = os.path.join(outsider_dir(), "passwd")
        shutil.copyfile("/etc/passwd", victim)
        nobody = pwd.getpwnam("nobody")
        os.chown(victim, nobody.pw_uid, nobody.pw_gid)
        os.chmod(victim, 0o644)
    else:
        victim = "/etc/passwd"
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    before_victim = fingerprint(victim)
    os.unlink(entry)
    os.symlink(victim, entry)
    r = H.run_plugin(args)
    fresh_sign_in_then_warm(e, args, entry, 1, r)
    eq(fingerprint(victim), before_victim, "the link target after the run", r)


def test_entry_symlink_to_a_missing_file_creates_nothing_there():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    victim = os.path.join(outsider_dir(), "created-through-the-link")
    os.unlink(entry)
    os.symlink(victim, entry)
    r = H.run_plugin(args)
    fresh_sign_in_then_warm(e, args, entry, 1, r)
    true(not os.path.lexists(victim), "a file was created through the link", r)


def test_lock_symlink_is_not_followed_out_of_the_cache():
    e = H.emu()
    cache = H.cache_dir()
    args, entry = warm(e, cache)
    os.unlink(entry)
    victim_dir = outsider_dir()
    existing = os.path.join(victim_dir, "existing")
    with open(existing, "w") as f:
        f.write("not a lock\n")
    before_victim = fingerprint(existing)
    missing = os.path.join(victim_dir, "missing")
    lock = entry + ".lock"
    for target in (existing, missing):
        if os.path.lexists(lock):
            os.unlink(lock)
        os.symlink(target, lock)
        r = H.run_plugin(args)
        # The link is refused (O_NOFOLLOW), never written through.
        expect(r, 3, first_contains=["lock file", "symbolic link"])
        true(not os.path.lexists(missing), "a file was created through the lock link", r)
        eq(fingerprint(existing), before_victim, "the lock link target after the run", r)
        no_wrong_token_used(e, r)
        if os.path.lexists(entry):
            os.unlink(entry)


def test_truncated_entry_is_ignored_and_replaced():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    with open(entry) as f:
        text = f.read()
    with open(entry, "w") as f:
        f.write(text[:len(text) // 2])
    fresh_sign_in_then_warm(e, args, entry, 1, H.run_plugin(args))


def test_entry_without_end_line_is_ignored():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    with open(entry) as f:
        text = f.read()
    with open(entry, "w") as f:
        f.write(text.replace("end\n", ""))
    fresh_sign_in_then_warm(e, args, entry, 1, H.run_plugin(args))


def test_corrupted_entries_are_ignored_and_replaced():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    with open(entry) as f:
        good = f.read()
    token = re.search(r"^access_token=(.*)$", good, re.M).group(1)
    bad_contents = [
        b"",
        b"\x00" * 64,
        os.urandom(512),
        good.replace(MAGIC, "check_entra_sync token v9\n").encode(),
        good.replace("expires_at=", "expires_at=-").encode(),
        good.replace("expires_at=", "expires_at=99999999999999999999999").encode(),
        good.replace(token, token + "\x00evil").encode(),
        good.replace(token, token + "\r\nX-Injected: 1").encode(),
        good.replace(token, token[:10] + " " + token[10:]).encode(),
        (good + "access_token=%s\nend\n" % FAKE_TOKEN).encode(),
        good.encode() * 2,
        (MAGIC + "expires_at=4102444800\naccess_token=" + "A" * (80 * 1024) + "\nend\n").encode(),
    ]
    for n, content in enumerate(bad_contents):
        before = e.counters()["sign_ins_total"]
        with open(entry, "wb") as f:
            f.write(content)
        r = H.run_plugin(args)
        expect(r, 0)
        eq(e.counters()["sign_ins_total"], before + 1, "sign-ins after corruption #%d" % n, r)
        no_wrong_token_used(e, r)
        valid_entry(entry, r)
    r = expect(H.run_plugin(args), 0)
    eq(e.counters()["sign_ins_total"], len(bad_contents) + 1, "sign-ins on the warm run", r)


def test_expired_entry_is_renewed():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    with open(entry) as f:
        text = f.read()
    with open(entry, "w") as f:
        f.write(re.sub(r"expires_at=\d+", "expires_at=1000000000", text))
    fresh_sign_in_then_warm(e, args, entry, 1, H.run_plugin(args))


def test_planted_well_formed_entry_under_another_key_is_not_used():
    e = H.emu()
    cache = H.cache_dir()
    for key in ("0" * 64, "f" * 64):
        with open(os.path.join(cache, key), "w") as f:
            f.write(fake_entry())
        os.chmod(os.path.join(cache, key), 0o600)
    args = H.check_args(e, job=H.JOB_SCIM, cache=cache)
    r = expect(H.run_plugin(args), 0)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins", r)
    no_wrong_token_used(e, r)


def test_entry_that_is_a_fifo_does_not_hang():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    os.unlink(entry)
    os.mkfifo(entry, 0o600)
    r = H.run_plugin(args + ["-t", "5"], timeout=30)
    true(r.elapsed <= 5 + (15 if H.VALGRIND else 3), "took %.2f s" % r.elapsed, r)
    fresh_sign_in_then_warm(e, args, entry, 1, r)


def test_entry_that_is_a_directory_is_not_used():
    e = H.emu()
    args, entry = warm(e, H.cache_dir())
    os.unlink(entry)
    os.mkdir(entry, 0o700)
    r = expect(H.run_plugin(args), 0)
    eq(e.counters()["sign_ins_total"], 2, "sign-ins", r)
    no_wrong_token_used(e, r)


# -- the directory ----------------------------------------------------------------
def test_cache_dir_that_is_a_symlink_is_refused():
    e = H.emu()
    real = H.cache_dir()
    link = os.path.join(outsider_dir(), "cache-link")
    os.symlink(real, link)
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=link))
    expect(r, 3, one_line=True)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins with a symlinked cache", r)
    eq(os.listdir(real), [], "files written into the link target", r)


def test_cache_dir_owned_by_another_user_is_refused():
    if os.geteuid() != 0:
        raise H.Skip("needs root to chown the directory to nobody")
    e = H.emu()
    cache = H.cache_dir()
    nobody = pwd.getpwnam("nobody")
    os.chown(cache, nobody.pw_uid, nobody.pw_gid)
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    expect(r, 3, first_contains=["own"], one_line=True)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins with a foreign cache", r)
    eq(os.listdir(cache), [], "files written into a foreign cache", r)


def test_cache_dir_owned_by_another_user_holding_a_planted_entry_is_refused():
    if os.geteuid() != 0:
        raise H.Skip("needs root to chown the directory to nobody")
    e = H.emu()
    cache = H.cache_dir()
    args, entry = warm(e, cache)
    with open(entry, "w") as f:
        f.write(fake_entry())
    nobody = pwd.getpwnam("nobody")
    os.chown(cache, nobody.pw_uid, nobody.pw_gid)
    r = H.run_plugin(args)
    expect(r, 3, one_line=True)
    no_wrong_token_used(e, r)


def test_group_writable_cache_dir_is_refused():
    e = H.emu()
    cache = H.cache_dir()
    os.chmod(cache, 0o770)
    r = H.run_plugin(H.check_args(e, job=H.JOB_SCIM, cache=cache))
    expect(r, 3, first_contains=["writ"], one_line=True)
    eq(e.counters()["sign_ins_total"], 0, "sign-ins with a group-writable cache", r)


def test_group_writable_cache_dir_with_a_warm_entry_is_refused():
    e = H.emu()
    cache = H.cache_dir()
    args, _ = warm(e, cache)
    os.chmod(cache, 0o730)
    r = H.run_plugin(args)
    expect(r, 3, one_line=True)
    eq(e.counters()["graph_requests"], 1, "Graph requests with a token from an unsafe cache", r)


# -- concurrency ------------------------------------------------------------------
def test_30_concurrent_cold_runs_one_sign_in_valid_entry():
    e = H.emu()
    cache = H.cache_dir()
    args = H.check_args(e, job=H.JOB_SCIM, cache=cache, extra=CONCURRENT_T)
    for r in H.run_concurrently(args, 30, timeout=120):
        expect(r, 0)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins for 30 concurrent cold runs")
    no_wrong_token_used(e)
    found = entries(cache)
    eq(len(found), 1, "cache entries")
    valid_entry(os.path.join(cache, found[0]))
    stray = [f for f in os.listdir(cache) if f not in found and not f.endswith(".lock")]
    eq(stray, [], "temporary files left in the cache")
    r = expect(H.run_plugin(args), 0)
    eq(e.counters()["sign_ins_total"], 1, "sign-ins on the next, warm run", r)


def test_30_concurrent_runs_while_the_entry_is_corrupted_and_restored():
    e = H.emu()
    cache = H.cache_dir()
    args, entry = warm(e, cache)
    args += CONCURRENT_T
    with open(entry) as f:
        good = f.read()
    stop = threading.Event()

    def vandal():
        # Rewrites the entry in place, half of the time with garbage; the
        # plugin replaces it by rename, so this races with the readers.
        n = 0
        while not stop.is_set():
            try:
                with open(entry, "w") as f:
                    f.write(good[:n % len(good)] if n % 2 else good)
            except OSError:
                pass
            n += 1

    v = threading.Thread(target=vandal)
    v.start()
    try:
        results = H.run_concurrently(args, 30, timeout=120)
    finally:
        stop.set()
        v.join()
    for r in results:
        expect(r, 0)
    no_wrong_token_used(e)
