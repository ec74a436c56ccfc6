"""Matching a typed fragment against candidate words.

Keywords match by prefix (case-insensitive).  Names (tables, columns,
databases, functions, principals) match fuzzily: a prefix match ranks first,
then a substring match, then a subsequence match ("stev" finds StormEvents).

`NameIndex` keeps one list of names ready for repeated lookups: a sorted
lower-cased copy for prefix bisection and one newline-joined string so that
the substring and subsequence searches run inside the regex engine (C speed)
instead of a Python loop over tens of thousands of names.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# Enough suggestions for any menu; cutting here keeps huge catalogs cheap.
DEFAULT_LIMIT = 200


def prefix_matches(fragment: str, words, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Keywords starting with `fragment` (case-insensitive), in the given order, no duplicates."""
    f = fragment.lower()
    out: list[str] = []
    seen: set[str] = set()
    for w in words:
        if w.lower().startswith(f) and w not in seen:
            seen.add(w)
            out.append(w)
            if len(out) >= limit:
                break
    return out


def _subsequence_pattern(fragment: str) -> re.Pattern:
    body = "[^\n]*?".join(re.escape(ch) for ch in fragment)
    return re.compile("^[^\n]*?" + body + "[^\n]*$", re.IGNORECASE | re.MULTILINE)


def fuzzy_matches(fragment: str, names, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Fuzzy matches of `fragment` among a small list of names, best first."""
    if not fragment:
        return sorted(set(names), key=str.lower)[:limit]
    f = fragment.lower()
    prefix, substring, subsequence = [], [], []
    pattern = None
    for name in dict.fromkeys(names):
        low = name.lower()
        if low.startswith(f):
            prefix.append(name)
        elif f in low:
            substring.append(name)
        else:
            if pattern is None:
                pattern = _subsequence_pattern(fragment)
            if pattern.match(name):
                subsequence.append(name)
    out = _ranked(prefix) + _ranked(substring)
    if not out:  # a looser match only when nothing closer exists
        out = _ranked(subsequence)
    return out[:limit]


def _ranked(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: (len(n), n.lower()))


class NameIndex:
    """An immutable set of names prepared for fast fuzzy lookups."""

    __slots__ = ("names", "_lowered", "_by_lower", "_joined", "_joined_lower")

    def __init__(self, names):
        unique = list(dict.fromkeys(names))
        unique.sort(key=str.lower)
        self.names = unique
        self._lowered = [n.lower() for n in unique]
        self._by_lower: dict[str, str] = {}
        for n in unique:
            self._by_lower.setdefault(n.lower(), n)
        # Names never contain a newline worth completing; drop any that do.
        self._joined = "\n".join(n for n in unique if "\n" not in n)
        # str.lower() can change a string's length (e.g. 'İ'); then offsets would not line up.
        lowered = self._joined.lower()
        self._joined_lower = lowered if len(lowered) == len(self._joined) else None

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._by_lower

    def canonical(self, name: str) -> str | None:
        """The stored spelling of `name` (case-insensitive lookup)."""
        return self._by_lower.get(name.lower())

    def match(self, fragment: str, limit: int = DEFAULT_LIMIT) -> list[str]:
        if not fragment:
            return self.names[:limit]
        f = fragment.lower()
        # Prefix matches: a contiguous run of the sorted lower-cased list.
        i = bisect_left(self._lowered, f)
        prefix = []
        while i < len(self._lowered) and self._lowered[i].startswith(f) and len(prefix) < limit:
            prefix.append(self.names[i])
            i += 1
        out = _ranked(prefix)
        if len(out) >= limit:
            return out[:limit]
        if self._joined_lower is None:  # rare: fall back to the plain loop
            return fuzzy_matches(fragment, self.names, limit)
        taken = set(out)
        # Substring matches: str.find over one lower-cased string (C speed).
        sub = [n for n in self._lines_containing(f, 4 * limit) if n not in taken]
        out += _ranked(sub)[: limit - len(out)]
        if out or len(f) < 2:
            return out  # a looser match only when nothing closer exists
        # Subsequence matches: one regex scan; its literal first character lets re skip ahead.
        pattern = re.compile("[^\n]*?".join(re.escape(ch) for ch in f))
        seq = self._lines_matching(pattern, limit)
        return _ranked(seq)[:limit]

    def _line_at(self, i: int) -> tuple[int, int]:
        low = self._joined_lower
        start = low.rfind("\n", 0, i) + 1
        end = low.find("\n", i)
        return start, (len(low) if end < 0 else end)

    def _lines_containing(self, f: str, cap: int) -> list[str]:
        low = self._joined_lower
        found = []
        i = low.find(f)
        while i >= 0 and len(found) < cap:
            start, end = self._line_at(i)
            found.append(self._joined[start:end])
            i = low.find(f, end)
        return found

    def _lines_matching(self, pattern: re.Pattern, cap: int) -> list[str]:
        low = self._joined_lower
        found = []
        m = pattern.search(low)
        while m is not None and len(found) < cap:
            start, end = self._line_at(m.start())
            found.append(self._joined[start:end])
            m = pattern.search(low, end)
        return found
