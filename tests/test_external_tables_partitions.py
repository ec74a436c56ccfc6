"""Partition values, path rendering and parsing (kshell.engine.external_partitions)."""

from __future__ import annotations

import datetime as dt

import pytest

from kshell.engine import external_partitions as parts
from kshell.errors import BadRequest
from kshell.syntax.cmd_external_table import PartitionSpec, PathFormatItem

UTC = dt.timezone.utc
T = dt.datetime(2024, 3, 5, 7, 8, 9, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize("fmt, text", [
    ("'year='yyyy'/month='MM", "year=2024/month=03"),
    ("year={yyyy}/month={MM}", "year=2024/month=03"),
    ("yyyyMMdd", "20240305"),
    ("yyyy/MM/dd/HH/mm", "2024/03/05/07/08"),
    ("yyyy'/Month='MM'/Day='dd", "2024/Month=03/Day=05"),
])
def test_datetime_patterns(fmt, text):
    assert parts.render_datetime(T, fmt) == text


@pytest.mark.parametrize("function, step, expected", [
    ("bin", 86400.0, dt.datetime(2024, 3, 5, tzinfo=UTC)),
    ("bin", 3600.0, dt.datetime(2024, 3, 5, 7, tzinfo=UTC)),
    ("startofday", 0, dt.datetime(2024, 3, 5, tzinfo=UTC)),
    ("startofweek", 0, dt.datetime(2024, 3, 3, tzinfo=UTC)),
    ("startofmonth", 0, dt.datetime(2024, 3, 1, tzinfo=UTC)),
    ("startofyear", 0, dt.datetime(2024, 1, 1, tzinfo=UTC)),
])
def test_datetime_partition_functions(function, step, expected):
    assert parts.partition_value(PartitionSpec("D", "datetime", "T", function, step), T) == expected


@pytest.mark.parametrize("function, step, path", [
    ("bin", 86400.0, "2024/03/05"), ("bin", 3600.0, "2024/03/05/07"), ("bin", 60.0, "2024/03/05/07/08"),
    ("startofmonth", 0, "2024/03"), ("startofyear", 0, "2024"),
])
def test_default_path_formats_round_trip(function, step, path):
    spec = PartitionSpec("D", "datetime", "T", function, step)
    value = parts.partition_value(spec, T)
    assert parts.render_path([spec], None, {"D": value}) == path
    assert parts.PathParser([spec], None).parse(path) == {"D": value}


def test_hash_is_stable_and_in_range():
    spec = PartitionSpec("H", "long", "C", "hash", modulo=10)
    values = {parts.partition_value(spec, f"customer{i}") for i in range(200)}
    assert values <= set(range(10)) and len(values) > 5
    assert parts.partition_value(spec, "x") == parts.partition_value(spec, "x")


def test_string_and_datetime_path_parsing():
    specs = [PartitionSpec("C", "string", "Customer"), PartitionSpec("D", "datetime", "T", "startofday")]
    fmt = [PathFormatItem("customer=", False), PathFormatItem("C", True), PathFormatItem("/dt=", False),
           PathFormatItem("D", True, "yyyyMMdd")]
    path = parts.render_path(specs, fmt, {"C": "Contoso", "D": dt.datetime(2024, 3, 5, tzinfo=UTC)})
    assert path == "customer=Contoso/dt=20240305"
    parser = parts.PathParser(specs, fmt)
    assert parser.parse(path + "/more") == {"C": "Contoso", "D": dt.datetime(2024, 3, 5, tzinfo=UTC)}
    assert parser.parse("customer=Contoso/dt=2024") is None
    assert parser.parse("other/dt=20240305") is None


@pytest.mark.parametrize("partitions, fmt, match", [
    ([PartitionSpec("D", "datetime", "x", "bin", 86400.0)], None, "datetime column"),
    ([PartitionSpec("D", "string", "T", "startofday")], None, "datetime partition"),
    ([PartitionSpec("H", "string", "s", "hash", modulo=3)], None, "long"),
    ([PartitionSpec("V", "long")], None, "string or datetime"),
    ([PartitionSpec("s", "string")], None, "name of a column"),
    ([PartitionSpec("A", "string", "s"), PartitionSpec("A", "string", "s")], None, "twice"),
    ([PartitionSpec("A", "string", "s"), PartitionSpec("B", "string", "s")],
     [PathFormatItem("A", True), PathFormatItem("B", True)], "separated"),
    ([PartitionSpec("A", "string", "s"), PartitionSpec("B", "string", "s")],
     [PathFormatItem("A", True)], "does not use"),
    ([PartitionSpec("A", "string", "s")], [PathFormatItem("A", True, "yyyy")], "datetime partitions"),
])
def test_invalid_definitions(partitions, fmt, match):
    with pytest.raises(BadRequest, match=match):
        parts.validate(partitions, fmt, {"x": "long", "s": "string", "T": "datetime"})


def test_string_values_with_slashes_stay_one_folder():
    spec = PartitionSpec("C", "string", "s")
    path = parts.render_path([spec], None, {"C": "a/b%c"})
    assert path == "a%2Fb%25c"
    assert parts.PathParser([spec], None).parse(path) == {"C": "a/b%c"}
