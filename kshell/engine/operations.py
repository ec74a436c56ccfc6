"""Operations, the request log and the journal.

Every request a session runs goes through `on_request` (session.REQUEST_HOOKS):

- the request log (`.show commands`, `.show queries`, `.show commands-and-queries`)
  keeps each command and query with who ran it, when, and how it ended;
- state-changing commands, and async commands (`.set async`, `.export async`,
  `.create async materialized-view`), are operations (`.show operations`);
  an async command's synchronous result is its `.show operation ID details`;
- successful metadata changes go to the journal (`.show journal`) with the
  entity's script before and after.

All of it is kept in memory per cluster, bounded (the newest LOG_LIMIT
entries), and not written to the state file: a log of this process's
requests, as the service keeps a log of recent ones.  Each caller sees its own
requests; Database Admins and Monitors see those on their databases, and
AllDatabasesAdmin/Monitor everything.  kshell runs every request to its end
before answering, so nothing is ever running: `.show running queries` is
empty and `.cancel operation` finds a completed operation.
"""

from __future__ import annotations

import datetime as dt
import marshal
from collections import OrderedDict, deque
from itertools import repeat

from kshell.engine.cluster import name_uuid
from kshell.engine.guids import uuid_module
from kshell.engine.lazy_modules import lazy_module
from kshell.engine.session import REQUEST_HOOKS, Session, handler
from kshell.errors import BadRequest, EntityNotFound, KustoError
from kshell.result import Result
from kshell.syntax.cmd_operations import CancelOperation, ShowJournal, ShowOperations, ShowRequests

TYPE_CHECKING = False
if TYPE_CHECKING:
    import uuid
    from typing import Any
else:  # ids become uuid.UUID values only when shown (most requests' never are)
    lazy_module(globals(), "uuid", uuid_module)

LOG_LIMIT = 1000

OPERATIONS_COLUMNS = [
    ("OperationId", "guid"), ("Operation", "string"), ("NodeId", "string"), ("StartedOn", "datetime"),
    ("LastUpdatedOn", "datetime"), ("Duration", "timespan"), ("State", "string"), ("Status", "string"),
    ("RootActivityId", "guid"), ("ShouldRetry", "bool"), ("Database", "string"), ("Principal", "string"),
    ("User", "string"), ("AdminEpochStartTime", "datetime"),
]
COMMANDS_COLUMNS = [
    ("ClientActivityId", "string"), ("CommandType", "string"), ("Text", "string"), ("Database", "string"),
    ("StartedOn", "datetime"), ("LastUpdatedOn", "datetime"), ("Duration", "timespan"), ("State", "string"),
    ("RootActivityId", "guid"), ("User", "string"), ("FailureReason", "string"), ("Application", "string"),
    ("Principal", "string"), ("TotalCpu", "timespan"), ("MemoryPeak", "long"), ("WorkloadGroup", "string"),
]
QUERIES_COLUMNS = [c for c in COMMANDS_COLUMNS if c[0] != "CommandType"]
JOURNAL_COLUMNS = [
    ("Event", "string"), ("EventTimestamp", "datetime"), ("Database", "string"), ("EntityName", "string"),
    ("UpdatedEntityName", "string"), ("EntityVersion", "string"), ("EntityContainerName", "string"),
    ("OriginalEntityState", "string"), ("UpdatedEntityState", "string"), ("ChangeCommand", "string"),
    ("Principal", "string"),
]
CANCEL_COLUMNS = [("RunningQueryCanceled", "bool"), ("ReasonPhrase", "string")]


class _Log:
    __slots__ = ("cluster", "requests", "operations", "journal", "seq", "base")

    def __init__(self, cluster: Any):
        self.cluster = cluster
        self.requests: deque[dict] = deque(maxlen=LOG_LIMIT)
        self.operations: OrderedDict[str, dict] = OrderedDict()
        self.journal: deque[dict] = deque(maxlen=LOG_LIMIT)
        self.seq = 0
        self.base: int | None = None


_LOGS: dict[int, _Log] = {}


def log_of(cluster: Any) -> _Log:
    log = _LOGS.get(id(cluster))
    if log is None or log.cluster is not cluster:
        if len(_LOGS) > 64:  # clusters come and go (tests, #load): keep the recent ones
            for key in list(_LOGS)[:32]:
                del _LOGS[key]
        log = _LOGS[id(cluster)] = _Log(cluster)
    return log


def _next_id(session: Session, *parts: str) -> uuid.UUID:
    """A deterministic id for a log entry: the cluster's request-log base id (uuid5 of its
    name) stepped by the log's sequence number.  Every request takes several ids, so a uuid5
    per id (hashing a fresh text each time) cost an eighth of a management script's time."""
    log = log_of(session.cluster)
    log.seq += 1
    return _id_at(log, log.seq)


def _id_at(log: _Log, seq: int) -> uuid.UUID:
    if log.base is None:
        log.base = name_uuid(f"{log.cluster.name}/request").int
    return uuid.UUID(int=(log.base + seq * _ID_STEP) % (1 << 128))


def _shown(log: _Log, value: Any) -> Any:
    """An id as shown: the request hook stores sequence numbers, made into ids when shown
    (most requests' ids are never looked at)."""
    return _id_at(log, value) if value.__class__ is int else value


_ID_STEP = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd, so the ids of one log never repeat


TEXT_LIMIT = 10_000  # characters of a request's text kept in the log (big inline ingestions)


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "..."


def record_operation(session: Session, operation: str, target: str, details: Result | None, *,
                     op_id: Any = None, state: str = "Completed", status: str = "") -> uuid.UUID:
    """An operation (an async command's, by its handler); `details` is what
    `.show operation ID details` returns.  Returns the operation id."""
    op = op_id if op_id is not None else _next_id(session, operation, target)
    now = session.now()
    log = log_of(session.cluster)
    log.operations[str(op).lower()] = {
        "OperationId": op if isinstance(op, uuid.UUID) else uuid.UUID(str(op)), "Operation": operation,
        "NodeId": "", "StartedOn": now, "LastUpdatedOn": now, "Duration": dt.timedelta(0), "State": state,
        "Status": status, "RootActivityId": _next_id(session, "root"), "ShouldRetry": False,
        "Database": session.database_name, "Principal": session.principal, "User": _user(session.principal),
        "AdminEpochStartTime": now, "details": details, "target": target,
    }
    while len(log.operations) > LOG_LIMIT:
        log.operations.popitem(last=False)
    return log.operations[str(op).lower()]["OperationId"]


def _record_completed(session: Session, log: _Log, kind: str, now: Any, state: str, status: str) -> None:
    """record_operation for a request the hook saw complete: its ids stay sequence numbers
    until shown, and it is found by scanning (_find_operation).  Kept as a tuple, made
    into its dict when read (_operation): most operations are never looked at."""
    log.seq += 2  # the operation id, then the root activity id
    log.operations[log.seq - 1] = (log.seq - 1, kind, now, state, status, session.database_name, session.principal)
    if len(log.operations) > LOG_LIMIT:
        log.operations.popitem(last=False)


def _operation(value: Any) -> dict:
    """A stored operation as its dict (see _record_completed)."""
    if value.__class__ is not tuple:
        return value
    seq, kind, now, state, status, database, principal = value
    return {
        "OperationId": seq, "Operation": kind, "NodeId": "", "StartedOn": now, "LastUpdatedOn": now,
        "Duration": _ZERO, "State": state, "Status": status, "RootActivityId": seq + 1, "ShouldRetry": False,
        "Database": database, "Principal": principal, "User": _user(principal),
        "AdminEpochStartTime": now, "details": None, "target": "",
    }


def _operations(log: _Log) -> list[dict]:
    return [_operation(v) for v in log.operations.values()]


_ZERO = dt.timedelta(0)


def _find_operation(log: _Log, text: str) -> dict | None:
    op = log.operations.get(text.lower())
    if op is None:
        wanted = text.lower()
        op = next((o for o in _operations(log) if str(_shown(log, o["OperationId"])) == wanted), None)
    return op


def _user(principal: str) -> str:
    return principal.split("=", 1)[-1].split(";", 1)[0]


# ------------------------------------------------------------ the request hook

def _inner(node: Any) -> Any:
    return getattr(node, "command", node) if type(node).__name__ == "PipedCommand" else node


def _is_show(node: Any) -> bool:
    text = (getattr(node, "text", "") or "").lstrip()
    return text[1:].lstrip()[:5].lower() == "show " or getattr(node, "verb", "") == "show"


def on_request(session: Session, node: Any):
    # (`import a.b as m`: a from-import builds an AttributeError each time in Python 3.11)
    import kshell.engine.database_script as database_script

    command_type = database_script.command_type
    started = session.now()
    inner = _inner(node)
    is_query = type(node).__name__ == "Query"
    changes = not is_query and not _is_show(inner)
    left, _LEFT[0] = _LEFT[0], None  # (taken by this request whatever it is)
    if left is not None and (left[0] is not log_of(session.cluster) or left[1] != left[0].seq):
        left = None  # another request finished since
    before = entity_state(session, inner, left) if changes else None

    def finish(error: KustoError | None) -> None:
        log = log_of(session.cluster)
        now = session.now()
        kind = "" if is_query else command_type(inner)
        failure = f"{error.kind}: {error.message}" if error else ""
        log.seq += 2  # the client activity id, then the root activity id
        # What a `.show commands` row is made of (_request writes the row when shown).
        log.requests.append((log.seq - 1, kind, _clip(getattr(node, "text", "") or ""), session.database_name,
                             started, now, failure, session.principal, is_query))
        # an async command that succeeded was recorded by its handler (with its details)
        if changes and kind not in _NOT_OPERATIONS and (error is not None or not getattr(inner, "is_async", False)):
            _record_completed(session, log, kind, now, "Failed" if error else "Completed", failure)
        if changes and error is None and before is not None:
            db, name, updated = _journal(session, inner, before)
            if db is not None and _database_level(db, name):
                _LEFT[0] = (log, log.seq, db, name, updated)

    return finish


# The state the last request left its database in, when the entity it changed was the
# database itself (its policies), for the next request's `before`: a run of policy
# commands on one database (a script's alter-merges) would otherwise freeze the same
# policies twice per request, the largest cost of this hook.  Only the hook's finish
# sets it, and only the next request's hook takes it, while no other request has
# finished since (nothing but requests changes a database's policies).
_LEFT: list = [None]  # (log, its seq then, database, entity name, state)


def _database_level(db: Any, name: str) -> bool:
    """True when `name` is the database itself in _script_inputs (not a table, function
    or view of that name)."""
    return (name.lower() == db.name.lower() and db.tables.get(name) is None
            and db.functions.get(name) is None and db.materialized_views.get(name) is None)


def _request(entry: tuple) -> dict:
    """A request log entry (as the request hook keeps it) as its dict."""
    seq, kind, text, database, started, now, failure, principal, is_query = entry
    return {
        "ClientActivityId": seq, "CommandType": kind, "Text": text, "Database": database, "StartedOn": started,
        "LastUpdatedOn": now, "Duration": now - started, "State": "Failed" if failure else "Completed",
        "RootActivityId": seq + 1, "User": _user(principal), "FailureReason": failure, "Application": "kshell",
        "Principal": principal, "TotalCpu": dt.timedelta(0), "MemoryPeak": 0, "WorkloadGroup": "default",
        "query": is_query,
    }


# Commands whose operation their handler records itself (async forms) or that are not
# operations of a database (the script's commands are its own rows).
_NOT_OPERATIONS = frozenset({"CancelOperation"})


# ------------------------------------------------------------ the journal

def _entity(session: Session, node: Any) -> tuple[str, str]:
    """(database, entity name) a command changes, as far as its node says."""
    for attr in ("name", "names", "entity", "table", "source"):
        value = getattr(node, attr, None)
        if isinstance(value, list) and value and isinstance(value[0], (list, tuple)):
            value = list(value[0])  # several entities (`.drop tables (A, B)`): the first names the entry
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = value[0]
        if isinstance(value, str) and value:
            return _database_named(session, node, value) or session.database_name, value
        if isinstance(value, list) and value and isinstance(value[-1], str):
            db = value[0] if len(value) == 2 else session.database_name
            return db, value[-1]
    return session.database_name, ""


def _database_named(session: Session, node: Any, name: str) -> str | None:
    """The database `node` names as `name` when the command is about a database itself
    (`.alter-merge database Db policy ...`, `.alter database Db prettyname ...`), found as
    the permission check finds it: the one scope it applies to is that database."""
    import kshell.engine.permissions as permissions

    try:
        scopes = permissions.requirement_and_targets(session, node)[1]
    except Exception:  # noqa: BLE001 - a journal never fails a request
        return None
    if len(scopes) == 1 and scopes[0][0] == "database" and scopes[0][1].lower() == name.lower():
        return scopes[0][1]
    return None


def entity_state(session: Session, node: Any, left: tuple | None = None) -> tuple[str, str, bytes | str] | None:
    """(database, entity name, the entity's state) before `node` runs; see _state.
    `left`: the state the request before left (see _LEFT), used when it is this entity's."""
    try:
        db_name, name = _entity(session, node)
        db = session.cluster.database(db_name)
    except Exception:  # noqa: BLE001 - a journal never fails a request
        return None
    if db is None:
        return None
    if left is not None and left[2] is db and left[3] == name and _database_level(db, name):
        return db.name, name, left[4]
    return db.name, name, _state(db, name)


# The journal's entity states are kept as what their scripts are made of, frozen with
# marshal, and the script texts are written only when `.show journal` asks: rendering an
# entity's script before and after every metadata command (policies as JSON) was the
# largest per-request cost of a management script (issue 18).  The script is a function
# of these inputs, so equal inputs mean an unchanged entity (no entry), as equal texts did.

def _script_inputs(db: Any, name: str) -> Any:
    """What entity_script(db, name) reads, as plain data (None: no such entity)."""
    if not name:
        return None
    table = db.tables.get(name)
    if table is not None:
        return ("table", table.name, table.folder, table.docstring,
                [(c.name, c.type, c.docstring) for c in table.columns], dict(table.policies))
    fn = db.functions.get(name)
    if fn is not None:
        return ("function", fn.name, fn.parameters, fn.body, fn.folder, fn.docstring, fn.skipvalidation, fn.view)
    if db.materialized_views.get(name) is not None:
        return ("text", entity_script(db, name))
    if name.lower() == db.name.lower():
        return ("database", db.name, dict(db.policies))
    return None


def _state(db: Any, name: str) -> bytes | str:
    """The entity's state: its script's inputs frozen (marshal), or the script text itself
    when they hold something marshal cannot copy.  Format 0 writes equal data as equal
    bytes (later formats mark interned strings and shared objects)."""
    if not name:
        return _NO_ENTITY  # (most requests: a role change, a cluster policy ...)
    inputs = _script_inputs(db, name)
    try:
        return marshal.dumps(inputs, 0)
    except ValueError:
        pass
    try:
        # A state file keeps dicts and lists as subclasses noting their changes
        # (kshell.store.tracking), which marshal refuses: as plain ones, they are the same data.
        return marshal.dumps(_builtin(inputs), 0)
    except ValueError:
        return entity_script(db, name)


def _builtin(inputs: tuple) -> tuple:
    """The inputs with their dicts (policies) and the lists and dicts in them as plain
    ones; anything deeper stays as it is (marshal refuses it if it is not plain)."""
    out = []
    for x in inputs:
        if isinstance(x, dict):
            x = {k: _plain_value(y) for k, y in x.items()}
        out.append(x)
    return tuple(out)


def _plain_value(y: Any) -> Any:
    if isinstance(y, list):
        return list(map(dict, y)) if all(map(isinstance, y, repeat(dict))) else list(y)
    return dict(y) if isinstance(y, dict) else y


_NO_ENTITY = marshal.dumps(None, 0)  # the state of no entity (_script_inputs: None)


def _state_text(state: bytes | str) -> str:
    """The script an entity state stands for."""
    if isinstance(state, str):
        return state
    inputs = marshal.loads(state)
    if inputs is None:
        return ""
    kind, *fields = inputs
    if kind == "text":
        return fields[0]
    from types import SimpleNamespace as Record

    from kshell.engine import databases

    if kind == "function":
        keys = ("name", "parameters", "body", "folder", "docstring", "skipvalidation", "view")
        return databases.function_script(Record(**dict(zip(keys, fields))))
    if kind == "table":
        name, folder, docstring, columns, policies = fields
        columns = [Record(name=n, type=t, docstring=d) for n, t, d in columns]
        return _table_text(Record(name=name, folder=folder, docstring=docstring, columns=columns, policies=policies))
    name, policies = fields
    return _database_text(Record(name=name, policies=policies))


def entity_script(db: Any, name: str) -> str:
    """The script of one entity (table, function or materialized view), or "" when it does not exist."""
    from kshell.engine import databases

    if not name:
        return ""
    table = db.tables.get(name)
    if table is not None:
        return _table_text(table)
    fn = db.functions.get(name)
    if fn is not None:
        return databases.function_script(fn)
    view = db.materialized_views.get(name)
    if view is not None:
        from kshell.engine.materialized_views.script import view_lines

        return "\n".join(view_lines(view))
    if name.lower() == db.name.lower():  # the database itself: its policies and mappings
        return _database_text(db)
    return ""


def _table_text(table: Any) -> str:
    from kshell.engine import databases
    from kshell.engine.policies.script import table_flow_lines

    return "\n".join(databases.table_script(table) + table_flow_lines(table, databases._name(table.name)))


def _database_text(db: Any) -> str:
    from kshell.engine import databases
    from kshell.engine.policies.script import database_policy_lines

    return "\n".join(database_policy_lines(db, databases._name(db.name))
                     + databases._mapping_lines(db, f"database {databases._name(db.name)}"))


def journal_change(session: Session, node: Any, before: tuple[str, str, bytes | str] | None) -> None:
    """Journal the change `node` made, given the entity's state before it (entity_state)."""
    if before is not None:
        _journal(session, node, before)


def _journal(session: Session, node: Any, before: tuple[str, str, bytes | str]) -> tuple:
    """journal_change; returns (the database or None, entity name, the entity's state now)."""
    db_name, name, original = before
    db = session.cluster.database(db_name)
    updated = _state(db, name) if db is not None else ""
    if updated == original:
        return db, name, updated  # data, not metadata, changed (ingestion) or nothing did
    text = (getattr(node, "text", "") or "").strip()
    words = text[1:].split()[:2] if text.startswith(".") else []
    event = "-".join(w.upper() for w in words if w.replace("-", "").isalpha())
    log_of(session.cluster).journal.append({
        "Event": event, "EventTimestamp": session.now(), "Database": db_name, "EntityName": name,
        "EntityVersion": "", "EntityContainerName": db_name, "OriginalEntityState": original,
        "UpdatedEntityState": updated, "ChangeCommand": _clip(text), "Principal": session.principal,
    })
    return db, name, updated


def _rendered(entry: dict) -> dict | None:
    """A journal entry with its scripts written (once); None when they are the same text
    (inputs that differ only in what the script does not show)."""
    if "UpdatedEntityName" not in entry:
        original = entry["OriginalEntityState"] = _state_text(entry["OriginalEntityState"])
        updated = entry["UpdatedEntityState"] = _state_text(entry["UpdatedEntityState"])
        entry["UpdatedEntityName"] = entry["EntityName"] if updated else ""
        entry["same"] = original == updated
    return None if entry["same"] else entry


# ------------------------------------------------------------ visibility

def _sees(session: Session, database: str, principal: str) -> bool:
    """The caller's own requests; a database's for its Admins and Monitors; all for cluster admins/monitors."""
    from kshell.engine import auth

    if principal == session.principal:
        return True
    access = auth.access(session.cluster, session.principal)
    if access.all_databases_monitor():
        return True
    return bool(database) and access.database_monitor(database)


# ------------------------------------------------------------ commands

@handler(ShowOperations)
def show_operations(session: Session, node: ShowOperations) -> Result:
    log = log_of(session.cluster)
    if node.details:
        op = _find_operation(log, node.ids[0])
        if op is None or not _sees(session, op["Database"], op["Principal"]):
            raise EntityNotFound(f"Operation '{node.ids[0]}' was not found")
        if op["details"] is None:
            raise BadRequest(f"Operation '{node.ids[0]}' ({op['Operation']}) does not keep its results")
        return op["details"]
    ops = _operations(log)
    if node.ids:
        wanted = {i.lower() for i in node.ids}
        ops = [o for o in ops if str(_shown(log, o["OperationId"])) in wanted]
    ops = [o for o in ops if _sees(session, o["Database"], o["Principal"])]
    names = [c for c, _ in OPERATIONS_COLUMNS]
    return Result.of(OPERATIONS_COLUMNS, [[_shown(log, o[n]) if n in _ID_COLUMNS else o[n] for n in names]
                                          for o in reversed(ops)])


_ID_COLUMNS = frozenset({"OperationId", "RootActivityId"})


@handler(ShowRequests)
def show_requests(session: Session, node: ShowRequests) -> Result:
    log = log_of(session.cluster)
    if node.what == "running queries":
        return Result.of(QUERIES_COLUMNS, [])
    requests = [_request(r) for r in log.requests]
    if node.what == "commands":
        entries, columns = [r for r in requests if not r["query"]], COMMANDS_COLUMNS
    elif node.what == "queries":
        entries, columns = [r for r in requests if r["query"]], QUERIES_COLUMNS
    else:
        entries, columns = requests, COMMANDS_COLUMNS
    entries = [r for r in entries if _sees(session, r["Database"], r["Principal"])]
    names = [c for c, _ in columns]
    return Result.of(columns, [[_request_cell(log, r, n) for n in names] for r in reversed(entries)])


def _request_cell(log: _Log, entry: dict, name: str) -> Any:
    if name == "ClientActivityId":
        return f"KSH.execute;{_shown(log, entry[name])}"
    return _shown(log, entry[name]) if name == "RootActivityId" else entry[name]


@handler(ShowJournal)
def show_journal(session: Session, node: ShowJournal) -> Result:
    log = log_of(session.cluster)
    entries = [e for e in map(_rendered, log.journal) if e is not None]
    if node.scope == "database":
        db = session.get_database(node.database)
        entries = [e for e in entries if e["Database"].lower() == db.name.lower()]
    entries = [e for e in entries if _sees(session, e["Database"], e["Principal"])]
    names = [c for c, _ in JOURNAL_COLUMNS]
    return Result.of(JOURNAL_COLUMNS, [[e[n] for n in names] for e in entries])


@handler(CancelOperation)
def cancel_operation(session: Session, node: CancelOperation) -> Result:
    if node.kind == "query":
        raise EntityNotFound(f"Query '{node.id}' is not running (kshell answers every query before the next request)")
    log = log_of(session.cluster)
    op = _find_operation(log, node.id)
    if op is None or not _sees(session, op["Database"], op["Principal"]):
        raise EntityNotFound(f"Operation '{node.id}' was not found")
    raise BadRequest(f"Operation '{node.id}' ({op['Operation']}) has already completed ({op['State']}) "
                     "and cannot be cancelled")


if on_request not in REQUEST_HOOKS:
    REQUEST_HOOKS.append(on_request)
