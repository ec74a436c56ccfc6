"""The scalar function library, kept as data: name -> FunctionSpec.

A spec gives the argument count, the return-type rule and either a per-value
implementation (lifted over whole columns by the compiler) or a `special`
compile function for the few that need the AST or the context (iff, case,
now, toscalar, current_principal...).  `names()` lists every function, for
the completer.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable

from kshell.query import datetimes as D
from kshell.query import types as T
from kshell.query.xxhash import xxh64


@dataclass
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None = any number
    rtype: str | Callable[[list[str]], str]
    impl: Callable | None = None
    special: Callable | None = None  # (compiler, call node) -> CExpr
    strict: bool = True              # a null argument gives null without calling impl

    def result_type(self, arg_types: list[str]) -> str:
        return self.rtype(arg_types) if callable(self.rtype) else self.rtype


REGISTRY: dict[str, FunctionSpec] = {}


def names() -> list[str]:
    """Every scalar function name (aggregates are in kshell.query.aggregates)."""
    return sorted(REGISTRY)


def lookup(name: str) -> FunctionSpec | None:
    return REGISTRY.get(name)


def scalar(name: str, rtype, nargs: int = 1, max_args: int | None | str = "same", *,
           strict: bool = True, aliases: tuple[str, ...] = ()):
    def deco(f: Callable) -> Callable:
        mx = nargs if max_args == "same" else max_args
        spec = FunctionSpec(name, nargs, mx, rtype, impl=f, strict=strict)
        for n in (name, *aliases):
            REGISTRY[n] = spec
        return f
    return deco


def special(name: str, nargs: int = 0, max_args: int | None | str = "same", rtype="dynamic", *,
            aliases: tuple[str, ...] = ()):
    def deco(f: Callable) -> Callable:
        mx = nargs if max_args == "same" else max_args
        spec = FunctionSpec(name, nargs, mx, rtype, special=f)
        for n in (name, *aliases):
            REGISTRY[n] = spec
        return f
    return deco


def arg(i: int) -> Callable[[list[str]], str]:
    """Return-type rule: the type of argument i."""
    return lambda ts: ts[i] if len(ts) > i else "dynamic"


def _s(v: Any) -> str:
    return "" if v is None else (v if isinstance(v, str) else T.to_string(v))


# ------------------------------------------------------------------ conversions

for _t, _names in (("string", ("tostring",)), ("long", ("tolong", "toint64")), ("int", ("toint",)),
                   ("real", ("toreal", "todouble", "tofloat")), ("bool", ("tobool", "toboolean")),
                   ("datetime", ("todatetime",)), ("timespan", ("totimespan", "totime")),
                   ("guid", ("toguid",)), ("decimal", ("todecimal",))):
    scalar(_names[0], _t, 1, strict=False, aliases=_names[1:])(
        (lambda conv: (lambda v: conv(v)))(T.CONVERTERS[_t]))

scalar("todynamic", "dynamic", 1, strict=False, aliases=("parse_json", "toobject"))(T.parse_json)


@scalar("tohex", "string", 1, 2)
def _tohex(v, width=None):
    s = format(v & 0xFFFFFFFFFFFFFFFF if v < 0 else v, "x")
    return s.rjust(width, "0") if width else s


# ------------------------------------------------------------------ strings

@scalar("strlen", "long", strict=False)
def _strlen(s):
    return len(_s(s))


@scalar("strcat", "string", 1, None, strict=False)
def _strcat(*parts):
    return "".join(_s(p) for p in parts)


@scalar("strcat_delim", "string", 2, None, strict=False)
def _strcat_delim(delim, *parts):
    return _s(delim).join(_s(p) for p in parts)


@scalar("substring", "string", 2, 3, strict=False)
def _substring(s, start, length=None):
    s = _s(s)
    if start is None:
        return ""
    start = max(0, int(start))
    if length is None:
        return s[start:]
    return s[start:start + max(0, int(length))]


scalar("tolower", "string", strict=False)(lambda s: _s(s).lower())
scalar("toupper", "string", strict=False)(lambda s: _s(s).upper())
scalar("reverse", "string", strict=False)(lambda s: _s(s)[::-1])


def _trim_regex(rx: str, start: bool, end: bool) -> Callable[[str], str]:
    pat_start = re.compile(f"^(?:{rx})+") if start else None
    pat_end = re.compile(f"(?:{rx})+$") if end else None

    def f(s):
        s = _s(s)
        if pat_start:
            s = pat_start.sub("", s, count=1)
        if pat_end:
            s = pat_end.sub("", s, count=1)
        return s
    return f


scalar("trim", "string", 2, strict=False)(lambda rx, s: _trim_regex(_s(rx), True, True)(s))
scalar("trim_start", "string", 2, strict=False)(lambda rx, s: _trim_regex(_s(rx), True, False)(s))
scalar("trim_end", "string", 2, strict=False)(lambda rx, s: _trim_regex(_s(rx), False, True)(s))


@scalar("split", "dynamic", 2, 3, strict=False)
def _split(s, delim, index=None):
    parts = _s(s).split(_s(delim)) if _s(delim) else [_s(s)]
    if index is None:
        return parts
    if not isinstance(index, int) or index < 0 or index >= len(parts):
        return []
    return [parts[index]]


@scalar("replace_string", "string", 3, strict=False)
def _replace_string(s, lookup, rewrite):
    lookup = _s(lookup)
    return _s(s).replace(lookup, _s(rewrite)) if lookup else _s(s)


def _kusto_rewrite(rewrite: str) -> str:
    # Kusto's rewrite uses \1 or $1 for groups; Python's re uses \1 / \g<1>.
    return re.sub(r"\$(\d+)", r"\\g<\1>", rewrite)


@scalar("replace_regex", "string", 3, strict=False, aliases=("replace",))
def _replace_regex(s, rx, rewrite):
    try:
        return re.sub(_s(rx), _kusto_rewrite(_s(rewrite)), _s(s))
    except re.error:
        return ""


@scalar("extract", lambda ts: "string", 3, 4, strict=False)
def _extract(rx, group, s, typ=None):
    try:
        m = re.search(_s(rx), _s(s))
    except re.error:
        return None
    if not m:
        return "" if typ is None else None
    try:
        v = m.group(int(group))
    except (IndexError, TypeError, ValueError):
        return ""
    v = v or ""
    return v


@scalar("extract_all", "dynamic", 2, 3, strict=False)
def _extract_all(rx, groups_or_text, s=None):
    if s is None:
        s, groups = groups_or_text, None
    else:
        groups = groups_or_text
    try:
        pat = re.compile(_s(rx))
    except re.error:
        return None
    out = []
    for m in pat.finditer(_s(s)):
        if groups is None:
            out.append(m.group(1) if pat.groups == 1 else (list(m.groups()) if pat.groups else m.group(0)))
        else:
            picked = []
            for g in groups:
                try:
                    picked.append(m.group(int(g)) if not isinstance(g, str) or g.isdigit() else m.group(g))
                except (IndexError, ValueError):
                    return None
            out.append(picked)
    return out or None


@scalar("indexof", "long", 2, 5, strict=False)
def _indexof(s, lookup, start=0, length=-1, occurrence=1):
    s, lookup = _s(s), _s(lookup)
    start = int(start or 0)
    if start < 0:
        start = max(0, len(s) + start)
    if start > len(s):
        return None
    end = len(s) if length is None or length == -1 else start + int(length)
    pos = start - 1
    for _ in range(int(occurrence or 1)):
        pos = s.find(lookup, pos + 1, end)
        if pos < 0:
            return -1
    return pos


@scalar("countof", "long", 2, 3, strict=False)
def _countof(s, search, kind="normal"):
    s, search = _s(s), _s(search)
    if kind == "regex":
        return len(re.findall(search, s))
    if not search:
        return 0
    return s.count(search)


@scalar("strrep", "string", 2, 3, strict=False)
def _strrep(s, n, delim=""):
    # Kusto repeats at most 1024 times
    return _s(delim).join([_s(s)] * min(int(n or 0), STRREP_MAX))


STRREP_MAX = 1024


@scalar("isempty", "bool", strict=False)
def _isempty(v):
    return v is None or v == ""


@scalar("isnotempty", "bool", strict=False, aliases=("notempty",))
def _isnotempty(v):
    return not (v is None or v == "")


scalar("isnull", "bool", strict=False)(lambda v: v is None)
scalar("isnotnull", "bool", strict=False, aliases=("notnull",))(lambda v: v is not None)
scalar("isnan", "bool")(lambda v: isinstance(v, float) and math.isnan(v))
scalar("isinf", "bool")(lambda v: isinstance(v, float) and math.isinf(v))
scalar("isfinite", "bool")(lambda v: not (isinstance(v, float) and (math.isinf(v) or math.isnan(v))))
scalar("isascii", "bool", strict=False)(lambda s: _s(s).isascii())

scalar("base64_encode_tostring", "string", strict=False, aliases=("base64_encodestring",))(
    lambda s: base64.b64encode(_s(s).encode()).decode())


@scalar("base64_decode_tostring", "string", strict=False, aliases=("base64_decodestring",))
def _b64decode(s):
    try:
        return base64.b64decode(_s(s)).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


scalar("url_encode", "string", strict=False, aliases=("url_encode_component",))(
    lambda s: urllib.parse.quote(_s(s), safe=""))
scalar("url_decode", "string", strict=False)(lambda s: urllib.parse.unquote(_s(s)))


@scalar("hash", "long", 1, 2, aliases=("hash_xxhash64",))
def _hash(v, mod=None):
    h = xxh64(_hash_bytes(v))
    if h >= 2**63:
        h -= 2**64
    if mod is not None:
        return abs(h) % int(mod) if mod else None
    return h


def _hash_bytes(v: Any) -> bytes:
    """The bytes Kusto hashes: UTF-8 text, 8-byte little-endian longs, datetime and timespan ticks."""
    if isinstance(v, dt.datetime):
        ticks = (v.replace(tzinfo=None) - dt.datetime(1, 1, 1)) // dt.timedelta(microseconds=1) * 10
        return (ticks & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    if isinstance(v, dt.timedelta):
        return ((v // dt.timedelta(microseconds=1) * 10) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, bool):
        return bytes([int(v)])
    if isinstance(v, int):
        return (v & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    if isinstance(v, float):
        import struct
        return struct.pack("<d", v)
    return T.to_string(v).encode("utf-8")


scalar("hash_sha256", "string", strict=False)(
    lambda v: __import__("hashlib").sha256(_s(v).encode()).hexdigest())
scalar("hash_md5", "string", strict=False)(
    lambda v: __import__("hashlib").md5(_s(v).encode()).hexdigest())


# ------------------------------------------------------------------ math

def _num_type(ts: list[str]) -> str:
    t = ts[0] if ts else "real"
    return t if T.is_numeric(t) or t == "timespan" else "real"


scalar("abs", _num_type)(lambda v: abs(v) if not isinstance(v, (str, dict, list)) else None)


@scalar("sqrt", "real")
def _sqrt(v):
    v = T.to_real(v)
    return None if v is None or v < 0 else math.sqrt(v)


@scalar("pow", "real", 2)
def _pow(a, b):
    try:
        return math.pow(float(a), float(b))
    except (OverflowError, ValueError, TypeError):
        return None


def _log_fn(f):
    def g(v):
        v = T.to_real(v)
        return None if v is None or v <= 0 else f(v)
    return g


scalar("log", "real")(_log_fn(math.log))
scalar("log10", "real")(_log_fn(math.log10))
scalar("log2", "real")(_log_fn(math.log2))


def _exp_fn(f):
    def g(v):
        try:
            return f(float(v))
        except (OverflowError, TypeError, ValueError):
            return math.inf
    return g


scalar("exp", "real")(_exp_fn(math.exp))
scalar("exp2", "real")(_exp_fn(lambda x: 2.0 ** x))
scalar("exp10", "real")(_exp_fn(lambda x: 10.0 ** x))
scalar("sign", _num_type)(lambda v: (v > 0) - (v < 0) if not isinstance(v, float) else float((v > 0) - (v < 0)))
scalar("ceiling", _num_type)(lambda v: math.ceil(v) if isinstance(v, int) else float(math.ceil(v)))
for _fname, _f in (("sin", math.sin), ("cos", math.cos), ("tan", math.tan), ("asin", math.asin),
                   ("acos", math.acos), ("atan", math.atan)):
    scalar(_fname, "real")((lambda f: lambda v: _guard(f, v))(_f))
scalar("atan2", "real", 2)(lambda y, x: math.atan2(float(y), float(x)))
scalar("pi", "real", 0)(lambda: math.pi)
scalar("degrees", "real")(lambda v: math.degrees(float(v)))
scalar("radians", "real")(lambda v: math.radians(float(v)))


def _guard(f, v):
    try:
        return f(float(v))
    except (ValueError, OverflowError):
        return None


@scalar("round", lambda ts: ts[0] if ts and ts[0] in ("int", "long", "decimal") else "real", 1, 2)
def _round(v, precision=0):
    precision = int(precision or 0)
    if isinstance(v, int) and precision >= 0:
        return v
    d = decimal.Decimal(repr(v) if isinstance(v, float) else str(v))
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return v
    q = d.quantize(decimal.Decimal(1).scaleb(-precision), rounding=decimal.ROUND_HALF_EVEN) \
        if precision >= 0 else d.scaleb(precision).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_EVEN).scaleb(-precision)
    if isinstance(v, decimal.Decimal):
        return q
    if isinstance(v, int):
        return int(q)
    return float(q)


def _bin(v, size):
    if isinstance(v, dt.datetime):
        if isinstance(size, dt.timedelta):
            return D.bin_datetime(v, size)
        return None
    if isinstance(v, dt.timedelta):
        if isinstance(size, dt.timedelta):
            return D.bin_timespan(v, size)
        return None
    if isinstance(size, dt.timedelta) or not size:
        return None
    if isinstance(v, int) and isinstance(size, int):
        return (v // size) * size
    if isinstance(v, decimal.Decimal):
        size = decimal.Decimal(str(size))
        return (v / size).to_integral_value(rounding=decimal.ROUND_FLOOR) * size
    r = math.floor(float(v) / float(size)) * float(size)
    return r if not isinstance(v, int) else int(r)


def _bin_type(ts: list[str]) -> str:
    t = ts[0] if ts else "real"
    if t in ("datetime", "timespan", "decimal"):
        return t
    if t in ("int", "long") and len(ts) > 1 and ts[1] in ("int", "long"):
        return t
    if t in ("int", "long"):
        return "real" if len(ts) > 1 and ts[1] == "real" else t
    return "real"


scalar("bin", _bin_type, 2, aliases=("floor",))(_bin)


@scalar("bin_at", arg(0), 3)
def _bin_at(v, size, at):
    if isinstance(v, dt.datetime):
        return D.bin_datetime_at(v, size, at)
    if isinstance(v, dt.timedelta):
        return at + ((v - at) // size) * size if size else v
    if not size:
        return None
    r = at + math.floor((v - at) / size) * size
    return r


scalar("max_of", arg(0), 1, None, strict=False)(
    lambda *a: max((x for x in a if x is not None), default=None))
scalar("min_of", arg(0), 1, None, strict=False)(
    lambda *a: min((x for x in a if x is not None), default=None))


# ------------------------------------------------------------------ datetime

for _fname, _f in (("startofday", D.start_of_day), ("startofweek", D.start_of_week),
                   ("startofmonth", D.start_of_month), ("startofyear", D.start_of_year),
                   ("endofday", D.end_of_day), ("endofweek", D.end_of_week),
                   ("endofmonth", D.end_of_month), ("endofyear", D.end_of_year)):
    scalar(_fname, "datetime", 1, 2)((lambda f: lambda d, offset=0: f(d, int(offset)))(_f))

scalar("datetime_add", "datetime", 3)(lambda part, amount, d: D.datetime_add(part, int(amount), d))
scalar("datetime_diff", "long", 3)(D.datetime_diff)
scalar("datetime_part", "int", 2, aliases=("datepart",))(D.datetime_part)
scalar("getyear", "int")(lambda d: d.year)
scalar("getmonth", "int", aliases=("monthofyear",))(lambda d: d.month)
scalar("dayofmonth", "int")(lambda d: d.day)
scalar("dayofyear", "int")(lambda d: d.timetuple().tm_yday)
scalar("hourofday", "int")(lambda d: d.hour)
scalar("week_of_year", "int", aliases=("weekofyear",))(lambda d: d.isocalendar()[1])
scalar("dayofweek", "timespan")(lambda d: dt.timedelta(days=(d.weekday() + 1) % 7))
scalar("format_datetime", "string", 2)(lambda d, f: D.format_datetime(d, f))
scalar("format_timespan", "string", 2)(lambda t, f: D.format_timespan(t, f))
scalar("unixtime_seconds_todatetime", "datetime")(lambda v: T.EPOCH + dt.timedelta(seconds=v))
scalar("unixtime_milliseconds_todatetime", "datetime")(lambda v: T.EPOCH + dt.timedelta(milliseconds=v))
scalar("unixtime_microseconds_todatetime", "datetime")(lambda v: T.EPOCH + dt.timedelta(microseconds=v))
scalar("unixtime_nanoseconds_todatetime", "datetime")(lambda v: T.EPOCH + dt.timedelta(microseconds=v / 1000))
scalar("datetime_utc_to_local", "datetime", 2)(lambda d, tz: d)
scalar("datetime_local_to_utc", "datetime", 2)(lambda d, tz: d)


@scalar("make_datetime", "datetime", 3, 7)
def _make_datetime(y, mo, d, h=0, mi=0, s=0, *_):
    try:
        sec = float(s)
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec),
                           int(round((sec - int(sec)) * 1e6)), tzinfo=T.UTC)
    except (ValueError, OverflowError):
        return None


@scalar("make_timespan", "timespan", 2, 4)
def _make_timespan(*a):
    if len(a) == 2:
        return dt.timedelta(hours=a[0], minutes=a[1])
    if len(a) == 3:
        return dt.timedelta(hours=a[0], minutes=a[1], seconds=a[2])
    return dt.timedelta(days=a[0], hours=a[1], minutes=a[2], seconds=a[3])


# ------------------------------------------------------------------ dynamic

@scalar("array_length", "long", strict=False)
def _array_length(v):
    return len(v) if isinstance(v, list) else None


scalar("pack_array", "dynamic", 0, None, strict=False)(lambda *a: [T.to_json_value(v) for v in a])


@scalar("bag_pack", "dynamic", 0, None, strict=False, aliases=("pack", "pack_dictionary"))
def _bag_pack(*a):
    return {_s(a[i]): T.to_json_value(a[i + 1]) for i in range(0, len(a) - 1, 2)}


@scalar("bag_keys", "dynamic", strict=False)
def _bag_keys(v):
    return list(v.keys()) if isinstance(v, dict) else None


@scalar("bag_merge", "dynamic", 1, None, strict=False)
def _bag_merge(*bags):
    out: dict = {}
    for b in bags:
        if isinstance(b, dict):
            for k, v in b.items():
                out.setdefault(k, v)
    return out


@scalar("bag_remove_keys", "dynamic", 2, strict=False)
def _bag_remove_keys(bag, keys):
    if not isinstance(bag, dict):
        return None
    drop = set(keys or [])
    return {k: v for k, v in bag.items() if k not in drop}


@scalar("bag_has_key", "bool", 2, strict=False)
def _bag_has_key(bag, key):
    return isinstance(bag, dict) and key in bag


@scalar("strcat_array", "string", 2, strict=False)
def _strcat_array(arr, delim):
    if not isinstance(arr, list):
        return ""
    return _s(delim).join(_s(T.to_json_value(v)) for v in arr)


def _key(v: Any) -> Any:
    return json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v


@scalar("set_has_element", "bool", 2, strict=False)
def _set_has_element(arr, v):
    if not isinstance(arr, list):
        return None
    v = T.to_json_value(v)
    return any(_key(x) == _key(v) for x in arr)


@scalar("array_index_of", "long", 2, strict=False)
def _array_index_of(arr, v):
    if not isinstance(arr, list):
        return None
    v = T.to_json_value(v)
    for i, x in enumerate(arr):
        if _key(x) == _key(v):
            return i
    return -1


@scalar("array_concat", "dynamic", 1, None, strict=False)
def _array_concat(*arrs):
    out = []
    for a in arrs:
        if not isinstance(a, list):
            return None
        out.extend(a)
    return out


@scalar("array_slice", "dynamic", 3, strict=False)
def _array_slice(arr, start, end):
    if not isinstance(arr, list):
        return None
    n = len(arr)
    s = start + n if start < 0 else start
    e = end + n if end < 0 else end
    return arr[max(0, s): e + 1]


@scalar("array_reverse", "dynamic", strict=False)
def _array_reverse(arr):
    return list(reversed(arr)) if isinstance(arr, list) else None


@scalar("array_sum", "real", strict=False)
def _array_sum(arr):
    if not isinstance(arr, list):
        return None
    return float(sum(x for x in arr if isinstance(x, (int, float)) and not isinstance(x, bool)))


def _sort_key(v):
    return (0, v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, _s(v))


scalar("array_sort_asc", "dynamic", 1, 2, strict=False)(
    lambda a, nulls_last=True: sorted([x for x in a if x is not None], key=_sort_key) + [x for x in a if x is None]
    if isinstance(a, list) else None)
scalar("array_sort_desc", "dynamic", 1, 2, strict=False)(
    lambda a, nulls_last=True: sorted([x for x in a if x is not None], key=_sort_key, reverse=True) + [x for x in a if x is None]
    if isinstance(a, list) else None)


def _dedupe(values):
    seen, out = set(), []
    for v in values:
        k = _key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


@scalar("set_union", "dynamic", 2, None, strict=False)
def _set_union(*arrs):
    return _dedupe([x for a in arrs if isinstance(a, list) for x in a])


@scalar("set_intersect", "dynamic", 2, None, strict=False)
def _set_intersect(*arrs):
    if not all(isinstance(a, list) for a in arrs):
        return None
    rest = [{_key(x) for x in a} for a in arrs[1:]]
    return _dedupe([x for x in arrs[0] if all(_key(x) in r for r in rest)])


@scalar("set_difference", "dynamic", 2, None, strict=False)
def _set_difference(*arrs):
    if not all(isinstance(a, list) for a in arrs):
        return None
    drop = {_key(x) for a in arrs[1:] for x in a}
    return _dedupe([x for x in arrs[0] if _key(x) not in drop])


@scalar("gettype", "string", strict=False)
def _gettype(v):
    if v is None:
        return "null"
    if isinstance(v, dict):
        return "dictionary"
    if isinstance(v, list):
        return "array"
    t = T.type_of_value(v)
    return {"real": "real", "long": "long", "string": "string", "bool": "bool"}.get(t, t)


@scalar("parse_url", "dynamic", strict=False)
def _parse_url(s):
    u = urllib.parse.urlsplit(_s(s))
    return {"Scheme": u.scheme, "Host": u.hostname or "", "Port": str(u.port or ""),
            "Path": u.path, "Username": u.username or "", "Password": u.password or "",
            "Query Parameters": dict(urllib.parse.parse_qsl(u.query)), "Fragment": u.fragment}


scalar("not", "bool", strict=False)(lambda v: None if v is None else not v)


@scalar("range", "dynamic", 2, 3, strict=False)
def _range_array(start, stop, step=None):
    """range(start, stop[, step]): a dynamic array (at most 1,048,576 elements, like the service)."""
    if start is None or stop is None:
        return None
    if step is None:
        step = dt.timedelta(days=1) if isinstance(start, dt.datetime) else 1
    out = []
    v, k = start, 0
    try:
        forward = step > step - step
        while (v <= stop if forward else v >= stop) and k < 1_048_576:
            out.append(T.to_json_value(v))
            k += 1
            v = start + step * k
    except TypeError:
        return None
    return out


@scalar("bag_zip", "dynamic", 2, strict=False)
def _bag_zip(keys, values):
    if not isinstance(keys, list) or not isinstance(values, list):
        return None
    return {_s(k): (values[i] if i < len(values) else None) for i, k in enumerate(keys)}


@scalar("unicode_codepoints_from_string", "dynamic", strict=False)
def _codepoints(s):
    return [ord(ch) for ch in _s(s)]


@scalar("unicode_codepoints_to_string", "string", strict=False)
def _from_codepoints(arr):
    return "".join(chr(int(x)) for x in arr) if isinstance(arr, list) else ""


@scalar("array_split", "dynamic", 2, strict=False)
def _array_split(arr, indices):
    if not isinstance(arr, list):
        return None
    cuts = indices if isinstance(indices, list) else [indices]
    out, prev = [], 0
    for c in cuts:
        out.append(arr[prev:c])
        prev = c
    out.append(arr[prev:])
    return out


@scalar("zip", "dynamic", 2, None, strict=False)
def _zip(*arrays):
    if not all(isinstance(a, list) for a in arrays):
        return None
    n = max((len(a) for a in arrays), default=0)
    return [[a[i] if i < len(a) else None for a in arrays] for i in range(n)]


@scalar("strcmp", "int", 2, strict=False)
def _strcmp(a, b):
    a, b = _s(a), _s(b)
    return (a > b) - (a < b)


@scalar("has_any_index", "long", 2, strict=False)
def _has_any_index(s, arr):
    text = _s(s).lower()
    for i, v in enumerate(arr or []):
        if re.search(r"(?<![0-9a-z])" + re.escape(_s(v).lower()) + r"(?![0-9a-z])", text):
            return i
    return -1
