"""Polygon union on the sphere and what is built on it: geo_union_polygons_array,
geo_simplify_polygons_array, geo_line_buffer, geo_polygon_buffer, and the area,
perimeter and centroid of a MultiPolygon whose parts overlap (the documented examples
themselves run in test_docs_outputs.py)."""

from __future__ import annotations

import json
import math

import pytest

from query_support import run


def one(text: str):
    r = run(text)
    assert len(r.rows) == 1, r.rows
    return r.rows[0]


def poly(*ring) -> dict:
    ring = [list(p) for p in ring]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def square(x: float, y: float, size: float = 1.0) -> dict:
    return poly((x, y), (x + size, y), (x + size, y + size), (x, y + size))


def dyn(v) -> str:
    return f"dynamic({json.dumps(v)})"


def union(*polygons) -> dict | None:
    return one(f"print u = geo_union_polygons_array({dyn(list(polygons))})")[0]


def area(v) -> float:
    return one(f"print geo_polygon_area({dyn(v)})")[0]


def inside(lon: float, lat: float, v) -> bool:
    return one(f"print geo_point_in_polygon({lon}, {lat}, {dyn(v)})")[0]


# ------------------------------------------------------------------ union

def test_adjacent_squares_merge_into_one_ring_keeping_the_shared_corners():
    u = union(square(0, 0), square(1, 0))
    assert u["type"] == "Polygon"
    ring = u["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7  # 6 vertices: the shared edge's ends stay
    assert {tuple(p) for p in ring} == {(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1)}
    assert area(u) == pytest.approx(area(square(0, 0)) + area(square(1, 0)), rel=1e-9)


def test_overlapping_polygons_count_their_overlap_once():
    a, b = square(0, 0, 2), square(1, 1, 2)
    u = union(a, b)
    assert u["type"] == "Polygon" and len(u["coordinates"][0]) == 9  # 8 vertices, 2 of them crossings
    inter = area(square(1, 1, 1))
    assert area(u) == pytest.approx(area(a) + area(b) - inter, rel=1e-4)  # edges are geodesics, not parallels
    for lon, lat in ((0.5, 0.5), (2.5, 2.5), (1.5, 1.5)):
        assert inside(lon, lat, u)
    assert not inside(2.5, 0.5, u) and not inside(0.5, 2.5, u)


def test_identical_nested_and_disjoint_polygons():
    a = square(0, 0, 2)
    assert area(union(a, a)) == pytest.approx(area(a), rel=1e-12)
    assert area(union(a, square(0.5, 0.5, 1))) == pytest.approx(area(a), rel=1e-12)
    u = union(square(0, 0), square(5, 5))
    assert u["type"] == "MultiPolygon" and len(u["coordinates"]) == 2


def test_a_ring_of_squares_leaves_a_hole_listed_after_its_shell():
    ring_of = [square(x, y) for x in range(3) for y in range(3) if (x, y) != (1, 1)]
    u = union(*ring_of)
    assert u["type"] == "Polygon" and len(u["coordinates"]) == 2
    assert not inside(1.5, 1.5, u) and inside(0.5, 1.5, u)
    assert area(u) == pytest.approx(sum(area(s) for s in ring_of), rel=1e-9)


def test_a_polygon_with_a_hole_unioned_with_a_patch_over_part_of_the_hole():
    holed = {"type": "Polygon", "coordinates": [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]]}
    u = union(holed, square(0.5, 0.5, 1.5))
    assert inside(1.5, 1.5, u) and inside(2.5, 2.5, u) is False
    assert area(u) == pytest.approx(area(holed) + area(square(1, 1, 1)), rel=1e-4)


def test_a_multipolygon_element_is_one_polygon_of_the_array():
    multi = {"type": "MultiPolygon", "coordinates": [square(0, 0)["coordinates"], square(3, 0)["coordinates"]]}
    u = union(multi, square(1, 0))
    assert u["type"] == "MultiPolygon"
    assert area(u) == pytest.approx(3 * area(square(0, 0)), rel=1e-3)


def test_the_documented_union_starts_where_the_service_does():
    a = poly((-73.9495, 40.7969), (-73.95807, 40.80068), (-73.98201, 40.76825), (-73.97317, 40.76455))
    b = poly((-73.94622, 40.79249), (-73.96888, 40.79282), (-73.9577, 40.7789))
    ring = union(a, b)["coordinates"][0]
    assert ring[0] == [-73.9495, 40.7969] and len(ring) == 12
    assert ring[2] == pytest.approx([-73.9639277517478, 40.792748258673875], abs=1e-9)


@pytest.mark.parametrize("arr", [
    "dynamic([])",
    "dynamic(null)",
    "dynamic('text')",
    "dynamic([{'type':'Polygon','coordinates':[[[-73.94622,40.79249]]]}])",
    "dynamic([{'type':'Point','coordinates':[1,2]}])",
    "dynamic([null])",
    # a ring that crosses itself (a bow tie) is invalid
    "dynamic([{'type':'Polygon','coordinates':[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}])",
    "dynamic([{'type':'Polygon','coordinates':[[[0,0],[1,0],[1,1],[0,0]]]}, 5])",
    # an edge of 180 degrees, and a ring whose distinct points are one pole
    "dynamic([{'type':'Polygon','coordinates':[[[0,0],[180,0],[0,1],[0,0]]]}])",
    "dynamic([{'type':'Polygon','coordinates':[[[0,90],[10,90],[20,90],[0,90]]]}])",
])
def test_invalid_input_gives_null(arr):
    assert one(f"print u = geo_union_polygons_array({arr})") == [None]


def test_a_shell_given_clockwise_is_the_smaller_region():
    cw = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}
    u = union(cw)
    assert area(u) == pytest.approx(area(square(0, 0)), rel=1e-12)


# ------------------------------------------------------------------ MultiPolygon measures

def test_multipolygon_measures_use_the_union_of_its_parts():
    a, b = square(0, 0, 2), square(1, 1, 2)
    multi = {"type": "MultiPolygon", "coordinates": [a["coordinates"], b["coordinates"]]}
    u = union(a, b)
    got = one(f"print geo_polygon_area({dyn(multi)}), geo_polygon_perimeter({dyn(multi)})")
    want = one(f"print geo_polygon_area({dyn(u)}), geo_polygon_perimeter({dyn(u)})")
    assert got == pytest.approx(want, rel=1e-9)
    c = one(f"print geo_polygon_centroid({dyn(multi)})")[0]["coordinates"]
    assert c == pytest.approx([1.5, 1.5], abs=0.01)


# ------------------------------------------------------------------ simplify

def test_simplify_drops_nearly_straight_vertices_and_unions():
    a = poly((0, 0), (0.5, 0.00001), (1, 0), (1, 1), (0, 1))
    s = one(f"print geo_simplify_polygons_array({dyn([a, square(1, 0)])}, 10)")[0]
    assert s["type"] == "Polygon"
    assert [0.5, 0.00001] not in s["coordinates"][0]
    assert area(s) == pytest.approx(2 * area(square(0, 0)), rel=1e-4)


def test_simplify_tolerance_rules():
    arr = dyn([square(0, 0, 0.001)])  # about 110 m across
    assert one(f"print geo_simplify_polygons_array({arr})")[0]["type"] == "Polygon"  # default 10 m
    assert one(f"print geo_simplify_polygons_array({arr}, 0)")[0]["type"] == "Polygon"
    assert one(f"print geo_simplify_polygons_array({arr}, -1)") == [None]
    assert one(f"print geo_simplify_polygons_array({arr}, 10000)") == [None]  # collapses
    assert one(f"print geo_simplify_polygons_array({arr}, 8000000)") == [None]  # beyond the range
    assert one("print geo_simplify_polygons_array(dynamic([]), 10)") == [None]


# ------------------------------------------------------------------ buffers

def distance_point_to_line(lon, lat, line) -> float:
    return one(f"print geo_distance_point_to_line({lon}, {lat}, {dyn(line)})")[0]


def test_line_buffer_holds_the_points_within_the_radius():
    line = {"type": "LineString", "coordinates": [[0, 0], [0.01, 0.01], [0.02, 0]]}
    b = one(f"print geo_line_buffer({dyn(line)}, 100, 1)")[0]
    assert b["type"] == "Polygon"
    for lon, lat in ((0.005, 0.0055), (0.01, 0.0108), (-0.0008, 0), (0.0208, 0), (0.015, 0.004)):
        d = distance_point_to_line(lon, lat, line)
        assert inside(lon, lat, b) == (d < 100), (lon, lat, d)
    assert not inside(0.01, 0.0115, b)


def test_line_buffer_of_a_multilinestring_and_invalid_arguments():
    multi = {"type": "MultiLineString", "coordinates": [[[0, 0], [0.01, 0]], [[0, 1], [0.01, 1]]]}
    assert one(f"print geo_line_buffer({dyn(multi)}, 50)")[0]["type"] == "MultiPolygon"
    line = dyn({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})
    for args in ("0", "-5", "real(null)", "100, 0.00001", "100, -1", "'x'"):
        assert one(f"print geo_line_buffer({line}, {args})") == [None], args
    assert one(f"print geo_line_buffer({line}, 100, 1000)")[0]["type"] == "Polygon"  # tolerance lowered
    assert one(f"print geo_line_buffer({line}, decimal(100), 2)")[0]["type"] == "Polygon"


def test_polygon_buffer_grows_the_polygon_by_the_radius():
    p = square(10, 10, 0.01)
    b = one(f"print geo_polygon_buffer({dyn(p)}, 200, 1)")[0]
    assert b["type"] == "Polygon"
    assert inside(10.005, 10.005, b) and inside(10.005, 10.0115, b) and not inside(10.005, 10.0125, b)
    # area: the square, four bands and a disc (within the tolerance's share)
    perimeter = one(f"print geo_polygon_perimeter({dyn(p)})")[0]
    want = area(p) + perimeter * 200 + math.pi * 200 ** 2
    assert area(b) == pytest.approx(want, rel=1e-3)
    assert area(b) < want  # the vertices lie on the true outline, the edges inside it
    assert one(f"print geo_polygon_buffer({dyn(p)}, 0)") == [None]
    assert one("print geo_polygon_buffer(dynamic({'type':'p'}), 1)") == [None]


def test_buffers_of_the_documented_examples_have_the_documented_types():
    lines = ("datatable(line:dynamic)[dynamic({'type':'LineString','coordinates':[[14.429214068940496,"
             "50.10043066548272],[14.431184174126173,50.10046525983731]]}), dynamic({'type':'LineString',"
             "'coordinates':[[14.43030222687753,50.100780677801936],[14.4303847111523,50.10020274910934]]})]"
             "| project buffer = geo_line_buffer(line, 2, 0.1) | summarize polygons = make_list(buffer)"
             "| project t = tostring(geo_union_polygons_array(polygons).type)")
    assert one(lines) == ["Polygon"]
    points = ("datatable(longitude:real, latitude:real, radius:real)[real(-80.3212217992616), "
              "25.268683367546604, 5000, real(-80.81717403605833), 24.82658441221962, 3000]"
              "| project buffer = geo_point_buffer(longitude, latitude, radius)"
              "| summarize polygons = make_list(buffer)"
              "| project t = tostring(geo_union_polygons_array(polygons).type)")
    assert one(points) == ["MultiPolygon"]


def test_cli_prints_a_union_and_a_null(run_kshell):
    code, out, err = run_kshell(
        "print u = geo_union_polygons_array(dynamic([{'type':'Polygon','coordinates':"
        "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}])), bad = isnull(geo_union_polygons_array(dynamic([1])))\n")
    assert code == 0, err
    assert "Polygon" in out and "true" in out.lower() and "Traceback" not in err


# ------------------------------------------------------------------ intersection (same overlay)

def test_intersection_of_polygons_with_holes_and_touching_ones():
    holed = {"type": "Polygon", "coordinates": [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]]}
    out = one(f"print geo_intersection_2polygons({dyn(holed)}, {dyn(square(0.5, 0.5, 3))})")[0]
    assert out["type"] == "Polygon" and len(out["coordinates"]) == 2  # a shell and the hole
    assert not inside(2, 2, out) and inside(0.75, 2, out)
    # side by side: they share an edge, which is what they have in common
    touch = one(f"print geo_intersection_2polygons({dyn(square(0, 0))}, {dyn(square(1, 0))})")[0]
    assert touch == {"type": "LineString", "coordinates": [[1, 0], [1, 1]]} or \
        touch == {"type": "LineString", "coordinates": [[1, 1], [1, 0]]}
    corner = one(f"print geo_intersection_2polygons({dyn(square(0, 0))}, {dyn(square(1, 1))})")[0]
    assert corner == {"type": "Point", "coordinates": [1, 1]}


# ------------------------------------------------------------------ coverings with a radius

def test_coverings_with_a_radius_cover_the_buffer():
    pytest.importorskip("s2sphere")
    pytest.importorskip("h3")
    line = dyn({"type": "LineString", "coordinates": [[-0.1399656708283601, 51.50190802248855],
                                                      [-0.14088438832752104, 51.50012082761452]]})
    plain, wide, bad = one(f"print geo_line_to_s2cells({line}, 16), geo_line_to_s2cells({line}, 16, 500), "
                           f"geo_line_to_s2cells({line}, 16, -1)")
    assert set(plain) < set(wide) and bad is None
    p = dyn(square(-3.7, 40.4, 0.1))
    h0, h1 = one(f"print geo_polygon_to_h3cells({p}, 7), geo_polygon_to_h3cells({p}, 7, 3000)")
    assert set(h0) < set(h1)
    s0, s1, s2 = one(f"print geo_polygon_to_s2cells({p}, 12), geo_polygon_to_s2cells({p}, 12, 3000), "
                     f"geo_polygon_to_s2cells({p}, 12, 0)")
    assert set(s0) < set(s1) and s2 == s0
    # a point 2.9 km east of the square is covered, one 3.5 km east is not
    cells = set(s1)
    near, far = one("print geo_point_to_s2cell(-3.6 + 2900 / 84800.0, 40.45, 12), "
                    "geo_point_to_s2cell(-3.6 + 3500 / 84800.0 + 0.02, 40.45, 12)")
    assert near in cells and far not in cells


def test_leaf_cell_order_is_s2s():
    """The union visits vertices in S2 leaf-cell order, computed without s2sphere; it
    must agree with it (including points on the equator and the faces' edges)."""
    s2 = pytest.importorskip("s2sphere")
    import random

    from kshell.query.functions_geometry import vec
    from kshell.query.geo_overlay import leaf_cell_id
    rnd = random.Random(11)
    points = [(rnd.uniform(-180, 180), rnd.uniform(-90, 90)) for _ in range(300)]
    points += [(0, 0), (45, 0), (-135, 0), (90, 45), (0, 90), (0, -90), (180, 35.26438968)]
    for lon, lat in points:
        p = vec(lon, lat)
        assert leaf_cell_id(p) == s2.CellId.from_point(s2.Point(*p)).id(), (lon, lat)
