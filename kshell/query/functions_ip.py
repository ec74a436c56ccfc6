"""IPv4 and IPv6 functions.  Addresses are text with an optional `/prefix`; IPv4 addresses
take part in IPv6 functions as IPv4-mapped IPv6 (::ffff:a.b.c.d, prefix + 96).  A comparison
uses the shortest of the prefixes given (on either address or as the argument)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable

from kshell.query.functions import _s, scalar

_OCTETS = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")


def _ipv4(text: Any) -> tuple[int, int] | None:
    """'a.b.c.d[/n]' (or a number) -> (address, prefix), or None when invalid."""
    if isinstance(text, int) and not isinstance(text, bool):
        return (text, 32) if 0 <= text < 2**32 else None
    s = _s(text).strip()
    prefix = 32
    if "/" in s:
        s, _, p = s.partition("/")
        if not p.isdigit() or int(p) > 32:
            return None
        prefix = int(p)
    m = _OCTETS.match(s)
    if not m or any(int(g) > 255 for g in m.groups()):
        return None
    a, b, c, d = (int(g) for g in m.groups())
    return (a << 24 | b << 16 | c << 8 | d), prefix


def _mask4(addr: int, prefix: int) -> int:
    return addr & ((0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF) if prefix > 0 else 0


def _dotted(addr: int) -> str:
    return ".".join(str(addr >> s & 255) for s in (24, 16, 8, 0))


def _prefix_arg(prefix: Any, bits: int) -> int | None:
    if prefix is None:
        return bits
    if isinstance(prefix, bool) or not isinstance(prefix, int) or not 0 <= prefix <= bits:
        return None
    return prefix


def _register_comparisons(family: str, parse: Callable[[Any], tuple[int, int] | None],
                          bits: int) -> Callable[[Any, Any], bool | None]:
    """<family>_compare, _is_match and _is_in_range: the same rules for IPv4 (32 bits) and
    IPv6 (128): both sides masked to the shortest of their prefixes and the one given."""
    full = (1 << bits) - 1

    def mask(addr: int, prefix: int) -> int:
        return addr & ((full << (bits - prefix)) & full) if prefix > 0 else 0

    def compare(a: Any, b: Any, prefix: Any = None) -> int | None:
        x, y, p = parse(a), parse(b), _prefix_arg(prefix, bits)
        if x is None or y is None or p is None:
            return None
        n = min(x[1], y[1], p)
        u, v = mask(x[0], n), mask(y[0], n)
        return (u > v) - (u < v)

    def is_match(a: Any, b: Any, prefix: Any = None) -> bool | None:
        c = compare(a, b, prefix)
        return None if c is None else c == 0

    def is_in_range(ip: Any, rng: Any) -> bool | None:
        x, r = parse(ip), parse(rng)
        if x is None or r is None:
            return None
        return mask(x[0], r[1]) == mask(r[0], r[1])

    scalar(f"{family}_compare", "long", 2, 3, strict=False)(compare)
    scalar(f"{family}_is_match", "bool", 2, 3, strict=False)(is_match)
    scalar(f"{family}_is_in_range", "bool", 2, strict=False)(is_in_range)
    return is_in_range  # also behind <family>_is_in_any_range


_ipv4_in_range = _register_comparisons("ipv4", _ipv4, 32)


def _flatten(args: tuple) -> list[Any]:
    out: list[Any] = []
    for a in args:
        out.extend(a if isinstance(a, list) else [a])
    return out


@scalar("ipv4_is_in_any_range", "bool", 2, None, strict=False)
def _ipv4_in_any(ip, *ranges):
    if _ipv4(ip) is None:
        return None
    return any(_ipv4_in_range(ip, r) for r in _flatten(ranges))


_PRIVATE = [(_ipv4("10.0.0.0/8")), (_ipv4("172.16.0.0/12")), (_ipv4("192.168.0.0/16"))]


@scalar("ipv4_is_private", "bool", strict=False)
def _ipv4_is_private(ip):
    x = _ipv4(ip)
    if x is None:
        return None
    return any(_mask4(x[0], p) == _mask4(a, p) for a, p in _PRIVATE)


@scalar("ipv4_netmask_suffix", "long", strict=False)
def _netmask_suffix(ip):
    x = _ipv4(ip)
    return None if x is None else x[1]


@scalar("parse_ipv4", "long", strict=False)
def _parse_ipv4(ip):
    x = _ipv4(ip)
    return None if x is None else _mask4(*x)


@scalar("parse_ipv4_mask", "long", 2, strict=False)
def _parse_ipv4_mask(ip, prefix):
    x, p = _ipv4(ip), _prefix_arg(prefix, 32)
    return None if x is None or p is None else _mask4(x[0], min(x[1], p))


@scalar("format_ipv4", "string", 1, 2, strict=False)
def _format_ipv4(ip, prefix=None):
    x, p = _ipv4(ip), _prefix_arg(prefix, 32)
    return "" if x is None or p is None else _dotted(_mask4(x[0], min(x[1], p)))


@scalar("format_ipv4_mask", "string", 1, 2, strict=False)
def _format_ipv4_mask(ip, prefix=None):
    x, p = _ipv4(ip), _prefix_arg(prefix, 32)
    if x is None or p is None:
        return ""
    n = min(x[1], p)
    return f"{_dotted(_mask4(x[0], n))}/{n}"


@scalar("ipv4_range_to_cidr_list", "dynamic", 2, strict=False)
def _range_to_cidr(start, end):
    a, b = _ipv4(start), _ipv4(end)
    if a is None or b is None or a[0] > b[0]:
        return None
    lo, hi, out = a[0], b[0], []
    while lo <= hi:
        size = 32
        while size > 0:
            block = 1 << (32 - (size - 1))
            if lo % block or lo + block - 1 > hi:
                break
            size -= 1
        out.append(f"{_dotted(lo)}/{size}")
        lo += 1 << (32 - size)
    return out


# ------------------------------------------------------------------ IPv4 inside text

_TOKEN = re.compile(r"(?<![0-9A-Za-z.])[0-9.]+(?![0-9A-Za-z.])")


def _addresses_in(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if _ipv4(t) is not None and "/" not in t]


@scalar("has_ipv4", "bool", 2, strict=False)
def _has_ipv4(source, ip):
    if _ipv4(ip) is None:
        return False
    want = _mask4(*_ipv4(ip))
    return any(_ipv4(t)[0] == want for t in _addresses_in(_s(source)))


def _valid_prefix(p: str) -> bool:
    if _ipv4(p) is not None:
        return True
    parts = p.split(".")
    return (p.endswith(".") and 2 <= len(parts) <= 4
            and all(x.isdigit() and int(x) <= 255 for x in parts[:-1]))


@scalar("has_ipv4_prefix", "bool", 2, strict=False)
def _has_ipv4_prefix(source, prefix):
    p = _s(prefix)
    if not _valid_prefix(p):
        return False
    return any(t.startswith(p) for t in _addresses_in(_s(source)))


@scalar("has_any_ipv4", "bool", 2, None, strict=False, aliases=("has_ipv4_any",))
def _has_any_ipv4(source, *ips):
    return any(_has_ipv4(source, ip) for ip in _flatten(ips))


@scalar("has_any_ipv4_prefix", "bool", 2, None, strict=False)
def _has_any_ipv4_prefix(source, *prefixes):
    return any(_has_ipv4_prefix(source, p) for p in _flatten(prefixes))


# ------------------------------------------------------------------ IPv6

def _ipv6(text: Any) -> tuple[int, int] | None:
    s = _s(text).strip()
    prefix: int | None = None
    if "/" in s:
        s, _, p = s.partition("/")
        if not p.isdigit():
            return None
        prefix = int(p)
    v4 = _ipv4(s)
    if v4 is not None:
        p = 128 if prefix is None else prefix + 96
        return (0xFFFF << 32 | v4[0]), min(p, 128)
    try:
        addr = int(ipaddress.IPv6Address(s))
    except ValueError:
        return None
    if "." in s and addr >> 32 == 0:  # ::a.b.c.d is read as the IPv4-mapped address
        addr |= 0xFFFF << 32
    if "." in s and prefix is not None:  # the prefix then counts IPv4 bits
        prefix += 96
    p = 128 if prefix is None else prefix
    return (addr, p) if p <= 128 else None


def _mask6(addr: int, prefix: int) -> int:
    return addr & (((1 << 128) - 1) << (128 - prefix) & ((1 << 128) - 1)) if prefix > 0 else 0


_ipv6_in_range = _register_comparisons("ipv6", _ipv6, 128)


@scalar("ipv6_is_in_any_range", "bool", 2, None, strict=False)
def _ipv6_in_any(ip, *ranges):
    if _ipv6(ip) is None:
        return None
    return any(_ipv6_in_range(ip, r) for r in _flatten(ranges))


def _full6(addr: int) -> str:
    h = f"{addr:032x}"
    return ":".join(h[i:i + 4] for i in range(0, 32, 4))


@scalar("parse_ipv6", "string", strict=False)
def _parse_ipv6(ip):
    x = _ipv6(ip)
    return "" if x is None else _full6(_mask6(*x))


@scalar("parse_ipv6_mask", "string", 2, strict=False)
def _parse_ipv6_mask(ip, prefix):
    x, p = _ipv6(ip), _prefix_arg(prefix, 128)
    if x is None or p is None:
        return ""
    return _full6(_mask6(x[0], min(x[1], p)))
