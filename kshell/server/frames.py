"""Results as Kusto REST responses: v2 frames and v1 tables.

v2 (`/v2/rest/query`): a JSON array of frames — DataSetHeader, the
`@ExtendedProperties` table (TableKind QueryProperties: one `Visualization`
row per rendered result), one DataTable per result (TableKind PrimaryResult),
QueryCompletionInformation, DataSetCompletion.  Only TableKinds the Python SDK
knows are sent (it fails on any other).  `FrameType` is each frame's first key
and `Rows` its last: the SDK's streaming parser needs that order.  Progressive
mode (TableHeader / TableFragment / TableCompletion) only when asked for.

v1 (`/v1/rest/mgmt`, `/v1/rest/query`, streaming ingestion replies):
`{"Tables": [...]}`, columns carrying both `DataType` (.NET name) and
`ColumnType` (Kusto name).  Clients read a 1-table reply as the primary result
and a 2-table one as result + query properties; with 2 or more results a
QueryStatus table and a TableOfContents (always last) are added.

Values are encoded by kshell.server.values, the only place that knows how.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from kshell.result import Result
from kshell.server.values import CLR_TYPES, column_encoder

# The keys of a Visualization value, in the service's order, with their defaults.
VISUALIZATION_KEYS = (
    ("Visualization", None), ("Title", None), ("XColumn", None), ("Series", None), ("YColumns", None),
    ("AnomalyColumns", None), ("XTitle", None), ("YTitle", None), ("XAxis", None), ("YAxis", None),
    ("Legend", None), ("YSplit", None), ("Accumulate", False), ("IsQuerySorted", False), ("Kind", None),
    ("Ymin", "NaN"), ("Ymax", "NaN"), ("Xmin", None), ("Xmax", None),
)
_VISUALIZATION_NAMES = {k.lower(): k for k, _ in VISUALIZATION_KEYS}

QCI_COLUMNS = [
    ("Timestamp", "datetime"), ("ClientRequestId", "string"), ("ActivityId", "guid"), ("SubActivityId", "guid"),
    ("ParentActivityId", "guid"), ("Level", "int"), ("LevelName", "string"), ("StatusCode", "int"),
    ("StatusCodeName", "string"), ("EventType", "int"), ("EventTypeName", "string"), ("Payload", "string"),
]
QUERY_STATUS_COLUMNS = [
    ("Timestamp", "datetime"), ("Severity", "int"), ("SeverityName", "string"), ("StatusCode", "int"),
    ("StatusDescription", "string"), ("Count", "int"), ("RequestId", "guid"), ("ActivityId", "guid"),
    ("SubActivityId", "guid"), ("ClientActivityId", "string"),
]
TOC_COLUMNS = [("Ordinal", "long"), ("Kind", "string"), ("Name", "string"), ("Id", "string"), ("PrettyName", "string")]


@dataclass(slots=True)
class Outcome:
    """What a request produced, ready to be encoded."""

    results: list[Result]
    visualizations: dict[int, str] = field(default_factory=dict)    # result index -> Visualization JSON text
    truncated: dict[int, int] = field(default_factory=dict)         # result index -> the record limit hit
    activity_id: str = ""
    client_request_id: str = ""
    now: dt.datetime | None = None


def visualization_value(chart: str, properties: dict[str, Any], *, sorted_: bool = False) -> str:
    """The JSON text of a `Visualization` row for `render chart with (properties)`."""
    value = {k: d for k, d in VISUALIZATION_KEYS}
    value["Visualization"] = chart
    value["IsQuerySorted"] = sorted_
    for key, v in properties.items():
        name = _VISUALIZATION_NAMES.get(key.lower())
        if name is None:
            continue
        if isinstance(v, list):
            v = ",".join(str(x) for x in v)
        if name == "Accumulate":
            v = v is True or str(v).lower() == "true"
        value[name] = v
    return json.dumps(value, separators=(",", ":"))


def _truncation_error(limit: int, activity_id: str) -> dict:
    return {"error": {
        "code": "LimitsExceeded",
        "message": "Request is invalid and cannot be executed.",
        "@type": "Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException",
        "@message": ("Query execution has exceeded the allowed limits (80DA0003): The results of this query "
                     f"exceed the set limit of {limit} records, so not all records were returned "
                     "(E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003). See "
                     "https://aka.ms/kustoquerylimits for more information and possible solutions."),
        "@context": {"activityId": activity_id},
        "@permanent": False,
    }}


def _rows(columns: list[tuple[str, str]], rows: list[list[Any]], *, v1: bool = False) -> list[list[Any]]:
    encoders = [column_encoder(t, v1=v1) for _, t in columns]
    return [[enc(v) for enc, v in zip(encoders, row)] for row in rows]


def _result_columns(result: Result) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in result.columns]


# --------------------------------------------------------------------- v2

def _data_table(table_id: int, kind: str, name: str, columns: list[tuple[str, str]], rows: list) -> dict:
    return {
        "FrameType": "DataTable",
        "TableId": table_id,
        "TableKind": kind,
        "TableName": name,
        "Columns": [{"ColumnName": n, "ColumnType": t} for n, t in columns],
        "Rows": rows,
    }


def v2_frames(outcome: Outcome, *, progressive: bool = False) -> list[dict]:
    frames: list[dict] = [{"FrameType": "DataSetHeader", "IsProgressive": progressive, "Version": "v2.0",
                           "IsFragmented": False, "ErrorReportingPlacement": "InData"}]
    ext_rows = [[i + 1, "Visualization", text] for i, text in sorted(outcome.visualizations.items())]
    frames.append(_data_table(0, "QueryProperties", "@ExtendedProperties",
                              [("TableId", "int"), ("Key", "string"), ("Value", "dynamic")], ext_rows))
    errors: list[dict] = []
    for i, result in enumerate(outcome.results):
        columns = _result_columns(result)
        rows = _rows(columns, result.rows)
        if i in outcome.truncated:
            err = _truncation_error(outcome.truncated[i], outcome.activity_id)
            errors.append(err)
            rows.append({"OneApiErrors": [err]})
        name = result.name or "PrimaryResult"
        if not progressive:
            frames.append(_data_table(i + 1, "PrimaryResult", name, columns, rows))
            continue
        frames.append({"FrameType": "TableHeader", "TableId": i + 1, "TableKind": "PrimaryResult", "TableName": name,
                       "Columns": [{"ColumnName": n, "ColumnType": t} for n, t in columns]})
        if rows:
            frames.append({"FrameType": "TableFragment", "TableFragmentType": "DataAppend", "TableId": i + 1,
                           "Rows": rows})
        frames.append({"FrameType": "TableCompletion", "TableId": i + 1,
                       "RowCount": sum(1 for r in rows if isinstance(r, list))})
    frames.append(_data_table(len(outcome.results) + 1, "QueryCompletionInformation", "QueryCompletionInformation",
                              QCI_COLUMNS, _rows(QCI_COLUMNS, _qci_rows(outcome, errors))))
    completion: dict[str, Any] = {"FrameType": "DataSetCompletion", "HasErrors": bool(errors), "Cancelled": False}
    if errors:
        completion["OneApiErrors"] = errors
    frames.append(completion)
    return frames


def _qci_rows(outcome: Outcome, errors: list[dict]) -> list[list[Any]]:
    stamp = outcome.now or dt.datetime.now(dt.timezone.utc)
    base = [stamp, outcome.client_request_id, outcome.activity_id, outcome.activity_id, outcome.activity_id]
    rows = [base + [4, "Info", 0, "S_OK (0)", 4, "QueryInfo",
                    json.dumps({"Count": 1, "Text": "Query completed successfully"})]]
    for err in errors:
        rows.append(base + [2, "Error", -2133196797, "LimitsExceeded", 4, "QueryInfo",
                            json.dumps(err["error"], separators=(",", ":"))])
    return rows


def encode_v2(outcome: Outcome, *, progressive: bool = False) -> bytes:
    return json.dumps(v2_frames(outcome, progressive=progressive), separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


# --------------------------------------------------------------------- v1

def _v1_table(name: str, columns: list[tuple[str, str]], rows: list) -> dict:
    return {
        "TableName": name,
        "Columns": [{"ColumnName": n, "DataType": CLR_TYPES.get(t, "Object"), "ColumnType": t} for n, t in columns],
        "Rows": rows,
    }


def v1_tables(outcome: Outcome) -> dict:
    tables = [_v1_table(f"Table_{i}", _result_columns(r), _rows(_result_columns(r), r.rows, v1=True))
              for i, r in enumerate(outcome.results)]
    if not tables:  # clients index table 0: a command with no output still answers one (empty) table
        tables.append(_v1_table("Table_0", [], []))
    if len(tables) == 1 and not outcome.truncated:
        return {"Tables": tables}
    stamp = outcome.now or dt.datetime.now(dt.timezone.utc)
    status_rows = [[stamp, 4, "Info", 0, "Query completed successfully", 1, outcome.activity_id,
                    outcome.activity_id, outcome.activity_id, outcome.client_request_id]]
    for i, limit in sorted(outcome.truncated.items()):
        status_rows.append([stamp, 2, "Error", -2133196797, _truncation_error(limit, outcome.activity_id)["error"]["@message"],
                            1, outcome.activity_id, outcome.activity_id, outcome.activity_id, outcome.client_request_id])
    n = len(tables)
    tables.append(_v1_table(f"Table_{n}", QUERY_STATUS_COLUMNS, _rows(QUERY_STATUS_COLUMNS, status_rows, v1=True)))
    toc = [[i, "QueryResult", outcome.results[i].name or "PrimaryResult", str(i), ""] for i in range(n)]
    toc.append([n, "QueryStatus", "QueryStatus", str(n), ""])
    tables.append(_v1_table(f"Table_{n + 1}", TOC_COLUMNS, toc))
    return {"Tables": tables}


def encode_v1(outcome: Outcome) -> bytes:
    return json.dumps(v1_tables(outcome), separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def ingest_reply(consumed: int, update_policy_status: str = "Inactive") -> bytes:
    """The streaming-ingestion reply the service sends (a v1 body with one table)."""
    table = _v1_table("Table_0", [("ConsumedRecordsCount", "long"), ("UpdatePolicyStatus", "string"),
                                  ("UpdatePolicyFailureCode", "string"), ("UpdatePolicyFailureReason", "string")],
                      [[consumed, update_policy_status, "Unknown", None]])
    return json.dumps({"Tables": [table]}, separators=(",", ":")).encode("utf-8")

