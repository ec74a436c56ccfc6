"""The lenient policy JSON reader shared by the ManagedIdentity and update policies."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kshell.engine.policy_json import canonical_keys, parse_json, parse_policy_array
from kshell.errors import BadRequest, KustoError


def test_single_quoted_keys_and_strings_of_the_ingest_doc():
    text = "[ { 'ObjectId' : '<managed_identity_id>', 'AllowedUsages' : 'NativeIngestion' }]"
    assert parse_policy_array(text, "ManagedIdentity") == [
        {"ObjectId": "<managed_identity_id>", "AllowedUsages": "NativeIngestion"}]


def test_newtonsoft_leniencies():
    text = """
    // a comment
    [ { ObjectId: 'sys\\'tem', "n": -1.5e2, 'ok': TRUE, /* inline */ "none": Null, "arr": [1, 2,], }, ]
    """
    assert parse_policy_array(text, "X") == [
        {"ObjectId": "sys'tem", "n": -150.0, "ok": True, "none": None, "arr": [1, 2]}]


def test_escapes():
    assert parse_json(r'"a\"b\\c\/d\n\t\u00e9"', "X") == 'a"b\\c/d\n\té'
    assert parse_json(r"'it\'s \"fine\"'", "X") == 'it\'s "fine"'


@pytest.mark.parametrize("text,needle", [
    ("", "empty"),
    ("   // only a comment", "empty"),
    ("[", "line 1, column 2"),
    ('[{"a": 1}', "expected ',' or ']'"),
    ('[{"a" 1}]', "expected ':' after property name 'a'"),
    ('[{"a": }]', "expected a value"),
    ("[{'a': 'unterminated}]", "unterminated string"),
    (r'["\q"]', "invalid escape"),
    ('[] []', "unexpected text after the JSON value"),
    ("[1] /* open", "unterminated /* comment"),
    ("[\n  {\n    \"a\": nope\n  }\n]", "line 3, column 10"),
    ("[" * 1000, "nested too deeply"),
])
def test_malformed_text_is_a_bad_request_naming_the_policy(text, needle):
    with pytest.raises(BadRequest) as info:
        parse_policy_array(text, "ManagedIdentity")
    assert info.value.message.startswith("ManagedIdentity policy: ")
    assert needle in info.value.message


@pytest.mark.parametrize("text,needle", [
    ('{"a": 1}', "expected a JSON array of policy objects, got an object"),
    ('"[]"', "got a string"),
    ("null", "got null"),
    ('[{"a": 1}, 2]', "element 2 of the array is a number"),
    ('[[]]', "element 1 of the array is an array"),
])
def test_wrong_shape(text, needle):
    with pytest.raises(BadRequest, match=needle):
        parse_policy_array(text, "Update")


def test_canonical_keys_matches_case_insensitively_and_keeps_unknown_ones():
    obj = {"objectid": "a", "ALLOWEDUSAGES": "b", "Extra": 1}
    assert canonical_keys(obj, ("ObjectId", "AllowedUsages")) == {"ObjectId": "a", "AllowedUsages": "b", "Extra": 1}
    assert canonical_keys({"isenabled": False, "IsEnabled": True}, ("IsEnabled",)) == {"IsEnabled": True}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_reads_everything_strict_json_writes(value):
    assert parse_json(json.dumps(value), "X") == value
    assert parse_json(json.dumps(value, ensure_ascii=False, indent=2), "X") == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]{}:,'\"\\/*-0123456789.eE aAtrufslnN\n", max_size=40))
def test_never_fails_with_anything_but_a_kusto_error(text):
    try:
        parse_json(text, "X")
    except KustoError:
        pass
