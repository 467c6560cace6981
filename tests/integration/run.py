#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs tests/integration/test_*.py: every function named test_*, in file
order, sequentially. Prints TAP: the plan "1..N" first, then "ok N - module.test"
/ "not ok N - ..." with reasons as "# " lines. A module that cannot be imported
is one failing test named after it, so its tests cannot vanish unnoticed.
Arguments are substring filters on module.test. Exit status 1 when any test
failed, 0 otherwise."""

import importlib
import inspect
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


def collect(filters):
    tests = []
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        try:
            mod = importlib.import_module(name[:-3])
        except Exception:
            tests.append((name[:-3] + " (import)", _import_failed(traceback.format_exc())))
            continue
        funcs = [f for n, f in inspect.getmembers(mod, inspect.isfunction)
                 if n.startswith("test_") and f.__module__ == mod.__name__]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        for f in funcs:
            full = "%s.%s" % (mod.__name__, f.__name__)
            if not filters or any(s in full for s in filters):
                tests.append((full, f))
    return tests


def _import_failed(text):
    def broken():
        raise AssertionError("the module cannot be imported, none of its tests ran:\n" + text)
    return broken


def comment(text):
    for line in str(text).rstrip().splitlines() or [""]:
        print("# " + line)


def main():
    tests = collect(sys.argv[1:])
    print("1..%d" % len(tests))
    failed = 0
    for n, (name, f) in enumerate(tests, 1):
        t0 = time.monotonic()
        try:
            f()
        except harness.Skip as e:
            print("ok %d - %s # SKIP %s" % (n, name, e))
        except AssertionError as e:
            failed += 1
            print("not ok %d - %s" % (n, name))
            comment(e)
        except Exception:
            failed += 1
            print("not ok %d - %s" % (n, name))
            comment(traceback.format_exc())
            for e in harness._shared.values():
                comment("emulator log %s:\n%s" % (e.log_path, "".join(e.log_tail())))
        else:
            print("ok %d - %s" % (n, name))
        if time.monotonic() - t0 > 20:
            comment("slow: %.1f s" % (time.monotonic() - t0))
        sys.stdout.flush()
    harness.stop_all()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
