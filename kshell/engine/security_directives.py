"""`#as` and `#group`: act as another principal, and simulated Entra groups.

    #as                      the session principal and the roles it holds
    #as FQN                  run the next requests as FQN (a user, an app, a managed identity)
    #as IDENTITY             as the managed identity named IDENTITY (`system` or a user-assigned name)
    #as default              back to the default principal (AllDatabasesAdmin on a new cluster)
    #group                   list groups and their members
    #group add GROUP MEMBER  make MEMBER (any FQN, possibly a group) a member of GROUP (aadgroup=...)
    #group remove GROUP MEMBER

ADX reads group membership from Entra ID; kshell keeps it in the cluster
state (`cluster.groups`), so a role granted to a group reaches its members
(kshell.engine.auth).
"""

from __future__ import annotations

from kshell.directives import DirectiveError, ShellState, directive
from kshell.engine import auth
from kshell.errors import BadRequest
from kshell.result import Result

AS_COLUMNS = [("Principal", "string"), ("FQN", "string"), ("Scope", "string"), ("Role", "string"), ("Via", "string")]
GROUP_COLUMNS = [("Group", "string"), ("Member", "string")]


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].strip()
    return text


def _parse(state: ShellState, text: str) -> auth.Principal:
    try:
        return auth.parse_fqn(_unquote(text), state.session.cluster)
    except BadRequest as e:
        raise DirectiveError(e.message) from None


@directive("as", "#as [FQN|IDENTITY|default]",
           "Show the session principal and its roles, or run the next requests as another principal "
           "(an FQN, or a managed identity by name: #as system).")
def as_directive(state: ShellState, args: str) -> Result | str:
    from kshell.engine.permissions import ensure_seeded

    session = state.session
    ensure_seeded(session)
    text = _unquote(args)
    if not text:
        return principal_roles_result(session)
    try:
        return _switch(state, session, text)
    except DirectiveError as e:
        # A refused `#as` must not leave the previous (often more privileged) principal
        # acting for the rest of a script: the session falls to a principal without roles.
        session.principal = REFUSED_AS_PRINCIPAL
        raise DirectiveError(f"{e.message}; requests now run as {REFUSED_AS_PRINCIPAL}, which holds no role, "
                             "until a valid #as") from None


# Who acts after a refused `#as` (holds no role unless someone grants it one).
REFUSED_AS_PRINCIPAL = "aaduser=refused-as@kshell.local"


def _switch(state: ShellState, session, text: str) -> str:
    from kshell.engine.session import DEFAULT_PRINCIPAL

    if text.lower() == "default":
        session.principal = DEFAULT_PRINCIPAL
    elif "=" not in text and _identity_named(session, text) is not None:
        # `#as system` / `#as <identity name>`: act as a managed identity of the simulated tenant
        session.principal = f"aadapp={_identity_named(session, text).object_id}"
    else:
        if any(ch.isspace() for ch in text):
            # `#as aaduser=carol@contoso.com extra`: a typo, not a principal (UPNs and ids have no spaces)
            raise DirectiveError(f"'{text}' is not a valid principal FQN: it contains a space "
                                 "(usage: #as [FQN|IDENTITY|default])")
        session.principal = _parse(state, text).fqn
    held = auth.held_roles(session.cluster, session.principal)
    if not held:
        return f"now running as {session.principal} (it holds no role)"
    return f"now running as {session.principal} ({len(held)} role{'s' if len(held) != 1 else ''}; #as lists them)"


def _identity_named(session, name: str):
    try:
        from kshell.engine import azure
    except ImportError:
        return None
    return azure.find_identity(session.cluster, name)


def principal_roles_result(session) -> Result:
    from kshell.engine.security import _scope_label

    cluster = session.cluster
    canonical = auth.current_principal_fqn(session)
    me = auth.parse_fqn(session.principal, cluster).key
    rows = []
    for scope, role, holder in auth.held_roles(cluster, session.principal):
        via = "" if auth.principal_key(cluster, holder) == me else holder
        rows.append([session.principal, canonical, _scope_label(scope), role, via])
    if not rows:
        rows.append([session.principal, canonical, "", "(no role)", ""])
    return Result.of(AS_COLUMNS, rows)


@directive("group", "#group [add|remove GROUP MEMBER]",
           "List simulated Entra groups, or add/remove a member (group roles reach their members).")
def group_directive(state: ShellState, args: str) -> Result | str | None:
    session = state.session
    cluster = session.cluster
    words = args.split(None, 1)
    if not words:
        rows = [[g, m] for g, members in cluster.groups.items() for m in members]
        rows += [[g, ""] for g, members in cluster.groups.items() if not members]
        return Result.of(GROUP_COLUMNS, rows)
    action = words[0].lower()
    if action not in ("add", "remove"):
        raise DirectiveError(f"unknown #group action '{words[0]}'; expected add or remove")
    operands = _split_operands(words[1] if len(words) > 1 else "")
    if len(operands) != 2:
        raise DirectiveError(f"usage: #group {action} GROUP MEMBER (e.g. #group {action} "
                             "aadgroup=sales@contoso.com aaduser=alice@contoso.com)")
    group = _parse(state, operands[0])
    if group.kind != "aadgroup":
        raise DirectiveError(f"'{operands[0]}' is not a group: a group FQN starts with aadgroup=")
    member = _parse(state, operands[1])
    if member.key == group.key:
        raise DirectiveError("a group cannot be a member of itself")
    group_name = next((g for g in cluster.groups if auth.principal_key(cluster, g) == group.key), None)
    if action == "add":
        members = cluster.groups.setdefault(group_name or group.fqn, [])
        if any(auth.principal_key(cluster, m) == member.key for m in members):
            return f"{member.fqn} is already a member of {group_name or group.fqn}"
        members.append(member.fqn)
        message = f"added {member.fqn} to {group_name or group.fqn}"
    else:
        members = cluster.groups.get(group_name) if group_name else None
        if not members or not any(auth.principal_key(cluster, m) == member.key for m in members):
            raise DirectiveError(f"{member.fqn} is not a member of {group.fqn}")
        members[:] = [m for m in members if auth.principal_key(cluster, m) != member.key]
        if not members:
            del cluster.groups[group_name]
        message = f"removed {member.fqn} from {group_name}"
    for hook in getattr(session, "after_commit", []):  # the state file saves the change
        hook(session)
    return message


def _split_operands(text: str) -> list[str]:
    """Two FQNs separated by spaces; either may be quoted."""
    out, cur, quote = [], "", None
    for ch in text.strip():
        if quote:
            if ch == quote:
                quote = None
            else:
                cur += ch
        elif ch in "'\"":
            quote = ch
        elif ch.isspace():
            if cur:
                out.append(cur)
                cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out
