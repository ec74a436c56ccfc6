"""`#identity explain external table T` and `#identity explain uri URI [USAGE] [read|write]`.

Each link of the chain a storage access needs, as rows `Step | Status | Detail`
(kshell.engine.identity_directives): the credential of every connection
string, for a managed identity the ManagedIdentity policy decision
(kshell.engine.managed_identity.identity_allowed) and its storage role, for
impersonation the session principal's storage role.
"""

from __future__ import annotations

from kshell.directives import DirectiveError
from kshell.engine import storage
from kshell.engine.identity_directives import EXPLAIN_COLUMNS, explain_subject
from kshell.engine.managed_identity import identity_allowed
from kshell.errors import KustoError
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STATUS = {True: "ok", False: "missing"}


def uri_rows(session: Any, raw: str, usage: str, database: str, needs: tuple[str, ...],
             principal: str | None = None) -> tuple[list[list[str]], bool]:
    """The explain rows of one connection string, and whether every link is in place."""
    rows: list[list[str]] = []
    try:
        uri = storage.parse_uri(raw)
    except KustoError as e:
        return [["Connection string", "missing", e.message]], False
    cred = uri.credential
    rows.append(["Connection string", "ok", f"{storage.mask(raw)}: account '{uri.account}', "
                 f"container '{uri.container}', {cred.describe()}"])
    exists = storage.account_exists(session, uri.account)
    rows.append(["Storage account", STATUS[exists], f"'{uri.account}' " + (
        "exists" if exists else f"does not exist (#storage create {uri.account})")])
    ok = exists
    if cred.kind in ("key", "sas", "token", "aws"):
        rows.append(["Credential", "ok", f"{cred.describe()} is accepted for any account (secrets are not validated)"])
        return rows, ok
    if cred.kind == "none":
        rows.append(["Credential", "missing", "no credentials: append ;impersonate, ;managed_identity=..., "
                     "a SAS token or an account key"])
        return rows, False
    if cred.kind == "impersonate":
        fqn = principal or session.principal
        rows.append(["Credential", "ok", f"impersonation: storage sees the calling principal '{fqn}'"])
        label, grant_ref = f"'{fqn}'", fqn
    else:
        decision = identity_allowed(session.cluster, cred.value, usage, database)
        rows.extend([link.step, STATUS[link.ok], link.detail] for link in decision.links)
        rows.append([f"Usage {usage}", STATUS[decision.allowed], decision.reason])
        ok = ok and decision.allowed
        if decision.identity is None:
            return rows, False
        fqn = f"aadapp={decision.identity.object_id}"
        label = f"identity {decision.identity.describe()}"
        grant_ref = "system" if decision.identity.is_system else decision.identity.name
    held = storage.roles_of(session, uri.account, fqn) if exists else []
    for need in needs:
        has = any(r in storage.ROLES_FOR[need] for r in held)
        role = storage.ROLE_FOR_NEED[need]
        word = "reader" if need == "read" else "contributor"
        rows.append([f"Storage {need}", STATUS[has], f"{label} " + (
            f"holds {', '.join(held)} on '{uri.account}'" if has
            else f"lacks {role} on '{uri.account}' (#storage grant {uri.account} {grant_ref} {word})")])
        ok = ok and has
    return rows, ok


def _decision(rows: list[list[str]], ok: bool, what: str) -> Result:
    rows.append(["Decision", "allowed" if ok else "denied",
                 f"{what} " + ("has every link in place" if ok else "would be refused: "
                               + "; ".join(r[0] for r in rows if r[1] == "missing" and "policy" not in r[0]))])
    return Result.of(EXPLAIN_COLUMNS, rows)


@explain_subject("external table", "#identity explain external table [DB.]T",
                 "each link reading and writing external table T needs (usage ExternalTable, storage roles)")
def explain_external_table(state, args: str) -> Result:
    from kshell.engine.external_tables import get_external_table

    session = state.session
    words = args.strip().split(".")
    if not args.strip() or len(words) > 2:
        raise DirectiveError("usage: #identity explain external table [DB.]T")
    try:
        db = session.get_database(words[0] if len(words) == 2 else None)
        ext = get_external_table(db, words[-1])
    except KustoError as e:
        raise DirectiveError(e.message) from None
    rows = [["External table", "ok", f"[{db.name}].[{ext.name}] kind={ext.kind}, "
             f"{len(ext.connection_strings)} connection string(s)"]]
    if ext.kind != "storage":
        rows.append(["Simulation", "missing", f"{ext.kind} external tables are stored but not simulated"])
        return _decision(rows, False, f"external table '{ext.name}'")
    ok = True
    for cs in ext.connection_strings:
        more, good = uri_rows(session, cs, "ExternalTable", db.name, ("read", "write"))
        rows.extend(more)
        ok = ok and good
    return _decision(rows, ok, f"external table '{ext.name}'")


@explain_subject("uri", "#identity explain uri URI [USAGE] [read|write]",
                 "each link an access to a storage URI needs (USAGE defaults to NativeIngestion)")
def explain_uri(state, args: str) -> Result:
    session = state.session
    words = args.split()
    if not words or len(words) > 3:
        raise DirectiveError("usage: #identity explain uri URI [USAGE] [read|write]")
    raw = words[0].strip("'\"")
    usage, needs = "NativeIngestion", ("read",)
    for w in words[1:]:
        if w.lower() in ("read", "write"):
            needs = (w.lower(),)
        else:
            usage = w
    try:
        rows, ok = uri_rows(session, raw, usage, session.database.name, needs)
    except KustoError as e:
        raise DirectiveError(e.message) from None
    return _decision(rows, ok, f"{needs[0]} access to '{storage.mask(raw)}'")
