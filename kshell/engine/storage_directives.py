"""`#storage`: the simulated Azure Storage side (accounts, data-plane roles, files).

    #storage                                      accounts and their role assignments
    #storage dir                                  the directory backing the accounts
    #storage create ACCOUNT                       a new (empty) storage account
    #storage grant ACCOUNT PRINCIPAL reader|contributor|owner
    #storage revoke ACCOUNT PRINCIPAL [reader|contributor|owner]
    #storage ls URI                               the files under a URI (credentials ignored)

PRINCIPAL is `system`, a managed identity's name or object id, or an FQN
(`aaduser=alice@contoso.com`, `aadapp=...`, `aadgroup=...`).  Roles are the
Azure RBAC data roles Storage Blob Data Reader / Contributor / Owner; in ADX
they are granted in the Azure portal, never with KQL.
"""

from __future__ import annotations

import datetime as dt
import os

from kshell.directives import DirectiveError, ShellState, directive
from kshell.engine import storage
from kshell.errors import KustoError
from kshell.result import Result

ACCOUNT_COLUMNS = [("Account", "string"), ("Principal", "string"), ("PrincipalFQN", "string"), ("Role", "string")]
LS_COLUMNS = [("Uri", "string"), ("SizeInBytes", "long"), ("LastModified", "datetime")]
USAGE = ("#storage [dir | create ACCOUNT | grant ACCOUNT PRINCIPAL reader|contributor|owner"
         " | revoke ACCOUNT PRINCIPAL [ROLE] | ls URI]")


def sync_storage_dir(state: ShellState) -> None:
    """`--storage DIR` (kept in state.extras) wins over the session's default."""
    wanted = state.extras.get("storage_dir")
    if wanted:
        wanted = os.path.abspath(wanted)
        if getattr(state.session, "storage_dir", None) != wanted:
            state.session.storage_dir = wanted


def accounts_result(session) -> Result:
    root = storage.storage_root(session)
    names = set(storage.accounts(session.cluster))
    names |= {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
    rows = []
    for name in sorted(names):
        record = storage.accounts(session.cluster).get(name)
        if record is None or not record.roles:
            rows.append([name, "", "", ""])
            continue
        for a in record.roles:
            rows.append([name, a.display or a.principal, a.principal, a.role])
    return Result.of(ACCOUNT_COLUMNS, rows)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].strip()
    return text


@directive("storage", USAGE,
           "Simulated storage accounts backed by files: list accounts and role assignments, create an "
           "account, grant/revoke Storage Blob Data Reader/Contributor/Owner to a managed identity, user, "
           "app or group, list the files under a URI, or show the storage directory.")
def storage_directive(state: ShellState, args: str) -> Result | str:
    sync_storage_dir(state)
    session = state.session
    words = args.split()
    if not words:
        return accounts_result(session)
    sub, rest = words[0].lower(), words[1:]
    try:
        if sub == "dir" and not rest:
            return str(storage.storage_root(session))
        if sub == "create" and len(rest) == 1:
            storage.create_account(session, rest[0])
            return accounts_result(session)
        if sub == "grant" and len(rest) == 3:
            storage.grant(session, rest[0], _unquote(rest[1]), rest[2])
            return _one_account(session, rest[0])
        if sub == "revoke" and len(rest) in (2, 3):
            storage.revoke(session, rest[0], _unquote(rest[1]), rest[2] if len(rest) == 3 else None)
            return _one_account(session, rest[0])
        if sub == "ls" and len(rest) == 1:
            return _ls(session, _unquote(rest[0]))
    except KustoError as e:
        raise DirectiveError(e.message) from None
    raise DirectiveError(f"usage: {USAGE}")


def _one_account(session, name: str) -> Result:
    full = accounts_result(session)
    return Result.of([(c.name, c.type) for c in full.columns], [r for r in full.rows if r[0] == name.lower()])


def _ls(session, text: str) -> Result:
    uri = storage.parse_uri(text)
    if not storage.account_exists(session, uri.account):
        raise DirectiveError(f"storage account '{uri.account}' does not exist (#storage create {uri.account})")
    rows = []
    for relative, path in storage.list_files(session, uri):
        st = path.stat()
        full = "/".join(p for p in (uri.path, relative) if p)
        rows.append([storage.uri_for(uri, full), st.st_size,
                     dt.datetime.fromtimestamp(int(st.st_mtime), dt.timezone.utc)])
    return Result.of(LS_COLUMNS, rows)
