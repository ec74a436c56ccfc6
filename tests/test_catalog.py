"""The catalog of the documented language (kshell.catalog) and its use by the engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kshell.catalog import CatalogEntry, KINDS, entries, lookup
from kshell.errors import NotSupported, SemanticError

# Documented functions that are table sources, resolved by the evaluator rather than
# the scalar function registry.
SOURCES = {"table", "database", "external_table", "materialized_view"}


def _registered():
    import kshell.query.compiler  # noqa: F401  (registers the special functions)
    import kshell.query.evaluator  # noqa: F401
    from kshell.query import aggregates, functions
    return set(functions.names()), set(aggregates.names())


def test_api_shape():
    e = lookup("strlen")
    assert isinstance(e, CatalogEntry) and e.kind == "function" and e.simulated and e.reason == ""
    assert e.result_type == "long" and "strlen(" in e.signature and e.description
    assert lookup("no_such_function_xyz") is None
    assert all(x.kind == "plugin" for x in entries("plugin")) and len(entries("plugin")) >= 30
    assert {x.kind for x in entries()} <= set(KINDS)
    assert lookup("count").kind == "aggregate" and lookup("count", "operator").kind == "operator"
    with pytest.raises(Exception):
        e.name = "x"  # frozen


def test_every_not_simulated_entry_says_why():
    for e in entries():
        assert e.simulated == (e.reason == ""), e
        assert e.signature and e.result_type and e.description, e


def test_status_matches_the_engine():
    """A function or aggregate the catalog says runs is registered, and the other way round."""
    fns, aggs = _registered()
    for e in entries("function") + entries("window"):
        if e.name in SOURCES:
            continue
        assert e.simulated == (e.name in fns), f"{e.name}: catalog says simulated={e.simulated}"
    for e in entries("aggregate"):
        assert e.simulated == (e.name in aggs), f"{e.name}: catalog says simulated={e.simulated}"
    documented = {e.name for e in entries()}
    assert not (fns - documented), f"registered functions missing from the catalog: {sorted(fns - documented)}"
    assert not (aggs - documented), f"registered aggregates missing from the catalog: {sorted(aggs - documented)}"


def test_import_is_cheap():
    code = "import sys, kshell.catalog; print('kshell.catalog.data' in sys.modules, 'kshell.query' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def _unsimulated(kind: str) -> str | None:
    return next((e.name for e in entries(kind) if not e.simulated
                 and e.reason == "not implemented yet"), None)


def test_documented_but_not_simulated_is_not_supported(session):
    name = _unsimulated("function")
    if name is None:
        pytest.skip("every documented function is simulated")
    with pytest.raises(NotSupported, match=f"'{name}' is not simulated by kshell"):
        session.execute(f"print {name}(1)")


def test_unknown_name_is_failed_to_resolve(session):
    with pytest.raises(SemanticError, match="Failed to resolve scalar expression named 'my_own_fn'"):
        session.execute("print my_own_fn(1)")


def test_external_plugin_says_why(session):
    with pytest.raises(NotSupported, match="'sql_request' is not simulated by kshell .*outside the cluster"):
        session.execute("evaluate sql_request('Server=x', 'select 1')")


def test_cli_reports_not_simulated(run_kshell):
    code, out, err = run_kshell("print my_own_fn(1)\n")
    assert "Failed to resolve scalar expression named 'my_own_fn'" in out + err
    code, out, err = run_kshell("evaluate sql_request('Server=x', 'select 1')\n")
    assert "'sql_request' is not simulated by kshell" in out + err
