# SPDX-License-Identifier: GPL-3.0-or-later
"""contrib/zabbix: the template is Zabbix 6.0 YAML whose every JSONPath
resolves against the plugin's real json output from the emulator, and the
UserParameter file runs the plugin with the identity from the ini file, a
--timeout below the agent's largest, and no secret. tests/e2e/test_zabbix.sh
runs both in Debian's Zabbix agent 2 and server."""

import json
import os
import re
import shlex

import harness as H
import zabbix_template as Z
from harness import eq, true

ETC = "/etc/check-entra-sync/"
INSTALLED = "/usr/lib/nagios/plugins/check_entra_sync"
AGENT_TIMEOUT_MAX = 30   # Zabbix 6.0: Timeout is 1-30 s, on the agent and the server


def all_items(t):
    items = list(t["items"])
    for rule in t["discovery_rules"]:
        items += rule["item_prototypes"]
    return items


def all_triggers(t):
    out = [tr for i in t["items"] for tr in i.get("triggers", [])]
    for rule in t["discovery_rules"]:
        out += rule["trigger_prototypes"]
    return out


def test_the_template_is_zabbix_6_0_yaml_with_unique_uuids_and_the_state_value_map():
    doc = Z.load()
    eq(doc["zabbix_export"]["version"], "6.0", "export version")
    t = Z.template()
    uuids = [t["uuid"]] + [x["uuid"] for x in all_items(t) + all_triggers(t) + t["discovery_rules"] + t["valuemaps"]]
    for u in uuids:
        true(re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}", u), "uuid %s is not a v4 UUID" % u)
    eq(len(set(uuids)), len(uuids), "uuids are unique")
    (vm,) = t["valuemaps"]
    eq({m["value"]: m["newvalue"] for m in vm["mappings"]},
       {"0": "OK", "1": "WARNING", "2": "CRITICAL", "3": "UNKNOWN"}, "state value map")


def test_triggers_name_only_items_and_macros_of_the_template():
    t = Z.template()
    keys = {i["key"] for i in all_items(t)}
    macros = {m["macro"] for m in t["macros"]}
    for tr in all_triggers(t):
        texts = [tr["expression"]] + [d["expression"] for d in tr.get("dependencies", [])]
        for text in texts:
            for key in re.findall(r"/" + re.escape(t["template"]) + r"/([\w.]+(?:\[[^\]]*\])?)", text):
                true(key in keys, "%s: item %s is not in the template" % (tr["name"], key))
        for m in re.findall(r"\{\$[A-Z0-9_.]+", " ".join(texts + [tr["name"]])):
            true(m + "}" in macros, "%s: macro %s} is not defined" % (tr["name"], m))
    for i in all_items(t):
        if i.get("type") == "DEPENDENT":
            true(i["master_item"]["key"] in keys, i["key"] + ": master item")


def argv_of(command, sp):
    return shlex.split(command.replace("$1", sp))


def test_the_userparameters_run_the_installed_plugin_with_json_the_ini_file_and_a_timeout_that_fits():
    cmds = Z.userparameter_commands()
    master = [i for i in Z.template()["items"] if "type" not in i][0]["key"]
    true(master.split("[")[0] + "[*]" in cmds, "the master item %s has a UserParameter" % master)
    for key, cmd in cmds.items():
        argv = argv_of(cmd, H.SP_DEMO)
        eq(argv[0], INSTALLED, key + ": the installed plugin")
        true("--output-format=json" in argv, key + ": json output")
        true("--extra-opts=@" + ETC + "check_entra_sync.ini" in argv, key + ": identity from the ini file")
        t = int(argv[argv.index("--timeout") + 1])
        true(t < AGENT_TIMEOUT_MAX, "%s: --timeout %d is not below the agent's %d s" % (key, t, AGENT_TIMEOUT_MAX))
        true(not any("secret" in a for a in argv), key + ": a secret option in the command")
        true("$1" not in cmd or '"$1"' in cmd, key + ": $1 quoted")


def etc_files(e):
    """The test's /etc/check-entra-sync: the example ini file with the
    emulator's addresses and the reader's secret file, and the service
    principals file."""
    d = H.scratch_dir("zabbix-etc-")
    with open(os.path.join(H.ROOT, "contrib", "check_entra_sync.ini")) as f:
        ini = f.read()
    with open(os.path.join(d, "entra-sync.secret"), "w") as f:
        f.write(H.CLIENTS["reader"][1] + "\n")
    ini = ini.replace(ETC, d + "/").replace("https://login.microsoftonline.com", e.url)
    with open(os.path.join(d, "check_entra_sync.ini"), "w") as f:
        f.write(ini.replace("https://graph.microsoft.com", e.url))
    with open(os.path.join(d, "entra-sync-service-principals"), "w") as f:
        f.write("%s Demo provisioning\n" % H.SP_DEMO)
    return d


def run_userparameter(key, etc, sp):
    argv = argv_of(Z.userparameter_commands()[key], sp)
    args = [a.replace(ETC, etc + "/") for a in argv[1:]]
    return H.run_plugin(args + ["--token-cache", H.cache_dir()])


def outputs(e):
    etc = etc_files(e)
    return {key: run_userparameter(key, etc, H.SP_DEMO) for key in Z.userparameter_commands()}


def test_discovery_finds_the_jobs_of_the_fixture_in_each_userparameters_output():
    e = H.emu()
    for key, r in outputs(e).items():
        doc = json.loads(r.stdout)
        rows = Z.discover(doc)
        eq(sorted((x["{#SP_ID}"], x["{#JOB_ID}"], x["{#TEMPLATE}"]) for x in rows),
           [(H.SP_DEMO, H.JOB_BOX, "Box"), (H.SP_DEMO, H.JOB_SCIM, "scim")], key + ": discovered jobs", r)
        true(all(x["{#JOB_NAME}"] for x in rows), key + ": every job has a name")


def test_every_item_resolves_against_the_real_output_with_the_fixtures_values():
    e = H.emu()
    r = outputs(e)["entra.sync.check[*]"]
    doc = json.loads(r.stdout)
    t = Z.template()
    (rule,) = t["discovery_rules"]
    got = {}
    for i in t["items"]:
        if i.get("type") == "DEPENDENT":
            v, err = Z.value_of(i, doc)
            true(err is None, "%s: %s" % (i["key"], err), r)
            got[i["key"]] = v
    eq(got["entra.sync.state"], 2, "the run's state", r)
    discarded = []
    for row in Z.discover(doc):
        job = {}
        for p in rule["item_prototypes"]:
            v, err = Z.value_of(p, doc, row)
            name = p["key"].split("[")[0].split(".")[-1]
            if err == "discarded":
                discarded.append((row["{#JOB_ID}"], name))
            else:
                true(err is None, "%s for %s: %s" % (p["key"], row["{#JOB_ID}"], err), r)
            job[name] = v
        if row["{#JOB_ID}"] == H.JOB_BOX:
            eq((job["state"], job["status"], job["quarantine_reason"]),
               (2, "Quarantine", "EncounteredQuarantineException"), "Box: state, status, reason", r)
            true(job["quarantine_age"] > 0, "Box: quarantine age", r)
            eq(job["last_success_age"], None, "Box never succeeded: no last success age", r)
        else:
            eq((job["state"], job["status"], job["quarantine_reason"], job["quarantine_age"]),
               (0, "Active", "(not quarantined)", 0), "scim: state, status, reason, quarantine age", r)
            true(500 <= job["last_success_age"] <= 700, "scim: last success about 600 s ago", r)
        true(job["text"], "the job's text", r)
    # Only the value a job that never succeeded does not have is discarded.
    eq(discarded, [(H.JOB_BOX, "last_success_age")], "values discarded", r)


def test_a_run_that_fails_is_unknown_to_the_template_and_leaves_the_discovery_alone():
    e = H.emu()
    r = run_userparameter("entra.sync.check[*]", etc_files(e), "5a1f0c2e-0000-4000-8000-00000000dead")
    eq(r.rc, 3, "exit status of a run for a service principal Graph does not know", r)
    doc = json.loads(r.stdout)
    t = Z.template()
    state = [i for i in t["items"] if i["key"] == "entra.sync.state"][0]
    eq(Z.value_of(state, doc), (3, None), "the run's state item", r)
    eq(Z.discover(doc), None, "the discovery of a failed run: discarded, the jobs found before stay", r)


def test_a_run_that_could_not_read_one_service_principal_leaves_the_discovery_alone():
    # Its jobs are missing from the output: were the discovery to take it,
    # Zabbix would count them as gone and drop them after the lifetime.
    e = H.emu()
    etc = etc_files(e)
    with open(os.path.join(etc, "entra-sync-service-principals"), "a") as f:
        f.write("5a1f0c2e-0000-4000-8000-00000000dead deleted since\n")
    r = run_userparameter("entra.sync.tenant", etc, H.SP_DEMO)
    doc = json.loads(r.stdout)
    true(doc["jobs"] and doc["errors"], "jobs of the one and an error for the other", r)
    eq(Z.discover(doc), None, "the discovery of a run with an error", r)
