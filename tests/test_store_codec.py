"""The generic metadata codec of the state file: every value kind, shared records, refusals."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import pathlib
import uuid
from dataclasses import dataclass, field

import pytest

from kshell.engine.cluster import Column, Database, Extent, Function, Table, new_cluster
from kshell.store.codec import CodecError, Decoder, Encoder


# Records defined in this test module count as "ours" for these tests.
PACKAGES = ("kshell", __name__)


def round_trip(value):
    text = json.dumps(Encoder(allowed=PACKAGES).encode(value))
    return Decoder(allowed=PACKAGES).decode(json.loads(text))


@dataclass(slots=True)
class Holder:  # a record type the codec has never heard of
    name: str
    items: list = field(default_factory=list)
    mapping: dict = field(default_factory=dict)
    other: "Holder | None" = None
    _cache: object = None
    parsed: object = None


@dataclass(frozen=True, slots=True)
class Frozen:
    a: int
    b: tuple = ()


def test_plain_and_engine_values_round_trip_exactly():
    value = {
        "none": None, "bool": True, "int": 2**70, "float": 1.5, "nan_free": -0.0, "str": "é\u2028\udcff",
        "datetime": dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.timezone.utc),
        "naive": dt.datetime(2024, 1, 1, 1, 2, 3),
        "date": dt.date(2020, 1, 1),
        "timespan": dt.timedelta(days=-3, seconds=5, microseconds=7),
        "guid": uuid.UUID("74be27de-1e4e-49d9-b579-fe0b331d3642"),
        "decimal": decimal.Decimal("-12.3400"),
        "tuple": (1, "a", (2,)),
        "set": {3, 1, 2}, "frozenset": frozenset({"x"}),
        "bytes": b"\x00\xff",
        "path": pathlib.Path("/tmp/storage/account"),
        "list": [1, [2, {"k": "v"}]],
    }
    back = round_trip(value)
    assert back == value
    for k in value:
        assert type(back[k]) is type(value[k]), k


def test_dict_keys_that_are_not_plain_strings_keep_their_types_and_order():
    value = {"$type": 1, "a": {"$ref": 0}, 3: "int key", ("t", 1): None, None: 5}
    back = round_trip(value)
    assert back == value
    assert list(back) == list(value)


def test_a_new_record_type_round_trips_without_registration():
    h = Holder("h", [Frozen(1, (2, 3))], {"k": Frozen(4)})
    back = round_trip(h)
    assert back == h
    assert isinstance(back.items[0], Frozen)


def test_shared_records_stay_shared_and_cycles_survive():
    shared = Holder("shared")
    a = Holder("a", [shared, shared], {"s": shared})
    a.other = a  # a cycle
    back = round_trip(a)
    assert back.items[0] is back.items[1] is back.mapping["s"]
    assert back.other is back


def test_cache_fields_are_not_stored():
    h = Holder("h", _cache=object(), parsed=object())
    back = round_trip(h)
    assert back._cache is None and back.parsed is None
    f = Function("F", "()", "{ print 1 }", parsed=object())
    assert round_trip(f).parsed is None


def test_cluster_state_model_round_trips():
    c = new_cluster(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    db = c.add_database(Database("Other", pretty_name="pretty"))
    db.functions["F"] = Function("F", "(x:long)", "{ x }", folder="f")
    db.policies["managed_identity"] = [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}]
    c.groups["aadgroup=g@x.com"] = ["aaduser=a@x.com"]
    c.extras["anything"] = {"nested": [dt.timedelta(1)]}
    back = round_trip(c)
    assert back == c


def test_values_of_foreign_types_are_refused():
    class Foreign:
        pass

    with pytest.raises(CodecError):
        Encoder().encode({"x": Foreign()})


def test_records_of_other_packages_are_refused_when_writing():
    with pytest.raises(CodecError):
        Encoder().encode(Holder("h"))


def test_loading_only_builds_kshell_classes():
    for name in ("os:system", "builtins:object", "subprocess:Popen", "kshellx.mod:C", "kshell.errors:nothing"):
        with pytest.raises(CodecError):
            Decoder().decode({"$dc": name, "f": {}})


def test_a_field_missing_from_an_older_file_gets_its_default():
    encoded = Encoder().encode(Table("T", [Column("a", "long")]))
    del encoded["f"]["folder"], encoded["f"]["policies"]
    back = Decoder().decode(encoded)
    assert back.folder == "" and back.policies == {}


def test_extent_records_round_trip():
    e = Extent(uuid.uuid4(), 0, 3, dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), ["tag"])
    assert round_trip([e]) == [e]
