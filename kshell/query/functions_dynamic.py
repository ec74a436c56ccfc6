"""Dynamic (array and property bag) functions beyond the core, and the functions that
need the row's schema or the query's options (pack_all, bag_pack_columns,
column_names_of, extract_json, bin_auto)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from kshell.query import functions
from kshell.query import types as T
from kshell.query.cexpr import CExpr, const, lift
from kshell.query.functions import _s, scalar
from kshell.syntax import ast


def _json(v: Any) -> Any:
    return T.to_json_value(v)


# ------------------------------------------------------------------ arrays

@scalar("array_iff", "dynamic", 3, strict=False, aliases=("array_iif",))
def _array_iff(cond, when_true, when_false):
    if not isinstance(cond, list):
        return None
    out = []
    for i, c in enumerate(cond):
        t = (when_true[i] if i < len(when_true) else None) if isinstance(when_true, list) else when_true
        f = (when_false[i] if i < len(when_false) else None) if isinstance(when_false, list) else when_false
        if isinstance(c, bool):
            out.append(_json(t if c else f))
        elif isinstance(c, (int, float)):
            out.append(_json(t if c != 0 else f))
        else:
            out.append(None)
    return out


def _count(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


@scalar("array_rotate_left", "dynamic", 2, strict=False)
def _rotate_left(arr, k):
    if not isinstance(arr, list) or _count(k) is None:
        return None
    if not arr:
        return []
    k %= len(arr)
    return arr[k:] + arr[:k]


@scalar("array_rotate_right", "dynamic", 2, strict=False)
def _rotate_right(arr, k):
    return _rotate_left(arr, -k if _count(k) is not None else None)


@scalar("array_shift_left", "dynamic", 2, 3, strict=False)
def _shift_left(arr, k, fill=None):
    if not isinstance(arr, list) or _count(k) is None:
        return None
    n, fill = len(arr), _json(fill)
    if k >= 0:
        k = min(k, n)
        return arr[k:] + [fill] * k
    k = min(-k, n)
    return [fill] * k + arr[:n - k]


@scalar("array_shift_right", "dynamic", 2, 3, strict=False)
def _shift_right(arr, k, fill=None):
    return _shift_left(arr, -k if _count(k) is not None else None, fill)


@scalar("array_index_of", "long", 2, 5, strict=False)
def _array_index_of(arr, value, start=0, length=-1, occurrence=1):
    """The index of the `occurrence`-th element equal to `value` in arr[start:start+length]
    (a negative start counts from the end), -1 when absent, null for bad arguments."""
    if not isinstance(arr, list) or any(_count(x) is None for x in (start, length, occurrence)):
        return None
    n = len(arr)
    if start < 0:
        start = max(n + start, 0)
    if start > n or occurrence < 1 or length < -1:
        return None
    end = n if length == -1 else min(n, start + length)
    want = _distinct_key(T.to_json_value(value))
    seen = 0
    for i in range(start, end):
        if _distinct_key(arr[i]) == want:
            seen += 1
            if seen == occurrence:
                return i
    return -1


@scalar("repeat", "dynamic", 2, strict=False)
def _repeat(value, count):
    if _count(count) is None:
        return None
    return [_json(value)] * max(0, count)


def _distinct_key(v: Any) -> Any:
    return json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else (type(v).__name__, v)


@scalar("jaccard_index", "real", 2, strict=False)
def _jaccard(a, b):
    if not isinstance(a, list) or not isinstance(b, list):
        return None
    sa, sb = {_distinct_key(x) for x in a}, {_distinct_key(x) for x in b}
    union = sa | sb
    return len(sa & sb) / len(union) if union else 0.0


@scalar("treepath", "dynamic", strict=False)
def _treepath(v):
    out: list[str] = []

    def walk(x: Any, path: str) -> None:
        if isinstance(x, dict):
            for k, y in x.items():
                p = f"{path}['{k}']" if not re.fullmatch(r"[A-Za-z_]\w*", k) else f"{path}.{k}"
                out.append(p)
                walk(y, p)
        elif isinstance(x, list):
            if any(isinstance(y, (dict, list)) for y in x):
                for y in x:
                    walk(y, f"{path}[0]")
            out.append(f"{path}[0]") if x and f"{path}[0]" not in out else None
    walk(v, "$")
    seen: list[str] = []
    for p in out:
        if p not in seen:
            seen.append(p)
    return seen


# ------------------------------------------------------------------ property bags

def _path(key: str) -> list[Any] | None:
    """A key or a JSONPath ($.a.b, $['a'][0]) as a list of steps."""
    if not key.startswith("$"):
        return [key]
    steps: list[Any] = []
    for m in re.finditer(r"\.([^.\[]+)|\['([^']*)'\]|\[\"([^\"]*)\"\]|\[(\d+)\]", key[1:]):
        name = m.group(1) or m.group(2) or m.group(3)
        steps.append(int(m.group(4)) if m.group(4) is not None else name)
    return steps or None


@scalar("bag_set_key", "dynamic", 3, strict=False)
def _bag_set_key(bag, key, value):
    if not isinstance(bag, dict):
        return None
    steps = _path(_s(key))
    if not steps or any(not isinstance(s, str) for s in steps):
        return None
    out = copy.deepcopy(bag)
    cur = out
    for s in steps[:-1]:
        nxt = cur.get(s)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[s] = nxt
        cur = nxt
    cur[steps[-1]] = _json(value)
    return out


def _extract_path(v: Any, steps: list[Any]) -> Any:
    for s in steps:
        if isinstance(s, int) and isinstance(v, list):
            v = v[s] if s < len(v) else None
        elif isinstance(s, str) and isinstance(v, dict):
            v = v.get(s)
        else:
            return None
    return v


@functions.special("extract_json", 2, 3, aliases=("extractjson",))
def _extract_json(c: Any, node: ast.Call) -> CExpr:
    path = c.compile(node.args[0])
    src = c.compile(node.args[1])
    typ = "string"
    if len(node.args) > 2:
        t = c.compile(node.args[2])
        typ = T.canonical_type(str(t.value)) if t.const else None
        if typ is None:
            raise c.error(node, "extract_json(): the type must be typeof(<type>)")

    def get(p, s):
        steps = _path(_s(p))
        doc = T.parse_json(s) if isinstance(s, str) else s
        if steps is None or doc is None:
            return None
        v = _extract_path(doc, steps)
        if typ == "string":
            return "" if v is None else (v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
        return T.from_dynamic(v, typ) if typ != "dynamic" else v
    return lift(typ, get, [path, src])


@scalar("bag_zip", "dynamic", 2, strict=False)
def _bag_zip(keys, values):
    if not isinstance(keys, list):
        return None
    vals = values if isinstance(values, list) else []
    return {k: (vals[i] if i < len(vals) else None) for i, k in enumerate(keys) if isinstance(k, str)}


def _pack_row(names: list[str], fns: list[Any], skip_empty: bool):
    def fn(cols, n):
        columns = [f(cols, n) for f in fns]
        out = []
        for i in range(n):
            bag = {}
            for name, col in zip(names, columns):
                v = col[i]
                if skip_empty and (v is None or v == ""):
                    continue
                bag[name] = _json(v)
            out.append(bag)
        return out
    return fn


@functions.special("pack_all", 0, 1, rtype="dynamic")
def _pack_all(c: Any, node: ast.Call) -> CExpr:
    skip = False
    if node.args:
        e = c.compile(node.args[0])
        if not e.const or not isinstance(e.value, bool):
            raise c.error(node, "pack_all(): the argument must be a constant bool")
        skip = e.value
    visible = [(i, name) for i, (name, _t) in enumerate(c.schema[:c.input_width]) if not name.startswith("$")]
    fns = [c.compile(ast.Name(name, pos=node.pos)).fn for _i, name in visible]
    return CExpr("dynamic", _pack_row([name for _i, name in visible], fns, skip))


@functions.special("bag_pack_columns", 1, None, rtype="dynamic")
def _bag_pack_columns(c: Any, node: ast.Call) -> CExpr:
    names = []
    for a in node.args:
        if not isinstance(a, ast.Name) or c.index.get(a.name) is None:
            raise c.error(node, "bag_pack_columns(): every argument must be a column")
        names.append(a.name)
    fns = [c.compile(ast.Name(n, pos=node.pos)).fn for n in names]
    return CExpr("dynamic", _pack_row(names, fns, False))


@functions.special("column_names_of", 1, rtype="dynamic")
def _column_names_of(c: Any, node: ast.Call) -> CExpr:
    arg = node.args[0]
    if not (isinstance(arg, ast.Query) or c.ev.is_tabular_node(arg, c.scope) or isinstance(arg, ast.Call)):
        raise c.error(node, "column_names_of(): the argument must be a tabular expression")
    tab = c.ev.eval_tabular(arg, c.scope)
    return const("dynamic", [name for name, _t in tab.columns if not name.startswith("$")])


@functions.special("bin_auto", 1, rtype="dynamic")
def _bin_auto(c: Any, node: ast.Call) -> CExpr:
    """bin_at(value, query_bin_auto_size, query_bin_auto_at) with the `set` options."""
    size = c.ev.options.get("query_bin_auto_size")
    if size is None:
        raise c.error(node, "bin_auto(): the query_bin_auto_size option is not set")
    at = c.ev.options.get("query_bin_auto_at")
    call = ast.Call("bin_at" if at is not None else "bin",
                    [node.args[0], ast.Literal(value=size, type=T.type_of_value(size), pos=node.pos)]
                    + ([ast.Literal(value=at, type=T.type_of_value(at), pos=node.pos)] if at is not None else []),
                    pos=node.pos)
    return c.compile(call)
