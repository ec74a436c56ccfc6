"""The docs' role examples (corpus family `security_roles`) run once their entities exist.

Each block runs in a fresh session as the default principal (AllDatabasesAdmin),
after creating the databases, tables, functions, external tables and
materialized views it names.  Role commands and `.show ... principals` must
return the principals schema (nothing with skip-results), `.show ... principal
roles` its own schema.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from kshell.engine.cluster import Database
from kshell.engine.session import Session
from kshell.errors import BadRequest
from kshell.syntax import parse
from kshell.syntax.cmd_security import RoleChange, ShowPrincipalRoles, ShowPrincipals

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "docs-kusto-blocks.jsonl"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

PRINCIPALS_COLUMNS = ["Role", "PrincipalType", "PrincipalDisplayName", "PrincipalObjectId",
                      "PrincipalFQN", "Notes", "RoleAssignmentIdentifier"]
ROLES_COLUMNS = ["Scope", "DisplayName", "AADObjectID", "Role"]
# Role examples that live in other corpus families.
EXTRA_BLOCKS = {"3f9fa2e734", "ae5eec2775", "4856a77100", "f58d2f97fd"}
# The one docs example with an FQN prefix that does not exist ('aadappID=...'): a BadRequest.
BAD_FQN_BLOCKS = {"17123cf0e3"}


def _blocks():
    if not CORPUS.exists():
        return []
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        b = json.loads(line)
        if (b["family"] == "security_roles" or b["id"] in EXTRA_BLOCKS) and b["ms_syntax_ok"] \
                and not re.search(r"<[A-Za-z][^>]*>", b["text"]):
            out.append(b)
    return out


def _requests(text):
    requests, cur = [], []
    for ln in text.splitlines():
        if ln.strip().startswith("//"):
            continue
        if (not ln.strip() or ln.lstrip().startswith(".")) and cur:
            requests.append("\n".join(cur).strip())
            cur = []
        if ln.strip():
            cur.append(ln)
    if cur:
        requests.append("\n".join(cur).strip())
    return requests


def _ensure_entities(session, node):
    """Create what a role example names, as the docs assume it exists."""
    kind = node.securable_kind
    if kind in (None, "cluster"):
        return
    cluster = session.cluster
    if kind == "database":
        name = node.securable[0] if node.securable else session.database_name
        if cluster.database(name) is None:
            cluster.add_database(Database(name))
        return
    db = session.database
    name = node.securable[-1]
    if kind == "table" and name not in db.tables:
        session.execute(f".create table ['{name}'] (Id:long)")
    elif kind == "function" and name not in db.functions:
        session.execute(f".create function ['{name}']() {{ print 1 }}")
    elif kind == "external table" and name not in db.external_tables:
        db.external_tables[name] = {"Name": name, "principals": []}
    elif kind == "materialized-view" and name not in db.materialized_views:
        db.materialized_views[name] = {"Name": name, "principals": []}


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared corpus not available")
@pytest.mark.parametrize("block", _blocks(), ids=lambda b: b["id"])
def test_docs_role_example_runs(block):
    session = Session(now=NOW)
    for text in _requests(block["text"]):
        node = parse(text)
        assert isinstance(node, (RoleChange, ShowPrincipals, ShowPrincipalRoles)), text
        _ensure_entities(session, node)
        if block["id"] in BAD_FQN_BLOCKS:
            with pytest.raises(BadRequest, match="not a valid principal FQN"):
                session.execute(text)
            continue
        results = session.execute(text)
        if isinstance(node, RoleChange) and node.skip_results:
            assert results == []
            continue
        (result,) = results
        expected = ROLES_COLUMNS if isinstance(node, ShowPrincipalRoles) else PRINCIPALS_COLUMNS
        assert result.column_names == expected
        assert all(c.type == "string" for c in result.columns)
        if isinstance(node, RoleChange) and node.action in ("add", "set") and not node.none:
            # the principals just granted are listed under the role
            role_rows = [r for r in result.as_dicts() if r["Role"].lower().endswith(
                {"admins": "admin", "users": "user", "viewers": "viewer", "ingestors": "ingestor",
                 "monitors": "monitor", "unrestrictedviewers": "unrestrictedviewer"}[node.role])]
            assert len(role_rows) >= len(set(p.lower() for p in node.principals))
            if node.notes is not None:
                assert any(r["Notes"] == node.notes for r in role_rows)


def test_there_are_role_examples():
    if not CORPUS.exists():
        pytest.skip("../shared corpus not available")
    assert len(_blocks()) >= 40
