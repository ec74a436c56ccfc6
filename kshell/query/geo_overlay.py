"""Union of polygons on the sphere, modelled on the service's (the S2 library's) union.

Edges are great-circle arcs between unit vectors, as everywhere in kshell's geometry.
The union of an array follows the S2 model closely enough to give the documented
outputs vertex for vertex (order and starting vertex included):

- the polygons are unioned two at a time, always the two with the fewest vertices
  (ties: the one queued first); a union is queued under the sum of its operands'
  vertex counts;
- a union of A and B numbers the input edges A's first, then B's (loop by loop, each in
  its order, a hole clockwise); it keeps the pieces of A's boundary outside B and of B's
  outside A (edges are cut where they cross or touch); a piece both have in opposite
  directions separates the two and is dropped, one they share in the same direction is
  kept once (as B's edge);
- the kept pieces are chained into loops by turning left at every vertex, visiting the
  vertices in S2 leaf-cell order; each loop is rotated so that the piece of the
  highest-numbered input edge comes last, and the loops are ordered by the number of
  their first edge; a clockwise loop is a hole of the loop around it.

Nothing here needs an extra package (the leaf cell id is computed here).
"""

from __future__ import annotations

import functools
import heapq
import math
from dataclasses import dataclass, field

from kshell.query.functions_geometry import Vec, add, angle, cross, dot, lonlat, norm, unit

EPS = 1e-12          # radians: points closer than this are one vertex (about 6 µm)
_GRID = 1e-9         # cell size of the vertex registry's spatial hash


@dataclass
class Loop:
    """A ring of vertices with the region on its left (a shell counter-clockwise, a hole
    clockwise); `ll` holds each vertex's [lon, lat] as given (input vertices keep their
    coordinates) or as computed."""
    pts: list[Vec]
    ll: list[tuple[float, float]]
    hole: bool = False
    depth: int = 0


@dataclass
class Poly:
    loops: list[Loop] = field(default_factory=list)

    @property
    def num_vertices(self) -> int:
        return sum(len(lp.pts) for lp in self.loops)


# ------------------------------------------------------------------ S2 leaf cell order

_POS_TO_ORIENT = (1, 0, 0, 3)
_IJ_TO_POS = ((0, 1, 3, 2), (0, 3, 1, 2), (2, 3, 1, 0), (2, 1, 3, 0))


def _st(u: float) -> float:
    return 0.5 * math.sqrt(1 + 3 * u) if u >= 0 else 1 - 0.5 * math.sqrt(1 - 3 * u)


@functools.lru_cache(maxsize=1 << 16)
def leaf_cell_id(p: Vec) -> int:
    """The S2 leaf cell id of a unit vector (face, quadratic projection, Hilbert curve)."""
    x, y, z = p
    ax, ay, az = abs(x), abs(y), abs(z)
    if ax >= ay and ax >= az:
        face = 0 if x >= 0 else 3
    elif ay >= az:
        face = 1 if y >= 0 else 4
    else:
        face = 2 if z >= 0 else 5
    if face == 0:
        u, v = y / x, z / x
    elif face == 1:
        u, v = -x / y, z / y
    elif face == 2:
        u, v = -x / z, -y / z
    elif face == 3:
        u, v = z / x, y / x
    elif face == 4:
        u, v = z / y, -x / y
    else:
        u, v = -y / z, -x / z
    size = 1 << 30
    i = min(size - 1, max(0, int(size * _st(u))))
    j = min(size - 1, max(0, int(size * _st(v))))
    orient = face & 1
    pos = 0
    for k in range(29, -1, -1):
        ij = (((i >> k) & 1) << 1) | ((j >> k) & 1)
        q = _IJ_TO_POS[orient][ij]
        pos = (pos << 2) | q
        orient ^= _POS_TO_ORIENT[q]
    return (face << 61) | (pos << 1) | 1


# ------------------------------------------------------------------ vertices

class _Registry:
    """Distinct vertices: a point within EPS of a known one is that one."""

    def __init__(self) -> None:
        self.pts: list[Vec] = []
        self.ll: list[tuple[float, float]] = []
        self._grid: dict[tuple[int, int, int], list[int]] = {}
        self._exact: dict[Vec, int] = {}

    def _cell(self, p: Vec) -> tuple[int, int, int]:
        return (math.floor(p[0] / _GRID), math.floor(p[1] / _GRID), math.floor(p[2] / _GRID))

    def add(self, p: Vec, ll: tuple[float, float] | None = None) -> int:
        k = self._exact.get(p)
        if k is not None:
            return k
        cell = self._cell(p)
        # the neighbouring grid cells only where p lies within EPS of a cell's side
        near = []
        for axis in range(3):
            f = p[axis] / _GRID - cell[axis]
            near.append((0, -1) if f < EPS / _GRID else (0, 1) if f > 1 - EPS / _GRID else (0,))
        for dx in near[0]:
            for dy in near[1]:
                for dz in near[2]:
                    for k in self._grid.get((cell[0] + dx, cell[1] + dy, cell[2] + dz), ()):
                        q = self.pts[k]
                        if abs(q[0] - p[0]) <= EPS and abs(q[1] - p[1]) <= EPS and abs(q[2] - p[2]) <= EPS:
                            self._exact[p] = k
                            return k
        k = len(self.pts)
        self.pts.append(p)
        self.ll.append(ll if ll is not None else tuple(lonlat(p)))  # type: ignore[arg-type]
        self._grid.setdefault(cell, []).append(k)
        self._exact[p] = k
        return k


# ------------------------------------------------------------------ containment

class _Region:
    """Point containment for a polygon's loops (parity of the small sides of its rings)."""

    def __init__(self, poly: Poly) -> None:
        self.loops = []
        for lp in poly.loops:
            c = unit(_sum(lp.pts))
            if norm(c) == 0:
                c = lp.pts[0]
            reach = math.acos(max(-1.0, min(1.0, min(dot(c, p) for p in lp.pts)))) + max(
                (math.acos(max(-1.0, min(1.0, dot(a, b)))) / 2 for a, b in zip(lp.pts, lp.pts[1:] + lp.pts[:1])),
                default=0.0)
            index = _PlaneRing(lp.pts, c) if reach < 1.2 else None
            self.loops.append((lp, c, reach + 1e-7, index))  # a margin over acos rounding

    def contains(self, p: Vec) -> bool:
        inside = False
        for lp, c, reach, index in self.loops:
            if reach < math.pi / 2 and dot(c, p) < math.cos(reach):
                continue
            if index is not None:
                hit = index.contains(p)
            else:
                hit = _winds(p, lp.pts, lp.hole)
            if hit:
                inside = not inside
        return inside


class _PlaneRing:
    """A ring in the gnomonic projection centred on it (its edges are straight lines
    there), its edges bucketed by horizontal band: ray casting visits one band."""

    def __init__(self, pts: list[Vec], c: Vec) -> None:
        self.c = c
        self.e1 = unit(cross((0.0, 0.0, 1.0), c)) if abs(c[2]) < 0.9 else unit(cross((1.0, 0.0, 0.0), c))
        self.e2 = cross(c, self.e1)
        xy = [self._xy(p) for p in pts]
        segs = [(xy[k], xy[(k + 1) % len(xy)]) for k in range(len(xy))]
        ys = [q[1] for q in xy]
        self.y0, y1 = min(ys), max(ys)
        self.n = max(1, len(segs) // 4)
        self.h = (y1 - self.y0) / self.n or 1.0
        self.bands: list[list[tuple[tuple[float, float], tuple[float, float]]]] = [[] for _ in range(self.n)]
        for a, b in segs:
            lo, hi = sorted((self._band(a[1]), self._band(b[1])))
            for k in range(lo, hi + 1):
                self.bands[k].append((a, b))

    def _xy(self, p: Vec) -> tuple[float, float]:
        d = dot(p, self.c)
        return dot(p, self.e1) / d, dot(p, self.e2) / d

    def _band(self, y: float) -> int:
        return min(self.n - 1, max(0, int((y - self.y0) / self.h)))

    def contains(self, p: Vec) -> bool:
        """Whether p lies inside the ring (on its small side, whatever its orientation)."""
        if dot(p, self.c) <= 0:
            return False
        px, py = self._xy(p)
        inside = False
        for (x1, y1), (x2, y2) in self.bands[self._band(py)]:
            if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


def _sum(pts: list[Vec]) -> Vec:
    s = (0.0, 0.0, 0.0)
    for p in pts:
        s = add(s, p)
    return s


def _winds(p: Vec, ring: list[Vec], hole: bool) -> bool:
    """Whether p lies on the small side of the ring: the angles the edges subtend at p add
    up to +2π inside a counter-clockwise ring (-2π inside a clockwise one)."""
    total = 0.0
    n = len(ring)
    for i in range(n):
        a, b = ring[i], ring[(i + 1) % n]
        total += math.atan2(dot(p, cross(a, b)), dot(a, b) - dot(p, a) * dot(p, b))
    return total < -math.pi if hole else total > math.pi


def signed_area(ring: list[Vec]) -> float:
    """Signed spherical area (steradians; positive counter-clockwise)."""
    total = 0.0
    o = ring[0]
    for i in range(1, len(ring) - 1):
        a, b = ring[i], ring[i + 1]
        total += 2 * math.atan2(dot(o, cross(a, b)), 1 + dot(o, a) + dot(a, b) + dot(b, o))
    return total


# ------------------------------------------------------------------ crossings

def _bbox(a: Vec, b: Vec) -> tuple[float, ...]:
    bulge = 1 - math.cos(angle(a, b) / 2) + 1e-12
    return (min(a[0], b[0]) - bulge, max(a[0], b[0]) + bulge, min(a[1], b[1]) - bulge,
            max(a[1], b[1]) + bulge, min(a[2], b[2]) - bulge, max(a[2], b[2]) + bulge)


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _orient(a: Vec, b: Vec, c: Vec) -> float:
    """det(a, b, c), computed from differences so that it stays accurate for the short
    edges of small shapes (the plain triple product loses ten digits on a 20 m edge)."""
    return dot(a, cross(_sub(b, a), _sub(c, a)))


def _within(p: Vec, a: Vec, b: Vec) -> bool:
    """p (on the great circle of ab) strictly between a and b."""
    d = _sub(b, a)
    t = dot(_sub(p, a), d) / dot(d, d)
    return 0 < t < 1 and dot(p, add(a, b)) > 0


def _intersection(a0: Vec, a1: Vec, b0: Vec, b1: Vec) -> Vec | None:
    """Where the great circles of two crossing arcs meet, on the arcs: solved as straight
    lines in a gnomonic projection centred on the four points (accurate for short arcs),
    or from the circles' normals when the arcs are too long for that."""
    m = unit(add(add(a0, a1), add(b0, b1)))
    if norm(m) > 0 and min(dot(p, m) for p in (a0, a1, b0, b1)) > 0.2:
        e1 = unit(cross((0.0, 0.0, 1.0), m)) if abs(m[2]) < 0.9 else unit(cross((1.0, 0.0, 0.0), m))
        e2 = cross(m, e1)

        def xy(p: Vec) -> tuple[float, float]:
            d = dot(p, m)
            return dot(p, e1) / d, dot(p, e2) / d
        (x1, y1), (x2, y2), (x3, y3), (x4, y4) = xy(a0), xy(a1), xy(b0), xy(b1)
        den = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
        if den != 0:
            t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / den
            x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            return unit(add(add(m, e1, x), e2, y))
    x = cross(cross(a0, a1), cross(b0, b1))
    if norm(x) < 1e-300:
        return None
    x = unit(x)
    return x if dot(x, add(a0, a1)) > 0 else (-x[0], -x[1], -x[2])


def _cut_points(edges: list[tuple[int, int, int]], reg: _Registry) -> list[list[int]]:
    """For each edge (u, v, region), the vertices cutting it: where an edge of the other
    region crosses it, or where a vertex of the other region lies on it."""
    cuts: list[list[int]] = [[] for _ in edges]
    boxes = [_bbox(reg.pts[u], reg.pts[v]) for u, v, _ in edges]
    lengths = [norm(cross(reg.pts[u], _sub(reg.pts[v], reg.pts[u]))) for u, v, _ in edges]
    order = sorted(range(len(edges)), key=lambda e: boxes[e][0])
    active: list[int] = []
    for e in order:
        bx = boxes[e]
        active = [f for f in active if boxes[f][1] >= bx[0]]
        for f in active:
            if edges[f][2] == edges[e][2]:
                continue
            by = boxes[f]
            if by[3] < bx[2] or bx[3] < by[2] or by[5] < bx[4] or bx[5] < by[4]:
                continue
            _cross_pair(e, f, edges, lengths, reg, cuts)
        active.append(e)
    return cuts


def _cross_pair(e: int, f: int, edges, lengths, reg: _Registry, cuts) -> None:
    (u1, v1, _), (u2, v2, _) = edges[e], edges[f]
    a0, a1, b0, b1 = reg.pts[u1], reg.pts[v1], reg.pts[u2], reg.pts[v2]
    la, lb = lengths[e], lengths[f]
    if la == 0 or lb == 0:
        return
    # distances (sines) of each endpoint from the other arc's great circle
    s0, s1 = _orient(a0, a1, b0) / la, _orient(a0, a1, b1) / la
    t0, t1 = _orient(b0, b1, a0) / lb, _orient(b0, b1, a1) / lb
    # a vertex of one lying on the other (touching, or overlapping collinear edges)
    for k, p, s in ((u2, b0, s0), (v2, b1, s1)):
        if k not in (u1, v1) and abs(s) < EPS and _within(p, a0, a1):
            cuts[e].append(k)
    for k, p, t in ((u1, a0, t0), (v1, a1, t1)):
        if k not in (u2, v2) and abs(t) < EPS and _within(p, b0, b1):
            cuts[f].append(k)
    if {u1, v1} & {u2, v2}:
        return
    if not ((s0 > EPS and s1 < -EPS) or (s0 < -EPS and s1 > EPS)):
        return
    if not ((t0 > EPS and t1 < -EPS) or (t0 < -EPS and t1 > EPS)):
        return
    x = _intersection(a0, a1, b0, b1)
    if x is None or dot(x, add(a0, a1)) <= 0 or dot(x, add(b0, b1)) <= 0:
        return  # the great circles meet, the arcs do not
    k = reg.add(x)
    for g, (u, v) in ((e, (u1, v1)), (f, (u2, v2))):
        if k not in (u, v):
            cuts[g].append(k)


def self_crossing(poly: Poly) -> bool:
    """Whether two edges of the polygon's rings cross (the docs call such a polygon
    invalid; rings may share vertices)."""
    segs = [(lp.pts[j], lp.pts[(j + 1) % len(lp.pts)]) for lp in poly.loops for j in range(len(lp.pts))]
    boxes = [_bbox(a, b) for a, b in segs]
    order = sorted(range(len(segs)), key=lambda e: boxes[e][0])
    active: list[int] = []
    for e in order:
        bx = boxes[e]
        active = [f for f in active if boxes[f][1] >= bx[0]]
        a0, a1 = segs[e]
        for f in active:
            by = boxes[f]
            if by[3] < bx[2] or bx[3] < by[2] or by[5] < bx[4] or bx[5] < by[4]:
                continue
            b0, b1 = segs[f]
            if a0 in (b0, b1) or a1 in (b0, b1):
                continue
            s0, s1 = _orient(a0, a1, b0), _orient(a0, a1, b1)
            t0, t1 = _orient(b0, b1, a0), _orient(b0, b1, a1)
            if s0 * s1 < 0 and t0 * t1 < 0:
                x = cross(cross(a0, a1), cross(b0, b1))
                if (dot(x, add(a0, a1)) > 0) == (dot(x, add(b0, b1)) > 0):
                    return True
        active.append(e)
    return False


# ------------------------------------------------------------------ pairwise union

def union2(a: Poly, b: Poly) -> Poly:
    """A ∪ B: the pieces of each boundary outside the other polygon."""
    return _overlay(a, b, inside=False)


def intersect2(a: Poly, b: Poly, contacts: dict | None = None) -> Poly:
    """A ∩ B: the pieces of each boundary inside the other polygon.  `contacts`, when
    given, receives where the two only touch: 'points' (vertices on both boundaries that
    bound no piece of the result) and 'segments' (boundary they share, facing away)."""
    return _overlay(a, b, inside=True, contacts=contacts)


def _overlay(a: Poly, b: Poly, inside: bool, contacts: dict | None = None) -> Poly:
    reg = _Registry()
    edges: list[tuple[int, int, int]] = []
    for region, poly in ((0, a), (1, b)):
        for lp in poly.loops:
            ids = [reg.add(p, ll) for p, ll in zip(lp.pts, lp.ll)]
            for j in range(len(ids)):
                if ids[j] != ids[(j + 1) % len(ids)]:
                    edges.append((ids[j], ids[(j + 1) % len(ids)], region))
    cuts = _cut_points(edges, reg)
    pieces: list[tuple[int, int, int, int]] = []  # (u, v, input edge id, region)
    for eid, (u, v, region) in enumerate(edges):
        start = reg.pts[u]
        seq = [u] + sorted(set(cuts[eid]), key=lambda k: angle(start, reg.pts[k])) + [v]
        for p, q in zip(seq, seq[1:]):
            if p != q:
                pieces.append((p, q, eid, region))
    by_region: list[dict[tuple[int, int], int]] = [{}, {}]
    for p, q, eid, region in pieces:
        by_region[region].setdefault((p, q), eid)
    regions: list[_Region | None] = [None, None]
    kept: list[tuple[int, int, int]] = []
    for p, q, eid, region in pieces:
        other = by_region[1 - region]
        if (q, p) in other:
            continue  # a boundary between the two: inside the union, outside the intersection
        if (p, q) in other:
            if region == 1:
                kept.append((p, q, eid))  # shared, same side: once (B's, as S2 emits it last)
            continue
        mid = unit(add(reg.pts[p], reg.pts[q]))
        other_region = regions[1 - region]
        if other_region is None:
            other_region = regions[1 - region] = _Region(b if region == 0 else a)
        if other_region.contains(mid) == inside:
            kept.append((p, q, eid))
    if contacts is not None:
        segments = [(p, q) for p, q, _, region in pieces if region == 0 and (q, p) in by_region[1]]
        on_both = {k for pq in by_region[0] for k in pq} & {k for pq in by_region[1] for k in pq}
        used = {k for p, q, _ in kept for k in (p, q)} | {k for pq in segments for k in pq}
        contacts["points"] = [reg.ll[k] for k in sorted(on_both - used)]
        contacts["segments"] = [(reg.ll[p], reg.ll[q]) for p, q in segments]
    return _assemble(kept, reg)


def _assemble(kept: list[tuple[int, int, int]], reg: _Registry) -> Poly:
    if not kept:
        return Poly([])
    used = sorted({k for p, q, _ in kept for k in (p, q)})
    order = sorted(used, key=lambda k: (leaf_cell_id(reg.pts[k]), reg.pts[k]))
    rank = {k: i for i, k in enumerate(order)}
    graph = sorted(((rank[p], rank[q], eid) for p, q, eid in kept))
    verts = [reg.pts[k] for k in order]
    lls = [reg.ll[k] for k in order]
    min_ids = [eid for _, _, eid in graph]
    turn = _left_turn_map(graph, verts)
    loops = _directed_loops(graph, turn, min_ids)
    return _polygon([[graph[e][0] for e in lp] for lp in loops], verts, lls)


def _left_turn_map(graph: list[tuple[int, int, int]], verts: list[Vec]) -> list[int]:
    """For each edge into a vertex, the next edge out of it clockwise (a left turn)."""
    around: dict[int, list[tuple[int, bool, int]]] = {}  # vertex -> (endpoint, incoming, edge)
    for e, (u, v, _) in enumerate(graph):
        around.setdefault(u, []).append((v, False, e))
        around.setdefault(v, []).append((u, True, e))
    turn = [-1] * len(graph)
    for v0, items in around.items():
        items.sort(key=lambda t: (t[0], t[1]))  # by endpoint; outgoing before incoming
        first = items[0][0]
        o = verts[v0]
        ref = _tangent(o, verts[first])

        def cw_key(t, o=o, ref=ref, first=first):
            if t[0] == first:
                return (0, 0.0)
            d = _tangent(o, verts[t[0]])
            ccw = math.atan2(dot(o, cross(ref, d)), dot(ref, d)) % (2 * math.pi)
            return (1, -ccw)
        items = items[:1] + sorted(items[1:], key=cw_key)
        pending_in: list[int] = []
        pending_out: list[int] = []
        for _, incoming, e in items:
            if incoming:
                pending_in.append(e)
            elif pending_in:
                turn[pending_in.pop()] = e
            else:
                pending_out.append(e)
        pending_out.reverse()
        while pending_out and pending_in:
            turn[pending_in.pop()] = pending_out.pop()
    return turn


def _tangent(o: Vec, p: Vec) -> Vec:
    return add(p, o, -dot(p, o))


def _directed_loops(graph, turn: list[int], min_ids: list[int]) -> list[list[int]]:
    loops: list[list[int]] = []
    where: dict[int, int] = {}
    turn = list(turn)
    for start in range(len(graph)):
        if turn[start] < 0:
            continue
        path: list[int] = []
        e = start
        while turn[e] >= 0:
            path.append(e)
            nxt = turn[e]
            turn[e] = -1
            where[graph[e][0]] = len(path) - 1
            at = where.get(graph[e][1], -1)
            if at >= 0:
                loop = path[at:]
                del path[at:]
                for e2 in loop:
                    where[graph[e2][0]] = -1
                loops.append(_canonical(loop, min_ids))
            e = nxt
        for e2 in path:  # an unclosed chain (invalid input): dropped
            where[graph[e2][0]] = -1
    loops.sort(key=lambda lp: (min_ids[lp[0]], lp[0]))
    return loops


def _canonical(loop: list[int], min_ids: list[int]) -> list[int]:
    """Rotated so that the highest-numbered input edge comes last (the first run of it)."""
    pos, gap = 0, False
    for i in range(1, len(loop)):
        c = min_ids[loop[i]] - min_ids[loop[pos]]
        if c < 0:
            gap = True
        elif c > 0 or not gap:
            pos, gap = i, False
    pos = (pos + 1) % len(loop)
    return loop[pos:] + loop[:pos]


def _polygon(rings: list[list[int]], verts: list[Vec], lls) -> Poly:
    """Loops nested as shells and holes, in depth-first order (each shell then its holes)."""
    loops = []
    for r in rings:
        if len(r) < 3:
            continue
        pts = [verts[k] for k in r]
        loops.append(Loop(pts, [lls[k] for k in r], hole=signed_area(pts) < 0))
    children: dict[int, list[int]] = {-1: []}
    for i in range(len(loops)):
        children[i] = []
        parent = -1
        while True:
            for c in children[parent]:
                if _contains_loop(loops[c], loops[i]):
                    parent = c
                    break
            else:
                break
        siblings = children[parent]
        for c in list(siblings):
            if _contains_loop(loops[i], loops[c]):
                siblings.remove(c)
                children[i].append(c)
        siblings.append(i)
    out: list[Loop] = []

    def visit(k: int, depth: int) -> None:
        for c in children[k]:
            loops[c].depth = depth
            out.append(loops[c])
            visit(c, depth + 1)
    visit(-1, 0)
    return Poly(out)


def _contains_loop(outer: Loop, inner: Loop) -> bool:
    """Whether the small side of `outer` holds `inner` (loops that do not cross)."""
    shared = set(outer.pts)
    for p in inner.pts:
        if p not in shared:
            if not _near(outer, p):
                return False
            return _winds(p, outer.pts, outer.hole)
    return abs(signed_area(outer.pts)) > abs(signed_area(inner.pts))


def _near(lp: Loop, p: Vec) -> bool:
    """A cheap test: False when p is certainly outside the cap around the loop."""
    c = unit(_sum(lp.pts))
    if norm(c) == 0:
        return True
    lowest = min(dot(c, q) for q in lp.pts)
    return lowest <= 0.1 or dot(c, p) >= lowest - 1e-9


# ------------------------------------------------------------------ arrays of polygons

def union_all(polys: list[Poly]) -> Poly:
    """The union of many: the two with the fewest vertices first, repeatedly.  A union is
    queued under the sum of its two operands' counts (not its own count), behind the
    polygons it ties with; the documented outputs of the service follow exactly this
    order (the older S2 union of an array estimated the count so)."""
    if not polys:
        return Poly([])
    heap = [(p.num_vertices, i, p) for i, p in enumerate(polys)]
    heapq.heapify(heap)
    queued = len(heap)
    while len(heap) > 1:
        na, _, a = heapq.heappop(heap)
        nb, _, b = heapq.heappop(heap)
        heapq.heappush(heap, (na + nb, queued, union2(a, b)))
        queued += 1
    return heap[0][2]


def to_geojson(poly: Poly) -> dict | None:
    """A Polygon (one shell) or MultiPolygon; each ring closed; None when empty."""
    groups: list[list[list[list[float]]]] = []
    shell_at: dict[int, int] = {}  # depth -> the group of the latest shell at that depth
    for lp in poly.loops:
        ring = [list(c) for c in lp.ll] + [list(lp.ll[0])]
        if lp.depth % 2 == 0:
            shell_at[lp.depth] = len(groups)
            groups.append([ring])
        elif lp.depth - 1 in shell_at:
            groups[shell_at[lp.depth - 1]].append(ring)
    if not groups:
        return None
    if len(groups) == 1:
        return {"type": "Polygon", "coordinates": groups[0]}
    return {"type": "MultiPolygon", "coordinates": groups}
