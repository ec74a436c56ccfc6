"""Issue 19: wrong answers of the core operators, each case checked end to end.

Every case runs through the real command line (`python -m kshell --format json`), all of
a module's cases in one process, and names the documented rule it follows: the ADX
reference page (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/...) and the
rule in our words.  Expected values are the docs' printed outputs where the page has one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import run_kshell


@dataclass
class Case:
    rule: str            # page: the documented rule this case follows
    query: str
    columns: list[str]   # "name:type"
    rows: list[list[Any]]  # as the json output format prints them


def run_cases(cases: dict[str, Case]) -> dict[str, Any]:
    """Run every case's query in one kshell process; a failing request is retried alone
    so its error is reported against its own case."""
    script = "\n\n".join(c.query.strip() for c in cases.values()) + "\n"
    code, out, err = run_kshell(script, "--format", "json", "--keep-going")
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    if code == 0 and len(lines) == len(cases):
        return dict(zip(cases, lines))
    got: dict[str, Any] = {}
    for cid, c in cases.items():
        code, out, err = run_kshell(c.query.strip() + "\n", "--format", "json")
        got[cid] = json.loads(out.splitlines()[-1]) if code == 0 and out.strip() else {"error": err.strip()}
    return got


def check_case(case: Case, got: dict[str, Any]) -> None:
    assert "error" not in got, f"{case.rule}\n{got.get('error')}"
    cols = [f"{c['name']}:{c['type']}" for c in got["columns"]]
    assert cols == case.columns, case.rule
    assert got["rows"] == case.rows, case.rule


CASES: dict[str, Case] = {
    # ------------------------------------------------------------ mv-expand
    "mv_expand_null_keeps_row": Case(
        "mv-expand-operator.md: each element of the array or bag becomes a row; a null value "
        "expands to a single row holding null, only an empty array or bag expands to none",
        'datatable(name:string, tags:dynamic)["Alice", dynamic(["t1","t2"]), "Bob", dynamic(null), '
        '"Carol", dynamic([])] | mv-expand tags',
        ["name:string", "tags:dynamic"],
        [["Alice", "t1"], ["Alice", "t2"], ["Bob", None]]),
    "mv_expand_null_zipped": Case(
        "mv-expand-operator.md: expressions expanded together are zipped; a null one "
        "contributes null to each row of the longest",
        "print a = dynamic([1, 2]), b = dynamic(null) | mv-expand a, b",
        ["a:dynamic", "b:dynamic"],
        [[1, None], [2, None]]),
    "mv_expand_kind_array": Case(
        "mv-expand-operator.md: kind=array expands each property of a bag into a two-element "
        "array [key, value] (the page's example with prop1/prop2)",
        'datatable (a: int, b: dynamic)[1, dynamic({"prop1": "a1", "prop2": "b1"})] '
        "| mv-expand kind=array b | extend key = b[0], val = b[1]",
        ["a:int", "b:dynamic", "key:dynamic", "val:dynamic"],
        [[1, ["prop1", "a1"], "prop1", "a1"], [1, ["prop2", "b1"], "prop2", "b1"]]),
    # ------------------------------------------------------------ make_set / make_list
    "make_set_flattens_arrays": Case(
        "make-set-aggregation-function.md: when the expression is an array, its elements "
        "(not the array) join the set (Arr1_set is [\"A1\",\"A2\",\"A3\",\"C1\",\"C2\"])",
        "datatable (Val: int, Arr1: dynamic)[1, dynamic(['A1', 'A2', 'A3']), 5, dynamic(['A2', 'C1']), "
        "7, dynamic(['C2', 'A3']), 5, dynamic(['C2', 'A1'])] "
        "| summarize Val_set = make_set(Val), Arr1_set = make_set(Arr1)",
        ["Val_set:dynamic", "Arr1_set:dynamic"],
        [[[1, 5, 7], ["A1", "A2", "A3", "C1", "C2"]]]),
    "make_list_flattens_arrays": Case(
        "make_list collects array values element by element, as make_set does (issue 19; the "
        "service answers make_list(pack_array(X, Y)) with a flat list)",
        "datatable(A:int, X:int, Y:int)[1, 1, 3, 1, 2, 3, 2, 3, 1] "
        "| summarize Points = make_list(pack_array(X, Y)) by A",
        ["A:int", "Points:dynamic"],
        [[1, [1, 3, 2, 3]], [2, [3, 1]]]),
    "make_set_if_flattens_arrays": Case(
        "make-set-if-aggregation-function.md: make_set_if is make_set over the rows where the "
        "predicate holds",
        "datatable(Arr:dynamic, k:long)[dynamic(['A1','A2']), 1, dynamic(['A2','C1']), 1, dynamic(['Z']), 0] "
        "| summarize s = make_set_if(Arr, k == 1)",
        ["s:dynamic"],
        [[["A1", "A2", "C1"]]]),
    # ------------------------------------------------------------ join kind=innerunique
    "innerunique_dedup_after_pushed_filter": Case(
        "join-innerunique.md: the filter after the join is pushed to the left side before the "
        "left side is deduplicated on the key, so the val1.2 row is kept",
        'let t1 = datatable(key: long, value: string)[1, "val1.1", 1, "val1.2"]; '
        'let t2 = datatable(key: long, value: string)[1, "val1.3", 1, "val1.4"]; '
        't1 | join kind = innerunique t2 on key | where value == "val1.2"',
        ["key:long", "value:string", "key1:long", "value1:string"],
        [[1, "val1.2", 1, "val1.3"], [1, "val1.2", 1, "val1.4"]]),
    "innerunique_default_kind_pushes_too": Case(
        "join-operator.md: innerunique is the default kind; join-innerunique.md: a filter on "
        "left columns after the join applies before deduplication",
        'let t1 = datatable(key: long, value: string)[1, "val1.1", 1, "val1.2"]; '
        'let t2 = datatable(key: long, value: string)[1, "val1.3"]; '
        't1 | join t2 on key | where value == "val1.2"',
        ["key:long", "value:string", "key1:long", "value1:string"],
        [[1, "val1.2", 1, "val1.3"]]),
    "innerunique_right_filter_stays_after": Case(
        "join-innerunique.md: without a filter the left side keeps one row per key; a filter on "
        "a right-side column (value1) is applied to the join's output",
        'let t1 = datatable(key: long, value: string)[1, "val1.1", 1, "val1.2"]; '
        'let t2 = datatable(key: long, value: string)[1, "val1.3", 1, "val1.4"]; '
        't1 | join t2 on key | where value1 == "val1.4"',
        ["key:long", "value:string", "key1:long", "value1:string"],
        [[1, "val1.1", 1, "val1.4"]]),
    # ------------------------------------------------------------ arg_max / arg_min
    "arg_max_all_null_keys": Case(
        "arg-max-aggregation-function.md: a group whose maximized values are all null still "
        "returns a row (Banana, null Version, Color Yellow)",
        'datatable(Fruit: string, Color: string, Version: int)["Apple", "Red", 1, "Apple", "Green", int(null), '
        '"Banana", "Yellow", int(null), "Banana", "Green", int(null), "Pear", "Brown", 1, "Pear", "Green", 2] '
        "| summarize arg_max(Version, *) by Fruit | sort by Fruit asc",
        ["Fruit:string", "Version:int", "Color:string"],
        [["Apple", 1, "Red"], ["Banana", None, "Yellow"], ["Pear", 2, "Green"]]),
    "arg_min_all_null_keys": Case(
        "arg-min-aggregation-function.md: a group whose minimized values are all null still "
        "returns a row (Banana, null Version, Color Yellow)",
        'datatable(Fruit: string, Color: string, Version: int)["Apple", "Red", 1, "Apple", "Green", int(null), '
        '"Banana", "Yellow", int(null), "Banana", "Green", int(null), "Pear", "Brown", 1, "Pear", "Green", 2] '
        "| summarize arg_min(Version, *) by Fruit | sort by Fruit asc",
        ["Fruit:string", "Version:int", "Color:string"],
        [["Apple", 1, "Red"], ["Banana", None, "Yellow"], ["Pear", 1, "Brown"]]),
    # ------------------------------------------------------------ parse
    "parse_regex_greedy": Case(
        "parse-operator.md, regex kind: the pattern is a regular expression matched as RE2 does, "
        "greedy unless flags=U (the page's output keeps everything up to the last comma)",
        'print s = "a=1, b=2, c=3" | parse kind=regex s with "a=" v ","',
        ["s:string", "v:string"],
        [["a=1, b=2, c=3", "1, b=2"]]),
    "parse_regex_flags_ungreedy_and_case": Case(
        "parse-operator.md: flags=U makes the regex ungreedy, i case-insensitive (flags=Ui "
        "stops at the first comma)",
        'print s = "a=1, b=2, c=3" | parse kind=regex flags=Ui s with "A=" v ","',
        ["s:string", "v:string"],
        [["a=1, b=2, c=3", "1"]]),
    "parse_regex_flag_s": Case(
        "parse-operator.md: flags=s lets '.' match a newline",
        'print s = "k=ab\\ncd;" | parse kind=regex flags=s s with "k=" v ";"',
        ["s:string", "v:string"],
        [["k=ab\ncd;", "ab\ncd"]]),
    "parse_regex_group_does_not_shift_captures": Case(
        "parse-operator.md: columns are captured by groups the operator handles internally; a "
        "regex constant with its own group (the page's '(previous)?lockTime=') does not shift them",
        'print s = "id=42 (tag) end" | parse kind=regex s with "id=" id:long " [(](tag)[)] " rest',
        ["s:string", "id:long", "rest:string"],
        [["id=42 (tag) end", 42, "end"]]),
    "parse_simple_strict": Case(
        "parse-operator.md, simple kind: the match is strict, every typed column must match its "
        "type, otherwise the row's columns are null",
        'datatable(s:string)["x=7, y=5", "x=abc, y=5"] | parse s with "x=" x:long ", y=" y:long',
        ["s:string", "x:long", "y:long"],
        [["x=7, y=5", 7, 5], ["x=abc, y=5", None, None]]),
    "parse_simple_strict_datetime": Case(
        "parse-operator.md, simple kind: a typed column whose text does not convert fails the "
        "whole row (the page's releaseTime=invalid_datetime row is all null)",
        'datatable(s:string)["t=2016-02-17 08:40:00, n=1", "t=nope, n=2"] | parse s with "t=" t:datetime ", n=" n:long',
        ["s:string", "t:datetime", "n:long"],
        [["t=2016-02-17 08:40:00, n=1", "2016-02-17T08:40:00Z", 1], ["t=nope, n=2", None, None]]),
    "parse_relaxed": Case(
        "parse-operator.md, relaxed kind: columns may partially match their type; a column that "
        "does not match gets null and the others keep their values",
        'datatable(s:string)["x=abc, y=5", "x=7, y=5"] | parse kind=relaxed s with "x=" x:long ", y=" y:long',
        ["s:string", "x:long", "y:long"],
        [["x=abc, y=5", None, 5], ["x=7, y=5", 7, 5]]),
    "parse_where_drops_failed_typed": Case(
        "parse-where-operator.md: parses like parse and keeps only the rows parsed successfully "
        "(a typed capture that fails to convert drops the row)",
        'datatable(s:string)["t=2016-02-17 08:40:00, n=1", "t=nope, n=2", "other"] '
        '| parse-where s with "t=" t:datetime ", n=" n:long',
        ["s:string", "t:datetime", "n:long"],
        [["t=2016-02-17 08:40:00, n=1", "2016-02-17T08:40:00Z", 1]]),
    "parse_where_regex_flags": Case(
        "parse-where-operator.md: kind=regex with flags=i matches case-insensitively; rows that "
        "do not match are dropped",
        'datatable(s:string)["resourceName=P1, totalSlices=27, x", "nothing"] '
        '| parse-where kind=regex flags=i s with * "RESOURCENAME=" r "," * "totalSlices=" n:long "," *',
        ["s:string", "r:string", "n:long"],
        [["resourceName=P1, totalSlices=27, x", "P1", 27]]),
    # ------------------------------------------------------------ union
    "union_same_name_different_types": Case(
        "union-operator.md: a column name present with several types becomes one column per "
        "type, name_type; the page's views give x_long1, x_int, x_long",
        "let View_1 = view () { print x=1 }; let View_2 = view () { print x=toint(2) }; "
        "let View_3 = view () { print x_long=3 }; union withsource=TableName View_1, View_2, View_3 "
        "| sort by TableName asc",
        ["TableName:string", "x_long1:long", "x_int:int", "x_long:long"],
        [["View_1", 1, None, None], ["View_2", None, 2, None], ["View_3", None, None, 3]]),
    "union_withsource_as_names": Case(
        "as-operator.md: a leg named with `as` is reported under that name by union withsource",
        "union withsource=TableName (range x from 1 to 2 step 1 | as T1), (range x from 1 to 1 step 1 | as T2) "
        "| sort by TableName asc, x asc",
        ["TableName:string", "x:long"],
        [["T1", 1], ["T1", 2], ["T2", 1]]),
    # ------------------------------------------------------------ conversions
    "todatetime_accepts_literal_forms": Case(
        "todatetime-function.md: todatetime('12-02-2022') equals datetime('12-02-2022'); a text "
        "converts whenever the datetime literal would accept it",
        "print a = todatetime('12-02-2022') == datetime('12-02-2022'), b = todatetime('12-02-2022'), "
        "c = todatetime('not a date')",
        ["a:bool", "b:datetime", "c:datetime"],
        [[True, "2022-12-02T00:00:00Z", None]]),
    "extract_typeof": Case(
        "extract-function.md: with typeof(T) the extracted text is converted to T (Month 07 is 7)",
        'datatable(DateString: string)["15-12-2024", "21-07-2023"] '
        '| extend Month = extract(@"-(\\d{2})-", 1, DateString, typeof(int)), '
        'R = extract(@"(\\d+)$", 1, DateString, typeof(real)), '
        'L = extract(@"x(\\d+)", 1, DateString, typeof(long))',
        ["DateString:string", "Month:int", "R:real", "L:long"],
        [["15-12-2024", 12, 2024.0, None], ["21-07-2023", 7, 2023.0, None]]),
    # ------------------------------------------------------------ arithmetic and aggregates
    "modulo_is_never_negative": Case(
        "numerical-operators.md: -14 % 12 is 10, 14 % -12 is 2, -14 % -12 is 10; int % int is a long (type rules)",
        "print plusPlus = 14 % 12, minusPlus = -14 % 12, plusMinus = 14 % -12, minusMinus = -14 % -12, "
        "i = toint(-7) % toint(3), r = -7.5 % 2.0",
        ["plusPlus:long", "minusPlus:long", "plusMinus:long", "minusMinus:long", "i:long", "r:real"],
        [[2, 10, 2, 10, 2, 0.5]]),
    "modulo_column_by_constant": Case(
        "numerical-operators.md: the modulo of a column by a constant follows the same rule",
        "range x from -3 to 0 step 1 | extend m = x % 2",
        ["x:long", "m:long"],
        [[-3, 1], [-2, 0], [-1, 1], [0, 0]]),
    "count_of_expression": Case(
        "summarize-operator.md (default values): over y = [null, 5], count(y) is 2: count "
        "counts the group's rows",
        "range x from 1 to 2 step 1 | extend y = iff(x == 1, real(null), real(5)) | summarize count(y)",
        ["count_y:long"],
        [[2]]),
    "covariance_column_name": Case(
        "covariance-aggregation-function.md / covariancep-aggregation-function.md: the result "
        "columns are covariance_x_y and covariancep_x_y",
        "datatable(x:real, y:real)[1.0, 14.0, 2.0, 10.0, 3.0, 17.0, 4.0, 20.0, 5.0, 50.0] "
        "| summarize covariance(x, y), covariancep(x, y)",
        ["covariance_x_y:real", "covariancep_x_y:real"],
        [[20.5, 16.4]]),
    "range_of_timespans": Case(
        "range-function.md: range(1h, 5h) is the array of hours 01:00:00 to 05:00:00",
        "print range(1h, 5h)",
        ["print_0:dynamic"],
        [[["01:00:00", "02:00:00", "03:00:00", "04:00:00", "05:00:00"]]]),
    "print_of_let_name": Case(
        "print-operator.md: an unnamed print expression is print_N (a let value read by print is "
        "no column: `let d = 1; print d` gives print_0)",
        "let d = 1; print d, e = d + 1",
        ["print_0:long", "e:long"],
        [[1, 2]]),

    # ------------------------------------------------------------ arrays and bags
    "array_sort_several_arrays": Case(
        "array-sort-asc-function.md: with several arrays, the first is sorted and the others "
        "follow its order, one output column per array (array1_sorted, array2_sorted)",
        'let array1 = dynamic([1,3,4,5,2]); let array2 = dynamic(["a","b","c","d","e"]); '
        "print array_sort_asc(array1, array2)",
        ["array1_sorted:dynamic", "array2_sorted:dynamic"],
        [[[1, 2, 3, 4, 5], ["a", "e", "b", "c", "d"]]]),
    "array_sort_desc_several_arrays": Case(
        "array-sort-desc-function.md: the same in descending order",
        'let array1 = dynamic([1,3,4,5,2]); let array2 = dynamic(["a","b","c","d","e"]); '
        "print array_sort_desc(array1, array2)",
        ["array1_sorted:dynamic", "array2_sorted:dynamic"],
        [[[5, 4, 3, 2, 1], ["d", "c", "b", "e", "a"]]]),
    "array_sort_indexed_result": Case(
        "array-sort-asc-function.md: array_sort_asc(timestamps, commands)[1] is the commands in "
        "chronological order",
        "datatable(command:string, t:datetime)['chmod', datetime(2019-07-15), 'ls', datetime(2019-07-02), "
        "'dir', datetime(2019-07-22)] | summarize ts = make_list(t), cs = make_list(command) "
        "| project ordered = array_sort_asc(ts, cs)[1]",
        ["ordered:dynamic"],
        [[["ls", "chmod", "dir"]]]),
    "array_sort_nulls_first": Case(
        "array-sort-asc-function.md: nulls go last by default; nulls_last=false puts them first",
        'print a = array_sort_asc(dynamic([null,"blue","yellow","green",null])), '
        'b = array_sort_asc(dynamic([null,"blue","yellow","green",null]), false), '
        'c = array_sort_desc(dynamic([null,"blue","yellow","green",null]), false)',
        ["a:dynamic", "b:dynamic", "c:dynamic"],
        [[["blue", "green", "yellow", None, None], [None, None, "blue", "green", "yellow"],
          [None, None, "yellow", "green", "blue"]]]),
    "array_sort_type_order": Case(
        "array-sort-asc-function.md: mixed types sort numbers first, then strings, then other "
        "values",
        'print array_sort_asc(dynamic(["b", 2, {"k": 1}, "a", 1.5]))',
        ["print_0:dynamic"],
        [[[1.5, 2, "a", "b", {"k": 1}]]]),
    "bag_unpack_sorted_columns": Case(
        "bag-unpack-plugin.md: the unpacked columns are sorted by name (Age, Height, Name); a "
        "missing property is null",
        'datatable(d:dynamic)[dynamic({"Name": "John", "Age":20}), dynamic({"Name": "Dave", "Height": 170, "Age":40})] '
        "| evaluate bag_unpack(d)",
        ["Age:dynamic", "Height:dynamic", "Name:dynamic"],
        [[20, None, "John"], [40, 170, "Dave"]]),
    "bag_unpack_output_schema": Case(
        "bag-unpack-plugin.md: an output schema `: (*, Name:string, Age:long)` gives the input's "
        "other columns, then exactly the listed properties with their types",
        'datatable(d:dynamic, Description: string)[dynamic({"Name": "John", "Age":20, "height":180}), "Student"] '
        "| evaluate bag_unpack(d) : (*, Name:string, Age:long)",
        ["Description:string", "Name:string", "Age:long"],
        [["Student", "John", 20]]),
    "bag_unpack_named_arguments": Case(
        "bag-unpack-plugin.md: columnsConflict='replace_source' replaces the input column, "
        "'keep_source' keeps it; ignoredProperties skips properties",
        "datatable(Name:string, d:dynamic)['James', dynamic({\"Name\": \"John\", \"Age\": 20, \"X\": 1})] "
        "| evaluate bag_unpack(d, columnsConflict='replace_source', ignoredProperties=dynamic(['X']))",
        ["Name:dynamic", "Age:dynamic"],
        [["John", 20]]),
    "bag_unpack_keep_source": Case(
        "bag-unpack-plugin.md: columnsConflict='keep_source' keeps the input's column",
        "datatable(Name:string, d:dynamic)['James', dynamic({\"Name\": \"John\", \"Age\": 20})] "
        "| evaluate bag_unpack(d, columnsConflict='keep_source')",
        ["Name:string", "Age:dynamic"],
        [["James", 20]]),
    "bag_has_key_jsonpath": Case(
        "bag-has-key-function.md: the key may be a JSONPath ($.key2.prop1) into nested bags",
        "print b = dynamic({'key1': 123, 'key2': {'prop1': 'abc'}}) "
        "| project a = bag_has_key(b, '$.key2.prop1'), c = bag_has_key(b, '$.key2.nope'), "
        "d = bag_has_key(b, 'key1'), e = bag_has_key(b, \"$['key2']\")",
        ["a:bool", "c:bool", "d:bool", "e:bool"],
        [[True, False, True, True]]),
    "bag_remove_keys_jsonpath": Case(
        "bag-remove-keys-function.md: keys may be JSONPaths; removing $.key2.prop1 keeps key2's "
        "other properties",
        "print r = bag_remove_keys(dynamic({'key1': 123, 'key2': {'prop1': 'abc', 'prop2': 'xyz'}, "
        "'key3': [100, 200]}), dynamic(['$.key2.prop1', 'key3']))",
        ["r:dynamic"],
        [[{"key1": 123, "key2": {"prop2": "xyz"}}]]),
    "bag_zip_rules": Case(
        "bag-zip.md: keys pair with values by position; a missing value is null, extra values "
        "are dropped, keys that are not strings are skipped, values that are not an array give "
        "null values, keys that are not an array give null",
        "print a = bag_zip(dynamic(['a', 'b', 'c']), dynamic([1, '2'])), "
        "b = bag_zip(dynamic(['a', 8, 'b']), dynamic([1, '2', 2.5])), "
        "c = bag_zip(dynamic(['a', 'b']), dynamic(1)), d = isnull(bag_zip(dynamic('a'), dynamic([1])))",
        ["a:dynamic", "b:dynamic", "c:dynamic", "d:bool"],
        [[{"a": 1, "b": "2", "c": None}, {"a": 1, "b": 2.5}, {"a": None, "b": None}, True]]),
    # ------------------------------------------------------------ smaller items
    "row_number_restart": Case(
        "row-number-function.md: row_number(1, prev(Airport) != Airport) restarts the numbering "
        "on every row where the restart expression is true",
        'datatable(Airport:string, Departures:long)["TLV", 1, "TLV", 100, "SEA", 1, "SEA", 2, "SEA", 0] '
        "| sort by Airport asc, Departures desc | extend Rank = row_number(1, prev(Airport) != Airport)",
        ["Airport:string", "Departures:long", "Rank:long"],
        [["SEA", 2, 1], ["SEA", 1, 2], ["SEA", 0, 3], ["TLV", 100, 1], ["TLV", 1, 2]]),
    "url_encode_forms": Case(
        "url-encode-function.md / url-encode-component-function.md: lower-case hex digits; "
        "url_encode writes a space as +, url_encode_component as %20",
        "let url = @'https://www.bing.com/hello world/'; "
        "print a = url_encode(url), b = url_encode_component(url), c = url_decode(url_encode(url))",
        ["a:string", "b:string", "c:string"],
        [["https%3a%2f%2fwww.bing.com%2fhello+world%2f", "https%3a%2f%2fwww.bing.com%2fhello%20world%2f",
          "https://www.bing.com/hello world/"]]),
    "indexof_occurrence": Case(
        "indexof-function.md: the occurrence argument finds the n-th match, each searched in "
        "`length` characters (idx8 is 9, idx9 is -1, idx3 is -1)",
        'print idx2 = indexof("abcdefg","cde",1,4), idx3 = indexof("abcdefg","cde",1,2), '
        'idx8 = indexof("abcdefgabcdefg", "cde", 1, 10, 2), idx9 = indexof("abcdefgabcdefg", "cde", 1, -1, 3)',
        ["idx2:long", "idx3:long", "idx8:long", "idx9:long"],
        [[2, -1, 9, -1]]),
    "tohex_int_width": Case(
        "tohex-function.md: a negative int is its 32-bit two's complement (ffffff00), a long "
        "its 64-bit one",
        "print a = tohex(toint(-256), 8), b = tohex(-256), c = tohex(256, 8), d = tohex(256, 2)",
        ["a:string", "b:string", "c:string", "d:string"],
        [["ffffff00", "ffffffffffffff00", "00000100", "100"]]),
    "hash_of_datetime": Case(
        "hash-function.md: hash(datetime(\"2015-01-01\")) is 1380966698541616202 (the value's "
        "ticks hashed as a 64-bit integer)",
        'print result = hash(datetime("2015-01-01")), s = hash("World"), m = hash("World", 100)',
        ["result:long", "s:long", "m:long"],
        [[1380966698541616202, 1846988464401551951, 51]]),
    # ------------------------------------------------------------ time zones
    "datetime_local_to_utc_zones": Case(
        "datetime-local-to-utc-function.md: the wall-clock time in the named zone becomes UTC "
        "(20:02:20 in Europe/Paris is 19:02:20 UTC, in US/Pacific 04:02:20 the next day)",
        "datatable(local_dt: datetime, tz: string)[datetime(2020-02-02 20:02:20), 'US/Pacific', "
        "datetime(2020-02-02 20:02:20), 'America/Chicago', datetime(2020-02-02 20:02:20), 'Europe/Paris'] "
        "| extend utc_dt = datetime_local_to_utc(local_dt, tz)",
        ["local_dt:datetime", "tz:string", "utc_dt:datetime"],
        [["2020-02-02T20:02:20Z", "US/Pacific", "2020-02-03T04:02:20Z"],
         ["2020-02-02T20:02:20Z", "America/Chicago", "2020-02-03T02:02:20Z"],
         ["2020-02-02T20:02:20Z", "Europe/Paris", "2020-02-02T19:02:20Z"]]),
    "datetime_zone_round_trip_over_dst": Case(
        "datetime-local-to-utc-function.md: across the spring-forward gap, Brussels 02:00 maps "
        "to 00:00 UTC and back to 01:00 (diff 01:00:00); other hours round-trip",
        "range Local from datetime(2022-03-27 01:00:00) to datetime(2022-03-27 03:00:00) step 1h "
        "| extend UTC = datetime_local_to_utc(Local, 'Europe/Brussels') "
        "| extend BackToLocal = datetime_utc_to_local(UTC, 'Europe/Brussels') | extend diff = Local - BackToLocal",
        ["Local:datetime", "UTC:datetime", "BackToLocal:datetime", "diff:timespan"],
        [["2022-03-27T01:00:00Z", "2022-03-27T00:00:00Z", "2022-03-27T01:00:00Z", "00:00:00"],
         ["2022-03-27T02:00:00Z", "2022-03-27T00:00:00Z", "2022-03-27T01:00:00Z", "01:00:00"],
         ["2022-03-27T03:00:00Z", "2022-03-27T01:00:00Z", "2022-03-27T03:00:00Z", "00:00:00"]]),
    "datetime_utc_to_local_zones": Case(
        "datetime-utc-to-local-function.md: UTC becomes the named zone's wall-clock time (US/Pacific "
        "is 7 hours behind in July, Australia/Canberra 10 ahead: diff -17:00:00)",
        "print dt = datetime(2022-07-11 22:18:48) | extend p = datetime_utc_to_local(dt, 'US/Pacific'), "
        "c = datetime_utc_to_local(dt, 'Australia/Canberra') | extend diff = p - c",
        ["dt:datetime", "p:datetime", "c:datetime", "diff:timespan"],
        [["2022-07-11T22:18:48Z", "2022-07-11T15:18:48Z", "2022-07-12T08:18:48Z", "-17:00:00"]]),
}


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return run_cases(CASES)


@pytest.mark.parametrize("cid", list(CASES))
def test_documented_rule(results, cid):
    check_case(CASES[cid], results[cid])


ODD_INPUTS = """\
print array_sort_asc(dynamic([1]), "x"), array_sort_asc(dynamic([1,2]), dynamic([1]))

print tohex(1.5)

print datetime_local_to_utc(datetime(2020-01-01), '../etc/passwd'), datetime_utc_to_local(datetime(9999-12-31 23:00), 'Asia/Tokyo')

print extract("(\\\\d+)", 1, "a12", typeof(int)), extract("(", 1, "a12", typeof(long))

print s = "abc" | parse kind=regex flags=U s with "(" x

print s = "abc" | parse kind=relaxed s with "a" n:long "c"

print make_datetime(9999,12,31,23,59,59.99999999), datetime(9999-12-31 23:59:59.9999999) + 1tick, 1tick * 1e300

print d = dynamic({"a":1}) | evaluate bag_unpack(d, columnsConflict='bad')

print bag_has_key(dynamic({"a":1}), "$[0]"), bag_remove_keys(dynamic({"a":1}), dynamic(["$..a", 5])), bag_zip(5, 6)

print r = range(1tick, 3tick), b = bin(datetime(2020-01-01 00:00:00.0000005), 3tick), i = indexof("abc", "b", 5, 1, 2)

datatable(k:long, v:string)[1, "a"] | join (datatable(k:long, w:string)[1, "b"]) on k | where v == "a" and w == "b" and row_number() == 1
"""


def test_odd_inputs_give_results_or_kusto_errors():
    """Every input gets a result or a Kusto-style error (the brief's rule), through the new
    code paths of issue 19: sorting with odd arguments, zones, typed extract, U-flag parse,
    out-of-range ticks, bag_unpack options, JSONPath keys, pushed-down join filters."""
    code, out, err = run_kshell(ODD_INPUTS, "--keep-going", "--format", "csv")
    assert "Traceback" not in out + err
    for line in err.splitlines():
        assert line.startswith("Error (line "), line
    assert code in (0, 1)
