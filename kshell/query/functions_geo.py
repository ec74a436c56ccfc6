"""Geospatial functions: the grid systems (geohash, S2, H3) and GeoJSON helpers.

Geohash is computed here; S2 cells use `s2sphere` and H3 cells `h3` (the `geo` extra:
`pip install kshell[geo]`), imported on first use.  Without them, those functions are
`NotSupported` naming the missing package.  Points are GeoJSON: [longitude, latitude].
"""

from __future__ import annotations

import math
from typing import Any

from kshell.errors import NotSupported
from kshell.query.functions import _s, scalar


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _lonlat(lon: Any, lat: Any) -> tuple[float, float] | None:
    x, y = _num(lon), _num(lat)
    if x is None or y is None or not -180 <= x <= 180 or not -90 <= y <= 90:
        return None
    return x, y


def _level(v: Any, default: int, lo: int, hi: int) -> int | None:
    if v is _MISSING:
        return default
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or not lo <= v <= hi:
        return None
    return int(v)


_MISSING = object()


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def polygon(ring: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def _require(module: str):
    try:
        return __import__(module)
    except ImportError:
        raise NotSupported(f"this geospatial function needs the '{module}' package "
                           "(pip install kshell[geo])") from None


# ------------------------------------------------------------------ geohash

_B32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_B32_INDEX = {c: i for i, c in enumerate(_B32)}


def _geohash_encode(lon: float, lat: float, n: int) -> str:
    lat_rng, lon_rng = [-90.0, 90.0], [-180.0, 180.0]
    even, out, ch, count = True, [], 0, 0
    while len(out) < n:
        rng, v = (lon_rng, lon) if even else (lat_rng, lat)
        mid = (rng[0] + rng[1]) / 2
        if v >= mid:
            ch = ch << 1 | 1
            rng[0] = mid
        else:
            ch <<= 1
            rng[1] = mid
        even = not even
        count += 1
        if count == 5:
            out.append(_B32[ch])
            ch = count = 0
    return "".join(out)


def _geohash_box(gh: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a geohash cell, or None when invalid."""
    if not 1 <= len(gh) <= 18:
        return None
    lat_rng, lon_rng, even = [-90.0, 90.0], [-180.0, 180.0], True
    for c in gh.lower():
        i = _B32_INDEX.get(c)
        if i is None:
            return None
        for shift in range(4, -1, -1):
            rng = lon_rng if even else lat_rng
            mid = (rng[0] + rng[1]) / 2
            if i >> shift & 1:
                rng[0] = mid
            else:
                rng[1] = mid
            even = not even
    return lon_rng[0], lat_rng[0], lon_rng[1], lat_rng[1]


@scalar("geo_point_to_geohash", "string", 2, 3, strict=False)
def _point_to_geohash(lon, lat, accuracy=_MISSING):
    p = _lonlat(lon, lat)
    n = _level(accuracy, 5, 1, 18)
    return "" if p is None or n is None else _geohash_encode(p[0], p[1], n)


@scalar("geo_geohash_to_central_point", "dynamic", strict=False)
def _geohash_center(gh):
    box = _geohash_box(_s(gh))
    return None if box is None else point((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


@scalar("geo_geohash_to_polygon", "dynamic", strict=False)
def _geohash_polygon(gh):
    box = _geohash_box(_s(gh))
    if box is None:
        return None
    w, s, e, n = box
    return polygon([[w, s], [e, s], [e, n], [w, n], [w, s]])


@scalar("geo_geohash_neighbors", "dynamic", strict=False)
def _geohash_neighbors(gh):
    gh = _s(gh)
    box = _geohash_box(gh)
    if box is None:
        return None
    w, s, e, n = box
    dx, dy = e - w, n - s
    cx, cy = (w + e) / 2, (s + n) / 2
    out = []
    # The service's order (observed in its documented output): SW, NW, SE, N, W, NE, E, S.
    for mx, my in ((-1, -1), (-1, 1), (1, -1), (0, 1), (-1, 0), (1, 1), (1, 0), (0, -1)):
        y = cy + my * dy
        if not -90 < y < 90:
            continue
        x = (cx + mx * dx + 180) % 360 - 180
        out.append(_geohash_encode(x, y, len(gh)))
    return out


# ------------------------------------------------------------------ H3

def _h3():
    return _require("h3")


def _h3cell(cell: Any) -> str | None:
    h3 = _h3()
    c = _s(cell)
    try:
        return c if c and h3.is_valid_cell(c) else None
    except (ValueError, TypeError):
        return None


@scalar("geo_point_to_h3cell", "string", 2, 3, strict=False)
def _point_to_h3(lon, lat, res=_MISSING):
    p = _lonlat(lon, lat)
    r = _level(res, 6, 0, 15)
    return "" if p is None or r is None else _h3().latlng_to_cell(p[1], p[0], r)


@scalar("geo_h3cell_level", "int", strict=False)
def _h3_level(cell):
    c = _h3cell(cell)
    return None if c is None else _h3().get_resolution(c)


@scalar("geo_h3cell_to_central_point", "dynamic", strict=False)
def _h3_center(cell):
    c = _h3cell(cell)
    if c is None:
        return None
    lat, lng = _h3().cell_to_latlng(c)
    return point(lng, lat)


@scalar("geo_h3cell_to_polygon", "dynamic", strict=False)
def _h3_polygon(cell):
    c = _h3cell(cell)
    if c is None:
        return None
    ring = [[lng, lat] for lat, lng in _h3().cell_to_boundary(c)]
    return polygon(ring + [ring[0]])


@scalar("geo_h3cell_parent", "string", 1, 2, strict=False)
def _h3_parent(cell, res=_MISSING):
    c = _h3cell(cell)
    if c is None:
        return ""
    level = _h3().get_resolution(c)
    r = level - 1 if res is _MISSING else _level(res, 0, 0, 15)
    if r is None or r < 0 or r > level:
        return ""
    return _h3().cell_to_parent(c, r)


# The service refuses children sets larger than this (the docs' 9 -> 15 example is null).
_MAX_CELLS = 2 ** 16


@scalar("geo_h3cell_children", "dynamic", 1, 2, strict=False)
def _h3_children(cell, res=_MISSING):
    c = _h3cell(cell)
    if c is None:
        return None
    level = _h3().get_resolution(c)
    r = level + 1 if res is _MISSING else _level(res, 0, 0, 15)
    if r is None or r < level or 7 ** (r - level) > _MAX_CELLS:
        return None
    return sorted(_h3().cell_to_children(c, r))


def _h3_disk_rings(c: str, k: int) -> list[list[str]]:
    """Rings 0..k in the order of H3's disk traversal."""
    h3 = _h3()
    rings: list[list[str]] = []
    seen: set[str] = set()
    for d in range(k + 1):
        ring = [x for x in h3.grid_disk(c, d) if x not in seen]
        seen.update(ring)
        rings.append(ring)
    return rings


@scalar("geo_h3cell_neighbors", "dynamic", strict=False)
def _h3_neighbors(cell):
    c = _h3cell(cell)
    return None if c is None else _h3_disk_rings(c, 1)[1]


@scalar("geo_h3cell_rings", "dynamic", 2, strict=False)
def _h3_rings(cell, distance):
    c = _h3cell(cell)
    k = _level(distance, 0, 0, 142)
    if c is None or k is None:
        return None
    return _h3_disk_rings(c, k)


# ------------------------------------------------------------------ S2

def _s2():
    return _require("s2sphere")


def _s2cell(token: Any):
    s2 = _s2()
    t = _s(token).strip().lower()
    if not t or len(t) > 16 or any(ch not in "0123456789abcdef" for ch in t):
        return None
    cid = s2.CellId.from_token(t)
    return cid if cid.is_valid() else None


@scalar("geo_point_to_s2cell", "string", 2, 3, strict=False)
def _point_to_s2(lon, lat, level=_MISSING):
    p = _lonlat(lon, lat)
    lv = _level(level, 11, 0, 30)
    if p is None or lv is None:
        return ""
    s2 = _s2()
    cid = s2.CellId.from_lat_lng(s2.LatLng.from_degrees(p[1], p[0])).parent(lv)
    return cid.to_token()


def _s2_latlng(pt) -> list[float]:
    s2 = _s2()
    ll = s2.LatLng.from_point(pt)
    return [ll.lng().degrees, ll.lat().degrees]


@scalar("geo_s2cell_to_central_point", "dynamic", strict=False)
def _s2_center(token):
    cid = _s2cell(token)
    if cid is None:
        return None
    lng, lat = _s2_latlng(cid.to_point())
    return point(lng, lat)


@scalar("geo_s2cell_to_polygon", "dynamic", strict=False)
def _s2_polygon(token):
    cid = _s2cell(token)
    if cid is None:
        return None
    cell = _s2().Cell(cid)
    ring = [_s2_latlng(cell.get_vertex(i)) for i in range(4)]
    return polygon(ring + [ring[0]])


@scalar("geo_s2cell_neighbors", "dynamic", strict=False)
def _s2_neighbors(token):
    cid = _s2cell(token)
    if cid is None:
        return None
    cells = [c.to_token() for c in cid.get_all_neighbors(cid.level())]
    # s2sphere lists edge neighbours then corners; the service's documented output puts
    # them in this order.
    return [cells[i] for i in (7, 0, 1, 2, 3, 5, 4, 6)] if len(cells) == 8 else cells


# ------------------------------------------------------------------ coverings

_MAX_COVER = 65536  # larger coverings are refused (null), as the service limits them


@scalar("geo_polygon_to_h3cells", "dynamic", 1, 3, strict=False)
def _polygon_to_h3cells(v, res=_MISSING, radius=None):
    """The H3 cells whose centres lie inside the polygon (H3's polygon fill), or inside
    the polygon around it at `radius` metres."""
    from kshell.query.functions_geo_union import covered_shape
    from kshell.query.functions_geometry import polygons
    v = covered_shape(v, radius, line=False)
    ps = polygons(v)
    r = _level(res, 6, 0, 15)
    if ps is None or r is None:
        return None
    h3 = _h3()
    ring_sets = v["coordinates"] if v.get("type") == "Polygon" else None
    parts = [ring_sets] if ring_sets is not None else v["coordinates"]
    cells: list[str] = []
    for part in parts:
        rings = [[(p[1], p[0]) for p in ring] for ring in part]
        for c in h3.polygon_to_cells(h3.LatLngPoly(rings[0], *rings[1:]), r):
            if c not in cells:
                cells.append(c)
            if len(cells) > _MAX_COVER:
                return None
    return cells


def _s2_cover(shape_edges, inside, seeds, level: int) -> list[str] | None:
    """The level-`level` S2 cells that intersect a shape: a flood fill from the cells of
    its vertices through edge neighbours, keeping a cell when one of its corners or its
    centre is inside the shape, or one of its edges crosses the shape's edges (a cell that
    only runs along an edge of the shape does not intersect it)."""
    from kshell.query import functions_geometry as G
    s2 = _s2()
    todo = list({c.id(): c for c in seeds}.values())
    seen = {c.id() for c in todo}
    out = []
    while todo:
        cid = todo.pop()
        cell = s2.Cell(cid)
        corners = [cell.get_vertex(i) for i in range(4)]
        vs = [(p[0], p[1], p[2]) for p in corners]
        center = cid.to_point()
        hit = inside((center[0], center[1], center[2])) or any(inside(v) for v in vs) or any(
            G.arcs_cross(vs[i], vs[(i + 1) % 4], a, b) for i in range(4) for a, b in shape_edges)
        if not hit:
            continue
        out.append(cid)
        if len(out) > _MAX_COVER:
            return None
        for n in cid.get_edge_neighbors():
            if n.id() not in seen:
                seen.add(n.id())
                todo.append(n)
    return [c.to_token() for c in sorted(out, key=lambda c: c.id())]


def _s2_seed(lonlat_pairs, level):
    s2 = _s2()
    return [s2.CellId.from_lat_lng(s2.LatLng.from_degrees(lat, lon)).parent(level) for lon, lat in lonlat_pairs]


@scalar("geo_polygon_to_s2cells", "dynamic", 1, 3, strict=False)
def _polygon_to_s2cells(v, level=_MISSING, radius=None):
    from kshell.query import functions_geometry as G
    from kshell.query.functions_geo_union import covered_shape
    ps = G.polygons(covered_shape(v, radius, line=False))
    lv = _level(level, 11, 0, 30)
    if ps is None or lv is None:
        return None
    area = sum(abs(G._ring_area(rings[0])) for rings in ps)
    if area / (4 * math.pi / (6 * 4 ** lv)) > _MAX_COVER:
        return None  # far too many cells: refused before enumerating them
    pts = [G.lonlat(p) for rings in ps for r in rings for p in r]
    return _s2_cover(G._polygon_edges(ps), lambda p: G.in_polygons(p, ps), _s2_seed(pts, lv), lv)


@scalar("geo_line_to_s2cells", "dynamic", 1, 3, strict=False)
def _line_to_s2cells(v, level=_MISSING, radius=None):
    from kshell.query import functions_geometry as G
    from kshell.query.functions_geo_union import covered_shape
    if radius is not None and radius != 0:
        shape = covered_shape(v, radius, line=True)  # the polygon around the line
        return None if shape is None else _polygon_to_s2cells(shape, level)
    ls = G.lines(v)
    lv = _level(level, 11, 0, 30)
    if ls is None or lv is None:
        return None
    edges = [e for ln in ls for e in G.edges(ln, False)]
    pts = [G.lonlat(p) for ln in ls for p in ln]
    return _s2_cover(edges, lambda p: False, _s2_seed(pts, lv), lv)
