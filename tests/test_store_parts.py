"""The cluster metadata stored as parts: every change survives a reopen, and a
request writes in proportion to what it changed, not to the cluster's size."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3

from kshell.directives import ShellState
from kshell.errors import KustoError
from kshell.script import execute_request
from kshell.store.file import SCHEMA_VERSION
from kshell.store import close_session, open_session

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def guid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def random_requests(rng: random.Random, n: int) -> list[str]:
    """Management requests of many kinds, some of which fail (they must change nothing)."""
    out = []
    for i in range(n):
        db = f"D{rng.randrange(4)}"
        t = f"T{rng.randrange(5)}"
        k = rng.randrange(14)
        if k == 0:
            out.append(f".create database {db} volatile")
        elif k == 1:
            out.append(f".create table {db}.{t} (a:long, s:string)")
        elif k == 2:
            out.append(f".ingest inline into table {db}.{t} <| {i},x{i}")
        elif k == 3:
            out.append(f".add database {db} viewers ('aaduser=u{rng.randrange(6)}@contoso.com')")
        elif k == 4:
            out.append(f".drop database {db} viewers ('aaduser=u{rng.randrange(6)}@contoso.com')")
        elif k == 5:
            out.append(f"#identity create mi{i} objectid={guid(i)}")
        elif k == 6:
            out.append(f".alter-merge cluster policy managed_identity "
                       f"```[{{\"ObjectId\": \"system\", \"AllowedUsages\": \"{rng.choice(['NativeIngestion', 'ExternalTable'])}\"}}]```")
        elif k == 7:
            out.append(f".create-or-alter function with (folder='f{i}') {db}_F{rng.randrange(3)}() {{ print {i} }}")
        elif k == 8:
            out.append(f".drop table {db}.{t} ifexists")
        elif k == 9:
            out.append(f".alter table {db}.{t} docstring 'doc {i}'")
        elif k == 10:
            out.append(f".drop database {db} ifexists")
        elif k == 11:
            out.append(f".add cluster viewers ('aaduser=c{rng.randrange(4)}@contoso.com')")
        elif k == 12:
            out.append(f"#time advance {rng.randrange(1, 100)}m")
        else:
            out.append(f".rename table {db}.{t} to {t}x")
    return out


SHOWS = [
    ".show databases", ".show cluster principals", ".show cluster policy managed_identity", "#identity list",
]


def snapshot(state: ShellState) -> list:
    out = []
    shows = list(SHOWS)
    for db in sorted(state.session.cluster.databases.values(), key=lambda d: d.name):
        shows += [f".show database {db.name} principals", f".show database {db.name} schema as json",
                  f".show functions", f"database('{db.name}').T0 | count"]
    for text in shows:
        try:
            got = execute_request(state, text)
        except KustoError as e:
            got = ("error", e.kind)
        if isinstance(got, list):
            got = [[list(map(repr, row)) for row in r.rows] for r in got]
        out.append((text, got))
    out.append(("now", state.session.cluster.now))
    return out


def run(state: ShellState, text: str) -> None:
    try:
        execute_request(state, text)
    except KustoError:
        pass  # a failed request changes nothing


def test_random_management_requests_survive_reopening_at_any_point(tmp_path):
    for seed in range(3):
        rng = random.Random(seed)
        path = str(tmp_path / f"r{seed}.kshell")
        state = ShellState(session=open_session(path, now=NOW))
        for step, text in enumerate(random_requests(rng, 160)):
            run(state, text)
            if step % 40 == 39:
                before = snapshot(state)
                close_session(state.session)
                state = ShellState(session=open_session(path))
                assert state.session.sync() is False  # what was read is exactly what is stored
                assert snapshot(state) == before, (seed, step)
        close_session(state.session)


def test_a_request_writes_what_it_changed_not_the_whole_cluster(tmp_path):
    path = str(tmp_path / "big.kshell")
    state = ShellState(session=open_session(path, now=NOW))
    store = state.session.store
    for i in range(200):
        run(state, f"#identity create mi{i} objectid={guid(i)}")
    for d in range(30):
        run(state, f".create database D{d} volatile")
        for t in range(5):
            run(state, f".create table D{d}.T{t} (a:long)")
        run(state, f".add database D{d} viewers ('aaduser=u{d}@contoso.com')")
    parts = store._conn.execute("SELECT count(*) FROM kshell_parts").fetchone()[0]
    assert parts > 500

    run(state, ".create table D7.New (a:long)")
    assert store.last_write["parts"] <= 3 and store.last_write["tables"] == 1, store.last_write
    run(state, ".add database D3 viewers ('aaduser=someone@contoso.com')")
    assert store.last_write["parts"] == 1 and store.last_write["tables"] == 0, store.last_write
    run(state, f"#identity create another objectid={guid(999)}")
    assert store.last_write["parts"] <= 3, store.last_write
    run(state, ".ingest inline into table D1.T1 <| 5")
    assert store.last_write["parts"] <= 3 and store.last_write["chunks"] == 1, store.last_write
    close_session(state.session)

    s = open_session(path)
    assert "New" in s.get_database("D7").tables
    assert s.get_database("D1").tables["T1"].row_count == 1
    close_session(s)


def test_an_in_place_change_to_a_stored_record_is_written(tmp_path):
    # Records inside dict entries (identities) are changed in place by some commands.
    path = str(tmp_path / "ids.kshell")
    state = ShellState(session=open_session(path, now=NOW))
    run(state, f"#identity create mi1 objectid={guid(1)}")
    record = next(r for r in state.session.cluster.identities.values() if r.name == "mi1")
    record.display_name = "renamed in place"
    state.session.sync()
    close_session(state.session)
    s = open_session(path)
    assert any(r.display_name == "renamed in place" for r in s.cluster.identities.values())
    # Stored records still compare and print like records of their own class.
    r = next(r for r in s.cluster.identities.values() if r.name == "mi1")
    assert repr(r).startswith("ManagedIdentity(") and r == type(r).__mro__[0](**{
        f: getattr(r, f) for f in r.__dataclass_fields__})
    close_session(s)


def test_a_version_1_file_is_read_and_rewritten_as_parts(tmp_path):
    from kshell.engine.cluster import Table
    from kshell.store.codec import Encoder

    path = str(tmp_path / "v1.kshell")
    state = ShellState(session=open_session(path, now=NOW))
    for text in [".create table T (a:long)", ".ingest inline into table T <| 7",
                 ".add database NetDefaultDB viewers ('aaduser=v@contoso.com')",
                 f"#identity create mi objectid={guid(3)}"]:
        execute_request(state, text)
    before = snapshot(state)
    store = state.session.store
    # What version 1 wrote: one cluster document in kshell_meta, tables aside.
    tid_of = {id(w.table): tid for tid, w in store._written.items()}
    doc = Encoder(lambda t: {"$ext": tid_of[id(t)]}, special_type=Table).encode(state.session.cluster)
    close_session(state.session)
    with sqlite3.connect(path) as c:
        c.execute("DROP TABLE kshell_parts")
        c.execute("INSERT INTO kshell_meta(key, value) VALUES ('cluster', ?)", (json.dumps(doc),))
        c.execute("PRAGMA user_version=1")
    c.close()

    state = ShellState(session=open_session(path))
    assert snapshot(state) == before
    execute_request(state, ".create table U (a:long)")
    close_session(state.session)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert c.execute("SELECT count(*) FROM kshell_meta WHERE key='cluster'").fetchone()[0] == 0
    c.close()
    state = ShellState(session=open_session(path))
    after = snapshot(state)
    assert "U" in state.session.database.tables
    close_session(state.session)
    assert [a for a in after if a[0] != ".show database NetDefaultDB schema as json"] == \
        [b for b in before if b[0] != ".show database NetDefaultDB schema as json"]


def test_long_lists_are_stored_in_parts_and_come_back_whole(tmp_path):
    """A list of more than 64 elements is stored 64 elements per part: appending or
    changing one element writes one part; growing, shrinking and emptying come back whole."""
    path = str(tmp_path / "lists.kshell")
    state = ShellState(session=open_session(path, now=NOW))
    store = state.session.store
    for i in range(150):
        execute_request(state, f".add database NetDefaultDB viewers ('aaduser=u{i}@contoso.com')")
    assert store.last_write["parts"] == 1  # the 3rd part of the principals list only
    for i in range(100):
        execute_request(state, f"#identity create mi{i} objectid={guid(i)}")
        execute_request(state, f"#identity assign mi{i}")
    entries = ",".join(f'{{"ObjectId": "{guid(i)}", "AllowedUsages": "NativeIngestion"}}' for i in range(100))
    execute_request(state, f".alter-merge cluster policy managed_identity ```[{entries}]```")
    execute_request(state, f".alter-merge cluster policy managed_identity "
                           f"```[{{\"ObjectId\": \"{guid(70)}\", \"AllowedUsages\": \"ExternalTable\"}}]```")
    assert store.last_write["parts"] == 1, store.last_write  # the one part holding entry 70
    before = snapshot(state)
    close_session(state.session)
    state = ShellState(session=open_session(path))
    assert state.session.sync() is False
    assert snapshot(state) == before
    for i in range(140):  # shrink below one part, then to nothing
        execute_request(state, f".drop database NetDefaultDB viewers ('aaduser=u{i}@contoso.com')")
    mid = snapshot(state)
    close_session(state.session)
    state = ShellState(session=open_session(path))
    assert snapshot(state) == mid
    for i in range(140, 150):
        execute_request(state, f".drop database NetDefaultDB viewers ('aaduser=u{i}@contoso.com')")
    end = snapshot(state)
    close_session(state.session)
    state = ShellState(session=open_session(path))
    assert snapshot(state) == end
    close_session(state.session)
    with sqlite3.connect(path) as c:
        left = c.execute("""SELECT count(*) FROM kshell_parts WHERE key LIKE '["c","databases","netdefaultdb","principals",%'""").fetchone()[0]
    c.close()
    assert left == 0  # no stale parts of the once-long list


def test_a_long_list_changed_in_any_way_comes_back_as_it_was_left(tmp_path):
    """Elements keep their stored text only where they are the same object, at the same
    place, with the same plain fields: shifts, shrinking mid-part, in-place changes
    (nested ones too) and reordering are all written."""
    path = str(tmp_path / "shapes.kshell")
    session = open_session(path, now=NOW)
    session.cluster.policies["kshell_test_list"] = [
        {"n": i, "tags": ["a"]} if i == 8 else {"n": i} for i in range(200)]
    session.sync()
    shapes = [
        lambda items: items.__setitem__(slice(None), items[:150]),  # shrink inside the third part
        lambda items: items.insert(0, {"n": -1}),                   # every element moves
        lambda items: items.pop(70),
        lambda items: items[9]["tags"].append("b"),                 # in place, in a nested list
        lambda items: items[5].update(n=555),                       # in place, a plain field
        lambda items: items.reverse(),
        lambda items: items.extend({"n": 1000 + i} for i in range(70)),
        lambda items: items.__setitem__(3, {"n": 3.5}),
    ]
    for k, change in enumerate(shapes):  # one session: each write compares with the one before
        items = session.cluster.policies["kshell_test_list"]
        change(items)
        expected = json.loads(json.dumps(items))
        assert session.sync() is True
        copy = str(tmp_path / f"copy{k}.kshell")
        session.store.backup_to(copy)
        reopened = open_session(copy)
        assert reopened.cluster.policies["kshell_test_list"] == expected, k
        close_session(reopened)
    close_session(session)
