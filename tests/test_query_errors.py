"""Semantic errors: Kusto-like messages with the position of the offending node."""

from __future__ import annotations

import pytest

from kshell.engine.session import Session
from kshell.errors import DatabaseNotFound, EntityNotFound, KustoError, NotSupported, SemanticError

ERRORS = [
    ("print x", SemanticError, "Failed to resolve scalar expression named 'x'", (1, 7)),
    ("NoSuchTable | take 1", SemanticError, "Failed to resolve table or column expression named 'NoSuchTable'", (1, 1)),
    ("print 1\n| where y == 2", SemanticError, "Failed to resolve scalar expression named 'y'", (2, 9)),
    ("print 1 + 'a'", SemanticError, "not defined for operands of types long and string", (1, 7)),
    ("print 'a' > 1", SemanticError, "Cannot compare values of types string and long", (1, 7)),
    ("print strlen()", SemanticError, "expects 1 argument(s), got 0", (1, 7)),
    ("print sum(1)", SemanticError, "can only be used in the context of summarize", (1, 7)),
    ("print nosuchfn(1)", SemanticError, "Failed to resolve scalar expression named 'nosuchfn'", (1, 7)),
    ("range x from 1 to 3 step 1 | project-away zz", SemanticError, "named 'zz'", None),
    ("print a = 1 | join (print b = 2) on a", SemanticError, "'a' on the right side", None),
    ("print 1 | where 5", SemanticError, "must be of type bool", (1, 17)),
    ("print d = 1 | extend e = d.a", SemanticError, "requires a dynamic value", None),
    ("database('nope').T", DatabaseNotFound, "nope", None),
    ("let f = (a:long) { a + 1 }; print f()", SemanticError, "no value for parameter 'a'", None),
    ("print x = 1 | project x, x", SemanticError, "used more than once", None),
    ("print 1 | take 'a'", SemanticError, "constant number", None),
    ("datatable(a:long)['x']", SemanticError, "cannot be stored in column 'a'", None),
    ("print 1 | summarize x = 1", SemanticError, "aggregation function", None),
    ("print 1 | evaluate http_request('https://example.com')", NotSupported, "http_request", None),
    ("print 1 | evaluate bag_unpack(x)", SemanticError, "bag_unpack", None),
    ("external_table('E')", EntityNotFound, "External table 'E'", None),
    ("let T = print a = 1; print T", SemanticError, "tabular", None),
    ("print case(true, 1)", SemanticError, "expects at least 3", None),
    ("print current_principal_is_member_of(strcat('a', 'b'))", SemanticError, "string literals", None),
]


@pytest.mark.parametrize("query,kind,text,pos", ERRORS, ids=[f"err{i:02d}" for i in range(len(ERRORS))])
def test_semantic_error(query, kind, text, pos):
    with pytest.raises(kind) as info:
        Session().execute(query)
    assert text in info.value.message
    if pos is not None:
        assert (info.value.line, info.value.column) == pos


def test_error_leaves_no_state_change():
    s = Session()
    before = set(s.database.tables)
    with pytest.raises(KustoError):
        s.execute("print 1 | extend y = nope")
    assert set(s.database.tables) == before


WEIRD = [
    "print 1 / 0.0 * 0", "print tolong(dynamic([1]))", "print todatetime(5)", "print bin(1, 0)",
    "print bin(datetime(2020-01-01), 0s)", "print substring('abc', -1, -5)", "print split('', '')",
    "print extract('(', 1, 'x')", "print 'a' matches regex '('", "print array_slice(dynamic(null), 0, 1)",
    "print dynamic([1, 2]) + 1", "print -dynamic('x')", "print format_datetime(datetime(null), 'yyyy')",
    "range x from 1 to 3 step 1 | summarize arg_max(x)", "print x = dynamic([]) | mv-expand x",
    "print round(1e308, -400)", "print pow(10, 400)", "print exp(1000)", "print toint(1e30)",
    "datatable(x:dynamic)[dynamic({'a': [1]})] | summarize count() by x", "print hash(dynamic([1]))",
    "print indexof('abc', 'b', 10)", "print datetime_add('bogus', 1, datetime(2020-01-01))",
    "print make_datetime(2020, 13, 40)", "print 1 | top 1 by dynamic(null)", "print parse_json('')",
]


@pytest.mark.parametrize("query", WEIRD, ids=[f"weird{i:02d}" for i in range(len(WEIRD))])
def test_odd_inputs_never_raise_python_errors(query):
    try:
        Session().execute(query)
    except KustoError:
        pass
