"""The permission matrix (issue 6): every command family run as every kind of principal.

Each case runs in its own copy of one prepared cluster.  An allowed case must
succeed; a refused case must raise Forbidden and leave the state exactly as it
was.  The same matrix, with the same expected outcomes, is the table in
docs/security.md; `test_docs_matrix_matches` keeps the two in step.
"""

from __future__ import annotations

import copy
import importlib.util
import datetime as dt
import re
from pathlib import Path

import pytest

from kshell.directives import ShellState, run_directive
from kshell.engine.session import Session
from kshell.errors import Forbidden

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
DB = "NetDefaultDB"

# Principal column -> (FQN, how it gets its role)
PRINCIPALS = {
    "ADA": ("aaduser=kshell-admin@kshell.local", "the default principal: AllDatabasesAdmin"),
    "ADV": ("aaduser=adv@x.com", ".add cluster alldatabasesviewers"),
    "ADM": ("aaduser=adm@x.com", ".add cluster alldatabasesmonitors"),
    "DA": ("aaduser=da@x.com", "Database Admin"),
    "DU": ("aaduser=du@x.com", "Database User"),
    "DV": ("aaduser=dv@x.com", "Database Viewer"),
    "DI": ("aaduser=di@x.com", "Database Ingestor"),
    "DM": ("aaduser=dm@x.com", "Database Monitor"),
    "TA": ("aadapp=0b0b0b0b-1111-2222-3333-444455556666", "Table Admin of T (+ Database User, its prerequisite)"),
    "TI": ("aaduser=ti@x.com", "Table Ingestor of T (+ Database User, its prerequisite)"),
    "GRP": ("aaduser=member@x.com", "member of aadgroup=team@x.com, which is Database Viewer"),
    "NONE": ("aaduser=nobody@x.com", "no role"),
}
P = list(PRINCIPALS)

SETUP = [
    ".create table T (a:long, b:string)",
    ".ingest inline into table T <| 1,x",
    ".create function F() { T | take 1 }",
    f".add cluster alldatabasesviewers ('{PRINCIPALS['ADV'][0]}')",
    f".add cluster alldatabasesmonitors ('{PRINCIPALS['ADM'][0]}')",
    f".add database {DB} admins ('{PRINCIPALS['DA'][0]}')",
    f".add database {DB} users ('{PRINCIPALS['DU'][0]}', '{PRINCIPALS['TA'][0]}', '{PRINCIPALS['TI'][0]}')",
    f".add database {DB} viewers ('{PRINCIPALS['DV'][0]}', 'aadgroup=team@x.com')",
    f".add database {DB} ingestors ('{PRINCIPALS['DI'][0]}')",
    f".add database {DB} monitors ('{PRINCIPALS['DM'][0]}')",
    f".add table T admins ('{PRINCIPALS['TA'][0]}')",
    f".add table T ingestors ('{PRINCIPALS['TI'][0]}')",
    f"#group add aadgroup=team@x.com {PRINCIPALS['GRP'][0]}",
    ".create external table X (a:long) kind=storage dataformat=csv ('https://acct.blob.core.windows.net/x;impersonate')",
    ".create external table Y (a:long) kind=storage dataformat=csv ('https://acct.blob.core.windows.net/y?sv=2020&sig=s')",
    ".create table Facts (a:long)",
    ".create-or-alter continuous-export CE to table Y with (intervalBetweenRuns=1h) <| Facts",
]

# Who may do what (spec 3.2 lattice).
ALL = set(P)
ANY_ROLE = ALL - {"NONE"}
METADATA = {"ADA", "ADV", "ADM", "DA", "DU", "DV", "DM", "TA", "TI", "GRP"}   # DU/DV/DM and above
VIEWER = {"ADA", "ADV", "DA", "DU", "DV", "TA", "TI", "GRP"}                  # read data
USER = {"ADA", "DA", "DU", "TA", "TI"}                                         # create entities
TABLE_ADMIN = {"ADA", "DA", "TA"}
TABLE_INGESTOR = {"ADA", "DA", "DI", "TA", "TI"}
FUNCTION_ADMIN = {"ADA", "DA"}   # F was created by the default principal
DB_ADMIN = {"ADA", "DA"}
DB_MONITOR = {"ADA", "ADM", "DA", "DM"}
CLUSTER_MONITOR = {"ADA", "ADM"}
CLUSTER_ADMIN = {"ADA"}

# (family, command, principals allowed)
CASES = [
    ("database", ".show databases", ALL),
    ("database", f".show database {DB}", METADATA),
    ("database", f".show database {DB} schema", METADATA),
    ("database", f".show database {DB} schema violations", METADATA),
    ("database", ".create database Other volatile", CLUSTER_ADMIN),
    ("database", f".alter database {DB} prettyname 'Pretty'", DB_ADMIN),
    ("table", ".create table N (a:long)", USER),
    ("table", ".create-merge table T (a:long, b:string, c:int)", TABLE_ADMIN),
    ("table", ".alter table T (a:long, b:string, c:int)", TABLE_ADMIN),
    ("table", ".alter table T docstring 'doc'", TABLE_ADMIN),
    ("table", ".rename table T to T2", TABLE_ADMIN),
    ("table", ".clear table T data", TABLE_ADMIN),
    ("table", ".drop table T", TABLE_ADMIN),
    ("table", ".show tables", METADATA),
    ("table", ".show table T schema as json", METADATA),
    ("function", ".create function N() { print 1 }", USER),
    ("function", ".create-or-alter function F() { T | take 2 }", FUNCTION_ADMIN),
    ("function", ".alter function F docstring 'doc'", FUNCTION_ADMIN),
    ("function", ".drop function F", FUNCTION_ADMIN),
    ("function", ".show functions", METADATA),
    ("function", ".show function F", METADATA),
    ("ingestion", ".ingest inline into table T <| 2,y", TABLE_INGESTOR),
    ("ingestion", ".append T <| print a=2, b='y'", TABLE_INGESTOR),
    ("ingestion", ".set-or-replace T <| print a=2, b='y'", TABLE_ADMIN),
    ("ingestion", ".set N <| print a=1", USER),
    ("ingestion", ".create table T ingestion csv mapping 'm1' '[{\"Column\":\"a\",\"Properties\":{\"Ordinal\":\"0\"}}]'",
     TABLE_INGESTOR),
    ("ingestion", ".show table T ingestion csv mappings", METADATA),
    ("managed identity policy", ".show cluster policy managed_identity", CLUSTER_MONITOR),
    ("managed identity policy", f".show database {DB} policy managed_identity", METADATA),
    ("managed identity policy", f".alter database {DB} policy managed_identity '[]'", CLUSTER_ADMIN),
    ("managed identity policy", ".alter-merge cluster policy managed_identity '[]'", CLUSTER_ADMIN),
    ("managed identity policy", f".delete database {DB} policy managed_identity", CLUSTER_ADMIN),
    ("security roles", f".add database {DB} viewers ('aaduser=new@x.com')", DB_ADMIN),
    ("security roles", f".set database {DB} monitors none", DB_ADMIN),
    ("security roles", ".add table T ingestors ('aaduser=new@x.com')", TABLE_ADMIN),
    ("security roles", ".drop function F admins ('aaduser=new@x.com')", FUNCTION_ADMIN),
    ("security roles", ".add cluster alldatabasesviewers ('aaduser=new@x.com')", CLUSTER_ADMIN),
    ("security roles", ".show cluster principals", CLUSTER_MONITOR),
    ("security roles", f".show database {DB} principals", DB_MONITOR),
    ("security roles", ".show table T principals", DB_MONITOR | {"TA"}),
    ("security roles", ".show function F principals", DB_MONITOR),
    ("security roles", f".show database {DB} principal roles", ANY_ROLE),
    ("security roles", ".show cluster principal roles", ALL),
    ("security roles", ".show principal 'aaduser=someone@x.com' roles", CLUSTER_MONITOR),
    ("row level security", ".alter table T policy row_level_security enable 'T | where a > 0'", TABLE_ADMIN),
    ("row level security", ".show table T policy row_level_security", METADATA),
    ("row level security", ".delete table T policy row_level_security", TABLE_ADMIN),
    ("update policy", ".show table T policy update", METADATA),
    ("update policy", ".alter table T policy update '[]'", TABLE_ADMIN),
    ("external tables", ".create external table N (a:long) kind=storage dataformat=csv "
                        "('https://acct.blob.core.windows.net/n;impersonate')", USER),
    ("external tables", ".alter external table X (a:long) kind=storage dataformat=csv "
                        "('https://acct.blob.core.windows.net/x;impersonate')", DB_ADMIN),
    ("external tables", ".drop external table X", DB_ADMIN),
    ("external tables", ".show external tables", METADATA),
    ("external tables", ".add external table X admins ('aaduser=new@x.com')", DB_ADMIN),
    ("external tables", ".show external table X principals", DB_MONITOR),
    ("continuous export", ".create-or-alter continuous-export CE2 to table Y with (intervalBetweenRuns=1h) <| Facts",
     DB_ADMIN),
    ("continuous export", ".disable continuous-export CE", DB_ADMIN),
    ("continuous export", ".drop continuous-export CE", DB_ADMIN),
    ("continuous export", ".show continuous-exports", METADATA),
    ("continuous export", ".show continuous-export CE failures", DB_MONITOR),
    ("queries", "T | count", VIEWER),
    ("queries", "F()", VIEWER),
    ("queries", "print 1", VIEWER),
    ("queries", f"database('{DB}').T | count", VIEWER),
]


@pytest.fixture(scope="module")
def prepared():
    session = Session(now=NOW)
    state = ShellState(session=session)
    for line in SETUP:
        if line.startswith("#"):
            run_directive(state, line)
        else:
            session.execute(line)
    return session.cluster


def snapshot(cluster) -> dict:
    """Everything a command may change, as comparable text."""
    dbs = {}
    for key, db in cluster.databases.items():
        dbs[key] = (
            db.name, db.pretty_name, repr(db.policies), repr(db.principals),
            {n: (repr(t.columns), repr(t.data), len(t.extents), repr(t.policies), repr(t.principals),
                 t.created_by, t.folder, t.docstring) for n, t in db.tables.items()},
            {n: (f.parameters, f.body, f.folder, f.docstring, repr(f.principals), f.created_by)
             for n, f in db.functions.items()},
            repr(db.external_tables), repr(db.continuous_exports),
        )
    return {"principals": repr(cluster.principals), "groups": repr(cluster.groups),
            "policies": repr(cluster.policies), "databases": dbs}




@pytest.mark.parametrize("family, command, allowed", CASES, ids=[c[1] for c in CASES])
def test_matrix(prepared, family, command, allowed):
    failures = []
    for who in P:
        cluster = copy.deepcopy(prepared)
        session = Session(cluster, now=NOW)
        session.principal = PRINCIPALS[who][0]
        before = snapshot(cluster)
        try:
            session.execute(command)
            outcome = "allowed"
        except Forbidden:
            outcome = "refused"
            if snapshot(cluster) != before:
                failures.append(f"{who}: refused but the state changed")
        except Exception as e:  # noqa: BLE001 - report every unexpected outcome at once
            outcome = f"error {type(e).__name__}: {e}"
        expected = "allowed" if who in allowed else "refused"
        if outcome != expected:
            failures.append(f"{who}: expected {expected}, got {outcome}")
    assert not failures, "\n".join(failures)


def test_refusal_message_names_principal_operation_and_entity(prepared):
    session = Session(copy.deepcopy(prepared), now=NOW)
    session.principal = PRINCIPALS["DV"][0]
    with pytest.raises(Forbidden) as e:
        session.execute(".drop table T")
    assert e.value.message == (f"Principal '{PRINCIPALS['DV'][0]}' is not authorized to perform operation "
                               f"'.drop table' on '{DB}.T' (requires Table Admin)")
    assert e.value.http_status == 403


def test_role_without_its_prerequisite_is_not_effective(prepared):
    cluster = copy.deepcopy(prepared)
    session = Session(cluster, now=NOW)
    session.execute(".add table T admins ('aaduser=lonely@x.com')")
    session.principal = "aaduser=lonely@x.com"
    with pytest.raises(Forbidden):   # Table Admin needs Database User (spec 3.2)
        session.execute(".drop table T")
    session.principal = PRINCIPALS["ADA"][0]
    session.execute(f".add database {DB} users ('aaduser=lonely@x.com')")
    session.principal = "aaduser=lonely@x.com"
    session.execute(".drop table T")
    assert "T" not in cluster.database(DB).tables


def test_creator_becomes_admin(prepared):
    cluster = copy.deepcopy(prepared)
    session = Session(cluster, now=NOW)
    session.principal = PRINCIPALS["DU"][0]
    session.execute(".create table Mine (a:long)")
    session.execute(".create function MyF() { Mine }")
    rows = session.execute(".show table Mine principal roles")[0].rows
    assert ["Table:NetDefaultDB.Mine", "du (upn: du@x.com)", rows[-1][2], "Admin"] in rows
    session.execute(".create external table MyX (a:long) kind=storage dataformat=csv "
                    "('https://acct.blob.core.windows.net/myx;impersonate')")
    session.execute(".alter table Mine docstring 'mine'")
    session.execute(".drop function MyF")
    session.execute(".add external table MyX admins ('aaduser=helper@x.com')")
    # another database user cannot change it
    session.principal = PRINCIPALS["TI"][0]
    with pytest.raises(Forbidden):
        session.execute(".drop table Mine")
    with pytest.raises(Forbidden):
        session.execute(".drop external table MyX")
    # the creator's admin role can be dropped like any other
    session.principal = PRINCIPALS["DA"][0]
    session.execute(f".drop table Mine admins ('{PRINCIPALS['DU'][0]}')")
    session.principal = PRINCIPALS["DU"][0]
    with pytest.raises(Forbidden):
        session.execute(".drop table Mine")


def test_query_needs_viewer_on_every_database_it_reads(prepared):
    cluster = copy.deepcopy(prepared)
    session = Session(cluster, now=NOW)
    session.execute(".create database Other volatile")
    session.execute(".set Other.S <| print s='secret'")
    session.execute(".create function ReadsOther() { database('Other').S }")
    session.principal = PRINCIPALS["DV"][0]
    assert session.execute("T | count")[0].rows == [[1]]
    for query in ["database('Other').S", "ReadsOther()", "union T, database('Other').S"]:
        with pytest.raises(Forbidden, match="Other"):
            session.execute(query)
    session.principal = PRINCIPALS["ADV"][0]
    assert session.execute("ReadsOther()")[0].rows == [["secret"]]


DOCS = Path(__file__).resolve().parents[1] / "docs" / "security.md"


def test_docs_matrix_matches():
    """docs/security.md lists the same cases with the same expected outcomes."""
    text = DOCS.read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        m = re.match(r"^\| `(.+?)` \|(.*)\|\s*$", line)
        if m:
            cells = [c.strip() for c in m.group(2).split("|")]
            if len(cells) == len(P):
                table[m.group(1).replace("\\|", "|")] = {who for who, c in zip(P, cells) if c == "✓"}
    for _family, command, allowed in CASES:
        assert command in table, f"docs/security.md lacks `{command}`"
        assert table[command] == allowed, f"docs/security.md disagrees on `{command}`"


def test_every_command_kind_has_a_declared_permission():
    """The permission table covers every command node the parser can produce (no silent fallback)."""
    import inspect
    import pkgutil

    import kshell.syntax
    from kshell.engine import permissions
    from kshell.syntax.ast import Command

    undeclared = set()
    for mod in pkgutil.iter_modules(kshell.syntax.__path__):
        if not mod.name.startswith("cmd_"):
            continue
        module = importlib.import_module(f"kshell.syntax.{mod.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Command) and cls is not Command and cls.__module__ == module.__name__:
                undeclared.add(name)
    # PolicyCommand has its own table; OtherCommand is syntax only (never executed).
    undeclared -= set(permissions.COMMAND_PERMISSIONS) | {"PolicyCommand", "OtherCommand"}
    assert not undeclared, f"add these to kshell/engine/permissions.py COMMAND_PERMISSIONS: {sorted(undeclared)}"
