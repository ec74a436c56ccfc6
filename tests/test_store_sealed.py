"""Reads of the cluster's and databases' fields are not noted once their values note
their own changes (kshell.store.parts: sealed fields), so every change must reach the
file through a note: after each random request or in-place change below, what the
file holds is exactly a fresh encoding of the live cluster, and a reopened copy
answers like the live session."""

from __future__ import annotations

import datetime as dt
import json
import random

from kshell.directives import ShellState
from kshell.errors import KustoError
from kshell.script import execute_request
from kshell.store import close_session, open_session
from kshell.store.parts import ClusterParts
from kshell.store.tracking import TrackedDict, TrackedList

from test_store_parts import NOW, guid, random_requests, snapshot

USERS = [f"aaduser=u{i}@contoso.com" for i in range(6)]


def run(state: ShellState, text: str) -> None:
    try:
        execute_request(state, text)
    except KustoError:
        pass  # a failed request changes nothing


def more_requests(rng: random.Random, i: int) -> str:
    """Requests that change lists and records in place (notes, role sets, merges)."""
    db = f"D{rng.randrange(4)}"
    k = rng.randrange(11)
    if k == 9:  # a piped command whose query fails: the cluster is put back from a deep copy
        return f".add database {db} viewers ('{rng.choice(USERS)}') | where nosuchcolumn == 1"
    if k == 10:
        return f".add database {db} admins ('{rng.choice(USERS)}') | take 1"
    if k == 0:
        return f".add database {db} viewers ('{rng.choice(USERS)}') '{rng.choice(['a', 'b'])} {i}'"
    if k == 1:
        return f".set database {db} viewers ('{rng.choice(USERS)}', '{rng.choice(USERS)}')"
    if k == 2:
        return f".set database {db} admins none"
    if k == 3:
        return (f".alter-merge database {db} policy managed_identity "
                f"```[{{\"ObjectId\": \"system\", \"AllowedUsages\": \"{rng.choice(['NativeIngestion', 'ExternalTable'])}\"}}]```")
    if k == 4:
        return f".delete database {db} policy managed_identity"
    if k == 5:
        return f".add cluster viewers ('{rng.choice(USERS)}') 'note {i}'"
    if k == 6:
        return f".drop cluster viewers ('{rng.choice(USERS)}')"
    if k == 7:
        return f"#identity {rng.choice(['assign', 'unassign'])} mi{rng.randrange(i + 1)}"
    return f".delete cluster policy managed_identity"


def poke(rng: random.Random, state: ShellState, i: int) -> None:
    """An in-place change reaching the state from the cluster, as a handler would
    (no request: the test writes it with session.sync())."""
    c = state.session.cluster
    k = rng.randrange(12)
    items = c.policies.get("kshell_test")
    if k == 0 or items is None:
        c.policies["kshell_test"] = [{"n": j} for j in range(rng.randrange(1, 90))]
    elif k == 1:
        items.append({"n": i})
    elif k == 2 and items:
        items[rng.randrange(len(items))]["n"] = i            # an element dict changed in place
    elif k == 3 and items:
        items[rng.randrange(len(items))] = {"n": -i}
    elif k == 4 and items:
        del items[rng.randrange(len(items))]
    elif k == 5:
        items.append({"tags": ["a"]})                          # an element that cannot note changes
    elif k == 6:
        for e in items:
            if "tags" in e:
                e["tags"].append(str(i))                       # nested, in place
    elif k == 7:
        items.reverse()
    elif k == 8:
        c.groups.setdefault("aadgroup=g@contoso.com", []).append(rng.choice(USERS))
    elif k == 9:
        c.extras.setdefault("kshell_test", [])
        c.extras["kshell_test"].append(i)
    elif k == 10 and c.principals:
        c.principals[rng.randrange(len(c.principals))].notes = f"poked {i}"
    else:
        dbs = list(c.databases.values())
        if dbs:
            db = rng.choice(dbs)
            if db.principals:
                db.principals[rng.randrange(len(db.principals))].notes = f"poked {i}"
            db.principals.sort(key=lambda a: a.notes)


def file_is_the_live_cluster(state: ShellState) -> None:
    """The parts the file holds are exactly what encoding the live cluster afresh gives
    (once pending changes are written: a failed request may have created the system
    identity, which it does not write, but the next write does)."""
    state.session.sync()
    store = state.session.store
    fresh = ClusterParts(lambda t: store._tid_of[id(t)], watch=False)
    expected = {p: t for p, t in fresh.changes(state.session.cluster, {}, True).items() if t is not None}
    in_file = {tuple(json.loads(k)): doc for k, doc in store._conn.execute("SELECT key, doc FROM kshell_parts")}
    assert in_file == expected, sorted(set(in_file.items()) ^ set(expected.items()))[:4]


def test_every_change_reaches_the_file_though_reads_are_not_noted(tmp_path):
    for seed in range(3):
        rng = random.Random(seed)
        path = str(tmp_path / f"s{seed}.kshell")
        state = ShellState(session=open_session(path, now=NOW))
        base = random_requests(rng, 120)
        for step in range(240):
            r = rng.random()
            if r < 0.45:
                run(state, base[step // 2])
            elif r < 0.75:
                run(state, more_requests(rng, step))
            else:
                poke(rng, state, step)
                state.session.sync()
            file_is_the_live_cluster(state)
            if step % 80 == 79:
                before = snapshot(state)
                close_session(state.session)
                state = ShellState(session=open_session(path))
                assert state.session.sync() is False
                assert snapshot(state) == before, (seed, step)
        close_session(state.session)


def test_reading_a_sealed_field_notes_nothing_and_an_in_place_change_is_still_written(tmp_path):
    from kshell.store import tracking

    path = str(tmp_path / "r.kshell")
    state = ShellState(session=open_session(path, now=NOW))
    for i in range(30):
        run(state, f"#identity create mi{i} objectid={guid(i)}")
        run(state, f".add database NetDefaultDB viewers ('aaduser=u{i}@contoso.com')")
    c = state.session.cluster
    db = c.databases["netdefaultdb"]
    assert type(c.identities) is TrackedDict and type(db.principals) is TrackedList
    run(state, ".show database NetDefaultDB principals")
    assert state.session.sync() is False
    before = set(tracking.touched)
    len(c.identities), list(db.principals), c.now, db.name  # reads of sealed fields: free
    assert set(tracking.touched) == before
    db.principals[3].notes = "changed in place"  # a record of a sealed list notes its change
    assert state.session.sync() is True and state.session.store.last_write["parts"] == 1
    file_is_the_live_cluster(state)
    close_session(state.session)
    reopened = open_session(path)
    assert reopened.cluster.databases["netdefaultdb"].principals[3].notes == "changed in place"
    close_session(reopened)


def test_a_copy_of_a_stored_container_is_a_plain_one(tmp_path):
    import copy

    state = ShellState(session=open_session(str(tmp_path / "c.kshell"), now=NOW))
    run(state, ".add database NetDefaultDB viewers ('aaduser=u1@contoso.com')")
    principals = state.session.cluster.databases["netdefaultdb"].principals
    assert type(principals) is TrackedList
    for clone in (copy.copy(principals), copy.deepcopy(principals)):
        assert type(clone) is list and clone == principals
    close_session(state.session)
