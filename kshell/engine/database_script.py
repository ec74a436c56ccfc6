"""`.execute database script`: run a script's commands in order, one result row each.

As in the service: commands run one after the other in the context database,
each with its own permission check; `.show` commands are not run (Skipped);
the script is not a transaction, so commands that completed before a failure
stay applied.  With the default (ContinueOnErrors=false) the script stops at
the first failure and the commands after it are reported Skipped; with
ContinueOnErrors=true every command runs.  ThrowOnErrors=true makes the
request itself fail with the first command's error; as every failed kshell
request, it then leaves the cluster as it was before the script
(docs/policies.md, "Database scripts").
"""

from __future__ import annotations

from kshell.engine.cluster import name_uuid
from kshell.engine.session import Session, handler
from kshell.errors import BadRequest, KustoError
from kshell.result import Result
from kshell.syntax.cmd_script import ExecuteDatabaseScript

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

COLUMNS = [("OperationId", "guid"), ("CommandType", "string"), ("CommandText", "string"),
           ("Result", "string"), ("Reason", "string")]


def _flag(props: dict, name: str) -> bool:
    raw = next((v for k, v in props.items() if k.lower() == name.lower()), False)
    if isinstance(raw, str):
        if raw.lower() not in ("true", "false"):
            raise BadRequest(f"property '{name}' must be true or false, got '{raw}'")
        return raw.lower() == "true"
    return bool(raw)


def command_type(node: Any) -> str:
    """The CommandType column: the kind of command, e.g. TableCreateMerge, TablePolicyAlter."""
    name = type(node).__name__
    if name == "PolicyCommand":
        entity = "".join(w.capitalize() for w in node.entity_kind.replace("-", " ").split())
        verb = "".join(w.capitalize() for w in node.verb.split("-"))
        return f"{entity}Policy{verb}"
    return name


@handler(ExecuteDatabaseScript)
def execute_database_script(session: Session, node: ExecuteDatabaseScript) -> Result:
    from kshell.engine.misc import _snapshot, run_nested
    from kshell.script import split_requests
    from kshell.syntax import parse

    known = {"continueonerrors", "throwonerrors"}
    for key in node.properties:
        if key.lower() not in known:
            raise BadRequest(f"unknown property '{key}' (expected ContinueOnErrors or ThrowOnErrors)")
    keep_going = _flag(node.properties, "ContinueOnErrors")
    throw = _flag(node.properties, "ThrowOnErrors")
    if keep_going and throw:
        raise BadRequest("ContinueOnErrors and ThrowOnErrors cannot both be set")
    try:
        requests = split_requests(node.script)
    except KustoError as e:
        raise BadRequest(f"the script is not valid: {e.message}") from None
    if not requests:
        raise BadRequest("the script holds no commands")
    backup = _snapshot(session.cluster) if throw else None
    rows = []
    stopped = False
    for n, request in enumerate(requests):
        text = request.text
        # uuid5 without derived_id's cache: script texts do not repeat
        op_id = name_uuid(f"database-script/{session.now()}/{n}/{text}")  # = uuid.uuid5(ID_NAMESPACE, ...)
        if stopped:
            rows.append([op_id, "", text, "Skipped", "a previous command of the script failed"])
            continue
        if request.is_directive:
            outcome = ("", "Failed", "client directives (#...) cannot run inside a database script")
        else:
            kind = ""  # a command that does not parse has no type (not the previous command's)
            try:
                cmd = parse(text)
                kind = command_type(cmd)
                if type(cmd).__name__ == "Query":
                    raise BadRequest("a database script holds management commands, not queries")
                if _is_show(cmd):
                    outcome = (kind, "Skipped", "read-only commands are not run in a script")
                else:
                    from kshell.engine.operations import entity_state, journal_change

                    before = entity_state(session, cmd)
                    run_nested(session, cmd)
                    journal_change(session, cmd, before)  # each command of the script is its own change
                    outcome = (kind, "Completed", "")
            except KustoError as e:
                if throw:
                    if backup is not None:
                        for name, value in backup.items():
                            setattr(session.cluster, name, value)
                    raise type(e)(f"command {n + 1} of the script failed: {e.message}") from None
                outcome = (kind, "Failed", f"{e.kind}: {e.message}")
        rows.append([op_id, outcome[0], text, outcome[1], outcome[2]])
        if outcome[1] == "Failed" and not keep_going:
            stopped = True
    return Result.of(COLUMNS, rows)


def _is_show(node: Any) -> bool:
    text = (getattr(node, "text", "") or "").lstrip()
    return text[1:].lstrip()[:5].lower() == "show " or getattr(node, "verb", "") == "show"
