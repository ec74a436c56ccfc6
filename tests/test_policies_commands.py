"""The table-driven policies (kshell.engine.policies): every kind at its levels,
.alter / .alter-merge / .delete / .show, validation errors naming the property,
and the docs examples of each policy page (../shared corpus)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kshell.engine.policies.kinds import KINDS
from kshell.errors import KustoError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = next((p / "corpus" / "docs-kusto-blocks.jsonl" for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
               if (p / "corpus" / "docs-kusto-blocks.jsonl").exists()), None)


def run(session, text):
    return session.execute(text)


def policy_of(session, text):
    rows = run(session, text)[0].rows
    assert len(rows) == 1, rows
    return None if rows[0][2] == "null" else json.loads(rows[0][2])


@pytest.fixture
def s(session):
    run(session, ".create table T (a:string, ts:datetime, g:guid, d:dynamic, n:long)")
    return session


# ------------------------------------------------------------------ shapes

def test_retention_shorthand_json_merge_and_defaults(s):
    p = policy_of(s, ".alter-merge table T policy retention softdelete = 10d recoverability = disabled")
    assert p == {"SoftDeletePeriod": "10.00:00:00", "Recoverability": "Disabled"}
    p = policy_of(s, ".alter-merge table T policy retention softdelete = 36h")
    assert p == {"SoftDeletePeriod": "1.12:00:00", "Recoverability": "Disabled"}
    p = policy_of(s, '.alter table T policy retention "{}"')
    assert p == {"SoftDeletePeriod": "36500.00:00:00", "Recoverability": "Enabled"}
    assert policy_of(s, ".show table T policy retention") == p
    assert policy_of(s, ".delete table T policy retention") is None
    assert policy_of(s, ".show table T policy retention") is None


@pytest.mark.parametrize("spelling,shown", [
    ('"10.00:00:00"', "10.00:00:00"), ('"10d"', "10.00:00:00"), ('"00:30:00"', "00:30:00"),
    ('"1.5h"', "01:30:00"), ('"timespan(2d)"', "2.00:00:00"), ('"100ms"', "00:00:00.1000000"), ("0", "00:00:00"),
])
def test_timespans_in_every_spelling(s, spelling, shown):
    p = policy_of(s, f".alter table T policy retention '{{\"SoftDeletePeriod\": {spelling}}}'")
    assert p["SoftDeletePeriod"] == shown


@pytest.mark.parametrize("payload,message", [
    ('{"SoftDeletePeriod": "ten days"}', "'SoftDeletePeriod' must be a timespan"),
    ('{"SoftDeletePeriod": "-1d"}', "'SoftDeletePeriod' must be at least"),
    ('{"Recoverability": "Maybe"}', "'Recoverability' must be one of Enabled, Disabled"),
    ('{"SoftDelete": "1d"}', "unknown property 'SoftDelete'"),
    ('{"SoftDeletePeriod": true}', "'SoftDeletePeriod' must be a timespan"),
    ('[1]', "expected a JSON object"),
    ('{"SoftDeletePeriod": ', "invalid JSON"),
])
def test_validation_errors_name_the_property_and_change_nothing(s, payload, message):
    run(s, ".alter table T policy retention '{\"SoftDeletePeriod\": \"5d\"}'")
    with pytest.raises(KustoError, match=re.escape(message)):
        run(s, f".alter table T policy retention '{payload}'")
    assert policy_of(s, ".show table T policy retention")["SoftDeletePeriod"] == "5.00:00:00"


def test_caching_hot_and_windows_at_every_level(s):
    for entity in ("cluster", "database NetDefaultDB", "table T"):
        p = policy_of(s, f".alter {entity} policy caching hot = 30d, "
                         "hot_window = datetime(2021-01-01) .. datetime(2021-02-01)")
        assert p["DataHotSpan"] == {"Value": "30.00:00:00"} and p["IndexHotSpan"] == {"Value": "30.00:00:00"}
        assert p["HotWindows"] == [{"MinValue": "2021-01-01T00:00:00Z", "MaxValue": "2021-02-01T00:00:00Z"}]
    p = policy_of(s, ".alter table T policy caching hotdata = 1d hotindex = 2d")
    assert p["DataHotSpan"]["Value"] == "1.00:00:00" and p["IndexHotSpan"]["Value"] == "2.00:00:00"


def test_levels_are_enforced(s):
    with pytest.raises(KustoError, match="IngestionTimePolicy cannot be set on a database"):
        run(s, ".alter database NetDefaultDB policy ingestiontime true")
    with pytest.raises(KustoError, match="CalloutPolicy cannot be set on a table"):
        run(s, ".alter table T policy callout '[]'")
    with pytest.raises(KustoError, match="RetentionPolicy cannot be set on a cluster"):
        run(s, ".alter cluster policy retention '{}'")


def test_tables_list_and_star(s):
    run(s, ".create table U (a:string)")
    rows = run(s, ".alter tables (T, U) policy caching hot = 3d")[0].rows
    assert [r[1] for r in rows] == ["[NetDefaultDB].[T]", "[NetDefaultDB].[U]"]
    rows = run(s, ".show table * policy caching")[0].rows
    assert len(rows) == 2 and all(json.loads(r[2])["DataHotSpan"]["Value"] == "3.00:00:00" for r in rows)
    with pytest.raises(KustoError, match="not supported"):
        run(s, ".alter table * policy caching hot = 1d")


def test_alter_merge_object_and_nested(s):
    run(s, ".alter table T policy merge '{}'")
    p = policy_of(s, ".alter-merge table T policy merge '{\"MaxRangeInHours\": 48, \"Lookback\": {\"Kind\": \"HotCache\"}}'")
    assert p["MaxRangeInHours"] == 48 and p["Lookback"]["Kind"] == "HotCache" and p["AllowMerge"] is True
    with pytest.raises(KustoError, match="'Lookback.CustomPeriod' is required"):
        run(s, ".alter-merge table T policy merge '{\"Lookback\": {\"Kind\": \"Custom\"}}'")
    with pytest.raises(KustoError, match="'Lookback.Kind' must be one of"):
        run(s, ".alter-merge table T policy merge '{\"Lookback\": {\"Kind\": \"Sometimes\"}}'")


def test_ingestion_batching_ranges(s):
    with pytest.raises(KustoError, match="'MaximumBatchingTimeSpan' must be at least 00:00:10"):
        run(s, ".alter table T policy ingestionbatching '{\"MaximumBatchingTimeSpan\": \"00:00:05\"}'")
    with pytest.raises(KustoError, match="'MaximumNumberOfItems' must be a whole number"):
        run(s, ".alter table T policy ingestionbatching '{\"MaximumNumberOfItems\": 1.5}'")
    p = policy_of(s, ".alter-merge database NetDefaultDB policy ingestionbatching '{\"MaximumNumberOfItems\": 20}'")
    assert p == {"MaximumBatchingTimeSpan": "00:05:00", "MaximumNumberOfItems": 20, "MaximumRawDataSizeMB": 1024}


def test_partitioning_keys_name_columns_of_the_right_type(s):
    ok = ('{"PartitionKeys": [{"ColumnName": "a", "Kind": "Hash", "Properties": {"Function": "XxHash64", '
          '"MaxPartitionCount": 128, "PartitionAssignmentMode": "Uniform"}}]}')
    p = policy_of(s, f".alter table T policy partitioning '{ok}'")
    assert p["PartitionKeys"][0]["Properties"] == {"Function": "XxHash64", "MaxPartitionCount": 128,
                                                   "PartitionAssignmentMode": "Uniform"}
    with pytest.raises(KustoError, match="'PartitionKeys\\[0\\].ColumnName'.*'nope'"):
        run(s, ".alter table T policy partitioning '" + ok.replace('"a"', '"nope"') + "'")
    with pytest.raises(KustoError, match="Hash partition key must be a string or guid"):
        run(s, ".alter table T policy partitioning '" + ok.replace('"a"', '"n"') + "'")
    with pytest.raises(KustoError, match="MaxPartitionCount' must be at most 2048"):
        run(s, ".alter table T policy partitioning '" + ok.replace("128", "5000") + "'")


def test_boolean_and_enable_kinds(s):
    assert policy_of(s, ".alter table T policy ingestiontime true") == {"IsEnabled": True}
    assert policy_of(s, ".alter table T policy restricted_view_access false") == {"IsEnabled": False}
    assert policy_of(s, ".alter table T policy streamingingestion enable")["IsEnabled"] is True
    p = policy_of(s, ".alter-merge table T policy streamingingestion '{\"HintAllocatedRate\": 2.1}'")
    assert p == {"IsEnabled": True, "HintAllocatedRate": 2.1}
    with pytest.raises(KustoError, match="expected 'true' or 'false'"):
        run(s, ".alter table T policy ingestiontime maybe")


def test_roworder_and_encoding(s):
    assert policy_of(s, ".alter table T policy roworder (a asc, ts desc)") == {"RowOrder": ["a asc", "ts desc"]}
    with pytest.raises(KustoError, match="column 'zz'"):
        run(s, ".alter table T policy roworder (zz asc)")
    assert policy_of(s, ".alter column T.a policy encoding type='identifier'") == {"EncodingPolicyType": "Identifier"}
    with pytest.raises(KustoError, match="BigObject applies to string or dynamic"):
        run(s, ".alter column T.n policy encoding type='bigobject'")
    rows = run(s, ".show database NetDefaultDB policy encoding")[0].rows
    assert [r[1] for r in rows] == ["[NetDefaultDB].[T].[a]"]


def test_cluster_kinds(s):
    p = policy_of(s, ".alter cluster policy callout @'[{\"CalloutType\": \"sql\", \"CalloutUriRegex\": \"x\\\\.com\", \"CanCall\": true}]'")
    assert p == [{"CalloutType": "sql", "CalloutUriRegex": "x\\.com", "CanCall": True}]
    p = policy_of(s, ".alter-merge cluster policy callout @'[{\"CalloutType\": \"mysql\", \"CalloutUriRegex\": \"y\", \"CanCall\": false}]'")
    assert [e["CalloutType"] for e in p] == ["sql", "mysql"]
    with pytest.raises(KustoError, match="'CalloutUriRegex' is not a valid regular expression"):
        run(s, ".alter cluster policy callout @'[{\"CalloutType\": \"sql\", \"CalloutUriRegex\": \"(\", \"CanCall\": true}]'")
    with pytest.raises(KustoError, match="'CanCall' is required"):
        run(s, ".alter cluster policy callout @'[{\"CalloutType\": \"sql\", \"CalloutUriRegex\": \"a\"}]'")
    p = policy_of(s, ".alter cluster policy request_classification '{\"IsEnabled\":true}' <|\n iff(true, 'a', 'default')")
    assert p["ClassificationProperties"]["IsEnabled"] is True and p["ClassificationFunction"] == "iff(true, 'a', 'default')"
    p = policy_of(s, ".alter-merge cluster policy request_classification '{\"IsEnabled\":false}'")
    assert p["ClassificationProperties"]["IsEnabled"] is False and p["ClassificationFunction"]
    p = policy_of(s, ".alter cluster policy query_weak_consistency '{\"PercentageOfNodes\": 20}'")
    assert p["PercentageOfNodes"] == 20 and p["MinimumNumberOfNodes"] == -1
    with pytest.raises(KustoError, match="'MaxCpuRatePerSandbox' must be at most 100"):
        run(s, ".alter cluster policy sandbox '[{\"SandboxKind\": \"PythonExecution\", \"MaxCpuRatePerSandbox\": 500}]'")


def test_auto_delete_and_extent_tags_retention(s):
    p = policy_of(s, ".alter table T policy auto_delete @'{ \"ExpiryDate\" : \"2030-06-01\", \"DeleteIfNotEmpty\": true }'")
    assert p == {"ExpiryDate": "2030-06-01T00:00:00Z", "DeleteIfNotEmpty": True}
    with pytest.raises(KustoError, match="'ExpiryDate' is required"):
        run(s, ".alter table T policy auto_delete '{}'")
    with pytest.raises(KustoError, match="'ExpiryDate' must be later than the current time"):
        run(s, ".alter table T policy auto_delete '{\"ExpiryDate\": \"2025-12-31\"}'")
    p = policy_of(s, ".alter database NetDefaultDB policy extent_tags_retention "
                     "'[{\"TagPrefix\": \"drop-by:\", \"RetentionPeriod\": \"3.00:00:00\"}]'")
    assert p == [{"TagPrefix": "drop-by:", "RetentionPeriod": "3.00:00:00"}]


def test_show_table_policies_lists_every_table_kind(s):
    run(s, ".alter table T policy ingestiontime true")
    rows = run(s, ".show table T policies")[0].rows
    names = [r[0] for r in rows]
    assert {"RetentionPolicy", "CachingPolicy", "UpdatePolicy", "RowLevelSecurityPolicy", "IngestionTimePolicy"} <= set(names)
    assert next(r for r in rows if r[0] == "IngestionTimePolicy")[2] == '{"IsEnabled": true}'
    assert next(r for r in rows if r[0] == "RetentionPolicy")[2] == "null"


def test_show_database_policies_columns(s):
    run(s, ".alter-merge database NetDefaultDB policy retention softdelete = 7d")
    result = run(s, ".show database NetDefaultDB policies")[0]
    row = dict(zip(result.column_names, result.rows[0]))
    assert json.loads(row["RetentionPolicy"])["SoftDeletePeriod"] == "7.00:00:00"
    assert row["CachingPolicy"] == "null"


def test_retention_zero_needs_transactional_update_policies(s):
    run(s, ".create table Src (a:string, ts:datetime, g:guid, d:dynamic, n:long)")
    run(s, ".alter table T policy update @'[{\"IsEnabled\": true, \"Source\": \"Src\", \"Query\": \"Src\", \"IsTransactional\": false}]'")
    with pytest.raises(KustoError, match="only when every update policy reading it is transactional"):
        run(s, ".alter-merge table Src policy retention softdelete = 0s")
    run(s, ".alter table T policy update @'[{\"IsEnabled\": true, \"Source\": \"Src\", \"Query\": \"Src\", \"IsTransactional\": true}]'")
    assert policy_of(s, ".alter-merge table Src policy retention softdelete = 0s")["SoftDeletePeriod"] == "00:00:00"
    # and the other way round: a non-transactional policy over a 0s source is refused
    with pytest.raises(KustoError, match="must be transactional"):
        run(s, ".alter table T policy update @'[{\"IsEnabled\": true, \"Source\": \"Src\", \"Query\": \"Src\", \"IsTransactional\": false}]'")


def test_every_kind_has_a_consistent_row():
    for kind in KINDS.values():
        assert kind.levels and kind.props and kind.name.endswith("Policy")
        assert not kind.array or kind.key, kind.kind


# ------------------------------------------------------------------ docs examples

_NAME = r"(\[?'?[\w-]+'?\]?(?:\.\[?'?[\w-]+'?\]?)?)"
_TARGET = re.compile(r"^\s*\.(?:show|alter|alter-merge|delete)\s+(table|tables|database|column|materialized-view|cluster)"
                     r"\s*(\([^)]*\)|\*|" + _NAME + r"(?:\.[\w]+)?)?\s+policy\s+(\w+)", re.I | re.M)
_COLUMNS = ("TenantId:string, Timestamp:datetime, my_string_column:string, my_datetime_column:datetime, "
            "ActivityId:string, hll_x:dynamic, a:string, b:string")


def _docs_blocks():
    if CORPUS is None:
        return []
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        block = json.loads(line)
        text = block["text"]
        kinds = set(re.findall(r"policy\s+(\w+)", text))
        if not block["ms_syntax_ok"] or not kinds or not kinds <= set(KINDS) or not text.lstrip().startswith("."):
            continue
        if "execute database script" in text:
            continue  # a script: tests/test_execute_script.py
        if "follower" in text or "[" in text.split("policy")[0] or "external" in text:
            continue  # followers are not simulated; `[name]` placeholders; external tables need storage
        out.append(pytest.param(text, id=f"{block['source'].rsplit('/', 1)[-1]}:{block['line']}"))
    return out


def _setup(session, text):
    """Create the databases, tables and columns a docs example names."""
    for m in _TARGET.finditer(text):
        level, target = m.group(1).lower(), (m.group(2) or "")
        if level == "database" and target:
            if session.cluster.database(target) is None:
                session.execute(f".create database {target} volatile")
        elif level == "materialized-view" and target:
            if target not in session.database.materialized_views:
                session.execute(f".create-merge table ViewSource ({_COLUMNS})")
                session.execute(f".create materialized-view {target} on table ViewSource {{ ViewSource | "
                                "summarize c = count() by my_string_column, my_datetime_column, a }")
        elif level in ("table", "tables", "column") and target and target != "*":
            names = [n.strip() for n in target.strip("()").split(",")]
            for name in names:
                parts = name.split(".")
                if level == "column":
                    parts = parts[:-1]
                if len(parts) == 2 and session.cluster.database(parts[0]) is None:
                    session.execute(f".create database {parts[0]} volatile")
                session.execute(f".create-merge table {'.'.join(parts)} ({_COLUMNS})")


@pytest.mark.skipif(CORPUS is None, reason="../shared corpus not present")
@pytest.mark.parametrize("text", _docs_blocks())
def test_docs_examples_run(session, text):
    from kshell.script import split_requests

    _setup(session, text)
    for request in split_requests(text):
        if request.is_directive:
            continue
        if '"CalloutUriRegex"' in request.text and re.search(r'[^\\]\\\.', request.text):
            # `\.` inside a JSON string is not a JSON escape: the ai-chat pages' payload is refused
            # (the ai-embeddings page writes `\\.`, which works).
            with pytest.raises(KustoError, match="invalid escape sequence"):
                session.execute(request.text)
            continue
        if "auto_delete" in request.text and "2023-" in request.text:
            # the page's ExpiryDate is in the past of kshell's clock: refused, as the page says it must be
            with pytest.raises(KustoError, match="'ExpiryDate' must be later than the current time"):
                session.execute(request.text)
            continue
        results = session.execute(request.text)
        if "|" in request.text.split("policy", 1)[1]:
            continue  # `.show ... policy X | project Policy`: the query shapes the result
        assert results and results[0].column_names[:3] == ["PolicyName", "EntityName", "Policy"]
        verb = request.text.lstrip()[1:].split(None, 1)[0].lower()
        if verb.startswith("alter"):
            assert all(r[2] != "null" for r in results[0].rows), request.text
