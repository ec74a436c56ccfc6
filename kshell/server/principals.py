"""Who sends a request: the principal of an `Authorization: Bearer` token.

A token is either a JWT (its signature is not checked: kshell simulates a
cluster, it does not guard one) or a plain principal FQN such as
`aaduser=alice@contoso.com`.  JWT claims map to FQNs as Entra tokens do:

- an app token (`idtyp` = "app", or no user name claim) -> `aadapp=<appid|azp|oid>[;tid]`;
  a managed identity's token is an app token whose appid/oid names the identity,
  which the engine resolves to the identity's `aadapp=` principal;
- a user token -> `aaduser=<upn|preferred_username|unique_name|oid>[;tid]`;
- `idp` of a Microsoft account (live.com) with a UPN -> `msauser=<upn>`.

`mint(fqn)` makes the JWT `kshell token FQN` prints: unsigned (alg "none"),
with the claims that map back to the same FQN.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid

_FQN = re.compile(r"^\s*(aaduser|aadapp|aadgroup|msauser)\s*=", re.IGNORECASE)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")

AUDIENCE = "https://kshell.local"


class TokenError(Exception):
    """The token cannot be read as a principal (the request gets a 401)."""


def principal_of(authorization: str | None) -> str | None:
    """The FQN an Authorization header value names; None when there is none."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenError("the Authorization header must be 'Bearer <token>'")
    return principal_of_token(token.strip())


def principal_of_token(token: str) -> str:
    if _FQN.match(token):
        return token.strip()
    claims = _jwt_claims(token)
    return _fqn_of_claims(claims)


def _jwt_claims(token: str) -> dict:
    parts = token.split(".")
    if len(parts) not in (2, 3):
        raise TokenError("the token is neither a JWT nor a principal FQN (e.g. aaduser=alice@contoso.com)")
    try:
        claims = json.loads(_b64decode(parts[1]))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise TokenError("the token's JWT payload is not base64url-encoded JSON") from None
    if not isinstance(claims, dict):
        raise TokenError("the token's JWT payload is not a JSON object")
    return claims


def _claim(claims: dict, *names: str) -> str | None:
    for name in names:
        v = claims.get(name)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _fqn_of_claims(claims: dict) -> str:
    tenant = _claim(claims, "tid")
    suffix = f";{tenant}" if tenant else ""
    user = _claim(claims, "upn", "preferred_username", "unique_name")
    app = _claim(claims, "appid", "azp")
    oid = _claim(claims, "oid")
    idtyp = (_claim(claims, "idtyp") or "").lower()
    if idtyp == "app" or (user is None and idtyp != "user" and (app or oid)):
        ident = app or oid
        if ident is None:
            raise TokenError("the app token has no appid, azp or oid claim")
        return f"aadapp={ident}{suffix}"
    if user is not None and "live.com" in (_claim(claims, "idp") or "").lower():
        return f"msauser={user}"
    ident = user or oid
    if ident is None:
        raise TokenError("the token names no principal (no upn, preferred_username, oid or appid claim)")
    return f"aaduser={ident}{suffix}"


# ------------------------------------------------------------------ minting

def mint(fqn: str) -> str:
    """An unsigned JWT for `fqn` (aaduser=, aadapp= or msauser=) that maps back to it."""
    kind, _, rest = fqn.strip().partition("=")
    kind = kind.strip().lower()
    ident, _, tenant = rest.partition(";")
    ident, tenant = ident.strip(), tenant.strip()
    if not ident:
        raise ValueError(f"'{fqn}' is not a principal FQN (e.g. aaduser=alice@contoso.com)")
    now = int(time.time())
    claims: dict = {"aud": AUDIENCE, "iss": "https://kshell.local/simulated", "iat": now, "nbf": now,
                    "exp": now + 365 * 86400}
    if kind == "aaduser":
        if _GUID.match(ident):
            claims.update(oid=ident, idtyp="user")
        else:
            claims.update(upn=ident, preferred_username=ident, idtyp="user",
                          oid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"kshell:aaduser:{ident.lower()}")))
    elif kind == "aadapp":
        claims.update(appid=ident, azp=ident, idtyp="app")
    elif kind == "msauser":
        claims.update(upn=ident, preferred_username=ident, idp="live.com", idtyp="user")
    else:
        raise ValueError(f"'{fqn}': a token names a user (aaduser=, msauser=) or an app (aadapp=), "
                         f"not a group or anything else")
    if tenant and kind != "msauser":
        claims["tid"] = tenant
    header = {"alg": "none", "typ": "JWT"}
    return f"{_b64encode(header)}.{_b64encode(claims)}."


def _b64encode(obj: dict) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> str:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
