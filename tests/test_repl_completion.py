"""The completion engine, called on partial texts against a live session."""

from __future__ import annotations

import pytest

from kshell.directives import ShellState, run_directive
from kshell.engine.cluster import Function
from kshell.repl.completion import CompletionEngine


@pytest.fixture
def engine(session):
    session.execute(".create table StormEvents (State:string, EventType:string, StartTime:datetime, DamageProperty:long)")
    session.execute(".create table Logs (Level:string, Message:string)")
    session.execute(".create database Samples volatile")
    session.execute(".add database NetDefaultDB viewers ('aaduser=alice@contoso.com')")
    # Function commands belong to another family; the completer only reads the catalog.
    session.database.functions["TopStorms"] = Function("TopStorms", "()", "{ StormEvents | take 10 }")
    return CompletionEngine(session)


def texts(engine, text):
    return [s.text for s in engine.complete(text)]


def displays(engine, text):
    return [s.display for s in engine.complete(text)]


def apply_single(engine, text):
    """What Tab does with exactly one candidate: replace the fragment with it."""
    found = engine.complete(text)
    assert len(found) == 1, (text, [s.text for s in found])
    s = found[0]
    return text[: len(text) - s.replace] + s.text


def test_command_word_after_dot(engine):
    assert texts(engine, ".alter-m") == ["alter-merge "]
    assert "show " in texts(engine, ".")
    assert set(texts(engine, ".sh")) == {"show "}


def test_multi_word_command_reachable_by_tab(engine):
    text = apply_single(engine, ".alter-m")
    assert set(texts(engine, text)) == {"cluster ", "database ", "table ", "tables ", "external ",
                                        "materialized-view "}
    text = apply_single(engine, text + "c")
    text = apply_single(engine, text + "p")
    text = apply_single(engine, text + "managed")
    assert text == ".alter-merge cluster policy managed_identity "


def test_policy_kinds_and_keywords_complete_by_prefix_only(engine):
    assert "managed_identity " in texts(engine, ".show cluster policy ")
    assert texts(engine, ".show cluster policy upd") == ["update "]
    # prefix, not fuzzy: "mid" is inside managed_identity but is not its prefix
    assert texts(engine, ".show cluster policy mid") == []


def test_database_names_after_database(engine):
    found = texts(engine, ".show database ")
    assert {"NetDefaultDB", "Samples"} <= set(found)
    assert texts(engine, ".show database sam") == ["Samples"]
    assert "Samples" in texts(engine, "#db ")


def test_table_names_where_a_table_goes(engine):
    assert texts(engine, ".show table Sto") == ["StormEvents"]
    assert texts(engine, ".show table stev") == ["StormEvents"]  # fuzzy: subsequence
    assert texts(engine, ".show table NetDefaultDB.Lo") == ["Logs"]
    assert "StormEvents" in texts(engine, "Sto")
    assert "Logs" in texts(engine, "StormEvents | join kind=inner (Lo")


def test_new_table_is_offered_after_it_is_created(engine, session):
    assert texts(engine, ".show table Fresh") == []
    session.execute(".create table FreshTable (a:long)")
    assert texts(engine, ".show table Fresh") == ["FreshTable"]


def test_columns_after_pipe_operators_and_by(engine):
    assert texts(engine, "StormEvents | where Ev")[0] == "EventType"
    by = texts(engine, "StormEvents | summarize count() by ")
    assert set(by) == {"State", "EventType", "StartTime", "DamageProperty"}
    assert texts(engine, "StormEvents\n| summarize count() by St") == ["State", "StartTime"]
    # names assigned earlier in the query are columns too
    assert "Damage" in texts(engine, "StormEvents | extend Damage = DamageProperty * 2 | where Dam")
    # columns of the table inside a nested query
    assert "Level" in texts(engine, "StormEvents | join (Logs | where Le")


def test_operators_after_pipe(engine):
    ops = texts(engine, "StormEvents | ")
    assert {"where ", "summarize ", "project ", "extend ", "take "} <= set(ops)
    assert texts(engine, "StormEvents | summ") == ["summarize "]
    assert texts(engine, "StormEvents | project-a") == ["project-away "]


def test_function_names(engine):
    assert "TopStorms" in texts(engine, "TopS")
    assert "TopStorms" in texts(engine, "StormEvents | extend x = TopS")


def test_query_after_command_arrow(engine):
    assert "State" in texts(engine, ".set-or-append Logs <| StormEvents | project St")


def test_database_names_inside_database_function(engine):
    assert texts(engine, 'database("Sam') == ['"Samples"']


def test_role_words(engine):
    assert texts(engine, ".add database Samples v") == ["viewers "]
    assert set(texts(engine, ".add table StormEvents ")) == {"admins ", "ingestors "}


def test_known_principals_inside_role_command(engine):
    found = texts(engine, ".add database Samples viewers ('ali")
    assert found == ["'aaduser=alice@contoso.com'"]
    assert "'aaduser=alice@contoso.com'" in texts(engine, ".drop database NetDefaultDB viewers (")


def test_usages_inside_managed_identity_payload(engine):
    head = '.alter-merge cluster policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "'
    assert set(texts(engine, head)) >= {"NativeIngestion", "ExternalTable", "AutomatedFlows"}
    assert texts(engine, head + "NativeIngestion, Ext") == ["ExternalDataRequest", "ExternalTable"]
    # a usage already listed is not offered again
    assert "NativeIngestion" not in texts(engine, head + "NativeIngestion, ")
    assert texts(engine, '.alter cluster policy managed_identity ```[{"Obj') == ["ObjectId"]
    assert "system" in texts(engine, '.alter database Samples policy managed_identity ```[{"ObjectId": "')
    # other policy kinds: no managed-identity words
    assert texts(engine, '.alter table Logs policy update ```[{"AllowedUsages": "') == []


def test_directive_names_and_arguments(engine):
    names = texts(engine, "#")
    assert {"db ", "help ", "pager ", "identity "} <= set(names)
    assert texts(engine, "#pa") == ["pager "]
    assert texts(engine, "#pager o") == ["on ", "off "]
    assert "csv " in texts(engine, "#format ")


def test_identity_names_after_identity_directive(engine, session):
    state = ShellState(session=session)
    run_directive(state, "#identity create ingest-mi")
    found = displays(engine, "#identity ")
    assert "assign" in found and "ingest-mi" in found and "system" in found
    assert texts(engine, "#identity assign ing") == ["ingest-mi"]


def test_current_request_is_the_one_after_the_last_blank_line(engine):
    assert texts(engine, "StormEvents | take 1\n\n.alter-m") == ["alter-merge "]


def test_nothing_breaks_on_odd_input(engine):
    for text in ["", " ", "|", "((", "'", "```", ".", "#", "T | where (", "..", ".show table [", "\n\n"]:
        engine.complete(text)  # must not raise


def test_builtin_functions_and_aggregates_from_the_query_engine(engine):
    pytest.importorskip("kshell.query.functions")
    assert "strlen" in texts(engine, "StormEvents | extend n = strle")
    assert "dcount" in texts(engine, "StormEvents | summarize dcou")


def test_update_policy_payload(engine):
    pytest.importorskip("kshell.engine.update_policy")
    head = '.alter table Logs policy update ```[{"IsEnabled": '
    assert texts(engine, head + "t") == ["true"]
    assert texts(engine, head + 'true, "Sou') == ["Source"]
    assert texts(engine, head + 'true, "Source": "Sto') == ["StormEvents"]
    assert "system" in texts(engine, head + 'true, "ManagedIdentity": "')


def test_let_names_and_print_expressions(engine):
    text = "let threshold = 10;\nlet recent = StormEvents | where DamageProperty > thr"
    assert texts(engine, text)[0] == "threshold"
    assert "recent" in texts(engine, text + "eshold;\nrec")
    assert "strlen" in texts(engine, "print n = strle")
    assert "StormEvents" in texts(engine, "let s = Sto")
    assert texts(engine, "let newna") == []


def test_schema_types_and_piped_command_results(engine):
    assert texts(engine, ".create table New (a:str") == ["string"]
    assert "long" in texts(engine, ".create-merge table New (a:string, b:")
    assert "datetime" in texts(engine, "datatable(a:dat")
    assert texts(engine, ".show tables | whe") == ["where "]


def test_columns_of_a_table_bound_by_let(engine):
    assert texts(engine, "let recent = StormEvents | where Ev")[0] == "EventType"
