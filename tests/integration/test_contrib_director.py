# SPDX-License-Identifier: GPL-3.0-or-later
"""contrib/icinga2/director-basket.json, read as Icinga Director reads it:
every argument a real option of the plugin, every custom variable a command
uses a data field of the basket, every field an object links defined, the
identity from the ini file or a secret file, never from the environment.
The basket's commands, rendered the way Director renders them, run against
the emulator. tests/e2e/test_director.sh restores it into a real Director."""

import json
import os
import re
import shlex

import harness as H
from harness import eq, expect, true

BASKET = os.path.join(H.ROOT, "contrib", "icinga2", "director-basket.json")
INI = "/etc/check-entra-sync/check_entra_sync.ini"


def basket():
    with open(BASKET) as f:
        return json.load(f)


def help_options():
    """The long options --help names, and the short ones."""
    r = H.run_plugin(["--help"])
    eq(r.rc, 0, "--help exit status", r)
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b", r.stdout))


def variables(value):
    return re.findall(r"\$([A-Za-z0-9_.]+)\$", value)


def commands():
    return basket()["Command"].items()


def test_the_basket_holds_the_commands_the_templates_and_their_fields():
    b = basket()
    eq(sorted(b), ["Command", "Datafield", "ServiceTemplate"], "object types")
    eq({n: c["methods_execute"] for n, c in b["Command"].items()},
       {"check_entra_sync": "PluginCheck", "check_entra_sync_repair": "PluginEvent"}, "commands")
    eq({n: (t["object_type"], t.get("check_command"), t.get("event_command"))
        for n, t in b["ServiceTemplate"].items()},
       {"entra-sync": ("template", "check_entra_sync", None),
        "entra-sync-repair": ("template", None, "check_entra_sync_repair")}, "service templates")
    eq(b["ServiceTemplate"]["entra-sync-repair"]["imports"], ["entra-sync"], "the repair template's import")
    for name, obj in list(b["Command"].items()) + list(b["ServiceTemplate"].items()):
        eq(obj["object_name"], name, "object_name of " + name)


def test_every_argument_is_an_option_of_the_plugin():
    known = help_options()
    true("--extra-opts" in known and "--event-handler" in known, "--help parsed: %s" % sorted(known))
    for name, cmd in commands():
        for key in cmd["arguments"]:
            true(key in known, "%s: argument %s is not an option in --help" % (name, key))
        for word in cmd["command"].split()[3:]:
            true(word in known, "%s: %s in the command is not an option" % (name, word))


def test_every_variable_a_command_uses_has_a_data_field_and_every_field_is_defined():
    b = basket()
    fields = b["Datafield"]
    by_name = {f["varname"]: fid for fid, f in fields.items()}
    eq(len(by_name), len(fields), "one data field per variable")
    for fid, f in fields.items():
        eq(f["originalId"], fid, "originalId of field " + fid)
        true(f["datatype"].startswith("Icinga\\Module\\Director\\DataType\\DataType"), "datatype of " + f["varname"])
    used = set()
    for name, cmd in commands():
        mine = set()
        for arg in cmd["arguments"].values():
            for v in variables(arg.get("value", "") + arg.get("set_if", "")):
                if v.startswith("service."):
                    continue   # runtime macros of the service, not variables
                true(v in by_name, "%s uses $%s$ without a data field" % (name, v))
                mine.add(v)
        linked = {fields[str(f["datafield_id"])]["varname"] for f in cmd["fields"]}
        eq(linked, mine, name + ": the fields it links are the variables it uses")
        used |= mine
    for name, tpl in b["ServiceTemplate"].items():
        for f in tpl["fields"]:
            true(str(f["datafield_id"]) in fields, "%s links undefined field %s" % (name, f["datafield_id"]))
            used.add(fields[str(f["datafield_id"])]["varname"])
    eq(sorted(set(by_name) - used), [], "fields no object links")


def test_the_identity_comes_from_the_ini_file_or_a_secret_file_never_the_environment():
    text = open(BASKET).read()
    true('"env"' not in text and "AZURE_CLIENT_SECRET" not in text, "the basket sets no environment")
    for name, cmd in commands():
        true("env" not in cmd, name + " has an env")
        eq(cmd["arguments"]["--extra-opts"]["value"].strip("$").endswith("extra_opts"), True,
           name + ": --extra-opts takes a variable")
        for key in cmd["arguments"]:
            true("secret" not in key or key in ("--client-secret-file", "--secret-expiry"),
                 name + ": argument " + key)
    eq(basket()["Command"]["check_entra_sync"]["vars"], {"entra_sync_extra_opts": "@" + INI},
       "the check's default identity")
    eq(basket()["Command"]["check_entra_sync_repair"]["vars"],
       {"entra_sync_repair_extra_opts": "entra_sync_repair@" + INI}, "the handler's default identity")


def render(cmd, values):
    """The argv Icinga 2 builds from a Director command: the command words,
    then each argument whose variable is set (set_if: true; arrays with
    repeat_key: the key before every element), keys in sorted order as
    Director renders them without 'order'."""
    words = cmd["command"].split()
    argv = [words[2]] + words[3:]
    for key in sorted(cmd["arguments"]):
        arg = cmd["arguments"][key]
        if "set_if" in arg:
            if values.get(arg["set_if"].strip("$")):
                argv.append(key)
            continue
        name = arg["value"].strip("$")
        if name not in values:
            continue
        v = values[name]
        for item in v if isinstance(v, list) else [v]:
            argv += [key, str(item)]
    return argv


def ini_file(e, client, section):
    cid, secret = H.CLIENTS[client]
    path = os.path.join(H.scratch_dir("director-"), "check_entra_sync.ini")
    with open(path, "w") as f:
        f.write("[%s]\ntenant = %s\nclient-id = %s\nclient-secret-file = %s\nlogin-url = %s\n"
                "graph-url = %s\n" % (section, H.TENANT, cid, H.secret_file(secret), e.url, e.url))
    return path


def test_the_rendered_commands_check_and_repair_with_the_identity_from_the_ini_file():
    e = H.emu()
    b = basket()["Command"]
    state = H.scratch_dir("state-")
    os.chmod(state, 0o700)
    common = {"entra_sync_service_principal": [H.SP_DEMO], "entra_sync_job": H.JOB_BOX,
              "entra_sync_token_cache": H.cache_dir(), "entra_sync_state_dir": state}
    check = render(b["check_entra_sync"], dict(common, entra_sync_extra_opts="@" + ini_file(e, "reader", "check_entra_sync")))
    r = H.run_plugin(check[1:])
    expect(r, 2, first_contains=["quarantine"])
    repair = dict(common, entra_sync_repair_extra_opts="entra_sync_repair@" + ini_file(e, "writer", "entra_sync_repair"),
                  **{"service.state": "CRITICAL", "service.state_type": "HARD", "service.check_attempt": "3"})
    argv = render(b["check_entra_sync_repair"], repair)
    for macro in ("service.state", "service.state_type", "service.check_attempt"):
        true(repair[macro] in argv, "the handler gets $%s$: %s" % (macro, shlex.join(argv)))
    r = H.run_plugin(argv[1:])
    eq(r.rc, 0, "handler exit status", r)
    eq(e.counters()["starts"], {H.JOB_BOX: 1}, "starts", r)
