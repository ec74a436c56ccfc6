"""`.show version` and `.show cluster` (their parse rules live in kshell.syntax.cmd_misc).

The simulated cluster is a single node, the process itself.  Every value is
deterministic: the node's StartTime is the simulated clock's start, ids are
derived from the cluster name.
"""

from __future__ import annotations

import datetime as dt

from kshell import __version__
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
