"""Property tests: any payload either succeeds or fails with a Kusto error that leaves the
policy exactly as it was; a successful merge is the ordered union of what was asked."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kshell.engine import azure
from kshell.engine.cluster import Database
from kshell.engine.managed_identity import canonical_usage, split_usages
from kshell.engine.session import Session
from kshell.errors import KustoError
from kshell.syntax.vocabulary import MANAGED_IDENTITY_USAGES

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def make_session() -> Session:
    s = Session(now=NOW)
    s.cluster.add_database(Database("db"))
    for name in ("a", "b"):
        azure.create_identity(s.cluster, name)
    azure.set_assigned(s.cluster, "a", True)  # b stays unassigned
    return s


SESSION = make_session()
IDS = {name: azure.find_identity(SESSION.cluster, name).object_id for name in ("a", "b")}

object_ids = st.sampled_from(["system", "SYSTEM", IDS["a"], IDS["a"].upper(), IDS["b"], "nope", "", None, 7])
usage_words = st.sampled_from([*MANAGED_IDENTITY_USAGES, "nativeingestion", "ExternalTables", "", " "])
usages = st.lists(usage_words, max_size=4).map(", ".join) | st.none() | st.integers()
keys = st.sampled_from(["ObjectId", "objectid", "AllowedUsages", "ALLOWEDUSAGES", "DisplayName", "Other"])


@st.composite
def policy_objects(draw):
    obj = {}
    for key in draw(st.lists(keys, max_size=4)):
        if key.lower() == "objectid":
            obj[key] = draw(object_ids)
        elif key.lower() == "allowedusages":
            obj[key] = draw(usages)
        else:
            obj[key] = draw(st.text(max_size=5))
    return obj


payloads = st.lists(policy_objects(), max_size=4).map(json.dumps) | st.text(max_size=30)


def show(s: Session, scope: str):
    return s.execute(f".show {scope} policy managed_identity")[0].rows


@settings(max_examples=250, deadline=None)
@given(verb=st.sampled_from(["alter", "alter-merge"]), scope=st.sampled_from(["cluster", "database db"]),
       first=payloads, second=payloads)
def test_any_payload_is_all_or_nothing(verb, scope, first, second):
    s = SESSION
    s.execute(f".delete {scope} policy managed_identity")
    for payload in (first, second):
        before = show(s, scope)
        try:
            s.execute(f".{verb} {scope} policy managed_identity ```{payload}```")
        except KustoError:
            assert show(s, scope) == before
            continue
        entries = json.loads(show(s, scope)[0][2])
        # Every entry is a known, assigned identity with canonical, de-duplicated usages.
        assert len({e["ObjectId"] for e in entries}) == len(entries)
        for e in entries:
            assert azure.find_by_object_id(s.cluster, e["ObjectId"]).assigned
            names = split_usages(e["AllowedUsages"])
            assert names and all(canonical_usage(n) == n for n in names)
            assert len(set(names)) == len(names)
            if scope != "cluster":
                assert "SandboxArtifacts" not in names


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from([u for u in MANAGED_IDENTITY_USAGES if u != "SandboxArtifacts"]), min_size=1, max_size=4), min_size=1, max_size=5))
def test_successive_merges_give_the_ordered_union(batches):
    s = SESSION
    s.execute(".delete database db policy managed_identity")
    expected: list[str] = []
    for batch in batches:
        payload = json.dumps([{"ObjectId": "system", "AllowedUsages": ", ".join(u.lower() for u in batch)}])
        s.execute(f".alter-merge database db policy managed_identity ```{payload}```")
        for u in batch:
            if u not in expected:
                expected.append(u)
    assert json.loads(show(s, "database db")[0][2])[0]["AllowedUsages"] == ", ".join(expected)
