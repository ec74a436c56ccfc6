"""Issue 16: a function given an argument of the wrong type is a Kusto-style SemanticError,
decided once from the function's documented parameter types (kshell/query/signatures.py),
never a made-up answer (`ipv4_compare("1.2.3.4", 5)` was 1) or a Python message
(`strrep("a", "day")` said "invalid literal for int()").  End to end through `kshell`.
"""

from __future__ import annotations

import re

import pytest

from conftest import run_kshell

PYTHON_WORDS = re.compile(r"int\(\)|float\(\)|NoneType|object|'str'|'int'|'list'|unsupported operand|"
                          r"has no attribute|not subscriptable|invalid literal|unhashable|iterable")


@pytest.mark.parametrize("query, message", [
    ('print strrep("a", "day")', "function 'strrep': argument 2 must be a value of type long (or int), not string"),
    ('print ipv4_compare("1.2.3.4", 5)', "function 'ipv4_compare': argument 2 must be a value of type string, not long"),
    ('print ipv4_compare(5, "1.2.3.4")', "function 'ipv4_compare': argument 1 must be a value of type string, not long"),
    ('print ipv4_is_match("1.2.3.4", 5)', "function 'ipv4_is_match': argument 2 must be a value of type string"),
    ('print ipv4_is_in_range(5, "1.2.3.4/8")', "function 'ipv4_is_in_range': argument 1 must be a value of type string"),
    ('print ipv6_compare(1, "::1")', "function 'ipv6_compare': argument 1 must be a value of type string"),
    ('print ipv6_is_match("::1", 1.5)', "function 'ipv6_is_match': argument 2 must be a value of type string"),
    ('print parse_ipv4(1)', "function 'parse_ipv4': argument 1 must be a value of type string"),
    ('print ipv4_compare("1.2.3.4", "1.2.3.5", "8")',
     "function 'ipv4_compare': argument 3 must be a value of type long (or int), not string"),
    ('print substring("abc", "x")', "function 'substring': argument 2 must be a value of type long (or int)"),
    ('print abs("x")', "function 'abs' is not compatible with arguments (string)"),
    ('print startofday(1)', "function 'startofday': argument 1 must be a value of type datetime, not long"),
    ('print strrep("a", dynamic(["x"]))', "function 'strrep' cannot be applied to the given argument values (string, dynamic)"),
    ('print max_of(1, "x")', "function 'max_of' cannot be applied to the given argument values (long, string)"),
    ('print column_ifexists(dynamic([1]), 1)', "function 'column_ifexists': argument 1 must be a constant string"),
])
def test_wrong_argument_types_are_kusto_errors(query, message):
    code, out, err = run_kshell(query + "\n")
    assert code != 0 and out == ""
    assert "Traceback" not in err and not PYTHON_WORDS.search(err), err
    assert f"SemanticError: {message}" in err, err


def test_right_argument_types_still_run_dynamic_decided_per_value():
    code, out, err = run_kshell(
        'print a = ipv4_compare("1.2.3.4", "1.2.3.4"), b = strrep("ab", int(2)), '
        'c = ipv4_compare(tostring(dynamic("10.0.0.1")), "10.0.0.2"), d = strrep("x", dynamic(3)), '
        'e = range(1h, 3h), f = bin_at(datetime(2020-01-01 10:00), 1h, datetime(2020-01-01 00:30))\n',
        "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == [
        "a,b,c,d,e,f",
        '0,abab,-1,xxx,"[""01:00:00"",""02:00:00"",""03:00:00""]",2020-01-01T09:30:00Z']


@pytest.mark.parametrize("query, message", [
    ('range x from 1 to 5 step "x"', "range: a numeric range needs a numeric end and step"),
    ("range x from 1s to 5s step 1", "range: a timespan range needs a timespan end and step"),
    ('print x=1 | make-series c=count() on x from "a" to 3 step 1',
     "make-series: the axis (long), 'from', 'to' and 'step' must be numbers"),
])
def test_operator_arguments_of_the_wrong_type_are_kusto_errors(query, message):
    # each raised a Python TypeError ("unsupported operand type(s) for -") before
    code, out, err = run_kshell(query + "\n")
    assert code != 0 and "internal error" not in err and not PYTHON_WORDS.search(err), err
    assert f"SemanticError: {message}" in err, err


def test_pow_past_the_largest_double_is_infinity():
    code, out, err = run_kshell("print a = pow(10, 10000), b = pow(-10, 10001), c = exp(10000)\n", "--format", "csv")
    assert out.splitlines() == ["a,b,c", "Infinity,-Infinity,Infinity"], err


@pytest.mark.parametrize("query, message", [
    ('print x = "a" | summarize sum(x)', "aggregate 'sum': argument 1 must be a value of type number"),
    ("print x = true | summarize avg(x)", "aggregate 'avg': argument 1 must be a value of type number"),
    ('print x = 1 | summarize percentile(x, "a")', "aggregate 'percentile': argument 2 must be a value of type number"),
    ('print x = 1 | summarize make_list(x, "a")', "aggregate 'make_list': argument 2 must be a value of type long"),
])
def test_aggregate_arguments_of_the_wrong_type_are_kusto_errors(query, message):
    # sum("a") was 0 and sum(true) 1
    code, out, err = run_kshell(query + "\n")
    assert code != 0 and f"SemanticError: {message}" in err, err
