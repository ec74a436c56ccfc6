"""Polygon union and what is built on it: geo_union_polygons_array,
geo_simplify_polygons_array, geo_line_buffer and geo_polygon_buffer.

The overlay itself is kshell.query.geo_overlay (pure Python, on the sphere).  Invalid
input (bad GeoJSON, a bad radius or tolerance, an empty array) gives null, as the docs
say of every geo function.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

from kshell.query import geo_overlay as O
from kshell.query.functions import scalar
from kshell.query.functions_geometry import (R, Vec, _depth, _ring, add, angle, closest_on_arc, cross, dot, lines,
                                             lonlat, scale, slerp, unit, vec)

# ------------------------------------------------------------------ GeoJSON -> Poly


def _loop(coords: list[tuple[float, float]], hole: bool) -> O.Loop:
    """A ring (closing vertex dropped) oriented as S2 keeps it: a shell counter-clockwise,
    a hole clockwise (a ring given the other way round is reversed)."""
    pts: list[Vec] = []
    ll: list[tuple[float, float]] = []
    for c in coords[:-1]:
        p = vec(*c)
        if pts and _same(p, pts[-1]):
            continue  # a repeated point (or another longitude of a pole)
        pts.append(p)
        ll.append(c)
    if len(pts) > 1 and _same(pts[0], pts[-1]):
        pts.pop()
        ll.pop()
    if (O.signed_area(pts) < 0) != hole:
        pts.reverse()
        ll.reverse()
    return O.Loop(pts, ll, hole=hole, depth=1 if hole else 0)


def _same(p: Vec, q: Vec) -> bool:
    return abs(p[0] - q[0]) <= O.EPS and abs(p[1] - q[1]) <= O.EPS and abs(p[2] - q[2]) <= O.EPS


def _part(rings: Any) -> O.Poly | None:
    if not isinstance(rings, list) or not rings:
        return None
    loops = []
    for k, r in enumerate(rings):
        coords = _ring(r)
        if coords is None:
            return None
        lp = _loop(coords, hole=k > 0)
        if len(lp.pts) < 3 or any(dot(a, b) < -1 + 1e-12 for a, b in zip(lp.pts, lp.pts[1:] + lp.pts[:1])):
            return None  # an edge of 180 degrees has no one shortest arc (the docs: invalid)
        loops.append(lp)
    poly = O.Poly(loops)
    return None if O.self_crossing(poly) else poly


def parse(v: Any) -> O.Poly | None:
    """A GeoJSON Polygon or MultiPolygon as one polygon (a MultiPolygon's parts unioned,
    so that overlapping parts count once); None when invalid."""
    if not isinstance(v, dict):
        return None
    t, c = v.get("type"), v.get("coordinates")
    if t == "Polygon":
        return _part(c)
    if t != "MultiPolygon" or not isinstance(c, list) or not c:
        return None
    parts = []
    for part in c:
        if isinstance(part, list) and len(part) == 1 and _depth(part[0]) == 3:
            part = part[0]  # a polygon wrapped once more, as the service accepts
        p = _part(part)
        if p is None:
            return None
        parts.append(p)
    return parts[0] if len(parts) == 1 else O.union_all(parts)


def rings_of(poly: O.Poly) -> list[list[list[Vec]]]:
    """The polygon as functions_geometry's measures take it: polygons of rings."""
    out: list[list[list[Vec]]] = []
    for lp in poly.loops:
        if lp.depth % 2 == 0:
            out.append([lp.pts])
        elif out:
            out[-1].append(lp.pts)
    return out


def _polys(arr: Any) -> list[O.Poly] | None:
    if not isinstance(arr, list) or not arr:
        return None
    out = []
    for v in arr:
        p = parse(v)
        if p is None:
            return None
        out.append(p)
    return out


@scalar("geo_union_polygons_array", "dynamic", strict=False)
def _union_polygons_array(arr):
    polys = _polys(arr)
    return None if polys is None else O.to_geojson(O.union_all(polys))


@scalar("geo_intersection_2polygons", "dynamic", 2, strict=False)
def _intersection_2polygons(v1, v2):
    """The overlap as a Polygon or MultiPolygon; where the two only touch, the Point(s) or
    LineString(s) they share; several kinds together as a GeometryCollection (points,
    lines, polygons, in that order); an empty GeometryCollection when they are apart."""
    a, b = parse(v1), parse(v2)
    if a is None or b is None:
        return None
    contacts: dict = {}
    area = O.to_geojson(O.intersect2(a, b, contacts))
    parts = []
    pts = [list(p) for p in contacts["points"]]
    if pts:
        parts.append({"type": "Point", "coordinates": pts[0]} if len(pts) == 1
                     else {"type": "MultiPoint", "coordinates": pts})
    lines = _chain(contacts["segments"])
    if lines:
        parts.append({"type": "LineString", "coordinates": lines[0]} if len(lines) == 1
                     else {"type": "MultiLineString", "coordinates": lines})
    if area is not None:
        parts.append(area)
    if len(parts) == 1:
        return parts[0]
    return {"type": "GeometryCollection", "geometries": parts}


def _chain(segments: list[tuple[tuple[float, float], tuple[float, float]]]) -> list[list[list[float]]]:
    """Segments joined end to start into lines."""
    lines: list[list[tuple[float, float]]] = []
    for p, q in segments:
        for ln in lines:
            if ln[-1] == p:
                ln.append(q)
                break
            if ln[0] == q:
                ln.insert(0, p)
                break
        else:
            lines.append([p, q])
    return [[list(c) for c in ln] for ln in lines]


# ------------------------------------------------------------------ simplify

_MAX_SIMPLIFY_TOLERANCE = 7_800_000.0  # metres, the documented upper bound


def _number(v: Any, default: float) -> float | None:
    """A numeric argument (int, long, real or decimal) as a float; None when it is not one."""
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float, decimal.Decimal)):
        return None
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else f


def _dp(pts: list[Vec], tol: float) -> list[int]:
    """Douglas-Peucker on an open chain: the indexes kept."""
    if len(pts) < 3:
        return list(range(len(pts)))
    a, b = pts[0], pts[-1]
    best, at = -1.0, 0
    for i in range(1, len(pts) - 1):
        p = pts[i]
        d = angle(p, closest_on_arc(p, a, b)) if angle(a, b) else angle(p, a)
        if d > best:
            best, at = d, i
    if best <= tol:
        return [0, len(pts) - 1]
    left = _dp(pts[: at + 1], tol)
    return left[:-1] + [at + i for i in _dp(pts[at:], tol)]


def _simplify_loop(lp: O.Loop, tol: float) -> O.Loop | None:
    """Nearly straight chains replaced by one edge, then no two successive vertices closer
    than the tolerance; None when the loop collapses (smaller than the tolerance)."""
    n = len(lp.pts)
    if tol <= 0:
        return lp
    far = max(range(n), key=lambda i: angle(lp.pts[0], lp.pts[i]))
    if angle(lp.pts[0], lp.pts[far]) <= tol:
        return None
    chain1 = _dp(lp.pts[: far + 1], tol)
    chain2 = [far + i for i in _dp(lp.pts[far:] + lp.pts[:1], tol)]
    keep = chain1[:-1] + chain2[:-1]
    kept = [keep[0]]
    for i in keep[1:]:
        if angle(lp.pts[kept[-1]], lp.pts[i]) > tol:
            kept.append(i)
    while len(kept) > 3 and angle(lp.pts[kept[-1]], lp.pts[kept[0]]) <= tol:
        kept.pop()
    if len(kept) < 3:
        return None
    pts = [lp.pts[i] for i in kept]
    if (O.signed_area(pts) < 0) != lp.hole:
        return None  # simplified inside out
    return O.Loop(pts, [lp.ll[i] for i in kept], hole=lp.hole, depth=lp.depth)


@scalar("geo_simplify_polygons_array", "dynamic", 1, 2, strict=False)
def _simplify_polygons_array(arr, tolerance=None):
    tol = _number(tolerance, 10.0)
    if tol is None or not 0 <= tol <= _MAX_SIMPLIFY_TOLERANCE:
        return None
    polys = _polys(arr)
    if polys is None:
        return None
    union = O.union_all(polys)
    loops: list[O.Loop] = []
    dropped_depth: int | None = None
    for lp in union.loops:
        if dropped_depth is not None and lp.depth > dropped_depth:
            continue  # inside a loop that vanished
        dropped_depth = None
        s = _simplify_loop(lp, tol / R)
        if s is None:
            dropped_depth = lp.depth
        else:
            loops.append(s)
    return O.to_geojson(O.Poly(loops))


# ------------------------------------------------------------------ buffers

def _buffer_args(radius: Any, tolerance: Any) -> tuple[float, float] | None:
    """(radius, tolerance) in radians, or None when either is invalid: the radius must be
    positive (and under a quarter of the Earth's circumference), the tolerance at least
    0.0001% of the radius (one above the radius is lowered below it)."""
    r = None if radius is None else _number(radius, 0.0)
    tol = _number(tolerance, 10.0)
    if r is None or tol is None or not r > 0 or r / R >= math.pi / 2 or tol < r * 1e-6:
        return None
    return r / R, min(tol, r * 0.999) / R


def _circle(c: Vec, r: float, tol: float) -> O.Poly:
    """A counter-clockwise polygon around c, its vertices on the circle of radius r, as
    many as keep the chords within tol of the circle."""
    n = max(8, min(1024, math.ceil(math.pi / math.acos(max(-1.0, 1 - tol / r)))))
    east = unit(cross((0.0, 0.0, 1.0), c)) if abs(c[2]) < 0.999999 else (1.0, 0.0, 0.0)
    north = cross(c, east)
    pts = []
    for k in range(n):
        t = 2 * math.pi * (k + 0.5) / n  # counter-clockwise from east (half a step on)
        d = add(scale(east, math.cos(t)), north, math.sin(t))
        pts.append(unit(add(scale(c, math.cos(r)), d, math.sin(r))))
    return _poly(pts)


def _poly(pts: list[Vec]) -> O.Poly:
    return O.Poly([O.Loop(pts, [tuple(lonlat(p)) for p in pts])])  # type: ignore[misc]


def _band(a: Vec, b: Vec, r: float, tol: float) -> list[O.Poly]:
    """Quadrilaterals covering the points within r of the arc ab (its ends excepted):
    the arc is cut so that each piece's far sides stay within tol of the true offset."""
    nrm = cross(a, b)
    if angle(a, b) < 1e-15:
        return []
    nrm = unit(nrm)
    span = 2 * math.acos(max(-1.0, min(1.0, 1 - tol / max(r, 1e-300)))) if tol < r else math.pi
    m = max(1, math.ceil(angle(a, b) / max(span, 1e-9)))
    cuts = [slerp(a, b, i / m) for i in range(m + 1)]
    out = []
    for p, q in zip(cuts, cuts[1:]):
        def off(x: Vec, s: float) -> Vec:
            return unit(add(scale(x, math.cos(r)), nrm, s * math.sin(r)))
        out.append(_poly([off(p, -1), off(q, -1), off(q, 1), off(p, 1)]))
    return out


def _buffer(pieces: list[O.Poly]) -> dict | None:
    return O.to_geojson(O.union_all(pieces)) if pieces else None


@scalar("geo_line_buffer", "dynamic", 2, 3, strict=False)
def _line_buffer(v, radius, tolerance=None):
    ls, args = lines(v), _buffer_args(radius, tolerance)
    if ls is None or args is None:
        return None
    r, tol = args
    pieces: list[O.Poly] = []
    for ln in ls:
        for p in ln:
            pieces.append(_circle(p, r, tol))
        for a, b in zip(ln, ln[1:]):
            pieces.extend(_band(a, b, r, tol))
    return _buffer(pieces)


@scalar("geo_polygon_buffer", "dynamic", 2, 3, strict=False)
def _polygon_buffer(v, radius, tolerance=None):
    poly, args = parse(v), _buffer_args(radius, tolerance)
    if poly is None or args is None:
        return None
    r, tol = args
    pieces = [poly]
    for lp in poly.loops:
        for p in lp.pts:
            pieces.append(_circle(p, r, tol))
        for a, b in zip(lp.pts, lp.pts[1:] + lp.pts[:1]):
            pieces.extend(_band(a, b, r, tol))
    return _buffer(pieces)


def covered_shape(v: Any, radius: Any, line: bool) -> Any:
    """What a covering function covers (geo_polygon_to_s2cells, geo_polygon_to_h3cells,
    geo_line_to_s2cells): the shape itself when the radius is absent or 0, else the
    polygon around it at that radius; None when the radius is invalid (negative, not a
    number) or the shape is.  The buffer's vertices lie a tolerance beyond the radius,
    so that its chords never cut inside it (a covering may be larger, never smaller)."""
    r = _number(radius, 0.0)
    if r is None or r < 0:
        return None
    if r == 0:
        return v
    tol = min(10.0, r * 0.01)
    return (_line_buffer if line else _polygon_buffer)(v, r + tol, tol)

