"""Geospatial measures and predicates on the sphere (no extra package needed).

As the service does (it uses the S2 library's model), the Earth is a sphere of radius
6,371,010 m and a line or polygon edge is the shortest arc of a great circle between its
vertices.  Points are unit vectors here; `_gnomonic` maps a neighbourhood to a plane in
which great circles are straight lines, so point-in-polygon tests are exact there.
GeoJSON input is validated as the docs say (closed rings of at least 4 points with 3
distinct vertices; lines of at least 2 distinct points; coordinates within range);
invalid input gives null.
"""

from __future__ import annotations

import math
import re
from typing import Any

from kshell.query.functions import _s, scalar
from kshell.query.functions_geo import _lonlat, point, polygon

R = 6371010.0
Vec = tuple[float, float, float]


# ------------------------------------------------------------------ vectors

def vec(lon: float, lat: float) -> Vec:
    la, lo = math.radians(lat), math.radians(lon)
    c = math.cos(la)
    return (c * math.cos(lo), c * math.sin(lo), math.sin(la))


def lonlat(v: Vec) -> list[float]:
    x, y, z = v
    return [math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))]


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def norm(a: Vec) -> float:
    return math.sqrt(dot(a, a))


def unit(a: Vec) -> Vec:
    n = norm(a)
    return (a[0] / n, a[1] / n, a[2] / n) if n else a


def add(a: Vec, b: Vec, k: float = 1.0) -> Vec:
    return (a[0] + k * b[0], a[1] + k * b[1], a[2] + k * b[2])


def scale(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def angle(a: Vec, b: Vec) -> float:
    return math.atan2(norm(cross(a, b)), dot(a, b))


def slerp(a: Vec, b: Vec, t: float) -> Vec:
    th = angle(a, b)
    if th == 0:
        return a
    s = math.sin(th)
    return unit(add(scale(a, math.sin((1 - t) * th) / s), b, math.sin(t * th) / s))


def closest_on_arc(p: Vec, a: Vec, b: Vec) -> Vec:
    """The point of the arc AB nearest to P."""
    n = cross(a, b)
    if norm(n) == 0:
        return a
    n = unit(n)
    c = add(p, n, -dot(p, n))
    if norm(c) == 0:
        return a
    c = unit(c)
    if abs(angle(a, c) + angle(c, b) - angle(a, b)) < 1e-12:
        return c
    return a if angle(p, a) <= angle(p, b) else b


def arcs_cross(a: Vec, b: Vec, c: Vec, d: Vec) -> bool:
    """Whether arcs AB and CD meet at a point (arcs of one great circle never do here)."""
    n1, n2 = cross(a, b), cross(c, d)
    s1, s2 = dot(n1, c), dot(n1, d)
    s3, s4 = dot(n2, a), dot(n2, b)
    if s1 * s2 > 0 or s3 * s4 > 0:
        return False
    # Each arc meets the other's great circle at ±x; they cross when both meet it on the
    # same side (the side of each arc's midpoint).  Comparing the two midpoints instead
    # is wrong for long arcs.
    x = cross(n1, n2)
    if norm(x) < 1e-300:
        return False
    return (dot(x, add(a, b)) > 0) == (dot(x, add(c, d)) > 0)


def _within(p: Vec, a: Vec, b: Vec, n: Vec) -> bool:
    return dot(cross(a, p), n) >= 0 and dot(cross(p, b), n) >= 0 and dot(p, add(a, b)) > 0


def arcs_intersect(a: Vec, b: Vec, c: Vec, d: Vec) -> bool:
    """Whether arcs AB and CD share a point (crossing, touching, or overlapping)."""
    n1, n2 = cross(a, b), cross(c, d)
    if norm(cross(n1, n2)) >= 1e-300 or norm(n1) == 0 or norm(n2) == 0:
        return arcs_cross(a, b, c, d)
    if abs(dot(n1, c)) > 1e-15 or abs(dot(n1, d)) > 1e-15:
        return False
    return any(_within(p, a, b, n1) for p in (c, d)) or any(_within(p, c, d, n2) for p in (a, b))


# ------------------------------------------------------------------ GeoJSON input

def _coords(p: Any) -> tuple[float, float] | None:
    if not isinstance(p, list) or len(p) < 2:
        return None
    return _lonlat(p[0], p[1])


def _line_coords(c: Any) -> list[tuple[float, float]] | None:
    if not isinstance(c, list):
        return None
    pts = [_coords(p) for p in c]
    if len(pts) < 2 or any(p is None for p in pts) or len(set(pts)) < 2:
        return None
    return pts  # type: ignore[return-value]


def lines(v: Any) -> list[list[Vec]] | None:
    """A LineString or MultiLineString as lists of unit vectors, or None when invalid."""
    if not isinstance(v, dict):
        return None
    t, c = v.get("type"), v.get("coordinates")
    if t == "LineString":
        parts = [c]
    elif t == "MultiLineString" and isinstance(c, list) and c:
        parts = c
    else:
        return None
    out = []
    for part in parts:
        pts = _line_coords(part)
        if pts is None:
            return None
        out.append([vec(*p) for p in pts])
    return out


def _ring(c: Any) -> list[tuple[float, float]] | None:
    if not isinstance(c, list) or len(c) < 4:
        return None
    pts = [_coords(p) for p in c]
    if any(p is None for p in pts) or pts[0] != pts[-1] or len(set(pts)) < 3:
        return None
    return pts  # type: ignore[return-value]


def polygons(v: Any) -> list[list[list[Vec]]] | None:
    """A Polygon or MultiPolygon as polygons of rings (outer ring first, closing vertex dropped)."""
    if not isinstance(v, dict):
        return None
    t, c = v.get("type"), v.get("coordinates")
    if t == "Polygon":
        parts = [c]
    elif t == "MultiPolygon" and isinstance(c, list) and c:
        parts = c
    else:
        return None
    out = []
    for part in parts:
        if not isinstance(part, list) or not part:
            return None
        if t == "MultiPolygon" and len(part) == 1 and _depth(part[0]) == 3:
            part = part[0]  # a polygon wrapped once more (pack_array(p.coordinates)), as the service accepts
        rings = []
        for r in part:
            pts = _ring(r)
            if pts is None:
                return None
            rings.append([vec(*p) for p in pts[:-1]])
        out.append(rings)
    return out


def unioned(v: Any) -> list[list[list[Vec]]] | None:
    """polygons(v), a MultiPolygon's parts unioned first: the service measures the area,
    perimeter and centroid of a MultiPolygon whose parts overlap as of their union."""
    ps = polygons(v)
    if ps is None or len(ps) < 2:
        return ps
    from kshell.query.functions_geo_union import parse, rings_of
    poly = parse(v)
    return None if poly is None else rings_of(poly)


def _depth(v: Any) -> int:
    d = 0
    while isinstance(v, list) and v:
        v = v[0]
        d += 1
    return d


def edges(ring: list[Vec], closed: bool):
    n = len(ring)
    for i in range(n if closed else n - 1):
        yield ring[i], ring[(i + 1) % n]


# ------------------------------------------------------------------ point in polygon

def _gnomonic(center: Vec):
    """A projection centred on `center` in which great circles are straight lines."""
    z = center
    x = unit(cross((0.0, 0.0, 1.0), z)) if abs(z[2]) < 0.999 else (1.0, 0.0, 0.0)
    y = cross(z, x)

    def project(p: Vec) -> tuple[float, float] | None:
        d = dot(p, z)
        if d <= 1e-12:
            return None
        return dot(p, x) / d, dot(p, y) / d
    return project


def _in_ring(p: Vec, ring: list[Vec]) -> bool | None:
    project = _gnomonic(p)
    pts = [project(v) for v in ring]
    if any(q is None for q in pts):
        return None
    inside = False
    n = len(pts)
    for i in range(n):
        (x1, y1), (x2, y2) = pts[i], pts[(i + 1) % n]  # type: ignore[misc]
        if (y1 > 0) != (y2 > 0):
            x = x1 + (0 - y1) * (x2 - x1) / (y2 - y1)
            if x > 0:
                inside = not inside
    return inside


def in_polygons(p: Vec, polys: list[list[list[Vec]]]) -> bool:
    for rings in polys:
        if _in_ring(p, rings[0]) and not any(_in_ring(p, h) for h in rings[1:]):
            return True
    return False


# ------------------------------------------------------------------ scalar functions

def _pt(lon: Any, lat: Any) -> Vec | None:
    p = _lonlat(lon, lat)
    return None if p is None else vec(*p)


@scalar("geo_distance_2points", "real", 4, 5, strict=False)
def _distance_2points(lon1, lat1, lon2, lat2, use_spheroid=False):
    a, b = _pt(lon1, lat1), _pt(lon2, lat2)
    return None if a is None or b is None else R * angle(a, b)


@scalar("geo_point_in_circle", "bool", 5, strict=False)
def _point_in_circle(lon, lat, clon, clat, radius):
    a, b = _pt(lon, lat), _pt(clon, clat)
    if a is None or b is None or radius is None or isinstance(radius, bool) or radius < 0:
        return None
    return R * angle(a, b) <= radius


def _azimuth(a: Vec, b: Vec) -> float | None:
    """Initial bearing from a to b, radians clockwise from north in [0, 2π)."""
    if angle(a, b) < 1e-15:
        return None
    lon1, lat1 = (math.radians(x) for x in lonlat(a))
    lon2, lat2 = (math.radians(x) for x in lonlat(b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.atan2(y, x) % (2 * math.pi)


@scalar("geo_azimuth", "real", 4, strict=False)
def _geo_azimuth(lon1, lat1, lon2, lat2):
    a, b = _pt(lon1, lat1), _pt(lon2, lat2)
    return None if a is None or b is None else _azimuth(a, b)


@scalar("geo_angle", "real", 6, strict=False)
def _geo_angle(lon1, lat1, lon2, lat2, lon3, lat3):
    a, b, c = _pt(lon1, lat1), _pt(lon2, lat2), _pt(lon3, lat3)
    if a is None or b is None or c is None:
        return None
    z1, z2 = _azimuth(b, a), _azimuth(b, c)
    if z1 is None or z2 is None:
        return None
    d = abs(z2 - z1)
    return min(d, 2 * math.pi - d)


@scalar("geo_line_length", "real", 1, 2, strict=False)
def _line_length(v, use_spheroid=False):
    ls = lines(v)
    return None if ls is None else R * sum(angle(a, b) for ln in ls for a, b in edges(ln, False))


@scalar("geo_polygon_perimeter", "real", strict=False)
def _polygon_perimeter(v):
    ps = unioned(v)
    return None if ps is None else R * sum(angle(a, b) for rings in ps for r in rings for a, b in edges(r, True))


def _ring_area(ring: list[Vec]) -> float:
    """Signed spherical area (steradians) by a fan of triangles from the first vertex."""
    total = 0.0
    o = ring[0]
    for i in range(1, len(ring) - 1):
        a, b = ring[i], ring[i + 1]
        num = dot(o, cross(a, b))
        den = 1 + dot(o, a) + dot(a, b) + dot(b, o)
        total += 2 * math.atan2(num, den)
    return total


@scalar("geo_polygon_area", "real", strict=False)
def _polygon_area(v):
    ps = unioned(v)
    if ps is None:
        return None
    area = 0.0
    for rings in ps:
        outer = abs(_ring_area(rings[0]))
        area += outer - sum(abs(_ring_area(h)) for h in rings[1:])
    return area * R * R


def _centroid_of_edges(pairs) -> Vec | None:
    total: Vec = (0.0, 0.0, 0.0)
    for a, b in pairs:
        s = add(a, b)
        if norm(s) == 0:
            continue
        total = add(total, scale(unit(s), 2 * math.sin(angle(a, b) / 2)))
    return None if norm(total) == 0 else unit(total)


@scalar("geo_line_centroid", "dynamic", strict=False)
def _line_centroid(v):
    ls = lines(v)
    if ls is None:
        return None
    c = _centroid_of_edges([e for ln in ls for e in edges(ln, False)])
    return None if c is None else point(*lonlat(c))


@scalar("geo_polygon_centroid", "dynamic", strict=False)
def _polygon_centroid(v):
    """∫ x dA over the region = ½ Σ over edges of (edge angle × unit normal), for CCW rings."""
    ps = unioned(v)
    if ps is None:
        return None
    total: Vec = (0.0, 0.0, 0.0)
    for rings in ps:
        for k, r in enumerate(rings):
            sign = 1.0 if (_ring_area(r) > 0) == (k == 0) else -1.0
            for a, b in edges(r, True):
                n = cross(a, b)
                if norm(n):
                    total = add(total, scale(unit(n), sign * angle(a, b) / 2))
    return None if norm(total) == 0 else point(*lonlat(unit(total)))


@scalar("geo_point_in_polygon", "bool", 3, strict=False)
def _point_in_polygon(lon, lat, v):
    p, ps = _pt(lon, lat), polygons(v)
    return None if p is None or ps is None else in_polygons(p, ps)


def _closest(p: Vec, pairs) -> Vec | None:
    best, best_d = None, math.inf
    for a, b in pairs:
        c = closest_on_arc(p, a, b)
        d = angle(p, c)
        if d < best_d:
            best, best_d = c, d
    return best


@scalar("geo_distance_point_to_line", "real", 3, strict=False)
def _distance_point_to_line(lon, lat, v):
    p, ls = _pt(lon, lat), lines(v)
    if p is None or ls is None:
        return None
    c = _closest(p, [e for ln in ls for e in edges(ln, False)])
    return R * angle(p, c)


@scalar("geo_closest_point_on_line", "dynamic", 3, strict=False)
def _closest_point_on_line(lon, lat, v):
    p, ls = _pt(lon, lat), lines(v)
    if p is None or ls is None:
        return None
    return point(*lonlat(_closest(p, [e for ln in ls for e in edges(ln, False)])))


def _polygon_edges(ps):
    return [e for rings in ps for r in rings for e in edges(r, True)]


@scalar("geo_distance_point_to_polygon", "real", 3, strict=False)
def _distance_point_to_polygon(lon, lat, v):
    p, ps = _pt(lon, lat), polygons(v)
    if p is None or ps is None:
        return None
    if in_polygons(p, ps):
        return 0.0
    return R * angle(p, _closest(p, _polygon_edges(ps)))


@scalar("geo_closest_point_on_polygon", "dynamic", 3, strict=False)
def _closest_point_on_polygon(lon, lat, v):
    p, ps = _pt(lon, lat), polygons(v)
    if p is None or ps is None:
        return None
    if in_polygons(p, ps):
        return point(*lonlat(p))
    return point(*lonlat(_closest(p, _polygon_edges(ps))))


def _single_line(v: Any) -> list[Vec] | None:
    ls = lines(v)
    return ls[0] if ls is not None and len(ls) == 1 and isinstance(v, dict) and v.get("type") == "LineString" \
        else None


@scalar("geo_line_interpolate_point", "dynamic", 2, 3, strict=False)
def _line_interpolate_point(v, fraction, use_spheroid=False):
    ln = _single_line(v)
    if ln is None or fraction is None or isinstance(fraction, bool) or not 0 <= fraction <= 1:
        return None
    lengths = [angle(a, b) for a, b in edges(ln, False)]
    target = sum(lengths) * fraction
    for (a, b), d in zip(edges(ln, False), lengths):
        if target <= d or d == lengths[-1] and (a, b) == (ln[-2], ln[-1]):
            return point(*lonlat(slerp(a, b, target / d if d else 0)))
        target -= d
    return point(*lonlat(ln[-1]))


@scalar("geo_line_locate_point", "real", 3, 4, strict=False)
def _line_locate_point(v, lon, lat, use_spheroid=False):
    ln, p = _single_line(v), _pt(lon, lat)
    if ln is None or p is None:
        return None
    total, best, best_d, run = 0.0, 0.0, math.inf, 0.0
    for a, b in edges(ln, False):
        c = closest_on_arc(p, a, b)
        d = angle(p, c)
        if d < best_d:
            best, best_d = run + angle(a, c), d
        run += angle(a, b)
    total = run
    return best / total if total else None


@scalar("geo_intersects_2lines", "bool", 2, strict=False)
def _intersects_2lines(v1, v2):
    l1, l2 = lines(v1), lines(v2)
    if l1 is None or l2 is None:
        return None
    e2 = [e for ln in l2 for e in edges(ln, False)]
    return any(arcs_intersect(a, b, c, d) for ln in l1 for a, b in edges(ln, False) for c, d in e2)


@scalar("geo_intersects_2polygons", "bool", 2, strict=False)
def _intersects_2polygons(v1, v2):
    p1, p2 = polygons(v1), polygons(v2)
    if p1 is None or p2 is None:
        return None
    e1, e2 = _polygon_edges(p1), _polygon_edges(p2)
    if any(arcs_intersect(a, b, c, d) for a, b in e1 for c, d in e2):
        return True
    return in_polygons(p1[0][0][0], p2) or in_polygons(p2[0][0][0], p1)


@scalar("geo_intersects_line_with_polygon", "bool", 2, strict=False)
def _intersects_line_with_polygon(v1, v2):
    ls, ps = lines(v1), polygons(v2)
    if ls is None or ps is None:
        return None
    e2 = _polygon_edges(ps)
    if any(arcs_intersect(a, b, c, d) for ln in ls for a, b in edges(ln, False) for c, d in e2):
        return True
    return any(in_polygons(p, ps) for ln in ls for p in ln)


# ------------------------------------------------------------------ WKT

_WKT_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _wkt_points(text: str) -> list[list[float]] | None:
    out = []
    for part in text.split(","):
        nums = part.split()
        if len(nums) < 2 or not all(re.fullmatch(_WKT_NUM, n) for n in nums):
            return None
        x, y = (float(n) for n in nums[:2])
        out.append([int(x) if x.is_integer() else x, int(y) if y.is_integer() else y])
    return out


def _wkt_groups(text: str) -> list[str] | None:
    """'(a), (b)' -> ['a', 'b'] at the outer level."""
    groups, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                groups.append(text[start:i])
        elif depth == 0 and ch not in " ,\t\n":
            return None
    return groups if depth == 0 else None


def _wkt(text: str) -> dict | None:
    m = re.fullmatch(r"\s*([A-Za-z]+)\s*(\(.*\))\s*", text, re.S)
    if not m:
        return None
    kind, body = m.group(1).upper(), m.group(2)
    inner = _wkt_groups(body)
    if inner is None or len(inner) != 1:
        return None
    inner_text = inner[0]
    if kind == "POINT":
        pts = _wkt_points(inner_text)
        return None if not pts or len(pts) != 1 else {"type": "Point", "coordinates": pts[0]}
    if kind == "LINESTRING":
        pts = _wkt_points(inner_text)
        return None if not pts else {"type": "LineString", "coordinates": pts}
    if kind == "MULTIPOINT":
        groups = _wkt_groups(inner_text)
        pts = [p for g in groups for p in (_wkt_points(g) or [])] if groups else _wkt_points(inner_text)
        return None if not pts else {"type": "MultiPoint", "coordinates": pts}
    if kind in ("POLYGON", "MULTILINESTRING"):
        groups = _wkt_groups(inner_text)
        rings = [_wkt_points(g) for g in groups or []]
        if not rings or any(r is None for r in rings):
            return None
        return {"type": "Polygon" if kind == "POLYGON" else "MultiLineString", "coordinates": rings}
    if kind == "MULTIPOLYGON":
        polys = []
        for g in _wkt_groups(inner_text) or []:
            rings = [_wkt_points(r) for r in _wkt_groups(g) or []]
            if not rings or any(r is None for r in rings):
                return None
            polys.append(rings)
        return {"type": "MultiPolygon", "coordinates": polys} if polys else None
    if kind == "GEOMETRYCOLLECTION":
        parts, depth, start = [], 0, 0
        for i, ch in enumerate(inner_text):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(inner_text[start:i])
                start = i + 1
        parts.append(inner_text[start:])
        geoms = [_wkt(p) for p in parts]
        return None if any(g is None for g in geoms) else {"type": "GeometryCollection", "geometries": geoms}
    return None


@scalar("geo_from_wkt", "dynamic", strict=False)
def _geo_from_wkt(text):
    return _wkt(_s(text))


__all__ = ["R", "vec", "lonlat", "lines", "polygons", "polygon"]


# ------------------------------------------------------------------ densify, simplify, intersection

def _densify_coords(coords: list[tuple[float, float]], tol: float, raw: list[Any]) -> list[list[float]]:
    """Split each planar edge at its midpoint while the midpoint is further than `tol`
    metres from the geodesic between the edge's ends (the service's bisection).  The input
    vertices keep their own values (`raw`), so integers stay integers."""
    out: list[list[float]] = [list(raw[0][:2])]
    vertex = {tuple(c): list(r[:2]) for c, r in zip(coords, raw)}

    def split(a: tuple[float, float], b: tuple[float, float], depth: int) -> None:
        m = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        if depth < 20 and R * angle(vec(*m), slerp(vec(*a), vec(*b), 0.5)) > tol:
            split(a, m, depth + 1)
            split(m, b, depth + 1)
        else:
            out.append(vertex.get(tuple(b)) or [int(x) if float(x).is_integer() else x for x in b])
    for a, b in zip(coords, coords[1:]):
        split(a, b, 0)
    return out


def _tolerance(v: Any, default: float) -> float | None:
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        return None
    return float(v)


@scalar("geo_line_densify", "dynamic", 1, 3, strict=False)
def _line_densify(v, tolerance=None, preserve_crossing=False):
    tol = _tolerance(tolerance, 10.0)
    if tol is None or not isinstance(v, dict) or v.get("type") != "LineString":
        return None
    pts = _line_coords(v.get("coordinates"))
    return None if pts is None else {"type": "LineString",
                                     "coordinates": _densify_coords(pts, tol, v["coordinates"])}


@scalar("geo_polygon_densify", "dynamic", 1, 3, strict=False)
def _polygon_densify(v, tolerance=None, preserve_crossing=False):
    tol = _tolerance(tolerance, 10.0)
    if tol is None or polygons(v) is None or v.get("type") != "Polygon":
        return None
    return {"type": "Polygon", "coordinates": [_densify_coords(_ring(r), tol, r) for r in v["coordinates"]]}


def _simplify(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker with spherical distances (metres)."""
    if len(pts) < 3:
        return list(pts)
    a, b = vec(*pts[0]), vec(*pts[-1])
    best, best_i = -1.0, 0
    for i in range(1, len(pts) - 1):
        p = vec(*pts[i])
        d = angle(p, closest_on_arc(p, a, b)) if angle(a, b) else angle(p, a)
        if d > best:
            best, best_i = d, i
    if R * best <= tol:
        return [pts[0], pts[-1]]
    left = _simplify(pts[: best_i + 1], tol)
    return left[:-1] + _simplify(pts[best_i:], tol)


@scalar("geo_line_simplify", "dynamic", 1, 2, strict=False)
def _line_simplify(v, tolerance=None):
    tol = _tolerance(tolerance, 10.0)
    if tol is None or not isinstance(v, dict) or v.get("type") != "LineString":
        return None
    pts = _line_coords(v.get("coordinates"))
    if pts is None:
        return None
    first = vec(*pts[0])
    if all(R * angle(first, vec(*p)) <= tol for p in pts):
        return None  # the line collapses to a point
    return {"type": "LineString", "coordinates": [list(p) for p in _simplify(pts, tol)]}


@scalar("geo_polygon_simplify", "dynamic", 1, 2, strict=False)
def _polygon_simplify(v, tolerance=None):
    tol = _tolerance(tolerance, 10.0)
    if tol is None or polygons(v) is None or v.get("type") != "Polygon":
        return None
    rings = []
    for r in v["coordinates"]:
        pts = _ring(r)
        first = vec(*pts[0])
        k = max(range(len(pts)), key=lambda i: angle(first, vec(*pts[i])))
        simple = _simplify(pts[: k + 1], tol)[:-1] + _simplify(pts[k:], tol)
        if len(set(simple)) < 3:
            return None
        rings.append([list(p) for p in simple])
    return {"type": "Polygon", "coordinates": rings}


def _arc_intersection(a: Vec, b: Vec, c: Vec, d: Vec) -> Vec | None:
    if not arcs_intersect(a, b, c, d):
        return None
    x = cross(cross(a, b), cross(c, d))
    if norm(x) < 1e-18:
        return None  # the arcs lie on one great circle
    x = unit(x)
    if dot(x, add(a, b)) < 0:
        x = scale(x, -1)
    return x


@scalar("geo_intersection_2lines", "dynamic", 2, strict=False)
def _intersection_2lines(v1, v2):
    l1, l2 = lines(v1), lines(v2)
    if l1 is None or l2 is None:
        return None
    if _line_coords_all(v1) == _line_coords_all(v2):
        return {"type": "LineString", "coordinates": [list(p) for p in _line_coords_all(v1)]}
    points: list[list[float]] = []
    for ln1 in l1:
        for a, b in edges(ln1, False):
            for ln2 in l2:
                for c, d in edges(ln2, False):
                    x = _arc_intersection(a, b, c, d)
                    if x is not None:
                        p = lonlat(x)
                        if p not in points:
                            points.append(p)
    if not points:
        return {"type": "GeometryCollection", "geometries": []}
    if len(points) == 1:
        return point(*points[0])
    return {"type": "MultiPoint", "coordinates": points}


def _line_coords_all(v: Any) -> list[tuple[float, float]]:
    c = v.get("coordinates") if isinstance(v, dict) else None
    return _line_coords(c) or [] if v.get("type") == "LineString" else []


@scalar("geo_point_buffer", "dynamic", 3, 4, strict=False)
def _point_buffer(lon, lat, radius, tolerance=None):
    """A polygon around the point: vertices on the circle of `radius` metres, as many as
    keep the chords within `tolerance` metres (default 10) of the circle."""
    c = _pt(lon, lat)
    tol = _tolerance(tolerance, 10.0)
    if c is None or tol is None or radius is None or isinstance(radius, bool) or not radius > 0:
        return None
    r = float(radius) / R
    if r >= math.pi / 2:
        return None
    sag = min(tol / float(radius), 1.0)
    n = max(8, min(1024, math.ceil(math.pi / math.acos(1 - sag)))) if sag < 1 else 8
    lon0, lat0 = (math.radians(x) for x in lonlat(c))
    ring = []
    for k in range(n):  # counter-clockwise from east
        bearing = math.pi / 2 - 2 * math.pi * k / n
        la = math.asin(math.sin(lat0) * math.cos(r) + math.cos(lat0) * math.sin(r) * math.cos(bearing))
        lo = lon0 + math.atan2(math.sin(bearing) * math.sin(r) * math.cos(lat0),
                               math.cos(r) - math.sin(lat0) * math.sin(la))
        ring.append([(math.degrees(lo) + 540) % 360 - 180, math.degrees(la)])
    return polygon(ring + [ring[0]])


@scalar("geo_intersection_line_with_polygon", "dynamic", 2, strict=False)
def _intersection_line_with_polygon(line_v, poly_v):
    """The parts of a line inside a polygon: each edge is cut where it crosses the
    polygon's edges, and the pieces whose middle is inside are kept (joined when they
    touch).  A LineString, a MultiLineString, or an empty GeometryCollection."""
    ls, ps = lines(line_v), polygons(poly_v)
    if ls is None or ps is None:
        return None
    pedges = _polygon_edges(ps)
    raw = [line_v["coordinates"]] if line_v.get("type") == "LineString" else line_v["coordinates"]
    pieces: list[list[list[float]]] = []
    for ln, coords in zip(ls, raw):
        current: list[list[float]] = []
        for (a, b), ca, cb in zip(edges(ln, False), coords, coords[1:]):
            cuts = [(0.0, a, list(ca[:2]))]
            for c, d in pedges:
                x = _arc_intersection(a, b, c, d)
                if x is not None:
                    t = angle(a, x) / angle(a, b) if angle(a, b) else 0.0
                    if 0.0 < t < 1.0:
                        cuts.append((t, x, lonlat(x)))
            cuts.append((1.0, b, list(cb[:2])))
            cuts.sort(key=lambda c: c[0])
            for (t0, p0, q0), (t1, p1, q1) in zip(cuts, cuts[1:]):
                if t1 - t0 < 1e-12:
                    continue
                inside = in_polygons(slerp(p0, p1, 0.5), ps)
                if inside:
                    if not current:
                        current = [q0]
                    current.append(q1)
                elif current:
                    pieces.append(current)
                    current = []
        if current:
            pieces.append(current)
    if not pieces:
        return {"type": "GeometryCollection", "geometries": []}
    if len(pieces) == 1:
        return {"type": "LineString", "coordinates": pieces[0]}
    return {"type": "MultiLineString", "coordinates": pieces}


@scalar("geo_union_lines_array", "dynamic", strict=False)
def _union_lines_array(arr):
    """The union of line strings: their edges once each (shared vertices join them),
    chained into as few lines as possible, in order of first appearance.  Overlaps are
    recognised on shared vertices only (a partly collinear overlap stays two edges)."""
    if not isinstance(arr, list) or not arr:
        return None
    edges_seen: list[tuple[tuple, tuple]] = []
    keys: set[frozenset] = set()
    for v in arr:
        if not isinstance(v, dict) or lines(v) is None:
            return None
        parts = [v["coordinates"]] if v["type"] == "LineString" else v["coordinates"]
        for part in parts:
            pts = [tuple(p[:2]) for p in part]
            for a, b in zip(pts, pts[1:]):
                k = frozenset((a, b))
                if a != b and k not in keys:
                    keys.add(k)
                    edges_seen.append((a, b))
    # chain: follow edges from a vertex, in the order they were first seen
    unused = list(edges_seen)
    chains: list[list[tuple]] = []
    while unused:
        a, b = unused.pop(0)
        chain = [a, b]
        grown = True
        while grown:
            grown = False
            for i, (c, d) in enumerate(unused):
                if c == chain[-1] or d == chain[-1]:
                    chain.append(d if c == chain[-1] else c)
                elif c == chain[0] or d == chain[0]:
                    chain.insert(0, d if c == chain[0] else c)
                else:
                    continue
                del unused[i]
                grown = True
                break
        chains.append(chain)
    coords = [[list(p) for p in ch] for ch in chains]
    if len(coords) == 1:
        return {"type": "LineString", "coordinates": coords[0]}
    return {"type": "MultiLineString", "coordinates": coords}
