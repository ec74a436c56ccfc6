"""Misc commands (cmd_misc), the OtherCommand catch-all, and command result pipes."""

from __future__ import annotations

import pytest

from kshell.errors import KustoSyntaxError, NotSupported
from kshell.syntax import ast, parse
from kshell.syntax.cmd_common import PipedCommand
from kshell.syntax.cmd_misc import (
    DisablePlugin,
    EnablePlugin,
    OtherCommand,
    ShowCluster,
    ShowClusterDetails,
    ShowIngestionFailures,
    ShowVersion,
)


@pytest.mark.parametrize("text, cls", [
    (".show version", ShowVersion),
    (".SHOW Version", ShowVersion),
    (".show cluster", ShowCluster),
    (".show cluster details", ShowClusterDetails),
    (".show ingestion failures", ShowIngestionFailures),
    (".enable plugin autocluster", EnablePlugin),
    (".disable plugin autocluster", DisablePlugin),
])
def test_misc_commands(text, cls):
    node = parse(text)
    assert type(node) is cls and node.text == text


def test_show_ingestion_failures_with_operation_id_and_pipe():
    node = parse(".show ingestion failures with (OperationId = '3827def6-0773-4f2a-859e-c02cf395deaf')\n"
                 "| where FailedOn > ago(1h) and OriginatesFromUpdatePolicy == true")
    assert isinstance(node, PipedCommand)
    assert node.command.operation_id == "3827def6-0773-4f2a-859e-c02cf395deaf"
    (where,) = node.query.body.operators
    assert isinstance(where, ast.Where) and where.predicate.op == "and"


# (journal, operations, materialized views, purge and database scripts are simulated
# now: tests/test_operations*.py, test_materialized_views.py, test_extents_lifecycle.py)
@pytest.mark.parametrize("text, words", [
    (".show table T corrupted", ["show", "table", "T", "corrupted"]),
    (".update table T delete D append A with (x=1) <| let D = T | where a == 1; let A = U;",
     ["update", "table"]),
    (".clear cluster cache streamingingestion schema", ["clear", "cluster", "cache"]),
    (".replace async extents in table T with (a=1) <|\n{\n let x = 1;\n T | where x == 1\n},\n{ U }",
     ["replace", "async", "extents"]),
])
def test_other_commands_are_accepted_for_syntax(text, words):
    node = parse(text)
    if isinstance(node, PipedCommand):
        node = node.command
    assert isinstance(node, OtherCommand)
    assert node.words == words


@pytest.mark.parametrize("text, line, col, message", [
    # an embedded query is parsed: its errors are reported
    (".create materialized-view MV on table T\n{\n  T | summarze count()\n}", 3, 7,
     "expected a query operator (where, project, extend, summarize, ...) after '|', found 'summarze' (did you mean 'summarize'?)"),
    (".update table T delete D append A <| T | where", 1, 47, "expected an expression, found end of input"),
    # unknown commands still fail, naming the command
    (".shwo tables", 1, 2, "unknown or unsupported command '.shwo tables', found 'shwo'"),
    (".show journal | wher x", 1, 17,
     "expected a query operator (where, project, extend, summarize, ...) after '|', found 'wher' (did you mean 'where'?)"),
])
def test_errors_inside_other_commands(text, line, col, message):
    with pytest.raises(KustoSyntaxError) as info:
        parse(text)
    assert (info.value.line, info.value.column, info.value.message) == (line, col, message)


def test_catch_all_does_not_swallow_another_familys_malformed_command():
    # `.clear cluster cache groupmembership` belongs to the security family
    with pytest.raises(KustoSyntaxError):
        parse(".clear cluster cache groupmembership with (")
    # a generic policy command with a misspelt `policy` is not an OtherCommand
    with pytest.raises(KustoSyntaxError) as info:
        parse(".alter table T polcy update @'[]'")
    assert "'polcy'" in info.value.message


def test_command_pipes_run_on_the_result(session):
    session.execute(".create table Alpha (a:long)")
    session.execute(".create table Beta (b:string)")
    (res,) = session.execute(".show tables | where TableName startswith 'B' | project TableName")
    assert res.column_names == ["TableName"] and res.rows == [["Beta"]]
    (res,) = session.execute(".show version | project BuildVersion | extend n = 1")
    assert res.column_names == ["BuildVersion", "n"] and res.rows[0][1] == 1


def test_other_commands_are_not_simulated(session):
    with pytest.raises(NotSupported):
        session.execute(".show graph_models")


def test_show_version_and_cluster_end_to_end(run_kshell):
    code, out, err = run_kshell(".show version | project ServiceType\n", "--format", "csv")
    assert code == 0 and out.splitlines() == ["ServiceType", "Engine"]


@pytest.mark.parametrize("text, col, message", [
    (".alter cluster polcy managed_identity '[]'", 16, "expected 'policy' after the cluster name, found 'polcy'"),
    (".delete table T polcy update", 17, "expected 'policy' after the table name, found 'polcy'"),
    (".create table T (a:lng)", 20, "expected a type name (string, long, datetime, ...), found 'lng'"),
])
def test_dispatch_reports_the_most_useful_error(text, col, message):
    with pytest.raises(KustoSyntaxError) as info:
        parse(text)
    assert (info.value.column, info.value.message) == (col, message)


@pytest.mark.parametrize("text", [
    ".alter database D prettyname",          # the database family's command, malformed
    ".show table T extents garbage",         # the table family's command, malformed
])
def test_catch_all_yields_to_a_family_that_understood_more(text):
    with pytest.raises(KustoSyntaxError):
        parse(text)
