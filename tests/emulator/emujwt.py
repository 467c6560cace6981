# SPDX-License-Identifier: GPL-3.0-or-later
"""Access tokens shaped like the identity platform's: three base64url parts
(header.payload.signature) whose header and payload are JSON with the claims a
Graph token carries. The emulator never verifies them: it looks the whole
string up in its token table. The signature is random, so a token is as
unguessable as a random string of that length, and tests can check that
nothing JWT-shaped leaks from the plugin."""

import base64
import hashlib
import json
import secrets
import time
import uuid

# Role template ids (Microsoft Entra built-in roles) that tokens carry in
# "wids"; the names are accepted by the token control call.
ROLE_IDS = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Hybrid Identity Administrator": "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
}
USER_ROLE_ID = "b79fbf4d-3ef9-4689-8143-76b194e85509"   # every member user has it
APP_ROLE_ID = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"    # seen in app-only Graph tokens
_KEY_ID = base64.urlsafe_b64encode(
    hashlib.sha1(b"check_entra_sync emulator signing key").digest()).rstrip(b"=").decode()
_NS = uuid.UUID("6d1a3f0e-5c8b-4f7e-9a61-0c2d4e8f1b37")


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(obj):
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


def object_id(client_id, what="sp"):
    """A stable object id for the service principal (or application) of a client."""
    return str(uuid.uuid5(_NS, "%s:%s" % (what, client_id.lower())))


def role_ids(roles):
    """Role names or template ids -> template ids (unknown names raise)."""
    out = []
    for r in roles or []:
        if r in ROLE_IDS:
            out.append(ROLE_IDS[r])
        elif len(r) == 36 and r.count("-") == 4:
            out.append(r.lower())
        else:
            raise ValueError("unknown directory role %r (give a name from %s or a template id)"
                             % (r, ", ".join(sorted(ROLE_IDS))))
    return out


def mint(tenant, client_id, audience, lifetime, roles=(), scp=None, wids=None,
         appidacr="1", display_name=None, upn=None, now=None):
    """-> (token, claims). scp None makes an application (app-only) token with
    "roles"; a list makes a delegated token with "scp" and the user's "wids"."""
    now = int(time.time() if now is None else now)
    iss = "https://sts.windows.net/%s/" % tenant
    header = {"typ": "JWT", "nonce": b64u(secrets.token_bytes(32)), "alg": "RS256",
              "x5t": _KEY_ID, "kid": _KEY_ID}
    claims = {"aud": audience, "iss": iss, "iat": now, "nbf": now, "exp": now + int(lifetime),
              "aio": b64u(secrets.token_bytes(48)),
              "app_displayname": display_name or "emulator client %s" % client_id[-4:],
              "appid": client_id, "appidacr": appidacr, "idp": iss}
    if scp is None:
        oid = object_id(client_id)
        claims.update({"idtyp": "app", "oid": oid, "rh": "0.A" + b64u(secrets.token_bytes(30)) + ".",
                       "roles": sorted(roles), "sub": oid, "tenant_region_scope": "EU",
                       "tid": tenant, "uti": b64u(secrets.token_bytes(16)), "ver": "1.0",
                       "wids": [APP_ROLE_ID], "xms_tcdt": now - 400 * 86400})
    else:
        upn = upn or "operator@contoso.onmicrosoft.com"
        claims.update({"acr": "1", "amr": ["pwd", "mfa"], "family_name": "Operator",
                       "given_name": "Emulated", "idtyp": "user", "ipaddr": "127.0.0.1",
                       "name": "Emulated Operator", "oid": object_id(upn, "user"), "platf": "3",
                       "puid": secrets.token_hex(8).upper(),
                       "rh": "0.A" + b64u(secrets.token_bytes(30)) + ".",
                       "scp": " ".join(scp), "signin_state": ["kmsi"],
                       "sub": b64u(secrets.token_bytes(32)), "tenant_region_scope": "EU",
                       "tid": tenant, "unique_name": upn, "upn": upn,
                       "uti": b64u(secrets.token_bytes(16)), "ver": "1.0",
                       "wids": list(wids or []) + [USER_ROLE_ID],
                       "xms_tcdt": now - 400 * 86400})
        if roles:
            claims["roles"] = sorted(roles)
    token = "%s.%s.%s" % (_part(header), _part(claims), b64u(secrets.token_bytes(256)))
    return token, claims
