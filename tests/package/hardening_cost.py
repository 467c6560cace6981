#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardening_cost.py - what the Debian hardening flags cost a warm check.

A measurement, not a test (run it by hand; nothing runs it for you):

    python3 tests/package/hardening_cost.py [--runs 200]

Builds the plugin from a clean copy of the tree (make dist) once per flag
set, starts the Graph emulator over HTTPS with its test CA, warms the token
cache, and then runs every build's warm check of one job (the command of
bench/, round 1: `--cacert`) interleaved, round after round, so that drift of
a shared machine hits all builds alike. CPU is the child's user + system time
from wait4 (bench/measure); the median of all runs is reported, with the
interquartile range, and each build's median relative to the plain build.
After that each build runs once under valgrind callgrind: user-space
instructions, dynamic loader included, do not depend on the machine's load.

Flag sets (each build is compared with "plain"):
  plain          no hardening beyond the toolchain's: CFLAGS=-O2 -g, CPPFLAGS and LDFLAGS
                 empty (GCC's default PIE, ld's default relro; the Makefile before hardening)
  make           the Makefile's own defaults (stack protector, fortify, relro, -z now)
  dpkg           dpkg-buildflags, DEB_BUILD_MAINT_OPTIONS=hardening=+all (debian/rules)
  dpkg-bindnow   the same without bindnow (-z now)
  dpkg-pie       the same without PIE
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TENANT = "11111111-2222-3333-4444-555555555555"
READER = "aaaaaaaa-0000-0000-0000-000000000001"
READER_SECRET = "reader-secret-Q8~xVALUE"
SP = "5a1f0c2e-0000-4000-8000-000000000001"
JOB = "scim.0123456789abcdef0123456789abcdef"


def buildflags(options):
    env = dict(os.environ, DEB_BUILD_MAINT_OPTIONS=options)
    return {v: subprocess.run(["dpkg-buildflags", "--get", v], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
            for v in ("CFLAGS", "CPPFLAGS", "LDFLAGS")}


# A variable a set leaves out is left to the Makefile's default.
VARIANTS = [
    ("plain", {"CFLAGS": "-O2 -g", "CPPFLAGS": "", "LDFLAGS": ""}),
    ("make", {}),
    ("dpkg", buildflags("hardening=+all")),
    ("dpkg-bindnow", buildflags("hardening=+all,-bindnow")),
    ("dpkg-pie", buildflags("hardening=+all,-pie")),
]


def pct(v, p):
    v = sorted(v)
    k = (len(v) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200, help="measured runs per build (default 200)")
    ap.add_argument("--no-callgrind", action="store_true")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="entra-hardening.")
    os.chmod(work, 0o700)
    emu = None
    try:
        tarball = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, "dist",
                                  "DISTDIR=" + work], check=True, capture_output=True,
                                 text=True).stdout.strip()
        subprocess.run(["tar", "-xzf", tarball, "-C", work], check=True)
        src = os.path.join(work, os.path.basename(tarball)[:-len(".tar.gz")])
        jobs = "-j%d" % (os.cpu_count() or 1)
        bins = {}
        for name, flags in VARIANTS:
            env = {k: v for k, v in os.environ.items() if k not in ("CFLAGS", "CPPFLAGS", "LDFLAGS")}
            env.update(flags)
            subprocess.run(["make", "-s", "-C", src, "clean"], check=True, env=env)
            subprocess.run(["make", "-s", "-C", src, jobs, "plugin/check_entra_sync"], check=True,
                           env=env, stdout=subprocess.DEVNULL)
            bins[name] = os.path.join(work, "check_entra_sync." + name)
            shutil.copy2(os.path.join(src, "plugin", "check_entra_sync"), bins[name])
            print("built %-13s %s" % (name, " ".join(
                "%s=%r" % (k, flags.get(k, "(Makefile default)"))
                for k in ("CPPFLAGS", "CFLAGS", "LDFLAGS"))), file=sys.stderr)
        subprocess.run(["make", "-s", "-C", src, "bench/measure"], check=True,
                       stdout=subprocess.DEVNULL)
        measure = os.path.join(src, "bench", "measure")

        certs = os.path.join(work, "certs")
        subprocess.run(["sh", os.path.join(src, "tests", "emulator", "make-certs.sh"), certs],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(work, "port")
        emu = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(src, "tests", "emulator", "emulator.py"), "--port", "0",
             "--port-file", port_file, "--tls-cert", os.path.join(certs, "server.pem"),
             "--tls-key", os.path.join(certs, "server.key"), "--quiet"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        url = "https://127.0.0.1:%s" % open(port_file).read().strip()
        secret = os.path.join(work, "reader.secret")
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, (READER_SECRET + "\n").encode())
        os.close(fd)

        def cmd(name):
            return [bins[name], "-T", TENANT, "-C", READER, "--client-secret-file", secret,
                    "-s", SP, "-j", JOB, "--login-url", url, "--graph-url", url,
                    "--token-cache", os.path.join(work, "cache"),
                    "--cacert", os.path.join(certs, "ca.pem")]

        def run(name):
            out = subprocess.run([measure, "--"] + cmd(name), check=True, capture_output=True,
                                 text=True).stdout.split()
            rc, ut, st = int(out[0]), int(out[1]), int(out[2])
            if rc != 0:
                raise SystemExit("%s: warm check exited %d" % (name, rc))
            return (ut + st) / 1000.0

        names = [n for n, _ in VARIANTS]
        for _ in range(3):  # the first run fills the token cache; then settle
            for n in names:
                run(n)
        cpu = {n: [] for n in names}
        for r in range(a.runs):
            order = names[r % len(names):] + names[:r % len(names)]
            for n in order:
                cpu[n].append(run(n))

        ir = {}
        if not a.no_callgrind and shutil.which("valgrind"):
            for n in names:
                p = subprocess.run(["valgrind", "--tool=callgrind",
                                    "--callgrind-out-file=" + os.path.join(work, "cg." + n)]
                                   + cmd(n), capture_output=True, text=True)
                for line in p.stderr.splitlines():
                    if "Collected :" in line:
                        ir[n] = int(line.split(":")[1].split()[0])

        base = statistics.median(cpu["plain"])
        print("warm check, CPU (user+system) per process, %d interleaved runs per build" % a.runs)
        print("| build | CPU median | p25 | p75 | vs plain | instructions (callgrind Ir) | vs plain |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for n in names:
            m = statistics.median(cpu[n])
            irs = ("%.2f M" % (ir[n] / 1e6), "%+.2f %%" % (100.0 * (ir[n] / ir["plain"] - 1))) \
                if n in ir and "plain" in ir else ("-", "-")
            print("| %s | %.2f ms | %.2f | %.2f | %+.1f %% | %s | %s |" % (
                n, m, pct(cpu[n], 25), pct(cpu[n], 75), 100.0 * (m / base - 1), irs[0], irs[1]))
        # Paired: a build's run against the same round's run of the other.
        for x, y in (("make", "plain"), ("dpkg", "plain"), ("dpkg", "dpkg-bindnow"),
                     ("dpkg", "dpkg-pie")):
            ratios = [p / q for p, q in zip(cpu[x], cpu[y])]
            print("paired %s / %s: median ratio %.3f" % (x, y, statistics.median(ratios)))
    finally:
        if emu is not None:
            emu.terminate()
            emu.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
