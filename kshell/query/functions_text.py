"""Scalar functions beyond the core library: strings, encodings, hashing, bits, math and
unit conversions.  Registered in kshell.query.functions' registry like the core ones."""

from __future__ import annotations

import base64
import binascii
import csv
import decimal
import hashlib
import io
import json
import math
import re
import struct
import uuid
import zlib
from typing import Any

from kshell.query import types as T
from kshell.query.functions import _s, scalar
from kshell.query.xxhash import xxh64

_M64 = 1 << 64


def _signed64(x: int) -> int:
    x %= _M64
    return x - _M64 if x >= 1 << 63 else x


def _int(v: Any) -> int | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, decimal.Decimal)):
        return int(v)
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else int(v)
    return None


# ------------------------------------------------------------------ bits

def _bitwise(f):
    def impl(*a):
        xs = [_int(v) for v in a]
        return None if any(x is None for x in xs) else _signed64(f(*xs))
    return impl


scalar("binary_and", "long", 2)(_bitwise(lambda a, b: a & b))
scalar("binary_or", "long", 2)(_bitwise(lambda a, b: a | b))
scalar("binary_xor", "long", 2)(_bitwise(lambda a, b: a ^ b))
scalar("binary_not", "long", 1)(_bitwise(lambda a: ~a))
# Shifts use the shift count modulo 64, as .NET does for long.
scalar("binary_shift_left", "long", 2)(_bitwise(lambda a, n: a << (n % 64)))
scalar("binary_shift_right", "long", 2)(_bitwise(lambda a, n: (a % _M64) >> (n % 64) if a >= 0 else a >> (n % 64)))
scalar("bitset_count_ones", "long", 1)(_bitwise(lambda a: bin(a % _M64).count("1")))


# ------------------------------------------------------------------ math

def _real(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _math(f):
    def impl(*a):
        xs = [_real(v) for v in a]
        if any(x is None for x in xs):
            return None
        try:
            return f(*xs)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan
    return impl


scalar("cot", "real")(_math(lambda x: 1 / math.tan(x)))
scalar("gamma", "real")(_math(math.gamma))
scalar("loggamma", "real")(_math(math.lgamma))
scalar("erf", "real")(_math(math.erf))
scalar("erfc", "real")(_math(math.erfc))


@scalar("around", "bool", 3)
def _around(value, center, delta):
    try:
        return center - delta <= value <= center + delta
    except TypeError:
        return None


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularized incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def _beta_cdf(x: float, a: float, b: float) -> float:
    if not (0 <= x <= 1) or a <= 0 or b <= 0:
        return math.nan
    if x in (0.0, 1.0):
        return x
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1 - x) / b


@scalar("beta_cdf", "real", 3)
def _beta_cdf_fn(x, a, b):
    return _math(_beta_cdf)(x, a, b)


@scalar("beta_pdf", "real", 3)
def _beta_pdf(x, a, b):
    def f(x, a, b):
        if not (0 <= x <= 1) or a <= 0 or b <= 0:
            return math.nan
        lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        return math.exp(lbeta + (a - 1) * math.log(x) + (b - 1) * math.log1p(-x))
    return _math(f)(x, a, b)


@scalar("beta_inv", "real", 3)
def _beta_inv(p, a, b):
    p, a, b = _real(p), _real(a), _real(b)
    if p is None or a is None or b is None or not 0 <= p <= 1:
        return None
    if a <= 0 or b <= 0:
        return math.nan
    lo, hi = 0.0, 1.0
    for _ in range(200):  # bisection: the cdf is monotonic on [0, 1]
        mid = (lo + hi) / 2
        if _beta_cdf(mid, a, b) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@scalar("welch_test", "real", 6)
def _welch_test(m1, v1, n1, m2, v2, n2):
    """Two-sided p-value of Welch's t-test (Student's t cdf through the incomplete beta)."""
    def f(m1, v1, n1, m2, v2, n2):
        s1, s2 = v1 / n1, v2 / n2
        t = (m1 - m2) / math.sqrt(s1 + s2)
        df = (s1 + s2) ** 2 / (s1 ** 2 / (n1 - 1) + s2 ** 2 / (n2 - 1))
        return _beta_cdf(df / (df + t * t), df / 2, 0.5)
    return _math(f)(m1, v1, n1, m2, v2, n2)


# ------------------------------------------------------------------ unit conversions
# Factors to the family's base unit (meter, kilogram, joule, newton, m/s, m^3, radian).
_LENGTH = {"meter": 1, "kilometer": 1e3, "centimeter": 1e-2, "millimeter": 1e-3, "micrometer": 1e-6,
           "nanometer": 1e-9, "decimeter": 0.1, "hectometer": 100, "decameter": 10, "mile": 1609.344,
           "nauticalmile": 1852, "yard": 0.9144, "foot": 0.3048, "inch": 0.0254, "mil": 2.54e-5,
           "microinch": 2.54e-8, "lightyear": 9460730472580800, "astronomicalunit": 149597870700,
           "parsec": 3.0856775814913673e16, "fathom": 1.8288, "hand": 0.1016, "chain": 20.1168,
           "shackle": 27.432, "twip": 1.7638888888888889e-5, "printerpoint": 0.0003527777777777778,
           "printerpica": 0.004233333333333333, "dtppoint": 0.0003527777777777778, "dtppica": 0.004233333333333333,
           "usSurveyfoot": 1200 / 3937, "kilolightyear": 9460730472580800e3, "megalightyear": 9460730472580800e6,
           "kiloparsec": 3.0856775814913673e19, "megaparsec": 3.0856775814913673e22, "solarradius": 6.95510e8,
           "hectomile": 160934.4, "kiloyard": 914.4, "kilofoot": 304.8, "megameter": 1e6, "gigameter": 1e9,
           "femtometer": 1e-15, "picometer": 1e-12}
_MASS = {"kilogram": 1, "gram": 1e-3, "milligram": 1e-6, "microgram": 1e-9, "nanogram": 1e-12,
         "picogram": 1e-15, "centigram": 1e-5, "decigram": 1e-4, "decagram": 1e-2, "hectogram": 0.1,
         "tonne": 1e3, "kilotonne": 1e6, "megatonne": 1e9, "pound": 0.45359237, "kilopound": 453.59237,
         "megapound": 453592.37, "ounce": 0.028349523125, "stone": 6.35029318, "grain": 6.479891e-5,
         "shortton": 907.18474, "longton": 1016.0469088, "slug": 14.593902937206364,
         "shorthundredweight": 45.359237, "longhundredweight": 50.80234544, "earthmass": 5.9722e24,
         "solarmass": 1.98947e30}
_ENERGY = {"joule": 1, "kilojoule": 1e3, "megajoule": 1e6, "gigajoule": 1e9, "terajoule": 1e12,
           "millijoule": 1e-3, "calorie": 4.184, "kilocalorie": 4184, "wattHour": 3600, "kilowatthour": 3.6e6,
           "megawatthour": 3.6e9, "gigawatthour": 3.6e12, "terawatthour": 3.6e15, "watthour": 3600,
           "britishthermalunit": 1055.05585262, "kilobritishthermalunit": 1055055.85262,
           "megabritishthermalunit": 1055055852.62, "gigabritishthermalunit": 1055055852620.0,
           "electronvolt": 1.602176634e-19, "kiloelectronvolt": 1.602176634e-16,
           "megaelectronvolt": 1.602176634e-13, "gigaelectronvolt": 1.602176634e-10,
           "teraelectronvolt": 1.602176634e-7, "erg": 1e-7, "footpound": 1.355817948,
           "decathermec": 1.05505585262e9, "decathermimperial": 1.05505585257348e9, "decathermus": 1.054804e9,
           "thermec": 1.05505585262e8, "thermimperial": 1.05505585257348e8, "thermus": 1.054804e8,
           "horsepowerhour": 2.6845195377e6}
_FORCE = {"newton": 1, "kilonewton": 1e3, "meganewton": 1e6, "decanewton": 10, "millinewton": 1e-3,
          "micronewton": 1e-6, "nanonewton": 1e-9, "dyn": 1e-5, "kilogramforce": 9.80665,
          "tonneforce": 9806.65, "poundforce": 4.4482216152605, "kilopoundforce": 4448.2216152605,
          "ounceforce": 0.27801385095378125, "poundal": 0.138254954376, "kiloponds": 9.80665,
          "kilopond": 9.80665, "shorttonforce": 8896.443230521}
_SPEED = {"meterpersecond": 1, "kilometerperhour": 1 / 3.6, "mileperhour": 0.44704, "knot": 1852 / 3600,
          "footpersecond": 0.3048, "centimeterpersecond": 1e-2, "centimeterperhour": 1e-2 / 3600,
          "centimeterperminute": 1e-2 / 60, "meterperhour": 1 / 3600, "meterperminute": 1 / 60,
          "kilometerpersecond": 1e3, "kilometerperminute": 1e3 / 60, "millimeterpersecond": 1e-3,
          "millimeterperhour": 1e-3 / 3600, "millimeterperminute": 1e-3 / 60, "micrometerpersecond": 1e-6,
          "nanometerpersecond": 1e-9, "decimeterpersecond": 0.1, "footperminute": 0.3048 / 60,
          "footperhour": 0.3048 / 3600, "inchpersecond": 0.0254, "inchperminute": 0.0254 / 60,
          "inchperhour": 0.0254 / 3600, "yardpersecond": 0.9144, "yardperminute": 0.9144 / 60,
          "yardperhour": 0.9144 / 3600, "mach": 340.29, "ussurveyfootpersecond": 1200 / 3937,
          "milepersecond": 1609.344}
_VOLUME = {"cubicmeter": 1, "liter": 1e-3, "milliliter": 1e-6, "centiliter": 1e-5, "deciliter": 1e-4,
           "hectoliter": 0.1, "kiloliter": 1, "megaliter": 1e3, "microliter": 1e-9, "cubiccentimeter": 1e-6,
           "cubicmillimeter": 1e-9, "cubickilometer": 1e9, "cubicdecimeter": 1e-3, "cubicfoot": 0.028316846592,
           "cubicinch": 1.6387064e-5, "cubicyard": 0.764554857984, "cubicmile": 4168181825.440579584,
           "acrefoot": 1233.48183754752, "usgallon": 0.003785411784, "imperialgallon": 0.00454609,
           "usquart": 0.000946352946, "uspint": 0.000473176473, "usounce": 2.95735295625e-5,
           "imperialounce": 2.84130625e-5, "imperialpint": 0.00056826125, "usbeerbarrel": 0.117347765,
           "oilbarrel": 0.158987294928, "imperialbeerbarrel": 0.16365924, "uscustomarycup": 0.0002365882365,
           "metriccup": 0.00025, "ustablespoon": 1.478676478125e-5, "usteaspoon": 4.92892159375e-6,
           "metricteaspoon": 5e-6, "ukttablespoon": 1.5e-5, "hectocubicmeter": 100, "hectocubicfoot": 2.8316846592,
           "kilocubicfoot": 28.316846592, "megacubicfoot": 28316.846592, "kiloimperialgallon": 4.54609,
           "megaimperialgallon": 4546.09, "kilousgallon": 3.785411784, "megausgallon": 3785.411784,
           "decausgallon": 0.03785411784, "deciusgallon": 0.0003785411784, "hectousgallon": 0.3785411784}
_ANGLE = {"radian": 1, "degree": math.pi / 180, "arcminute": math.pi / 10800, "arcsecond": math.pi / 648000,
          "gradian": math.pi / 200, "revolution": 2 * math.pi, "milliradian": 1e-3, "microradian": 1e-6,
          "nanoradian": 1e-9, "centiradian": 1e-2, "deciradian": 0.1, "microdegree": math.pi / 180e6,
          "millidegree": math.pi / 180e3, "nanodegree": math.pi / 180e9, "mil": math.pi / 3200}


def _converter(table: dict[str, float]):
    units = {k.lower(): v for k, v in table.items()}

    def impl(value, frm, to):
        x = _real(value)
        a, b = units.get(_s(frm).lower()), units.get(_s(to).lower())
        if x is None or a is None or b is None:
            return None
        return x * a / b
    return impl


for _name, _table in (("convert_length", _LENGTH), ("convert_mass", _MASS), ("convert_energy", _ENERGY),
                      ("convert_force", _FORCE), ("convert_speed", _SPEED), ("convert_volume", _VOLUME),
                      ("convert_angle", _ANGLE)):
    scalar(_name, "real", 3, strict=False)(_converter(_table))

# Temperatures: to kelvin and back.
_TEMP_TO_K = {"kelvin": (lambda x: x, lambda k: k),
              "degreecelsius": (lambda x: x + 273.15, lambda k: k - 273.15),
              "degreefahrenheit": (lambda x: (x + 459.67) * 5 / 9, lambda k: k * 9 / 5 - 459.67),
              "degreerankine": (lambda x: x * 5 / 9, lambda k: k * 9 / 5),
              "degreedelisle": (lambda x: 373.15 - x * 2 / 3, lambda k: (373.15 - k) * 3 / 2),
              "degreenewton": (lambda x: x * 100 / 33 + 273.15, lambda k: (k - 273.15) * 33 / 100),
              "degreereaumur": (lambda x: x * 5 / 4 + 273.15, lambda k: (k - 273.15) * 4 / 5),
              "degreeroemer": (lambda x: (x - 7.5) * 40 / 21 + 273.15, lambda k: (k - 273.15) * 21 / 40 + 7.5),
              "solartemperature": (lambda x: x * 5778, lambda k: k / 5778)}


@scalar("convert_temperature", "real", 3, strict=False)
def _convert_temperature(value, frm, to):
    x = _real(value)
    a, b = _TEMP_TO_K.get(_s(frm).lower()), _TEMP_TO_K.get(_s(to).lower())
    if x is None or a is None or b is None:
        return None
    return b[1](a[0](x))


# ------------------------------------------------------------------ strings

scalar("string_size", "long", strict=False)(lambda s: len(_s(s).encode("utf-8")))
scalar("isascii", "bool", strict=False)(lambda s: _s(s).isascii())
scalar("isutf8", "bool", strict=False)(lambda s: "\ufffd" not in _s(s))


@scalar("regex_quote", "string", strict=False)
def _regex_quote(s):
    """Escapes as .NET's Regex.Escape: metacharacters and white space."""
    out = []
    for ch in _s(s):
        if ch in "\\*+?|{[()^$.#":
            out.append("\\" + ch)
        else:
            out.append({" ": "\\ ", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}.get(ch, ch))
    return "".join(out)


@scalar("replace_strings", "string", 3, strict=False)
def _replace_strings(text, lookups, rewrites):
    """Replace several lookups at once: an earlier lookup's matches win over a later one's."""
    text = _s(text)
    if not isinstance(lookups, list) or not isinstance(rewrites, list):
        return text
    claimed: list[tuple[int, int, Any]] = []
    taken = [False] * (len(text) + 1)
    for i, lk in enumerate(lookups):
        if not isinstance(lk, str) or not lk:
            continue
        rw = rewrites[i] if i < len(rewrites) else None
        start = 0
        while True:
            j = text.find(lk, start)
            if j < 0:
                break
            if not any(taken[j:j + len(lk)]):
                for k in range(j, j + len(lk)):
                    taken[k] = True
                claimed.append((j, j + len(lk), rw if isinstance(rw, str) else text[j:j + len(lk)]))
                start = j + len(lk)
            else:
                start = j + 1
    out, pos = [], 0
    for a, b, rw in sorted(claimed, key=lambda c: c[0]):
        out.append(text[pos:a])
        out.append(rw)
        pos = b
    out.append(text[pos:])
    return "".join(out)


@scalar("indexof_regex", "long", 2, 5, strict=False)
def _indexof_regex(s, rx, start=0, length=-1, occurrence=1):
    s = _s(s)
    if start is None or length is None or occurrence is None:
        return None
    start, length, occurrence = int(start), int(length), int(occurrence)
    if start < 0 or length < -1 or occurrence < 1:
        return None
    end = len(s) if length == -1 else min(len(s), start + length)
    from kshell.query import regex
    try:
        matches = regex.compile(_s(rx)).finditer(s[start:end])
    except re.error:
        return None
    for k, m in enumerate(matches, 1):
        if k == occurrence:
            return start + m.start()
    return -1


@scalar("translate", "string", 3, strict=False)
def _translate(search, replace, s):
    search, replace = _s(search), _s(replace)
    table: dict[int, Any] = {}
    for i, ch in enumerate(search):
        if ord(ch) in table:
            continue
        if not replace:
            table[ord(ch)] = None
        else:
            table[ord(ch)] = replace[i] if i < len(replace) else replace[-1]
    return _s(s).translate(table)


@scalar("unicode_codepoints_to_string", "string", 1, None, strict=False, aliases=("make_string",))
def _from_codepoints(*args):
    out = []
    for a in args:
        for v in (a if isinstance(a, list) else [a]):
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 0x10FFFF:
                return ""
            out.append(chr(v))
    return "".join(out)


@scalar("format_bytes", "string", 1, 3, strict=False)
def _format_bytes(size, precision=0, units=""):
    x = _real(size)
    if x is None:
        return ""
    names = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    want = _s(units).strip().upper()
    if want and want.lower() != "bytes":
        if want not in names:
            return ""
        k = names.index(want)
    elif want:
        k = 0
    else:
        k = 0
        while k < len(names) - 1 and abs(x) >= 1024 ** (k + 1):
            k += 1
    p = int(precision or 0)
    value = x / 1024 ** k
    text = f"{value:.{p}f}" if p > 0 else str(int(decimal.Decimal(value).quantize(0, decimal.ROUND_HALF_UP)))
    return f"{text} {names[k]}"


@scalar("parse_version", "decimal", strict=False)
def _parse_version(v):
    parts = _s(v).strip().split(".")
    if not 1 <= len(parts) <= 4 or not all(p.isdigit() and len(p) <= 8 for p in parts):
        return None
    parts += ["0"] * (4 - len(parts))
    return decimal.Decimal("".join(p.rjust(8, "0") for p in parts))


@scalar("parse_csv", "dynamic", strict=False)
def _parse_csv(s):
    """The first record of CSV text, as an array of strings (quotes and doubled quotes honoured)."""
    reader = csv.reader(io.StringIO(_s(s), newline=""))
    try:
        return next(reader, [""])
    except csv.Error:
        return None


@scalar("parse_command_line", "dynamic", 2, strict=False)
def _parse_command_line(s, kind):
    """Windows command-line rules (CommandLineToArgvW): quotes group, backslashes escape quotes."""
    if _s(kind).lower() != "windows":
        return None
    s, args, cur, i, quoted, have = _s(s), [], [], 0, False, False
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            j = i
            while j < len(s) and s[j] == "\\":
                j += 1
            n = j - i
            if j < len(s) and s[j] == '"':
                cur.append("\\" * (n // 2))
                if n % 2:
                    cur.append('"')
                    j += 1
                i = j
            else:
                cur.append("\\" * n)
                i = j
            have = True
            continue
        if ch == '"':
            quoted = not quoted
            have = True
        elif ch in " \t" and not quoted:
            if have:
                args.append("".join(cur))
                cur, have = [], False
        else:
            cur.append(ch)
            have = True
        i += 1
    if have:
        args.append("".join(cur))
    return args


@scalar("parse_urlquery", "dynamic", strict=False)
def _parse_urlquery(q):
    import urllib.parse
    q = _s(q)
    if "?" in q:
        q = q.split("?", 1)[1]
    params: dict[str, Any] = {}
    for k, v in urllib.parse.parse_qsl(q, keep_blank_values=True):
        params.setdefault(k, v)
    return {"Query Parameters": params}


@scalar("parse_path", "dynamic", strict=False)
def _parse_path(p):
    p = _s(p)
    scheme = ""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]+)://", p)
    if m:
        scheme, p = m.group(1), p[m.end():]
    stream = ""
    # an alternate data stream: a ':' after the drive's
    colon = p.find(":", 2 if re.match(r"^[A-Za-z]:", p) else 0)
    if colon > 0:
        p, stream = p[:colon], p[colon + 1:]
    root = ""  # a drive; a UNC path (\\\\server\\share) has none, as the docs print
    m = re.match(r"^([A-Za-z]:)", p)
    if m:
        root = m.group(1)
    sep = max(p.rfind("\\"), p.rfind("/"))
    directory = p[:sep] if sep >= 0 else ""
    filename = p[sep + 1:]
    dname_sep = max(directory.rfind("\\"), directory.rfind("/"))
    dname = directory[dname_sep + 1:] if directory else ""
    ext = filename.rsplit(".", 1)[1] if "." in filename else ""
    return {"Scheme": scheme, "RootPath": root, "DirectoryPath": directory, "DirectoryName": dname,
            "Filename": filename, "Extension": ext, "AlternateDataStreamName": stream}


# ------------------------------------------------------------------ encodings

def _b64(s: str) -> bytes | None:
    try:
        return base64.b64decode(_s(s), validate=True)
    except (binascii.Error, ValueError):
        return None


@scalar("base64_decode_toarray", "dynamic", strict=False)
def _b64_toarray(s):
    b = _b64(s)
    return None if b is None else list(b)


@scalar("base64_encode_fromarray", "string", strict=False)
def _b64_fromarray(arr):
    if not isinstance(arr, list) or not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 256
                                            for x in arr):
        return ""
    return base64.b64encode(bytes(arr)).decode("ascii")


@scalar("base64_decode_toguid", "guid", strict=False)
def _b64_toguid(s):
    b = _b64(s)
    return uuid.UUID(bytes_le=b) if b is not None and len(b) == 16 else None


@scalar("base64_encode_fromguid", "string", strict=False)
def _b64_fromguid(g):
    g = T.to_guid(g)
    return "" if g is None else base64.b64encode(g.bytes_le).decode("ascii")


@scalar("zlib_compress_to_base64_string", "string", strict=False)
def _zlib_compress(s):
    return base64.b64encode(zlib.compress(_s(s).encode("utf-8"), 0)).decode("ascii")


def _inflate(data: bytes, wbits: int) -> str:
    """Decompress within kshell's limit (a decompression bomb fails before using the memory)."""
    from kshell.query import limits
    d = zlib.decompressobj(wbits)
    out = d.decompress(data, limits.MAX_DECOMPRESSED_BYTES + 1)
    limits.check("decompressing the string", len(out), limits.MAX_DECOMPRESSED_BYTES, "bytes",
                 limits.LOW_MEMORY)
    if not d.eof:
        raise zlib.error("truncated stream")
    return out.decode("utf-8")


@scalar("zlib_decompress_from_base64_string", "string", strict=False)
def _zlib_decompress(s):
    b = _b64(s)
    try:
        return "" if b is None else _inflate(b, zlib.MAX_WBITS)
    except (zlib.error, UnicodeDecodeError):
        return ""


@scalar("gzip_compress_to_base64_string", "string", strict=False)
def _gzip_compress(s):
    # .NET's GZipStream header (no time stamp, OS "unknown") around a stored deflate block.
    data = _s(s).encode("utf-8")
    comp = zlib.compressobj(0, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    out = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body + struct.pack("<II", zlib.crc32(data), len(data) % 2**32)
    return base64.b64encode(out).decode("ascii")


@scalar("gzip_decompress_from_base64_string", "string", strict=False)
def _gzip_decompress(s):
    b = _b64(s)
    try:
        return "" if b is None else _inflate(b, 16 + zlib.MAX_WBITS)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return ""


def _punycode_label(label: str) -> str:
    return label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")


scalar("punycode_from_string", "string", strict=False)(lambda s: _s(s).encode("punycode").decode("ascii"))


@scalar("punycode_to_string", "string", strict=False)
def _punycode_to_string(s):
    try:
        return _s(s).encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return ""


_DOTS = re.compile("[.\u3002\uff0e\uff61]")


@scalar("punycode_domain_to_string", "string", strict=False)
def _punycode_domain_encode(s):
    return ".".join(_punycode_label(lb) for lb in _DOTS.split(_s(s)))


@scalar("punycode_domain_from_string", "string", strict=False)
def _punycode_domain_decode(s):
    out = []
    for lb in _s(s).split("."):
        if lb[:4].lower() == "xn--":
            try:
                lb = lb[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                return ""
        out.append(lb)
    return ".".join(out)


# ------------------------------------------------------------------ hashing

def _digest(algo):
    return lambda v: hashlib.new(algo, _s(v).encode("utf-8")).hexdigest()


scalar("hash_sha1", "string", strict=False)(_digest("sha1"))


@scalar("hash_combine", "long", 2, None)
def _hash_combine(*hashes):
    # The service's combining function is not documented; kshell hashes the values' 8-byte
    # little-endian concatenation with XXH64 (deterministic, order-sensitive).
    return _signed64(xxh64(b"".join((int(h) % _M64).to_bytes(8, "little") for h in hashes)))


@scalar("hash_many", "long", 1, None, strict=False)
def _hash_many(*values):
    from kshell.query.functions import _hash
    return _hash_combine(*[_hash(v) if v is not None else 0 for v in values])


# ------------------------------------------------------------------ JSON

@scalar("dynamic_to_json", "string", strict=False)
def _dynamic_to_json(v):
    return json.dumps(T.to_json_value(v) if not isinstance(v, (dict, list)) else v, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False, default=str)


@scalar("datetime_list_timezones", "dynamic", 0, strict=False)
def _list_timezones():
    import zoneinfo
    return sorted(zoneinfo.available_timezones())


@scalar("estimate_data_size", "long", 1, None, strict=False)
def _estimate_data_size(*values):
    """Bytes the values take: UTF-8 text, 8 bytes per number, date or time, 16 per guid,
    the JSON text of a dynamic value."""
    total = 0
    for v in values:
        if v is None:
            continue
        if isinstance(v, str):
            total += len(v.encode("utf-8"))
        elif isinstance(v, (dict, list)):
            total += len(T.dynamic_text(v).encode("utf-8"))
        elif isinstance(v, uuid.UUID):
            total += 16
        elif isinstance(v, bool):
            total += 1
        else:
            total += 8
    return total


@scalar("parse_xml", "dynamic", strict=False)
def _parse_xml(text):
    """XML as dynamic: an element is a bag of its attributes (@name), children (repeated
    ones as an array) and text (#text); a leaf without attributes is its text."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(_s(text))
    except ET.ParseError:
        return None

    def convert(el):
        out: dict = {f"@{k}": v for k, v in el.attrib.items()}
        for child in el:
            v = convert(child)
            if child.tag in out:
                if not isinstance(out[child.tag], list):
                    out[child.tag] = [out[child.tag]]
                out[child.tag].append(v)
            else:
                out[child.tag] = v
        body = (el.text or "").strip()
        if not out:
            return body
        if body:
            out["#text"] = body
        return out
    return {root.tag: convert(root)}
