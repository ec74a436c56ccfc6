"""Issue 16: numeric semantics as the service has them, each case end to end through the
real command line (`python -m kshell --format json`), naming the rule it follows (a page of
MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/..., or a decision recorded in
docs/query-engine.md, "Semantics decisions", where the docs are silent).
"""

from __future__ import annotations

import pytest

from conftest import run_kshell
from test_query_fixes_core import Case, check_case, run_cases

CASES: dict[str, Case] = {
    "int_arithmetic_is_long": Case(
        "numerical-operators.md (type rules): if both operands are int or long the result is a long",
        "print a = int(2147483647) + int(1), b = int(2147483647) * int(2), c = int(7) / int(2), "
        "d = int(7) % int(2), e = -int(2)",
        ["a:long", "b:long", "c:long", "d:long", "e:int"],
        [[2147483648, 4294967294, 3, 1, -2]]),
    "integer_function_results_are_long": Case(
        "numerical-operators.md's rule carried to functions (as Kusto.Language types them): "
        "abs(int), bin(int, int) and strcmp are long; sign() is a real",
        "print a = abs(int(-2147483648)), b = bin(int(7), int(2)), c = strcmp('a', 'b'), d = sign(-3), "
        "e = ipv4_netmask_suffix('10.0.0.0/8')",
        ["a:long", "b:long", "c:long", "d:real", "e:long"],
        [[2147483648, 6, -1, -1.0, 8]]),
    "long_overflow_wraps": Case(
        "long.md: a signed 64-bit integer; decision: arithmetic past 64 bits wraps as two's "
        "complement (as the service's and numpy's int64 do)",
        "print a = 9223372036854775807 + 1, b = -9223372036854775807 - 2, c = 9223372036854775807 * 2, "
        "d = -(-9223372036854775807 - 1)",
        ["a:long", "b:long", "c:long", "d:long"],
        [[-9223372036854775808, 9223372036854775807, -2, -9223372036854775808]]),
    "long_overflow_wraps_in_columns": Case(
        "the same rule over a column (the fast path wraps too) and in sum()",
        "range x from 9223372036854775806 to 9223372036854775807 step 1 | extend y = x + 1 "
        "| summarize make_list(y), s = sum(x)",
        ["list_y:dynamic", "s:long"],
        [[[9223372036854775807, -9223372036854775808], -3]]),
    "conversions_out_of_range_are_null": Case(
        "toint-function.md / tolong-function.md: a value that does not convert is null (one "
        "outside the type's range included); a real is truncated",
        "print a = toint(2147483648), b = toint(-2147483649), c = toint(2147483647), d = toint('3000000000'), "
        "e = toint(-2.7), f = tolong(1e30), g = tolong('9223372036854775808')",
        ["a:int", "b:int", "c:int", "d:int", "e:int", "f:long", "g:long"],
        [[None, None, 2147483647, None, -2, None, None]]),
    "division_by_zero": Case(
        "real.md: 1.0/0.0 is +inf, -1.0/0.0 -inf, 0.0/0.0 NaN; decision: an integer division "
        "or modulo by zero is null",
        "print a = 1 / 0, b = 1 % 0, c = 1.0 / 0, d = -1.0 / 0, e = 0.0 / 0",
        ["a:long", "b:long", "c:real", "d:real", "e:real"],
        [[None, None, "Infinity", "-Infinity", "NaN"]]),
    "nan_comparisons": Case(
        "real.md: NaN is not a number: it is equal to nothing, itself included, and orders "
        "against nothing (IEEE 754)",
        "print a = real(nan) == real(nan), b = real(nan) != real(nan), c = real(nan) < 1, "
        "d = real(nan) > 1, e = real(+inf) > 1e308, f = real(nan) in (real(nan), 1.0), g = real(nan) !in (real(nan))",
        ["a:bool", "b:bool", "c:bool", "d:bool", "e:bool", "f:bool", "g:bool"],
        [[False, True, False, False, True, False, True]]),
    "isnan_isinf_isfinite": Case(
        "isnan-function.md, isinf-function.md, isfinite-function.md: the pages' tables",
        "range x from -1 to 1 step 1 | extend div = 1.0 * x / 0.0 "
        "| project x, n = isnan(div), i = isinf(div), f = isfinite(div), f1 = isfinite(1.0 * x)",
        ["x:long", "n:bool", "i:bool", "f:bool", "f1:bool"],
        [[-1, False, True, False, True], [0, True, False, False, True], [1, False, True, False, True]]),
    "sort_special_values_asc": Case(
        "sort-operator.md: ascending, nulls first: null, NaN, -inf, -5, 0, 5, +inf",
        "datatable(x:real)[5.0, real(nan), real(-inf), real(null), 0.0, real(+inf), -5.0] | order by x asc",
        ["x:real"],
        [[None], ["NaN"], ["-Infinity"], [-5.0], [0.0], [5.0], ["Infinity"]]),
    "sort_special_values_asc_nulls_last": Case(
        "sort-operator.md: ascending, nulls last: -inf, -5, 0, +inf, NaN, null",
        "datatable(x:real)[5.0, real(nan), real(-inf), real(null), 0.0, real(+inf), -5.0] "
        "| order by x asc nulls last",
        ["x:real"],
        [["-Infinity"], [-5.0], [0.0], [5.0], ["Infinity"], ["NaN"], [None]]),
    "sort_special_values_desc": Case(
        "sort-operator.md: descending (nulls last by default): +inf, 5, 0, -5, NaN, null; "
        "nulls first: null, NaN, +inf, ...",
        "datatable(x:real)[5.0, real(nan), real(-inf), real(null), 0.0, real(+inf), -5.0] "
        "| order by x desc | summarize l = make_list_with_nulls(x) "
        "| extend f = toscalar(datatable(x:real)[5.0, real(nan), real(null), real(+inf)] "
        "| order by x desc nulls first | summarize make_list_with_nulls(x))",
        ["l:dynamic", "f:dynamic"],
        [[["Infinity", 5.0, 0.0, -5.0, "-Infinity", "NaN", None], [None, "NaN", "Infinity", 5.0]]]),
    "top_with_nan": Case(
        "sort-operator.md's order holds for top too",
        "datatable(x:real)[1.0, real(nan), 3.0, 2.0] | top 2 by x desc",
        ["x:real"],
        [[3.0], [2.0]]),
    "aggregates_with_nan": Case(
        "decision: min/max skip NaN as they skip null (NaN sorts with the nulls); sum/avg follow "
        "IEEE arithmetic (NaN); dcount counts NaN once; summarize-operator.md: avg of no values is NaN",
        "datatable(y:real)[1.0, real(nan), 4.0, real(nan)] "
        "| summarize mn = min(y), mx = max(y), a = avg(y), s = sum(y), d = dcount(y), "
        "p = percentile(y, 100), n = min(iff(isnan(y), y, real(nan)))",
        ["mn:real", "mx:real", "a:real", "s:real", "d:long", "p:real", "n:real"],
        [[1.0, 4.0, "NaN", "NaN", 3, 4.0, "NaN"]]),
    "nan_is_one_group": Case(
        "decision: summarize-by and distinct put every NaN in one group (as dcount counts NaN "
        "once), whichever computation made it",
        "range i from 1 to 3 step 1 | extend x = real(+inf) - real(+inf) * i "
        "| summarize c = count() by x | extend d = toscalar(range i from 1 to 3 step 1 "
        "| extend x = real(+inf) * i - real(+inf) | distinct x | count)",
        ["x:real", "c:long", "d:long"],
        [["NaN", 3, 1]]),
    "decimal_arithmetic": Case(
        "decimal.md: a 128-bit decimal; decision: arithmetic keeps 34 significant digits, a "
        "decimal operand makes the result decimal (a real operand included, as Kusto.Language "
        "types it), division by zero is null",
        "print a = decimal(1) / decimal(3), b = decimal(0.1) + decimal(0.2), c = decimal(1.5) + 1.25, "
        "d = decimal(1) / 0, e = decimal(2) * int(3), f = iff(true, decimal(1), 1.0)",
        ["a:decimal", "b:decimal", "c:decimal", "d:decimal", "e:decimal", "f:decimal"],
        [["0.3333333333333333333333333333333333", "0.3", "2.75", None, "6", "1"]]),
    "decimal_sum_avg": Case(
        "the same 34 digits in sum() and avg()",
        "datatable(d:decimal)[decimal(1), decimal(1), decimal(1)] | summarize s = sum(d), a = avg(d / 3)",
        ["s:decimal", "a:decimal"],
        [["3", "0.3333333333333333333333333333333333"]]),
    "datetime_range_limits": Case(
        "datetime.md: datetimes span 0001-01-01 to 9999-12-31; arithmetic past either end is null",
        "print a = datetime(9999-12-31) + 1d, b = datetime(0001-01-01) - 1d, "
        "c = datetime(9999-12-31 23:59:59.9999999) - datetime(0001-01-01)",
        ["a:datetime", "b:datetime", "c:timespan"],
        [[None, None, "3652058.23:59:59.9999999"]]),
    "tostring_of_every_type": Case(
        "tostring-function.md: the value's text, as the service prints it (a real as .NET prints "
        "a double: shortest round trip, E notation past 1E+15 and below 1E-05; a decimal in plain "
        "notation: decimal.md, decimal(1e5) is 100,000)",
        "print r1 = tostring(1e20), r2 = tostring(-0.0), r3 = tostring(real(nan)), r4 = tostring(real(+inf)), "
        "r5 = tostring(real(-inf)), r6 = tostring(1e-5), r7 = tostring(0.1 + 0.2), r8 = tostring(2.0), "
        "t = tostring(time(1.02:03:04.5)), d = tostring(datetime(2020-01-01)), m = tostring(decimal(1.50)), m2 = tostring(decimal(1e5)), "
        "g = tostring(guid(74be27de-1e4e-49d9-b579-fe0b331d3642)), b = tostring(true), "
        "y = tostring(dynamic({\"a\":[1,2.5]})), n = tostring(long(null))",
        ["r1:string", "r2:string", "r3:string", "r4:string", "r5:string", "r6:string", "r7:string",
         "r8:string", "t:string", "d:string", "m:string", "m2:string", "g:string", "b:string", "y:string", "n:string"],
        [["1E+20", "-0", "NaN", "Infinity", "-Infinity", "1E-05", "0.30000000000000004", "2",
          "1.02:03:04.5000000", "2020-01-01T00:00:00.0000000Z", "1.50", "100000", "74be27de-1e4e-49d9-b579-fe0b331d3642",
          "true", '{"a":[1,2.5]}', ""]]),
}


@pytest.fixture(scope="module")
def results():
    return run_cases(CASES)


@pytest.mark.parametrize("cid", list(CASES))
def test_numeric_rule(cid, results):
    check_case(CASES[cid], results[cid])


def test_decimal_plus_real_is_not_an_internal_error():
    # It raised a Python TypeError (Decimal + float) that reached the user.
    code, out, err = run_kshell("datatable(d:decimal, r:real)[decimal(1.5), 2.25] | extend s = d + r, t = r * d\n",
                                "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["d,r,s,t", "1.5,2.25,3.75,3.375"]
