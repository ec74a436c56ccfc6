"""`.show ingestion failures` (spec 4.6): the log of failed ingestions and update-policy runs."""

from __future__ import annotations

import datetime as dt

from kshell.engine.cluster import derived_id
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Column order as the Kusto parser declares it (spec 4.6 [P]).
COLUMNS = [
    ("OperationId", "string"),
    ("Database", "string"),
    ("Table", "string"),
    ("FailedOn", "datetime"),
    ("IngestionSourcePath", "string"),
    ("Details", "string"),
    ("FailureKind", "string"),
    ("RootActivityId", "string"),
    ("OperationKind", "string"),
    ("OriginatesFromUpdatePolicy", "bool"),
    ("ErrorCode", "string"),
    ("Principal", "string"),
    ("ShouldRetry", "bool"),
    ("User", "string"),
    ("IngestionProperties", "string"),
    ("NumberOfSources", "int"),
]

DEFAULTS: dict[str, Any] = {
    "IngestionSourcePath": "",
    "FailureKind": "Permanent",
    "OperationKind": "DataIngestPull",
    "OriginatesFromUpdatePolicy": False,
    "ErrorCode": "",
    "Principal": "",
    "ShouldRetry": False,
    "User": "",
    "IngestionProperties": "",
    "NumberOfSources": 1,
}


def record_failure(cluster: Any, failure: dict[str, Any]) -> dict[str, Any]:
    """Complete a failure record (ids, time, defaults) and append it to the cluster's log."""
    n = len(cluster.ingestion_failures)
    record = dict(DEFAULTS)
    record.update(failure)
    record.setdefault("FailedOn", cluster.now)
    record.setdefault("OperationId", str(derived_id("ingestion-failure", str(n))))
    record.setdefault("RootActivityId", str(derived_id("ingestion-failure-activity", str(n))))
    record["ShouldRetry"] = record["FailureKind"] == "Transient"
    cluster.ingestion_failures.append(record)
    return record


def failures_result(cluster: Any, database: str | None = None, operation_id: str | None = None) -> Result:
    rows = []
    for f in cluster.ingestion_failures:
        if database is not None and f["Database"].lower() != database.lower():
            continue
        if operation_id is not None and f["OperationId"] != operation_id:
            continue
        rows.append([f.get(name) for name, _ in COLUMNS])
    return Result.of(COLUMNS, rows)


def failures_since(cluster: Any, since: dt.datetime) -> list[dict[str, Any]]:
    return [f for f in cluster.ingestion_failures if f["FailedOn"] >= since]


def _register() -> None:
    from kshell.engine.session import handler
    from kshell.syntax.cmd_misc import ShowIngestionFailures

    @handler(ShowIngestionFailures)
    def show_ingestion_failures(session: Any, node: ShowIngestionFailures) -> Result:
        """Failures of the context database (the service scopes this command to it)."""
        return failures_result(session.cluster, session.database.name, node.operation_id)


_register()
