"""The extended library (functions_text, functions_dynamic, functions_ip, functions_geo,
functions_geometry, functions_series, window, aggregates_extra, operators_extra, plugins):
behaviour a user sees through a Session, beyond what the documented examples cover."""

from __future__ import annotations

import math

import pytest

from kshell.errors import KustoError, NotSupported
from query_support import NOW, check, run


def one(text: str):
    r = run(text)
    assert len(r.rows) == 1, r.rows
    return r.rows[0]


# ------------------------------------------------------------------ strings, bits, math

def test_bits_wrap_as_64_bit_longs():
    assert one("print binary_and(6, 3), binary_or(6, 3), binary_xor(6, 3), binary_not(0), "
               "binary_shift_left(1, 63), binary_shift_right(-8, 1), bitset_count_ones(-1)") == \
        [2, 7, 5, -1, -2**63, -4, 64]


def test_math_and_conversions():
    g, lg, e, c = one("print gamma(5), loggamma(5), erf(0), convert_length(1, 'Mile', 'Meter')")
    assert (g, e, c) == (24.0, 0.0, 1609.344) and math.isclose(lg, math.log(24))
    assert one("print convert_temperature(100, 'DegreeCelsius', 'DegreeFahrenheit')")[0] == pytest.approx(212)
    assert one("print convert_mass(1, 'Kilogram', 'NoSuchUnit')") == [None]
    assert one("print beta_cdf(0.5, 2, 2), beta_cdf(2, 2, 2)")[0] == pytest.approx(0.5)
    assert math.isnan(one("print beta_cdf(2, 2, 2)")[0])


def test_strings_and_encodings():
    assert one("print replace_strings('abc', dynamic(['a', 'b']), dynamic(['b', 'c']))") == ["bcc"]
    assert one("print string_size('é'), regex_quote('a.b'), translate('ab', 'xy', 'aabb')") == [2, "a\\.b", "xxyy"]
    assert one("print indexof_regex('abcabc', 'b', 0, -1, 2), indexof_regex('abc', 'z')") == [4, -1]
    assert one("print parse_version('1.2'), parse_version('x')")[1] is None
    assert one("print parse_csv('a,\"b,c\"'), parse_command_line('a \"b c\"', 'windows')") == \
        [["a", "b,c"], ["a", "b c"]]
    assert one("print punycode_from_string('müller'), punycode_to_string('mller-kva')") == ["mller-kva", "müller"]
    s = one("print zlib_decompress_from_base64_string(zlib_compress_to_base64_string('hi')), "
            "gzip_decompress_from_base64_string(gzip_compress_to_base64_string('yo'))")
    assert s == ["hi", "yo"]
    assert one("print base64_encode_fromarray(base64_decode_toarray('S3VzdG8=')), "
               "base64_decode_toarray('not base64!')") == ["S3VzdG8=", None]
    assert one("print unicode_codepoints_to_string(75, dynamic([117, 115]))") == ["Kus"]


def test_hashes():
    assert one("print hash_xxhash64('World'), hash('World')") == [1846988464401551951] * 2
    assert one("print hash_sha1('World')") == ["70c07ec18ef89c5309bbb0937f3a6342411e1fdd"]
    assert one("print hash(datetime(2015-01-01))") == [1380966698541616202]


# ------------------------------------------------------------------ dynamic

def test_arrays_and_bags():
    assert one("print array_rotate_left(dynamic([1,2,3]), 1), array_shift_right(dynamic([1,2,3]), 1, 0), "
               "array_iff(dynamic([true,false]), 1, 2), repeat('a', 2), jaccard_index(dynamic([1,2]), dynamic([2,3]))") \
        == [[2, 3, 1], [0, 1, 2], [1, 2], ["a", "a"], pytest.approx(1 / 3)]
    assert one("print bag_set_key(dynamic({'a':1}), '$.b.c', 2)") == [{"a": 1, "b": {"c": 2}}]
    assert one("print extract_json('$.a[1]', '{\"a\":[5,6]}', typeof(long))") == [6]
    check("datatable(a:long, b:string)[1, 'x'] | extend p = pack_all(), q = bag_pack_columns(a)",
          "a:long, b:string, p:dynamic, q:dynamic", [[1, "x", {"a": 1, "b": "x"}, {"a": 1}]])
    assert one("let T = datatable(A:int, B:string)[]; print column_names_of(T)") == [["A", "B"]]


def test_window_functions_restart():
    check("datatable(k:string, v:long)['a',1,'a',2,'b',5,'b',5,'b',7] "
          "| extend n=row_number(1, k != prev(k)), s=row_cumsum(v, k != prev(k)), "
          "d=row_rank_dense(v, k != prev(k)), m=row_rank_min(v, k != prev(k))",
          "k:string, v:long, n:long, s:long, d:long, m:long",
          [["a", 1, 1, 1, 1, 1], ["a", 2, 2, 3, 2, 2], ["b", 5, 1, 5, 1, 1], ["b", 5, 2, 10, 1, 1],
           ["b", 7, 3, 17, 2, 3]])


# ------------------------------------------------------------------ IP

def test_ip_functions():
    assert one("print ipv4_is_in_range('10.1.2.3', '10.0.0.0/8'), ipv4_is_private('8.8.8.8'), "
               "ipv4_compare('10.0.0.1', '10.0.0.2'), parse_ipv4('1.2.3.4/8'), format_ipv4_mask('10.1.2.3', 16)") \
        == [True, False, -1, 16777216, "10.1.0.0/16"]
    assert one("print ipv6_is_match('::ffff:1.2.3.4', '1.2.3.4'), parse_ipv6('::1')") == \
        [True, "0000:0000:0000:0000:0000:0000:0000:0001"]
    assert one("print has_ipv4('x 1.2.3.4 y', '1.2.3.4'), has_ipv4('x1.2.3.4', '1.2.3.4'), "
               "ipv4_range_to_cidr_list('10.0.0.0', '10.0.0.5')") == \
        [True, False, ["10.0.0.0/30", "10.0.0.4/31"]]
    assert one("print ipv4_is_match('300.1.1.1', '1.1.1.1')") == [None]


# ------------------------------------------------------------------ geo

def test_geohash_and_spherical_measures():
    assert one("print geo_point_to_geohash(-80.195829, 25.802215, 8), geo_point_to_geohash(200, 1)") == ["dhwfz15h", ""]
    assert one("print geo_geohash_to_central_point('s')") == [{"type": "Point", "coordinates": [22.5, 22.5]}]
    d, = one("print geo_distance_2points(0, 0, 0, 1)")
    assert d == pytest.approx(6371010 * math.pi / 180)
    assert one("print geo_point_in_polygon(1, 1, dynamic({'type':'Polygon','coordinates':"
               "[[[0,0],[2,0],[2,2],[0,2],[0,0]]]})), geo_point_in_circle(0, 0, 0, 1, 1000)") == [True, False]
    assert one("print geo_polygon_area(dynamic({'type':'Polygon','coordinates':[[[0,0],[1,1],[1,1],[0,0]]]}))") == [None]
    assert one("print geo_from_wkt('POINT (1 2)'), geo_from_wkt('POINT')") == \
        [{"type": "Point", "coordinates": [1, 2]}, None]


def test_h3_and_s2_cells():
    pytest.importorskip("h3")
    pytest.importorskip("s2sphere")
    assert one("print geo_point_to_h3cell(-74.04450446039874, 40.689250859314974, 6), "
               "geo_h3cell_level('862a1072fffffff'), geo_h3cell_parent('862a1072fffffff', 1)") == \
        ["862a1072fffffff", 6, "812a3ffffffffff"]
    assert one("print geo_point_to_s2cell(-80.195829, 25.802215, 8), geo_point_to_s2cell(1, 1, 31)") == ["88d9b", ""]


# ------------------------------------------------------------------ series

def test_series():
    assert one("print series_add(dynamic([1,2]), dynamic([3,4])), series_greater(dynamic([1,5]), 2), "
               "series_fill_forward(dynamic([1,null,3])), series_fir(dynamic([1,2,3]), dynamic([1,1]), false)") == \
        [[4, 6], [False, True], [1, 1, 3], [1.0, 3.0, 5.0]]
    st, = one("print series_stats_dynamic(dynamic([1,2,3]))")
    assert (st["min"], st["max_idx"], st["avg"], st["variance"]) == (1.0, 2, 2.0, 1.0)
    assert one("print series_iir(dynamic([1,1,1]), dynamic([1]), dynamic([1,-1]))") == [[1.0, 2.0, 3.0]]


# ------------------------------------------------------------------ aggregates

def test_sketches_and_weighted_percentiles():
    assert one("range x from 1 to 100 step 1 | summarize h=hll(x), t=tdigest(x) "
               "| project dcount_hll(h), percentile_tdigest(t, 50), rank_tdigest(t, 10)") == [100, 50, 10]
    check("datatable(v:long, w:long)[10, 8, 20, 6, 30, 3, 40, 1] | summarize percentilesw(v, w, 50, 99.9)",
          "percentile_v_50:long, percentile_v_99_9:long", [[20, 40]])
    assert one("print x=1 | summarize covariancepif(x, x, true)") == [0.0]


def test_buildschema():
    assert one("datatable(d:dynamic)[dynamic({'a':1}), dynamic({'a':'s','b':[1]})] | summarize buildschema(d)") == \
        [{"a": ["long", "string"], "b": {"`indexer`": "long"}}]


# ------------------------------------------------------------------ operators

def test_make_series_fills_defaults():
    check("datatable(t:long, v:long)[1, 10, 1, 5, 3, 7] | make-series s=sum(v) default=-1 on t from 0 to 4 step 1",
          "s:dynamic, t:dynamic", [[[-1, 15, -1, 7], [0, 1, 2, 3]]])


def test_mv_apply_runs_the_subquery_per_row():
    check("datatable(id:long, a:dynamic)[1, dynamic([3,1,2]), 2, dynamic([5])] "
          "| mv-apply x=a to typeof(long) on (top 2 by x | summarize m=make_list(x))",
          "id:long, a:dynamic, m:dynamic", [[1, [3, 1, 2], [3, 2]], [2, [5], [5]]])


def test_parse_kv_and_project_by_names():
    check("print s='a=1 b=x' | parse-kv s as (a:long, b:string) with (pair_delimiter=' ', kv_delimiter='=') "
          "| project-by-names 'a', 'b'", "a:long, b:string", [[1, "x"]])


def test_scan_running_total():
    check("range x from 1 to 4 step 1 | scan declare (t:long=0) with (step s: true => t = x + s.t;)",
          "x:long, t:long", [[1, 1], [2, 3], [3, 6], [4, 10]])


def test_partition_and_top_nested():
    check("datatable(k:string, v:long)['a',1,'a',3,'b',2] | partition by k (top 1 by v)",
          "k:string, v:long", [["a", 3], ["b", 2]], ordered=False)
    check("datatable(k:string, v:long)['a',1,'a',3,'b',2] | top-nested 1 of k by sum(v)",
          None, [["a", 4]])


# ------------------------------------------------------------------ plugins

def test_plugins():
    check("datatable(d:dynamic)[dynamic({'b':1,'a':2})] | evaluate bag_unpack(d)", "a:dynamic, b:dynamic", [[2, 1]])
    check("datatable(k:string, c:string)['x','p','x','q','y','p'] | evaluate pivot(c, count(), k)",
          "k:string, p:long, q:long", [["x", 1, 1], ["y", 1, 0]])
    check("datatable(a:long, b:string)[1, 'x'] | evaluate narrow()", "Row:int, Column:string, Value:string",
          [[0, "a", "1"], [0, "b", "x"]])
    check("datatable(ip:string)['10.1.1.1', '8.8.8.8'] | evaluate ipv4_lookup("
          "datatable(net:string, name:string)['10.0.0.0/8', 'ten'], ip, net, return_unmatched=true)",
          "ip:string, net:string, name:string", [["10.1.1.1", "10.0.0.0/8", "ten"], ["8.8.8.8", "", ""]])


def test_not_simulated_items_name_themselves():
    with pytest.raises(NotSupported, match="'sql_request' is not simulated by kshell"):
        run("print 1 | evaluate sql_request('Server=x', 'select 1')")
    with pytest.raises(KustoError):
        run("print 1 | scan with (step s1 x)")


def test_cli_runs_a_library_function(run_kshell):
    code, out, err = run_kshell("print ipv4_is_private('10.0.0.1'), series_sum(dynamic([1,2,3]))\n")
    assert code == 0, err
    assert "true" in out.lower() and "6" in out


__all__ = ["NOW"]


def test_graph_match_and_shortest_paths():
    q = ("let E = datatable(s:string, d:string, w:long)['a','b',1,'b','c',2,'a','c',5,'c','d',1]; "
         "E | make-graph s --> d with_node_id=id ")
    check(q + "| graph-match (x)-[e*1..3]->(y) where x.id == 'a' and y.id == 'd' "
              "project path = map(e, d), inner = map(inner_nodes(e), node_id()), total = array_length(e)",
          "path:dynamic, inner:dynamic, total:long",
          [[["b", "c", "d"], ["b", "c"], 3], [["c", "d"], ["c"], 2]], ordered=False)
    check(q + "| graph-shortest-paths (x)-[e*1..3]->(y) where x.id == 'a' and y.id == 'd' "
              "project n = array_length(e)", "n:long", [[2]])
    check(q + "| graph-match (x)-[e]->(y) where all(e, w > 1) project x.id, y.id",
          "x_id:string, y_id:string", [["b", "c"], ["a", "c"]], ordered=False)
    check(q + "| graph-mark-components | graph-to-table nodes", "id:string, ComponentId:long",
          [["a", 0], ["b", 0], ["c", 0], ["d", 0]])


def test_more_functions_and_operators():
    assert one("print array_index_of(dynamic(['a','b','a']), 'a', 1), array_index_of(dynamic(['a','b','a']), 'a', -3, -1, 2), "
               "array_index_of(dynamic([1]), 2)") == [2, 2, -1]
    assert one("print parse_xml('<r><a>t</a></r>'), parse_xml('<r>')") == [{"r": {"a": "t"}}, None]
    assert one("print estimate_data_size('ab', 1)") == [10]
    assert "Europe/Paris" in one("print datetime_list_timezones()")[0]
    buf, inside = one("print b = geo_point_buffer(10, 10, 1000), geo_point_in_polygon(10, 10.005, geo_point_buffer(10, 10, 1000))")
    assert buf["type"] == "Polygon" and inside is True
    assert one("print geo_point_buffer(10, 10, -1)") == [None]
    check("datatable(a:string, w:long)['x',1,'y',5,'x',2] | top-hitters 1 of a by w",
          "a:string, approximate_sum_w:long", [["y", 5]])
    check("print 1 | consume", "", [])
    with pytest.raises(KustoError, match="graph function"):
        run("print all(1, 2)")


def test_search_over_views_and_piped_rows():
    check("let A = view () { print x=1 }; let B = view () { print x=2 }; search x == 2",
          "$table:string, x:long", [["B", 2]])
    check("datatable(a:string)['hello world', 'bye'] | search 'hello'", "a:string", [["hello world"]])


def test_declare_pattern():
    q = ('declare pattern p = (n:string)[k:string] { ("a").["x"] = { print v = 1 }; ("b").["y"] = { print v = 2 }; };\n')
    check(q + 'p("b").y', "v:long", [[2]])
    with pytest.raises(KustoError, match="no mapping"):
        run(q + 'p("c").y')


ODD_INPUTS = [
    "print x=1 | make-series count() on x step 0", "print 1 | make-series count() on x step 1",
    "print 1 | mv-apply x on (take 1)", "print x=1 | scan declare (y:long) with (step s: x > 0 => z = 1;)",
    "print 1 | partition by nosuch (take 1)", "print 1 | top-nested 2 of nosuch by count()",
    "print 1 | evaluate pivot()", "print 1 | evaluate ipv4_lookup(1, 2, 3)", "print 1 | evaluate rows_near(true, -1)",
    "print a=1, b=2 | graph-to-table nodes", "print a=1, b=2 | make-graph a --> b | where true",
    "print a=1, b=2 | make-graph a --> b | graph-match (x)-[e*1..2]->(y) where all(1, 2) project 1",
    "print 1 | top-hitters 1 of print_0 by 'x'", "search in (Nope) 'x'",
    "declare pattern p = (a:string) { ('x') = { print 1 }; }; p('y')",
    "print series_iir(dynamic([1]), dynamic([1]), dynamic([0])), binary_shift_left(1, -1), indexof_regex('a', '(')",
]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_inputs_give_kusto_errors_or_results(text):
    try:
        run(text)
    except KustoError:
        pass


def test_partition_with_a_query_body():
    check("datatable(k:string)['a', 'b'] | partition by k { print key = toscalar(k) }",
          "key:string", [["a"], ["b"]], ordered=False)


def test_bag_functions_spread_into_columns():
    check("print x=dynamic([1,2,3]) | project series_stats(x)",
          "series_stats_x_min:real, series_stats_x_min_idx:long, series_stats_x_max:real, "
          "series_stats_x_max_idx:long, series_stats_x_avg:real, series_stats_x_stdev:real, "
          "series_stats_x_variance:real", [[1.0, 0, 3.0, 2, 2.0, 1.0, 1.0]])
    r = run("print x=dynamic([1,2,3]) | extend (r2, slope, v, rv, icpt, fit) = series_fit_line(x) | project slope, icpt, fit")
    assert r.rows == [[1.0, 0.0, [1.0, 2.0, 3.0]]]


def test_reduce_groups_by_frequent_terms():
    check("range x from 1 to 10 step 1 | project s = strcat('foo', 'Z', tostring(x)) | reduce by s with characters='Z'",
          "Pattern:string, Count:long, Representative:string", [["foo*", 10, "fooZ1"]])
    r = run("range x from 1 to 20 step 1 | project s = strcat('a-', tostring(x)) | reduce kind=source by s")
    assert r.column_names == ["s", "Pattern"] and {row[1] for row in r.rows} == {"a*"}


def test_line_clipped_by_polygon():
    square = "dynamic({'type':'Polygon','coordinates':[[[0,0],[2,0],[2,2],[0,2],[0,0]]]})"
    out, = one(f"print geo_intersection_line_with_polygon(dynamic({{'type':'LineString','coordinates':[[1,1],[3,1]]}}), {square})")
    assert out["type"] == "LineString" and out["coordinates"][0] == [1, 1]
    assert out["coordinates"][1] == [pytest.approx(2.0), pytest.approx(1.0, abs=1e-3)]
    assert one(f"print geo_intersection_line_with_polygon(dynamic({{'type':'LineString','coordinates':[[5,5],[6,6]]}}), {square})") == \
        [{"type": "GeometryCollection", "geometries": []}]


def test_union_of_lines_chains_shared_vertices():
    out, = one("print geo_union_lines_array(dynamic([{'type':'LineString','coordinates':[[0,0],[1,1]]}, "
               "{'type':'LineString','coordinates':[[1,1],[2,1]]}, {'type':'LineString','coordinates':[[5,5],[6,6]]}]))")
    assert out == {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1], [2, 1]], [[5, 5], [6, 6]]]}
    assert one("print geo_union_lines_array(dynamic([{'type':'LineString','coordinates':[[1,1]]}]))") == [None]


def test_polygon_intersection():
    sq = "dynamic({'type':'Polygon','coordinates':[[[0,0],[2,0],[2,2],[0,2],[0,0]]]})"
    tri = "dynamic({'type':'Polygon','coordinates':[[[1,1],[3,1],[3,3],[1,1]]]})"
    out, = one(f"print geo_intersection_2polygons({sq}, {tri})")
    # geodesic edges: the triangle's lower edge bulges north of y=1, so the part inside the
    # square has four corners (two of them crossings near (2, 1) and (2, 2))
    ring = out["coordinates"][0]
    assert out["type"] == "Polygon" and len(ring) == 5 and ring[0] == ring[-1]
    assert all(-1e-9 <= x <= 2 + 1e-9 and 1 - 1e-9 <= y <= 2 + 1e-6 for x, y in ring)
    far = "dynamic({'type':'Polygon','coordinates':[[[5,5],[6,5],[6,6],[5,5]]]})"
    assert one(f"print geo_intersection_2polygons({sq}, {far})") == [{"type": "GeometryCollection", "geometries": []}]
    # two concave polygons (formerly refused): their overlap, a polygon with its notch
    concave = "dynamic({'type':'Polygon','coordinates':[[[0,0],[4,0],[4,4],[2,1],[0,4],[0,0]]]})"
    out, = one(f"print geo_intersection_2polygons({concave}, {sq})")
    ring = out["coordinates"][0]  # the notch's tip (2, 1) lies on the square's side
    assert out["type"] == "Polygon" and len(ring) == 6 and [2, 1] in ring
    same, = one(f"print geo_intersection_2polygons({concave}, {concave})")
    assert same["coordinates"] == [[[0, 0], [4, 0], [4, 4], [2, 1], [0, 4], [0, 0]]]
