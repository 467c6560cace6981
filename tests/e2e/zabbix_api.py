#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One call of the Zabbix 6.0 frontend's JSON-RPC API as Admin (the
password of a new installation):
  zabbix_api.py URL METHOD PARAMS_JSON    the result as JSON on stdout
  zabbix_api.py URL import FILE           configuration.import of a YAML file
Exit 1 with the API's error on stderr."""

import json
import sys
import urllib.request


def call(url, method, params, auth=None):
    body = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
    if auth:
        body["auth"] = auth
    req = urllib.request.Request(url + "/api_jsonrpc.php", json.dumps(body).encode(),
                                 {"Content-Type": "application/json-rpc"})
    with urllib.request.urlopen(req, timeout=60) as r:
        answer = json.load(r)
    if "error" in answer:
        sys.stderr.write("%s: %s\n" % (method, json.dumps(answer["error"])))
        sys.exit(1)
    return answer["result"]


def main():
    url, method, arg = sys.argv[1:4]
    if method == "apiinfo.version":   # the one method called without a login
        print(json.dumps(call(url, method, {})))
        return
    auth = call(url, "user.login", {"username": "Admin", "password": "zabbix"})
    if method == "import":
        rules = {k: {"createMissing": True, "updateExisting": True}
                 for k in ("templates", "items", "triggers", "discoveryRules", "valueMaps")}
        rules["groups"] = {"createMissing": True}
        rules["templateLinkage"] = {"createMissing": True}
        with open(arg) as f:
            params = {"format": "yaml", "source": f.read(), "rules": rules}
        method = "configuration.import"
    else:
        params = json.loads(arg)
    print(json.dumps(call(url, method, params, auth)))


main()
