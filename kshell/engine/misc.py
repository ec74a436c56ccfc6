"""`.show version` and `.show cluster` (their parse rules live in kshell.syntax.cmd_misc).

The simulated cluster is a single node, the process itself.  Every value is
deterministic: the node's StartTime is the simulated clock's start, ids are
derived from the cluster name.
"""

from __future__ import annotations

import datetime as dt

from kshell import __version__
from kshell.errors import KustoError
from kshell.result import Result
from kshell.engine.cluster import derived_id
from kshell.engine.session import Session, handler

VERSION_COLUMNS = [("BuildVersion", "string"), ("BuildTime", "datetime"), ("ServiceType", "string"),
                   ("ProductVersion", "string")]
CLUSTER_COLUMNS = [("NodeId", "string"), ("Address", "string"), ("Name", "string"), ("StartTime", "datetime"),
                   ("IsAdmin", "bool"), ("MachineTotalMemory", "long"), ("MachineAvailableMemory", "long"),
                   ("ProcessorCount", "int"), ("EnvironmentDescription", "string")]
# A fixed build time: the output of a script must not change from run to run.
BUILD_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
NODE_MEMORY = 16 * 1024 ** 3


def show_version(session: Session, node) -> Result:
    return Result.of(VERSION_COLUMNS, [[__version__, BUILD_TIME, "Engine", f"kshell {__version__} (simulated)"]])


def show_cluster(session: Session, node) -> Result:
    name = session.cluster.name
    start = session.cluster.extras.get("start_time") or session.now()
    node_id = f"{name}-engine-0"
    row = [node_id, f"net.tcp://{node_id}:23107/", node_id, start, True, NODE_MEMORY, NODE_MEMORY // 2, 4,
           f'{{"NodeId":"{derived_id(name, "node", "0")}","Simulated":true}}']
    return Result.of(CLUSTER_COLUMNS, [row])


def _register() -> None:
    try:
        from kshell.syntax.cmd_misc import ShowCluster, ShowVersion
    except ImportError:  # the syntax family has not defined them yet
        return
    handler(ShowVersion)(show_version)
    handler(ShowCluster)(show_cluster)


_register()


# ------------------------------------------------------- `.command | query`

from kshell.syntax.cmd_common import PIPE_SOURCE, PipedCommand  # noqa: E402


@handler(PipedCommand)
def piped_command(session: Session, node: PipedCommand) -> Result:
    """Run the command (with its own permission check), then the query over its result."""
    from kshell.engine.cluster import Column, Table
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import run

    # A command that changes state, piped into a query that then fails, must leave
    # nothing behind (`.create table X (a:long) | where nope` creates no X): keep a copy
    # of the cluster to put back.  Only here, and rare: `.show` commands change nothing.
    backup = None if _is_show(node.command) else _snapshot(session.cluster)
    result = run_nested(session, node.command)
    columns = [Column(c.name, c.type) for c in result.columns]
    data = [list(col) for col in zip(*result.rows)] if result.rows else [[] for _ in columns]
    source = Table(PIPE_SOURCE, columns, data=data)
    ctx = SessionQueryContext(session, scoped_tables={(session.database.name.lower(), PIPE_SOURCE): source})
    try:
        return run(node.query, ctx)
    except KustoError:
        if backup is not None:
            for name, value in backup.items():
                setattr(session.cluster, name, value)
        raise


def _is_show(node) -> bool:
    return (getattr(node, "text", "") or "").lstrip()[:6].lower() == ".show " or getattr(node, "verb", "") == "show"


def _snapshot(cluster) -> dict | None:
    import copy
    import dataclasses

    try:
        return {f.name: copy.deepcopy(getattr(cluster, f.name)) for f in dataclasses.fields(cluster)}
    except Exception:  # noqa: BLE001 - something not copyable: no undo, as before
        return None


def run_nested(session: Session, node) -> Result:
    """Run a command or query inside another request: its own permission check and
    handler, but not the session's per-request commit/rollback hooks."""
    from kshell.engine import permissions

    permissions.check(session, node)
    out = session._handler_for(node)(session, node)
    if isinstance(out, list):
        if not out:
            return Result.of([], [])
        return out[0]
    return out
