"""Continuous export commands (spec 5.1, 5.3-5.5): property validation, result
columns, drop/enable/disable, alter, the run schedule on the simulated clock,
forcedLatency, permissions, the docs corpus and the command line end to end.

The external table here authenticates with an account key, so no managed
identity is involved (test_continuous_export.py covers the identity chain).
"""

from __future__ import annotations

import json
import datetime as dt
from pathlib import Path

import pytest

from kshell.directives import ShellState
from kshell.errors import KustoError
from kshell.script import execute_request, split_requests

CONTAINER = "https://acct.blob.core.windows.net/out"
SETUP = f"""
.create database DB volatile

#db DB

.create table T (Timestamp:datetime, Value:long)

.create table Other (Key:long)

#storage create acct

.create external table Ext (Timestamp:datetime, Value:long) kind=storage dataformat=csv
(h@'{CONTAINER};secretkey')
"""
SHOW_COLUMNS = ["Name", "ExternalTableName", "Query", "ForcedLatency", "IntervalBetweenRuns", "CursorScopedTables",
                "ExportProperties", "LastRunTime", "StartCursor", "IsDisabled", "LastRunResult", "ExportedTo",
                "IsRunning"]
SHOW_TYPES = ["string", "string", "string", "timespan", "timespan", "string", "string", "datetime", "string",
              "bool", "string", "datetime", "bool"]


def create(name: str = "E", props: str = "intervalBetweenRuns=1h", query: str = "T", over: str = "") -> str:
    over_text = f" over ({over})" if over else ""
    return f".create-or-alter continuous-export {name}{over_text} to table Ext with ({props}) <| {query}"


class Shell:
    def __init__(self, session, storage_dir):
        session.storage_dir = str(storage_dir)
        self.session = session
        self.state = ShellState(session=session)
        self.next_value = 0

    def run(self, script: str):
        last = None
        for request in split_requests(script):
            last = execute_request(self.state, request.text)
        return last if isinstance(last, list) else [last]

    def fails(self, script: str) -> KustoError:
        with pytest.raises(KustoError) as info:
            self.run(script)
        return info.value

    def ingest(self, n: int, table: str = "T") -> list[int]:
        values = list(range(self.next_value, self.next_value + n))
        self.next_value += n
        lines = "\n".join(f"2026-01-01T00:00:00Z,{v}" for v in values)
        self.run(f".ingest inline into table {table} <|\n{lines}")
        return values

    def artifacts(self, name: str = "E") -> list[dict]:
        return self.run(f".show continuous-export {name} exported-artifacts")[0].as_dicts()

    def exported(self, name: str = "E") -> list[int]:
        from kshell.engine import storage

        values = []
        for a in self.artifacts(name):
            text = storage.local_path(self.session, storage.parse_uri(a["Path"])).read_text(encoding="utf-8")
            values += [int(line.split(",")[1]) for line in text.splitlines() if line]
        return sorted(values)

    def show(self, name: str = "E") -> dict:
        return self.run(f".show continuous-export {name}")[0].as_dicts()[0]


@pytest.fixture
def shell(session, tmp_path):
    sh = Shell(session, tmp_path / "storage")
    sh.run(SETUP)
    return sh


# ------------------------------------------------------------- properties

@pytest.mark.parametrize("props, words", [
    ("forcedLatency=10m", ["intervalBetweenRuns", "required"]),
    ("intervalBetweenRuns=30s", ["at least 1 minute"]),
    ("intervalBetweenRuns=abc", ["timespan"]),
    ("intervalBetweenRuns=5", ["timespan"]),
    ("intervalBetweenRuns=1h, forcedLatency=-(1m)", ["forcedLatency"]),
    ("intervalBetweenRuns=1h, sizeLimit=1000", ["sizeLimit", "100 MB"]),
    ("intervalBetweenRuns=1h, sizeLimit=2000000000", ["sizeLimit", "1 GB"]),
    ("intervalBetweenRuns=1h, sizeLimit='big'", ["sizeLimit", "whole number"]),
    ("intervalBetweenRuns=1h, distribution='per_table'", ["distribution", "per_shard"]),
    ("intervalBetweenRuns=1h, distributionKind='random'", ["distributionKind"]),
    ("intervalBetweenRuns=1h, distributed=maybe", ["distributed", "true or false"]),
    ("intervalBetweenRuns=1h, distributed=false, distribution='per_node'", ["distributed=false"]),
    ("intervalBetweenRuns=1h, parquetRowGroupSize=0", ["parquetRowGroupSize"]),
    ("intervalBetweenRuns=1h, isDisabled=1", ["isDisabled"]),
    ("intervalBetweenRuns=1h, color='blue'", ["unknown continuous export property 'color'"]),
    ("intervalBetweenRuns=1h, IntervalBetweenRuns=2h", ["given more than once"]),
])
def test_invalid_properties_are_refused_and_nothing_is_created(shell, props, words):
    err = shell.fails(create(props=props))
    assert err.kind == "BadRequest"
    for w in words:
        assert w.lower() in err.message.lower(), err.message
    assert shell.run(".show continuous-exports")[0].rows == []


def test_properties_in_every_documented_spelling(shell):
    row = shell.run(create(props="IntervalBetweenRuns=time(1m), forcedlatency=10m, sizeLimit=104857600, "
                                 "distributed=true, distribution='per_shard', distributionKind=uniform, "
                                 "parquetRowGroupSize=5000"))[0]
    assert row.column_names == SHOW_COLUMNS
    assert [c.type for c in row.columns] == SHOW_TYPES
    r = row.as_dicts()[0]
    assert r["IntervalBetweenRuns"] == dt.timedelta(minutes=1)
    assert r["ForcedLatency"] == dt.timedelta(minutes=10)
    assert json.loads(r["ExportProperties"]) == {"SizeLimit": 104857600, "Distributed": True,
                                                 "Distribution": "per_shard", "DistributionKind": "uniform",
                                                 "ParquetRowGroupSize": 5000}
    assert r["CursorScopedTables"] == json.dumps(["['DB'].['T']"])
    assert r["LastRunTime"] is None and r["LastRunResult"] is None and r["IsRunning"] is False
    assert r["StartCursor"].isdigit()


def test_doc_example_shows_its_row(shell):
    r = shell.run(".create-or-alter continuous-export MyExport\nover (T)\nto table Ext\nwith\n"
                  "(intervalBetweenRuns=1h, \n forcedLatency=10m, \n sizeLimit=104857600)\n<| T")[0].as_dicts()[0]
    assert (r["Name"], r["ExternalTableName"], r["Query"]) == ("MyExport", "Ext", "T")
    assert (r["ForcedLatency"], r["IntervalBetweenRuns"]) == (dt.timedelta(minutes=10), dt.timedelta(hours=1))
    assert json.loads(r["ExportProperties"])["SizeLimit"] == 104857600
    assert r["IsDisabled"] is False


# ------------------------------------------------------------------ query

@pytest.mark.parametrize("query, over, words", [
    ("T | project Value", "", ["output schema", "1 columns"]),
    ("T | project Value, Timestamp", "", ["column 1"]),
    ("T | extend Value = tostring(Value)", "", ["Value:string"]),
    ("Other | project Timestamp=now(), Value=Key", "T", ["'T'", "not read by the query"]),
    ("print Timestamp=now(), Value=1", "", ["at least one fact table"]),
    ("T | where", "", ["expected an expression"]),
    ('external_table("Ext")', "", ["external table"]),
    ('cluster("c").database("d").T', "", ["other clusters"]),
])
def test_invalid_queries_are_refused(shell, query, over, words):
    err = shell.fails(create(query=query, over=over))
    for w in words:
        assert w.lower() in err.message.lower(), err.message
    assert shell.run(".show continuous-exports")[0].rows == []


def test_unknown_external_table_and_fact_table(shell):
    assert shell.fails(".create-or-alter continuous-export E to table Nope with (intervalBetweenRuns=1h) <| T").kind \
        == "EntityNotFound"
    assert shell.fails(create(over="Missing")).kind == "EntityNotFound"


def test_unsupported_target_format_is_refused(shell):
    shell.run(".create external table Avro (Timestamp:datetime, Value:long) kind=storage dataformat=avro "
              f"(h@'{CONTAINER}2;secretkey')")
    err = shell.fails(".create-or-alter continuous-export E to table Avro with (intervalBetweenRuns=1h) <| T")
    assert "CSV, TSV, JSON, PARQUET" in err.message


def test_syntax_errors_carry_positions(shell):
    err = shell.fails(".create-or-alter continuous-export E to table Ext with (intervalBetweenRuns=1h) T")
    assert err.kind == "SyntaxError" and "<|" in err.message
    err = shell.fails(".create-or-alter continuous-export E over T to table Ext <| T")
    assert err.kind == "SyntaxError" and err.column is not None


# -------------------------------------------------- show / drop / enable

def test_show_drop_enable_disable(shell):
    shell.run(create("A"))
    shell.run(create("B", props="intervalBetweenRuns=1h, isDisabled=true"))
    rows = shell.run(".show continuous-exports")[0].as_dicts()
    assert [(r["Name"], r["IsDisabled"]) for r in rows] == [("A", False), ("B", True)]
    assert shell.run(".enable continuous-export B")[0].as_dicts()[0]["IsDisabled"] is False
    assert shell.run(".disable continuous-export A")[0].as_dicts()[0]["IsDisabled"] is True
    remaining = shell.run(".drop continuous-export A")[0]
    assert remaining.column_names == SHOW_COLUMNS and [r[0] for r in remaining.rows] == ["B"]
    for command in (".show continuous-export A", ".drop continuous-export A", ".enable continuous-export A",
                    ".show continuous-export A failures", ".show continuous-export A exported-artifacts"):
        assert shell.fails(command).kind == "EntityNotFound"


def test_show_piped_into_a_query(shell):
    shell.run(create())
    result = shell.run(".show continuous-export E | project StartCursor")[0]
    assert result.column_names == ["StartCursor"]
    shell.ingest(2)
    shell.run("#time advance 1h")
    result = shell.run(".show continuous-export E exported-artifacts | where Timestamp > ago(1h)")[0]
    assert len(result.rows) == 1 and result.column_names[-1] == "SizeInBytes"
    assert [c.type for c in result.columns] == ["datetime", "string", "string", "long", "long"]


def test_failures_columns(shell):
    shell.run(create())
    result = shell.run(".show continuous-export E failures")[0]
    assert result.column_names == ["Timestamp", "OperationId", "Name", "LastSuccessRun", "FailureKind", "Details"]
    assert result.rows == []


def test_disabled_export_keeps_its_cursor_and_catches_up(shell):
    shell.run(create())
    first = shell.ingest(1)
    shell.run("#time advance 1h")
    shell.run(".disable continuous-export E")
    missed = shell.ingest(2)
    shell.run("#time advance 3h")
    assert shell.exported() == first
    with pytest.raises(KustoError):
        shell.run("#export run E")
    shell.run(".enable continuous-export E")
    shell.run("#time advance 1m")  # the overdue export runs at the first scheduler pass
    assert shell.exported() == sorted(first + missed)


def test_alter_keeps_the_cursor(shell):
    shell.run(create())
    first = shell.ingest(2)
    shell.run("#time advance 1h")
    shell.run(create(props="intervalBetweenRuns=30m"))
    later = shell.ingest(1)
    shell.run("#time advance 30m")
    assert shell.exported() == sorted(first + later)
    assert shell.show()["IntervalBetweenRuns"] == dt.timedelta(minutes=30)


# ------------------------------------------------------------------ runs

def test_each_due_run_runs_at_its_own_time(shell):
    shell.run(create(props="intervalBetweenRuns=10m"))
    shell.ingest(1)
    shell.run("#time advance 10m")
    shell.ingest(1)
    shell.run("#time advance 5m")
    shell.ingest(1)
    out = shell.run("#time advance 1h")
    stamps = [a["Timestamp"] for a in shell.artifacts()]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert stamps == [start + dt.timedelta(minutes=10), start + dt.timedelta(minutes=20)]
    # The clock move reports the runs that exported something.
    assert out[-1].column_names[:4] == ["Name", "Database", "RunTime", "Result"]
    assert shell.show()["LastRunTime"] == start + dt.timedelta(minutes=70)


def test_runs_in_schedule_order_oldest_last_run_first(shell):
    shell.run(create("Zed", props="intervalBetweenRuns=2h"))
    shell.run(create("Alpha", props="intervalBetweenRuns=1h"))
    shell.ingest(1)
    out = shell.run("#time advance 1h")
    assert [(r["Name"], r["RunTime"].hour) for r in out[-1].as_dicts()] == [("Alpha", 1)]
    shell.ingest(1)
    out = shell.run("#time advance 1h")
    # Both are due at 02:00: Zed never ran (oldest LastRunTime) so it goes first, despite its name.
    assert [(r["Name"], r["RunTime"].hour, r["NumRecords"]) for r in out[-1].as_dicts()] == \
        [("Zed", 2, 2), ("Alpha", 2, 1)]


def test_forced_latency_waits_for_rows_to_age(shell):
    shell.run(create(props="intervalBetweenRuns=5m, forcedLatency=20m"))
    values = shell.ingest(2)
    shell.run("#time advance 10m")
    assert shell.exported() == []
    assert shell.show()["ExportedTo"] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=-10)
    shell.run("#time advance 15m")
    assert shell.exported() == values
    assert shell.artifacts()[0]["Timestamp"].minute == 20


def test_export_run_directive_and_rows_only_once(shell):
    shell.run(create())
    assert shell.ingest(0) == []
    values = shell.ingest(3)
    out = shell.run("#export run E")[0].as_dicts()[0]
    assert (out["Result"], out["NumRecords"], out["Artifacts"]) == ("Completed", 3, 1)
    out = shell.run("#export run E")[0].as_dicts()[0]
    assert (out["Result"], out["NumRecords"]) == ("Completed", 0)
    more = shell.ingest(1)
    shell.run("#export run DB.E")
    assert shell.exported() == sorted(values + more)
    with pytest.raises(KustoError):
        shell.run("#export run Nope")
    with pytest.raises(KustoError):
        shell.run("#export E")


def test_dimension_tables_are_read_whole_each_run(shell):
    shell.run(".create table Dim (Value:long, Name:string)")
    shell.run(".ingest inline into table Dim <|\n0,zero")
    shell.run(".create external table Named (Value:long, Name:string) kind=storage dataformat=csv "
              f"(h@'{CONTAINER}/named;secretkey')")
    shell.run(".create-or-alter continuous-export J over (T) to table Named with (intervalBetweenRuns=1h) "
              "<| T | join kind=inner Dim on Value | project Value, Name")
    shell.ingest(2)  # values 0 and 1; only 0 has a dimension row
    shell.run("#time advance 1h")
    shell.run(".ingest inline into table Dim <|\n1,one")
    shell.run("#time advance 1h")  # T's row 1 was processed once already: not exported again
    assert [a["NumRecords"] for a in shell.artifacts("J")] == [1]


def test_replaced_table_rows_are_exported_as_new(shell):
    shell.run(create())
    shell.ingest(2)
    shell.run("#time advance 1h")
    shell.run(".set-or-replace T <| print Timestamp=datetime(2026-01-01), Value=100")
    shell.run("#time advance 1h")
    assert shell.exported() == [0, 1, 100]


def test_auto_disable_after_seven_days_of_failures(shell):
    shell.run(create(props="intervalBetweenRuns=1d"))
    shell.ingest(1)
    shell.run(".drop external table Ext")
    shell.run("#time advance 9d")
    show = shell.show()
    assert show["IsDisabled"] is True
    failures = shell.run(".show continuous-export E failures")[0].as_dicts()
    assert 7 <= len(failures) <= 9
    assert "disabled" in failures[-1]["Details"]


# ------------------------------------------------------------ permissions

def test_permissions_per_command(shell):
    shell.run(create())
    shell.run(".add database DB viewers ('aaduser=viewer@contoso.com')")
    shell.run(".add database DB monitors ('aaduser=monitor@contoso.com')")
    shell.run("#as aaduser=viewer@contoso.com")
    assert shell.run(".show continuous-exports")[0].rows
    for command in (create("X"), ".drop continuous-export E", ".disable continuous-export E",
                    ".show continuous-export E exported-artifacts", ".show continuous-export E failures"):
        assert shell.fails(command).kind == "Forbidden", command
    shell.run("#as aaduser=monitor@contoso.com")
    assert shell.run(".show continuous-export E failures")[0].rows == []
    assert shell.fails(".enable continuous-export E").kind == "Forbidden"


# ---------------------------------------------------------------- corpus

SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_docs_corpus_family_parses():
    corpus = SHARED / "corpus" / "docs-kusto-blocks.jsonl"
    if not corpus.exists():
        pytest.skip("../shared (the docs corpus) is not present")
    from kshell.syntax import parse

    blocks = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    family = [b for b in blocks if b["family"] == "continuous_export" and b["ms_syntax_ok"]]
    assert family
    ok = 0
    for b in family:
        try:
            parse(b["text"])
            ok += 1
        except KustoError:
            pass
    assert ok / len(family) >= 0.95


# ------------------------------------------------------------ end to end

def test_command_line_with_state_file(tmp_path, run_kshell):
    state = tmp_path / "cluster.kshell"
    storage_dir = tmp_path / "files"
    script = SETUP + "\n" + create(props="intervalBetweenRuns=1h") + """

.ingest inline into table T <|
2026-01-01,7
2026-01-01,8

#time advance 1h
"""
    code, out, err = run_kshell(script, str(state), "--storage", str(storage_dir), "--format", "csv")
    assert code == 0, err
    files = list((storage_dir / "acct" / "out").rglob("*.csv"))
    assert len(files) == 1
    assert sorted(line.split(",")[1] for line in files[0].read_text().splitlines()) == ["7", "8"]
    # The export, its cursor and its artifacts survive in the state file.
    code, out, err = run_kshell("#db DB\n\n.show continuous-export E exported-artifacts\n\n"
                                ".ingest inline into table T <|\n2026-01-01,9\n\n#time advance 2h\n\n"
                                ".show continuous-export E exported-artifacts | count",
                                str(state), "--storage", str(storage_dir), "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "2"
    assert len(list((storage_dir / "acct" / "out").rglob("*.csv"))) == 2


# ------------------------------------------------------ policies on tables

def test_rls_cannot_be_enabled_under_an_export_without_impersonation(shell):
    shell.run(create())
    shell.run(".create function Rls() { T }")
    err = shell.fails('.alter table T policy row_level_security enable "Rls"')
    assert "continuous export 'E'" in err.message and "impersonate" in err.message


def test_restricted_view_access_tables_are_refused(shell):
    # The restricted view access policy has no command in kshell yet: set it as its handler would.
    shell.session.cluster.database("DB").tables["T"].policies["restricted_view_access"] = True
    err = shell.fails(create())
    assert "restricted view access" in err.message


# ---------------------------------------------------------------- grammar

@pytest.mark.parametrize("text, ok", [
    (".create-or-alter continuous-export X to table Y <| T", True),
    (".create-or-alter continuous-export ['My Export'] to table ['Ext Y'] with (intervalBetweenRuns=time(1h)) <| T",
     True),
    (".create-or-alter continuous-export X over (T) to table Y with "
     "(intervalBetweenRuns=1h, managedIdentity=aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb) <| T", True),
    (".create-or-alter continuous-export X over (T) to table Y with (intervalBetweenRuns=1h, sizeLimit=-5) <| T", True),
    (".show continuous-export X exported-artifacts", True),
    (".create-or-alter continuous-export X to table Y with (a=1, A=2) <| T", True),  # the engine refuses it
    # Microsoft's parser refuses these too (checked with ms-parser-check).
    (".create-or-alter continuous-export X over (DB.T, T2) to table Y with (intervalBetweenRuns=1h) <| T", False),
    (".create-or-alter continuous-export X to table Y with (intervalBetweenRuns=1h) T", False),
    (".create-or-alter continuous-export X over (T) to table Y with (intervalBetweenRuns=1h, x=foo bar) <| T", False),
    (".show continuous-export", False),
    # Microsoft's parser tolerates trailing words after many commands; kshell does not.
    (".show continuous-export X artifacts", False),
])
def test_grammar_agrees_with_microsofts_parser(text, ok):
    from kshell.errors import KustoSyntaxError
    from kshell.syntax import parse

    if ok:
        parse(text)
    else:
        with pytest.raises(KustoSyntaxError):
            parse(text)


def test_docs_example_runs_as_written(tmp_path, run_kshell):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "continuous-export.md").read_text(encoding="utf-8")
    example = doc.split("## Example", 1)[1].split("~~~", 2)[1]
    code, out, err = run_kshell(example, "--storage", str(tmp_path), "--format", "csv")
    assert code == 0, err
    assert "MyExport,DB,2026-01-01T01:00:00Z,Completed,1,1," in out
    assert len(list((tmp_path / "acct" / "exports").glob("*.csv"))) == 1


def test_extreme_spans_never_break_the_clock(shell):
    assert shell.fails(create(props="intervalBetweenRuns=time(99999999999d)")).kind == "BadRequest"
    shell.run(create(props="intervalBetweenRuns=99999999d, forcedLatency=99999999d"))
    shell.ingest(1)
    shell.run("#time advance 3000d")
    assert shell.run("#export run E")[0].as_dicts()[0]["NumRecords"] == 0   # too young for the latency
    shell.run("#time set 9999-12-31")
    assert shell.show()["LastRunTime"] is not None
