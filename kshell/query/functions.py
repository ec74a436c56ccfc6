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
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from kshell import ticks as K
from kshell.query import datetimes as D
from kshell.query import regex
from kshell.query import types as T
from kshell.query.xxhash import xxh64


class ArgumentError(ValueError):
    """A function's own, Kusto-worded refusal of an argument value ("the degree argument must
    be ..."): the compiler passes its message on, where any other exception a function raises
    is reported without Python's wording (compiler._bad_argument_values)."""


@dataclass
class FunctionSpec:
    name: str
    min_args: int
    max_args: int | None  # None = any number
    rtype: str | Callable[[list[str]], str]
    impl: Callable | None = None
    special: Callable | None = None  # (compiler, call node) -> CExpr
    strict: bool = True              # a null argument gives null without calling impl
    type_arg: int | None = None      # index of a `typeof(T)` argument: the result is converted to T

    def result_type(self, arg_types: list[str]) -> str:
        return self.rtype(arg_types) if callable(self.rtype) else self.rtype


REGISTRY: dict[str, FunctionSpec] = {}


def names() -> list[str]:
    """Every scalar function name (aggregates are in kshell.query.aggregates)."""
    return sorted(REGISTRY)


def lookup(name: str) -> FunctionSpec | None:
    return REGISTRY.get(name)


def scalar(name: str, rtype, nargs: int = 1, max_args: int | None | str = "same", *,
           strict: bool = True, aliases: tuple[str, ...] = (), type_arg: int | None = None):
    def deco(f: Callable) -> Callable:
        mx = nargs if max_args == "same" else max_args
        spec = FunctionSpec(name, nargs, mx, rtype, impl=f, strict=strict, type_arg=type_arg)
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


def tohex(v, width=None, bits=64):
    """tohex(n [, width]): a negative n is its two's complement in its type's width
    (tohex-function.md: tohex(toint(-256), 8) is ffffff00, tohex(-256) 16 digits)."""
    s = format(v & ((1 << bits) - 1) if v < 0 else v, "x")
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
    pat_start = regex.repeated(rx, at_start=True) if start else None
    pat_end = regex.repeated(rx, at_start=False) if end else None

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
        return regex.compile(_s(rx)).sub(_kusto_rewrite(_s(rewrite)), _s(s))
    except re.error:
        return ""


@scalar("extract", "string", 3, 4, strict=False, type_arg=3)
def _extract(rx, group, s, typ=None):
    """extract(regex, group, text [, typeof(T)]): the compiler converts the text to T."""
    try:
        m = regex.compile(_s(rx)).search(_s(s))
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
        pat = regex.compile(_s(rx))
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
    # Each occurrence is searched in `length` characters from where the search resumes
    # (indexof-function.md: indexof("abcdefgabcdefg", "cde", 1, 10, 2) is 9).
    width = None if length is None or int(length) == -1 else int(length)
    pos = start - 1
    for _ in range(int(occurrence or 1)):
        begin = pos + 1
        pos = s.find(lookup, begin, len(s) if width is None else begin + width)
        if pos < 0:
            return -1
    return pos


@scalar("countof", "long", 2, 3, strict=False)
def _countof(s, search, kind="normal"):
    s, search = _s(s), _s(search)
    if kind == "regex":
        return len(regex.compile(search).findall(s))
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


def _url_encode(text: str, space: str) -> str:
    """Percent-encoding as the service prints it: lower-case hex digits, letters, digits and
    -_.!*() kept (url-encode-function.md: https%3a%2f%2fwww.bing.com%2fhello+world)."""
    out = []
    for ch in text:
        if ch == " ":
            out.append(space)
        elif ch.isascii() and (ch.isalnum() or ch in "-_.!*()"):
            out.append(ch)
        else:
            out.extend(f"%{b:02x}" for b in ch.encode("utf-8"))
    return "".join(out)


scalar("url_encode", "string", strict=False)(lambda s: _url_encode(_s(s), "+"))
scalar("url_encode_component", "string", strict=False)(lambda s: _url_encode(_s(s), "%20"))
# url_encode writes a space as "+": decoding reads it back
scalar("url_decode", "string", strict=False)(lambda s: urllib.parse.unquote_plus(_s(s)))


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
    if isinstance(v, (dt.datetime, dt.timedelta)):
        # the value's 100 ns ticks (since 0001-01-01 for a datetime), 8 bytes little-endian:
        # hash-function.md's hash(datetime("2015-01-01")) == 1380966698541616202
        return (T.ticks_of(v) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
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


# Result types as Kusto.Language gives them: abs(int) is a long (abs(int(-2147483648)) fits),
# sign() is a real.
scalar("abs", lambda ts: "long" if ts and ts[0] == "int" else _num_type(ts))(
    lambda v: abs(v) if not isinstance(v, (str, dict, list)) else None)


@scalar("sqrt", "real")
def _sqrt(v):
    v = T.to_real(v)
    return None if v is None or v < 0 else math.sqrt(v)


@scalar("pow", "real", 2)
def _pow(a, b):
    try:
        return math.pow(float(a), float(b))
    except OverflowError:  # past the largest double: infinity, as IEEE pow gives
        return math.inf if float(a) > 0 or float(b) % 2 == 0 else -math.inf
    except (ValueError, TypeError):
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
scalar("sign", "real")(lambda v: float((v > 0) - (v < 0)) if v == v else math.nan)
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
        return "long"  # bin(int, int) is a long, as integer arithmetic is
    if t in ("int", "long"):
        return "real" if len(ts) > 1 and ts[1] == "real" else t
    return "real"


scalar("bin", _bin_type, 2, aliases=("floor",))(_bin)


@scalar("bin_at", arg(0), 3)
def _bin_at(v, size, at):
    if isinstance(v, dt.datetime):
        return D.bin_datetime_at(v, size, at)
    if isinstance(v, dt.timedelta):
        n = K.timespan_ticks(size)
        if not n:
            return v
        origin = K.timespan_ticks(at)
        return K.timespan_from_ticks(origin + (K.timespan_ticks(v) - origin) // n * n)
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
# Unix times count from 1970 in their unit; the result is rounded to 100 ns ticks.
for _name, _per_tick in (("seconds", 1e-7), ("milliseconds", 1e-4), ("microseconds", 0.1), ("nanoseconds", 100)):
    scalar(f"unixtime_{_name}_todatetime", "datetime")(
        (lambda per: lambda v: K.datetime_from_ticks(T.EPOCH_TICKS + round(v / per)))(_per_tick))
scalar("datetime_utc_to_local", "datetime", 2)(lambda d, tz: D.utc_to_local(d, _s(tz)))
scalar("datetime_local_to_utc", "datetime", 2)(lambda d, tz: D.local_to_utc(d, _s(tz)))


@scalar("make_datetime", "datetime", 3, 7)
def _make_datetime(y, mo, d, h=0, mi=0, s=0, *_):
    try:
        sec = float(s)
        whole = int(sec)
        base = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), whole, tzinfo=T.UTC)
        # the seconds' fraction in 100 ns ticks (make-datetime-function.md: 7 digits)
        return K.add(base, K.timespan_from_ticks(round((sec - whole) * K.TICKS_PER_SECOND)))
    except (ValueError, OverflowError):
        return None


@scalar("make_timespan", "timespan", 2, 4)
def _make_timespan(*a):
    """make_timespan([days,] hours, minutes [, seconds]): seconds may carry 7 fractional digits."""
    days, (hours, minutes, seconds) = (a[0], a[1:]) if len(a) == 4 else (0, (list(a) + [0])[:3])
    whole = ((days * 24 + hours) * 60 + minutes) * 60
    return K.timespan_from_ticks(round((whole + seconds) * K.TICKS_PER_SECOND)) \
        if isinstance(seconds, float) or isinstance(whole, float) \
        else K.timespan_from_ticks((whole + seconds) * K.TICKS_PER_SECOND)


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


_PATH_STEP = re.compile(r"""\.([^.\[\]]+)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]""")


def bag_key_path(key: Any) -> list[str] | None:
    """A bag key as the bag_* functions take it: a plain key, or a JSONPath of member steps
    (`$.key2.prop1`, `$['key 2']`); None when the path is not one of those."""
    if not isinstance(key, str):
        return None
    if not key.startswith("$"):
        return [key]
    steps, pos = [], 1
    while pos < len(key):
        m = _PATH_STEP.match(key, pos)
        if m is None:
            return None
        steps.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    return steps or None


@scalar("bag_remove_keys", "dynamic", 2, strict=False)
def _bag_remove_keys(bag, keys):
    """bag_remove_keys(bag, keys): keys may be JSONPaths reaching into nested bags
    (bag-remove-keys-function.md removes $.key2.prop1 and keeps key2's other properties)."""
    if not isinstance(bag, dict):
        return None
    out = json.loads(json.dumps(bag, default=str))
    for key in keys if isinstance(keys, list) else []:
        path = bag_key_path(key)
        if not path:
            continue
        node = out
        for step in path[:-1]:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return out


@scalar("bag_has_key", "bool", 2, strict=False)
def _bag_has_key(bag, key):
    """bag_has_key(bag, key): key may be a JSONPath into nested bags (bag-has-key-function.md)."""
    path = bag_key_path(key)
    if not path:
        return False
    node = bag
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return False
        node = node[step]
    return True


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
    """array_sort_*'s order of mixed types (array-sort-asc-function.md): numbers, datetimes
    and timespans, then strings, guids, and everything else."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (0, 0, v)
    if isinstance(v, dt.datetime):
        return (0, 1, v)
    if isinstance(v, dt.timedelta):
        return (0, 2, v)
    if isinstance(v, str):
        return (1, 0, v)
    if isinstance(v, uuid.UUID):
        return (2, 0, str(v))
    return (3, 0, json.dumps(v, sort_keys=True, default=str))


# Functions that give one column per array argument when called alone in print, extend or
# project (array_sort_asc(a1, a2) -> a1_sorted, a2_sorted); elsewhere their value is the
# array of results, so array_sort_asc(t, c)[1] is c in t's order.
MULTI_COLUMN = {"array_sort_asc": "_sorted", "array_sort_desc": "_sorted"}
# Functions whose property bag becomes several columns when the call stands alone in a
# print/extend/project item: name -> the bag's fields and their column types, in column
# order (series_stats...).
# Columns are named by a tuple assignment, else <function>_<argument>_<field>.
BAG_COLUMNS: dict[str, list[tuple[str, str]]] = {}  # name -> [(field, column type)]


def _array_sort(desc: bool, *args):
    """array_sort_asc/desc(array1 [, array2...] [, nulls_last]): array1 sorted, the others
    permuted the same way; arrays of different lengths give null.  Nulls go last unless
    nulls_last is false."""
    nulls_last = True
    if args and isinstance(args[-1], bool):
        nulls_last, args = args[-1], args[:-1]
    if not args or not all(isinstance(a, list) for a in args):
        return None
    first = args[0]
    if any(len(a) != len(first) for a in args[1:]):
        return None
    present = sorted((i for i, x in enumerate(first) if x is not None),
                     key=lambda i: _sort_key(first[i]), reverse=desc)
    nulls = [i for i, x in enumerate(first) if x is None]
    order = present + nulls if nulls_last else nulls + present
    out = [[a[i] for i in order] for a in args]
    return out[0] if len(out) == 1 else out


scalar("array_sort_asc", "dynamic", 1, None, strict=False)(lambda *a: _array_sort(False, *a))
scalar("array_sort_desc", "dynamic", 1, None, strict=False)(lambda *a: _array_sort(True, *a))


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
    if step is None:  # range-function.md: range(1h, 5h) steps by an hour
        if isinstance(start, dt.datetime):
            step = dt.timedelta(days=1)
        elif isinstance(start, dt.timedelta):
            step = dt.timedelta(hours=1)
        else:
            step = 1
    out = []
    v, k = start, 0
    try:
        forward = step > step - step
        while (v <= stop if forward else v >= stop) and k < 1_048_576:
            out.append(T.to_json_value(v))
            k += 1
            v = K.add(start, step * k) if isinstance(step, dt.timedelta) else start + step * k
    except TypeError:
        return None
    return out


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


@scalar("strcmp", "long", 2, strict=False)
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
