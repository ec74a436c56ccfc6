"""The KQL query parser: sources, operators, precedence, literals, positions, errors."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid

import pytest

from kshell import ticks

from kshell.errors import KustoSyntaxError
from kshell.syntax import ast, parse, parse_query
from kshell.syntax.cursor import Cursor
from kshell.syntax.query import parse_body, parse_expression, parse_params

UTC = dt.timezone.utc


def body(text: str):
    return parse_query(text).body


def ops(text: str) -> list:
    node = body(text)
    assert isinstance(node, ast.Pipeline)
    return node.operators


def expr(text: str):
    """The predicate of `T | where <text>`."""
    (where,) = ops(f"T | where {text}")
    return where.predicate


def shape(node) -> str:
    """A compact rendering of an expression tree, for precedence assertions."""
    if isinstance(node, ast.Binary):
        return f"({shape(node.left)} {node.op} {shape(node.right)})"
    if isinstance(node, ast.Unary):
        return f"({node.op}{shape(node.operand)})"
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Literal):
        return repr(node.value)
    if isinstance(node, ast.Call):
        return f"{node.name}({', '.join(shape(a) for a in node.args)})"
    if isinstance(node, ast.Member):
        return f"{shape(node.target)}.{node.name}"
    if isinstance(node, ast.Index):
        return f"{shape(node.target)}[{shape(node.index)}]"
    if isinstance(node, ast.InList):
        return f"({shape(node.left)} {node.op} [{', '.join(shape(i) for i in node.items)}])"
    if isinstance(node, ast.Between):
        neg = "!" if node.negated else ""
        return f"({shape(node.left)} {neg}between {shape(node.low)}..{shape(node.high)})"
    return type(node).__name__


def syntax_error(text: str) -> KustoSyntaxError:
    with pytest.raises(KustoSyntaxError) as info:
        parse(text)
    return info.value


# ------------------------------------------------------------------ precedence

@pytest.mark.parametrize("text, expected", [
    ("a or b and c", "(a or (b and c))"),
    ("a and b or c", "((a and b) or c)"),
    ("a == 1 and b != 2 or c", "(((a == 1) and (b != 2)) or c)"),
    ("a + b * c", "(a + (b * c))"),
    ("a * b + c", "((a * b) + c)"),
    ("a - b - c", "((a - b) - c)"),
    ("a / b % c", "((a / b) % c)"),
    ("a + b > c * d", "((a + b) > (c * d))"),
    ("-a * b", "((-a) * b)"),
    ("- -a", "(-(-a))"),
    ("-5 + 2", "(-5 + 2)"),
    ("a.b.c[0] + 1", "(a.b.c[0] + 1)"),
    ("x has 'a' and y !contains 'b'", "((x has 'a') and (y !contains 'b'))"),
    ("x startswith_cs 'a' or y matches regex 'b+'", "((x startswith_cs 'a') or (y matches regex 'b+'))"),
    ("x =~ 'a' and y !~ 'b'", "((x =~ 'a') and (y !~ 'b'))"),
    ("x <> 1", "(x <> 1)"),
    ("(a or b) and c", "((a or b) and c)"),
    ("not(a or b) and c", "(not((a or b)) and c)"),
    ("x in (1, 2) and y !in ('a')", "((x in [1, 2]) and (y !in ['a']))"),
    ("x in~ ('a') or y !in~ ('b')", "((x in~ ['a']) or (y !in~ ['b']))"),
    ("x has_any ('a', 'b') and y has_all ('c')", "((x has_any ['a', 'b']) and (y has_all ['c']))"),
    ("x between (1 .. 10) and y !between (2 .. 3)", "((x between 1..10) and (y !between 2..3))"),
    ("x + 1 between (a - 1 .. a + 1)", "((x + 1) between (a - 1)..(a + 1))"),
    ("a < b + 1", "(a < (b + 1))"),
    ("a.b['c'][0].d", "a.b['c'][0].d"),
])
def test_precedence(text, expected):
    assert shape(expr(text)) == expected


def test_word_operators_are_case_insensitive():
    assert shape(expr("a AND b Or c HAS 'x'")) == "((a and b) or (c has 'x'))"


def test_calls_named_args_and_members():
    e = expr("bag_unpack(x, columnsConflict='replace_source') and $left.a == $right.b")
    call = e.left
    assert isinstance(call, ast.Call) and call.name == "bag_unpack"
    assert isinstance(call.args[1], ast.NamedArg) and call.args[1].name == "columnsConflict"
    cmp = e.right
    assert isinstance(cmp.left, ast.Member) and cmp.left.target.name == "$left"
    assert cmp.right.target.name == "$right" and cmp.right.name == "b"


def test_call_argument_may_be_a_query_and_in_may_take_a_subquery():
    e = expr("x > toscalar(T | summarize max(y)) and z in (U | project z)")
    sub = e.left.right.args[0]
    assert isinstance(sub, ast.Pipeline) and isinstance(sub.source, ast.TableRef)
    assert isinstance(e.right.items[0], ast.Pipeline)


def test_deep_nesting_is_a_clean_syntax_error():
    for text in ("print " + "(" * 5000 + "1" + ")" * 5000,
                 "print " + "-" * 5000 + "1",
                 "print dynamic(" + "[" * 5000 + "]" * 5000 + ")",
                 "T | where " + "f(" * 3000 + "x" + ")" * 3000):
        err = syntax_error(text)
        assert "nested too deeply" in err.message


def test_moderate_nesting_parses():
    e = body("print " + "(" * 60 + "1" + ")" * 60)
    assert e.items[0].expr.value == 1


# -------------------------------------------------------------------- literals

@pytest.mark.parametrize("text, typ, value", [
    ("1", "long", 1),
    ("0x1F", "long", 31),
    ("1.5", "real", 1.5),
    ("1e3", "real", 1000.0),
    ("-7", "long", -7),
    ("'a\\'b'", "string", "a'b"),
    ('"tab\\there"', "string", "tab\there"),
    ("@'c:\\dir'", "string", "c:\\dir"),
    ("h'secret'", "string", "secret"),
    ("'con' 'cat' \"enated\"", "string", "concatenated"),
    ("```multi\nline```", "string", "multi\nline"),
    ("true", "bool", True),
    ("FALSE", "bool", False),
    ("bool(true)", "bool", True),
    ("bool(null)", "bool", None),
    ("int(5)", "int", 5),
    ("int(-5)", "int", -5),
    ("int(null)", "int", None),
    ("long(5)", "long", 5),
    ("decimal(1.5)", "decimal", decimal.Decimal("1.5")),
    ("real(1)", "real", 1.0),
    ("real(+inf)", "real", math.inf),
    ("real(-inf)", "real", -math.inf),
    ("1d", "timespan", dt.timedelta(days=1)),
    ("1.5h", "timespan", dt.timedelta(minutes=90)),
    ("30m", "timespan", dt.timedelta(minutes=30)),
    ("100ms", "timespan", dt.timedelta(milliseconds=100)),
    ("10s", "timespan", dt.timedelta(seconds=10)),
    ("2microseconds", "timespan", dt.timedelta(microseconds=2)),
    ("-1h", "timespan", dt.timedelta(hours=-1)),
    ("time(1.02:03:04.5)", "timespan", dt.timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
    ("timespan(02:00:00)", "timespan", dt.timedelta(hours=2)),
    ("time(1d)", "timespan", dt.timedelta(days=1)),
    ("time(2)", "timespan", dt.timedelta(days=2)),
    ("timespan(null)", "timespan", None),
    ("datetime(2015-12-31 23:59:59.9)", "datetime", dt.datetime(2015, 12, 31, 23, 59, 59, 900000, tzinfo=UTC)),
    ("datetime(2015-12-31)", "datetime", dt.datetime(2015, 12, 31, tzinfo=UTC)),
    ("datetime(2017-01-01T10:20:30.1234567Z)", "datetime", ticks.fromisoformat("2017-01-01T10:20:30.1234567+00:00")),
    ("datetime(2014-11-08 15:55+02:00)", "datetime", dt.datetime(2014, 11, 8, 13, 55, tzinfo=UTC)),
    ("datetime(Sat, 08 Nov 2014 15:00:00 GMT)", "datetime", dt.datetime(2014, 11, 8, 15, 0, tzinfo=UTC)),
    ("datetime(08 Nov 2014 15:00)", "datetime", dt.datetime(2014, 11, 8, 15, 0, tzinfo=UTC)),
    ("datetime(Saturday, 08-Nov-14 15:00:00 EST)", "datetime", dt.datetime(2014, 11, 8, 20, 0, tzinfo=UTC)),
    ("date(2020-02-29)", "datetime", dt.datetime(2020, 2, 29, tzinfo=UTC)),
    ("datetime(null)", "datetime", None),
    ("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", "guid", uuid.UUID("74be27de-1e4e-49d9-b579-fe0b331d3642")),
    ("guid(null)", "guid", None),
    ("dynamic(null)", "dynamic", None),
    ("dynamic([1, -2, 'a', 1.5, true, null])", "dynamic", [1, -2, "a", 1.5, True, None]),
    ('dynamic({"a": {"b": [1, {"c": "d"}]}, \'e\': false})', "dynamic", {"a": {"b": [1, {"c": "d"}]}, "e": False}),
    ("dynamic(5)", "dynamic", 5),
    ("dynamic('text')", "dynamic", "text"),
])
def test_literals(text, typ, value):
    (item,) = body(f"print v = {text}").items
    lit = item.expr
    assert isinstance(lit, ast.Literal), lit
    assert lit.type == typ
    assert lit.value == value
    assert type(lit.value) is type(value)


def test_bad_dynamic_literal():
    err = syntax_error("print dynamic({'a' 1})")
    assert (err.column, err.message) == (20, "expected ':' after the property name, found '1'")


def test_real_nan_literal():
    lit = body("print real(nan)").items[0].expr
    assert lit.type == "real" and math.isnan(lit.value)


def test_typed_literal_names_are_still_usable_as_calls_and_columns():
    e = expr("int(x) > 0 and bool == 1")
    assert isinstance(e.left.left, ast.Call) and e.left.left.name == "int"
    assert isinstance(e.right.left, ast.Name)


@pytest.mark.parametrize("text, message", [
    ("print datetime(2015-13-01)", "invalid datetime literal"),
    ("print datetime(yesterday)", "invalid datetime literal"),
    ("print time(1y)", "timespan"),
    ("print guid(not-a-guid)", "invalid guid literal"),
    ("print int(1.5)", "invalid int literal"),
])
def test_bad_literals(text, message):
    err = syntax_error(text)
    assert message in err.message
    assert err.line == 1 and err.column == 7


# --------------------------------------------------------------------- sources

def test_table_references():
    assert body("StormEvents") == ast.TableRef("StormEvents", pos=0)
    ref = body("database('Db').T")
    assert (ref.name, ref.database, ref.cluster) == ("T", "Db", None)
    ref = body("cluster('c').database('d').['My Table']")
    assert (ref.name, ref.database, ref.cluster) == ("My Table", "d", "c")
    assert body("table('T')") == ast.TableCall("T", pos=0)
    assert body("external_table('E')") == ast.ExternalTableRef("E", pos=0)
    assert body("['with space']").name == "with space"


def test_datatable_print_range():
    d = body("datatable(a:string, b:long, c:dynamic)['x', 1, dynamic([1]), 'y', -2, dynamic(null),]")
    assert [(c.name, c.type) for c in d.columns] == [("a", "string"), ("b", "long"), ("c", "dynamic")]
    assert [v.value for v in d.values] == ["x", 1, [1], "y", -2, None]
    p = body("print a = 1, 'b', c = now()")
    assert [i.name for i in p.items] == ["a", None, "c"]
    r = body("range x from 1 to 10 step 2")
    assert (r.column, r.start.value, r.stop.value, r.step.value) == ("x", 1, 10, 2)


def test_union_source_and_operator():
    u = body("union kind=inner withsource=Src isfuzzy=true T1, (T2 | where a > 1), Logs*, database('d').Ev*")
    assert (u.kind, u.withsource, u.isfuzzy) == ("inner", "Src", True)
    assert u.tables[0].name == "T1" and isinstance(u.tables[1], ast.Pipeline)
    assert u.tables[2].name == "Logs*"
    assert (u.tables[3].name, u.tables[3].database) == ("Ev*", "d")
    (op,) = ops("T | union U, V")
    assert isinstance(op, ast.Union) and [t.name for t in op.tables] == ["U", "V"]


def test_statements_let_set_and_batches():
    q = parse_query("set notruncation; set query_take_max_records = 10;\n"
                    "let n = 5; let T2 = T | take n; let f = (x:long, y:string = 'a') { x + 1 };\n"
                    "let v = view () { T };\nT2 | extend z = f(n);")
    s = q.statements
    assert isinstance(s[0], ast.SetOption) and (s[0].name, s[0].value) == ("notruncation", None)
    assert (s[1].name, s[1].value) == ("query_take_max_records", 10)
    assert isinstance(s[2], ast.Let) and s[2].value == ast.Literal("long", 5, pos=s[2].value.pos)
    assert isinstance(s[3].value, ast.Pipeline)
    f = s[4].value
    assert isinstance(f, ast.FunctionDef) and [p.name for p in f.params] == ["x", "y"]
    assert f.params[1].default.value == "a" and f.body.text == "x + 1"
    assert s[5].value.is_view and isinstance(s[5].value.body.body, ast.TableRef)
    assert isinstance(q.body, ast.Pipeline) and q.batch == []
    q = parse_query("T | count; U | count")
    assert isinstance(q.body, ast.Pipeline) and len(q.batch) == 1


def test_let_name_value_stays_a_name():
    (let,) = parse_query("let x = y; print x").statements
    assert let.value == ast.Name("y", pos=8)


# ------------------------------------------------------------------- operators

def test_common_operators():
    o = ops("T | where a > 1 | filter b | project a, c = b * 2 | project-away x*, *y | "
            "project-keep a | project-rename n = a, ['m m'] = b | project-reorder b asc, a* | "
            "extend (p, q) = f(a) | take 5 | limit 3 | count | getschema | as hint.materialized=true M | "
            "serialize rn = row_number() | sample 10 | invoke g(1)")
    kinds = [type(x).__name__ for x in o]
    assert kinds == ["Where", "Where", "Project", "ProjectAway", "ProjectKeep", "ProjectRename",
                     "ProjectReorder", "Extend", "Take", "Take", "Count", "GetSchema", "As",
                     "Serialize", "Sample", "Invoke"]
    assert o[3].names == ["x*", "*y"]
    assert o[5].renames == [("n", "a"), ("m m", "b")]
    assert o[6].names == [("b", "asc"), ("a*", None)]
    assert o[7].items[0].names == ["p", "q"]
    assert o[12].name == "M" and o[12].hint_materialized
    assert o[15].call.name == "g"


def test_summarize_sort_top_distinct():
    s, o, t, d1, d2 = ops("T | summarize hint.strategy=shuffle n = count(), avg(x) by bin(ts, 1h), k"
                          " | order by a asc nulls last, b desc, c nulls first | top 3 by n"
                          " | distinct a, b | distinct *")
    assert [a.name for a in s.aggregates] == ["n", None] and len(s.by) == 2
    assert s.by[0].expr.name == "bin" and s.by[0].expr.args[1].value == dt.timedelta(hours=1)
    assert [(k.descending, k.nulls_first) for k in o.keys] == [(False, False), (True, None), (True, True)]
    assert t.count.value == 3 and t.key.descending
    assert len(d1.items) == 2 and d2.items == []
    (s,) = ops("T | summarize by a")
    assert s.aggregates == [] and len(s.by) == 1


def test_join_and_lookup():
    j, lk = ops("T | join kind=leftouter hint.strategy=broadcast (U | where x) "
                "on a, $left.b == $right.c, $right.d == $left.e | lookup kind=inner V on k")
    assert j.kind == "leftouter" and j.hints == {"hint.strategy": "broadcast"}
    assert isinstance(j.right, ast.Pipeline)
    assert [(c.left, c.right) for c in j.on] == [("a", "a"), ("b", "c"), ("e", "d")]
    assert lk.kind == "inner" and lk.right == ast.TableRef("V", pos=lk.right.pos)
    (j,) = ops("T | join (U) on $left.a == $right.b and $left.c == $right.d")
    assert j.kind == "innerunique" and [(c.left, c.right) for c in j.on] == [("a", "b"), ("c", "d")]


def test_mv_expand_parse_render():
    mv, p, pw, r = ops("T | mv-expand bagexpansion=array with_itemindex=i a, b = c to typeof(long) limit 10"
                       " | parse kind=regex flags=Ui msg with * 'id=' id:long ' ' rest"
                       " | parse-where msg with 'x' y"
                       " | render timechart with (title='t', ycolumns=a, b, legend=hidden)")
    assert mv.kind == "array" and mv.with_itemindex == "i" and mv.limit.value == 10
    assert [(i.name, i.to_type) for i in mv.items] == [(None, None), ("b", "long")]
    assert p.kind == "regex" and p.flags == "Ui" and not p.where
    assert [(x.wildcard, x.literal, x.column, x.type) for x in p.parts] == [
        (True, None, None, None), (False, "id=", None, None), (False, None, "id", "long"),
        (False, " ", None, None), (False, None, "rest", None)]
    assert pw.where
    assert r.chart == "timechart" and r.properties == {"title": "t", "ycolumns": ["a", "b"], "legend": "hidden"}


def test_unmodelled_operators_keep_their_text():
    o = ops("T | make-series n = count() on ts from ago(1d) to now() step 1h by k"
            " | evaluate bag_unpack(d) | fork (where x | take 1) (count) | project a")
    assert [type(x).__name__ for x in o] == ["OtherOperator"] * 3 + ["Project"]
    assert o[0].name == "make-series" and o[0].text.endswith("by k")
    assert o[2].text == "fork (where x | take 1) (count)"


# -------------------------------------------------------------- entry points

def test_parse_params_and_body_consume_exactly_their_part():
    c = Cursor("(T:(a:string, b:long), U:(*), n:int = 3, s:string) { let m = n; T | take m } with x")
    params = parse_params(c)
    assert [(p.name, p.type) for p in params] == [("T", "table"), ("U", "table"), ("n", "int"), ("s", "string")]
    assert [(d.name, d.type) for d in params[0].schema] == [("a", "string"), ("b", "long")]
    assert params[1].schema is None and params[2].default.value == 3
    q = parse_body(c)
    assert q.text == "let m = n; T | take m" and len(q.statements) == 1
    assert c.peek().text == "with"


def test_parse_expression_stops_at_the_expression_end():
    c = Cursor("a + 1 > b, rest")
    e = parse_expression(c)
    assert shape(e) == "((a + 1) > b)" and c.peek().text == ","


def test_empty_body_and_statement_only_body():
    assert parse_body(Cursor("{}")).body is None
    q = parse_body(Cursor("{ let x = 1; }"))
    assert q.body is None and len(q.statements) == 1


# --------------------------------------------------------------------- positions

def test_positions():
    text = "T\n| where Col > 1\n| extend y = f(Col)"
    p = body(text)
    w, e = p.operators
    assert w.pos == text.index("where")
    assert w.predicate.pos == text.index("Col >")
    assert w.predicate.right.pos == text.index("1")
    assert e.items[0].pos == text.index("y =")
    assert e.items[0].expr.pos == text.index("f(Col)")
    assert e.items[0].expr.args[0].pos == text.index("Col)")


# ------------------------------------------------------------------------ errors

@pytest.mark.parametrize("text, line, col, message", [
    ("T\n| wher x > 1", 2, 3, "expected a query operator (where, project, extend, summarize, ...) after '|', found 'wher' (did you mean 'where'?)"),
    ("T | where", 1, 10, "expected an expression, found end of input"),
    ("T | where (a > 1", 1, 17, "expected ')' to close the parenthesis, found end of input"),
    ("T | project a b", 1, 15, "expected '|', ';' or the end of the query, found 'b'"),
    ("T | take 1 )", 1, 12, "expected '|', ';' or the end of the query, found ')'"),
    ("T | sort a", 1, 10, "expected 'by' after 'sort', found 'a'"),
    ("T | where a = 1", 1, 13, "expected '==' to compare ('=' does not compare in Kusto), found '='"),
    ("print", 1, 6, "expected an expression, found end of input"),
    ("T | where a in ()", 1, 17, "expected at least one value in the list of 'in', found ')'"),
    ("T | where a == 1 == 2", 1, 18, "a comparison cannot follow another; add parentheses, found '=='"),
    ("print dynamic({a: 1})", 1, 16, "expected a quoted property name in the dynamic object, found 'a'"),
    ("T | where x between (1, 2)", 1, 23, "expected '..' between the bounds of 'between', found ','"),
    ("T | where x in 1", 1, 16, "expected '(' after 'in', found '1'"),
    ("let x = 1\nT", 2, 1, "expected ';' after the statement, found 'T'"),
    ("T | where f(a b)", 1, 15, "expected ',' or ')' in the argument list, found 'b'"),
    ("T | where a ¤ b", 1, 13, "unexpected character '¤'"),
    ("T | where a == 'open", 1, 16, "unterminated string literal"),
    ("T | top 3 x", 1, 11, "expected 'by' after the number of rows of 'top', found 'x'"),
    ("T | sort by a nulls", 1, 20, "expected 'first' or 'last' after 'nulls', found end of input"),
    ("datatable(a:strin)['x']", 1, 13, "expected a type name (string, long, datetime, ...), found 'strin'"),
])
def test_errors_say_what_was_expected_and_where(text, line, col, message):
    err = syntax_error(text)
    assert (err.line, err.column, err.message) == (line, col, message)


def test_command_error_names_the_expected_word():
    err = syntax_error(".alter table T polcy update @'[]'")
    assert (err.line, err.column) == (1, 16)
    assert "expected" in err.message and "'policy'" in err.message and "found 'polcy'" in err.message


def test_summarize_legacy_bin_spelling_and_dotted_index():
    (s,) = ops("T | summarize count() by ts bin = 1h, k")
    assert shape(s.by[0].expr) == "bin(ts, datetime.timedelta(seconds=3600))"
    assert shape(s.by[1].expr) == "k"
    assert shape(expr("p['a b'].[k] == 1")) == "(p['a b'][k] == 1)"
    assert shape(expr("p.['a b'] == 1")) == "(p.a b == 1)"


def test_checked_unmodelled_operators():
    o = ops("T | evaluate hint.distribution=per_node bag_unpack(d, columnsConflict='keep_source')"
            " | evaluate python(typeof(*, x4:int), 'code') : (a:long, *)"
            " | make-series n = count() default = 0 on ts in range(ago(1d), now(), 1h) by k"
            " | make-series kind=nonempty avg(x) on ts from ago(1d) to now() step 1h"
            " | mv-apply with_itemindex=i e = arr to typeof(long) on (top 1 by e | project e)")
    assert [x.name for x in o] == ["evaluate", "evaluate", "make-series", "make-series", "mv-apply"]
    assert o[4].text.startswith("mv-apply") and o[4].text.endswith("project e)")
    for bad, message in [
        ("T | evaluate bag_unpack(d columnsConflict='x')", "expected ',' or ')' in the argument list"),
        ("T | make-series count() on ts from 1 to 2", "expected 'step' in 'make-series'"),
        ("T | mv-apply x on (wher x)", "expected a query operator"),
        ("T | evaluate 42", "expected a plugin call after 'evaluate'"),
    ]:
        assert message in syntax_error(bad).message


def test_source_keywords_only_start_a_tabular_expression():
    assert message_of("print print x = 1").startswith("expected '|', ';' or the end of the query")
    p = body("print union = 1, print = 2")
    assert [i.name for i in p.items] == ["union", "print"]
    (where,) = ops("T | where range > 1")
    assert shape(where.predicate) == "(range > 1)"
    u = body("union (print 1), (range x from 1 to 2 step 1)")
    assert [type(t).__name__ for t in u.tables] == ["Print", "Range"]


def message_of(text: str) -> str:
    return syntax_error(text).message


def test_datetime_now_is_the_now_function():
    (item,) = body("print t = datetime(now)").items
    assert item.expr == ast.Call("now", [], pos=10)


def test_leading_comment_with_trailing_spaces_parses():
    # this once sent a regular expression into exponential backtracking (a hang)
    q = parse("// a comment" + " " * 40 + "\nT | take 1")
    assert isinstance(q.body, ast.Pipeline)


def test_summarize_needs_something():
    assert message_of("T | summarize") == "expected an aggregation or 'by' after 'summarize', found end of input"


def test_table_datascope():
    (j,) = ops("T | join (U datascope=hotcache | where x) on a")
    assert j.right.source == ast.TableRef("U", datascope="hotcache", pos=j.right.source.pos)


def test_unknown_operator_without_a_close_match_gets_no_suggestion():
    assert message_of("T | frobnicate x") == (
        "expected a query operator (where, project, extend, summarize, ...) after '|', found 'frobnicate'")
