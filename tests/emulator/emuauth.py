# SPDX-License-Identifier: GPL-3.0-or-later
"""Sign-in: the identity platform token endpoint (client secret or JWT client
assertion) and the instance metadata (IMDS) endpoint. Each function returns
(status, json_body)."""

import base64
import datetime
import json
import time
import uuid
from urllib.parse import parse_qs

import emustate
from emustate import SCOPES, GRAPH_HOSTS

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SKEW = 300


def aad_error(status, error, code, text):
    now = datetime.datetime.fromtimestamp(emustate.now(), datetime.timezone.utc)
    trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
    return status, {
        "error": error,
        "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s"
        % (code, text, trace, corr, now.strftime("%Y-%m-%d %H:%M:%SZ")),
        "error_codes": [code],
        "timestamp": now.strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": trace,
        "correlation_id": corr,
        "error_uri": "https://login.microsoftonline.com/error?code=%d" % code,
    }


def _b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def verify_assertion(state, client, jwt, token_url):
    """-> None when the assertion is good, else aad_error arguments."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        h64, p64, s64 = jwt.split(".")
        header, claims, sig = json.loads(_b64d(h64)), json.loads(_b64d(p64)), _b64d(s64)
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise ValueError
    except (ValueError, TypeError):
        return (400, "invalid_client", 50027, "JWT token is invalid or malformed.")
    alg = header.get("alg")
    with state.lock:
        state.counters["assertion_algs"][str(alg)] = state.counters["assertion_algs"].get(str(alg), 0) + 1
    if alg not in ("RS256", "PS256"):
        return (400, "invalid_client", 5002738,
                "Invalid JWT token. '%s' is not a supported signature algorithm." % alg)
    cert = None
    for c in client["certs"]:
        if header.get("x5t") == c["x5t"] or header.get("x5t#S256") == c["x5t#S256"]:
            cert = c
    if cert is None:
        return (401, "invalid_client", 700027,
                "The certificate with identifier used to sign the client assertion is "
                "not registered on application. [Reason - The key was not found.]")
    expired = _key_expired(client, cert)
    if expired:
        return (401, "invalid_client", 700027,
                "Client assertion contains an invalid signature. [Reason - The key used is "
                "expired., Thumbprint of key used by client: '%s', Found key 'Start=%s, "
                "End=%s', Please visit the Azure Portal, Graph Explorer or directly use MS "
                "Graph to see configured keys for app Id '%s'.]"
                % ((cert["thumbprint"],) + expired + (client["client_id"],)))
    data = (h64 + "." + p64).encode()
    try:
        if alg == "RS256":
            cert["key"].verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            try:
                cert["key"].verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                                   hashes.SHA256())
            except InvalidSignature:
                cert["key"].verify(sig, data, padding.PSS(padding.MGF1(hashes.SHA256()),
                                                          padding.PSS.AUTO), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return (401, "invalid_client", 700027,
                "Client assertion failed signature validation.")
    if claims.get("iss") != client["client_id"] or claims.get("sub") != client["client_id"]:
        return (401, "invalid_client", 700021,
                "Client assertion application identifier doesn't match 'client_id' parameter.")
    aud = claims.get("aud")
    if aud not in (token_url, token_url.replace("/oauth2/v2.0/token", "/oauth2/token")):
        return (401, "invalid_client", 700023,
                "Client assertion audience claim does not match Realm issuer. "
                "Review the documentation at https://aka.ms/certCredentials.")
    nbf, exp, now = claims.get("nbf"), claims.get("exp"), emustate.now()
    if not isinstance(nbf, (int, float)) or not isinstance(exp, (int, float)):
        return (400, "invalid_client", 50027,
                "JWT token is invalid or malformed (nbf and exp are required).")
    if now + SKEW < nbf or now - SKEW > exp or exp - nbf > 600 + SKEW:
        return (401, "invalid_client", 700024,
                "Client assertion is not within its valid time range. Current time: %s, "
                "assertion valid from %s, expiry time of assertion %s."
                % (int(now), int(nbf), int(exp)))
    return None


def _shown(ts):
    return time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(ts))


def _key_expired(client, cert):
    """The identity platform refuses a certificate whose key credential on the
    application has ended (its endDateTime: the certificate's notAfter unless
    registered with another). -> (start, end) as the error text shows them,
    or None while the key is valid."""
    for k in client["application"]["keyCredentials"]:
        if k.get("customKeyIdentifier") != cert["thumbprint"]:
            continue
        end = emustate.parse_iso(k["endDateTime"])
        if end is not None and end < emustate.now():
            start = emustate.parse_iso(k["startDateTime"]) or cert["not_before"]
            return (_shown(start), _shown(end))
    return None


def token_endpoint(state, tenant_alias, body, token_url):
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"),
                                         keep_blank_values=True).items()}
    tenant = state.tenant(tenant_alias)

    def fail(*err):
        with state.lock:
            state.counters["sign_in_failures"] += 1
        return aad_error(*err)

    if tenant is None:
        return fail(400, "invalid_request", 90002,
                    "Tenant '%s' not found. Check to make sure you have the correct tenant ID "
                    "and are signing into the correct cloud." % tenant_alias)
    if form.get("grant_type") != "client_credentials":
        return fail(400, "unsupported_grant_type", 70003,
                    "The app requested an unsupported grant type '%s'." % form.get("grant_type", ""))
    cid = form.get("client_id", "")
    if not cid:
        return fail(400, "invalid_request", 900144,
                    "The request body must contain the following parameter: 'client_id'.")
    client = state.clients.get(cid)
    if client is None or client["tenant"] != tenant:
        return fail(400, "unauthorized_client", 700016,
                    "Application with identifier '%s' was not found in the directory '%s'. This "
                    "can happen if the application has not been installed by the administrator "
                    "of the tenant or consented to by any user in the tenant. You may have sent "
                    "your authentication request to the wrong tenant." % (cid, tenant_alias))
    scope = form.get("scope", "")
    if scope not in SCOPES:
        return fail(400, "invalid_scope", 70011,
                    "The provided request must include a 'scope' input parameter. The provided "
                    "value for the input parameter 'scope' is not valid. The scope %s is not "
                    "valid." % scope)
    if "client_secret" in form and "client_assertion" in form:
        return fail(400, "invalid_request", 7000216,
                    "'client_assertion', 'client_secret' or 'request' is required for the "
                    "'client_credentials' grant type, but only one of them.")
    if "client_secret" in form:
        if client["secret"] is None or form["client_secret"] != client["secret"]:
            return fail(401, "invalid_client", 7000215,
                        "Invalid client secret provided. Ensure the secret being sent in the "
                        "request is the client secret value, not the client secret ID, for a "
                        "secret added to app '%s'." % cid)
        if client["secret_expired"]:
            return fail(401, "invalid_client", 7000222,
                        "The provided client secret keys for app '%s' are expired. Visit the "
                        "Azure portal to create new keys for your app." % cid)
    elif "client_assertion" in form:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return fail(400, "invalid_request", 50027,
                        "Invalid client_assertion_type '%s'." % form.get("client_assertion_type", ""))
        err = verify_assertion(state, client, form["client_assertion"], token_url)
        if err:
            return fail(*err)
    else:
        return fail(401, "invalid_client", 7000218,
                    "The request body must contain the following parameter: 'client_assertion' "
                    "or 'client_secret'.")
    tok, life = state.issue_token(cid, client["permissions"], scope,
                                  appidacr="2" if "client_assertion" in form else "1",
                                  tenant=tenant)
    return 200, {"token_type": "Bearer", "expires_in": life, "ext_expires_in": life,
                 "access_token": tok}


def imds_endpoint(state, query, headers):
    with state.lock:
        state.counters["imds_requests"] += 1
    q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if headers.get("Metadata", "").lower() != "true":
        return 400, {"error": "invalid_request",
                     "error_description": "Required metadata header not specified"}
    if q.get("api-version") != "2018-02-01":
        return 400, {"error": "invalid_request",
                     "error_description": "Invalid or missing api-version"}
    resource = q.get("resource", "")
    if resource.rstrip("/") not in GRAPH_HOSTS:
        return 400, {"error": "invalid_resource",
                     "error_description": "AADSTS500011: The resource principal named %s was "
                     "not found in the tenant." % resource}
    cid = q.get("client_id")
    if cid is None:
        mi = next((m for m in state.managed.values() if m.get("system")), None)
    else:
        mi = state.managed.get(cid)
    if mi is None:
        return 400, {"error": "invalid_request",
                     "error_description": "Identity not found"}
    tok, life = state.issue_token(mi["client_id"], mi["permissions"], resource, appidacr="2")
    now = int(emustate.now())
    return 200, {"access_token": tok, "client_id": mi["client_id"],
                 "expires_in": str(life), "expires_on": str(now + life),
                 "ext_expires_in": str(life), "not_before": str(now),
                 "resource": resource, "token_type": "Bearer"}
